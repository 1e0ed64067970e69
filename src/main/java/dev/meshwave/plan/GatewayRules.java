package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Gateway API gateways and waypoints a wave moves ({@code spec.waves[].gateways}). Such a gateway picks its istiod by
 * its own {@code istio.io/rev}, else its namespace's, else the default revision (istio 1.28 pkg/revisions/tag_watcher.go
 * {@code IsMine}), and its Deployment follows at once: moving a tag it follows restarts its pods with no pull request
 * naming them (istio/istio#59959). So a gateway moves only by its own wave, before anything else would move it: before
 * the wave that moves the tag it follows (in a wave of gateways only), before finalize moves the default revision, and
 * no later than the wave that relabels its namespace.
 */
record GatewayRules(Findings findings, JsonNode spec, PlanDraft draft) {

    void gateways() {
        JsonNode waves = spec.path("waves");
        Map<String, Integer> tagWave = new HashMap<>();
        Map<String, Integer> waveIndex = new HashMap<>();
        for (int w = 0; w < waves.size(); w++) {
            waveIndex.putIfAbsent(waves.get(w).path("name").asText(), w);
        }
        spec.path("tags").properties().forEach(e -> Optional.ofNullable(waveIndex.get(e.getValue().asText()))
                .ifPresent(w -> tagWave.put(e.getKey(), w)));
        Set<String> existingTags = new java.util.HashSet<>();
        spec.path("existing").path("tags").fieldNames().forEachRemaining(existingTags::add);
        Map<String, Integer> namespaceWave = new HashMap<>();
        for (int w = 0; w < waves.size(); w++) {
            for (JsonNode entry : waves.get(w).path("namespaces")) {
                namespaceWave.putIfAbsent(entry.isObject() ? entry.path("name").asText() : entry.asText(), w);
            }
        }
        String fromRevision = spec.path("from").path("revision").asText();
        boolean defaultMoves = draft.finishing().defaultTag() || draft.delivery().inGit();
        Map<String, Integer> seen = new HashMap<>();
        for (int w = 0; w < waves.size(); w++) {
            JsonNode wave = waves.get(w);
            String name = wave.path("name").asText();
            boolean gatewaysOnly = wave.path("namespaces").isEmpty() && !tagWave.containsValue(w);
            JsonNode gateways = wave.path("gateways");
            for (int g = 0; g < gateways.size(); g++) {
                JsonNode gateway = gateways.get(g);
                String id = gateway.path("namespace").asText() + "/" + gateway.path("name").asText();
                String pointer = "/spec/waves/" + w + "/gateways/" + g;
                Integer first = seen.putIfAbsent(id, w);
                if (first != null) {
                    findings.error(pointer, "gateway " + id + " already moves in wave '" + waves.get(first).path("name").asText()
                            + "'; a gateway moves once");
                    continue;
                }
                Optional<String> follows = Optional.of(gateway.path("follows")).filter(JsonNode::isTextual).map(JsonNode::asText);
                Integer namespaceMoves = namespaceWave.get(gateway.path("namespace").asText());
                String tag = follows.orElse(namespaceMoves == null ? Plan.DEFAULT_REVISION : null);
                if (follows.isPresent() && !follows.get().equals(fromRevision) && !follows.get().equals(Plan.DEFAULT_REVISION)
                        && !tagWave.containsKey(follows.get()) && !existingTags.contains(follows.get())
                        && !spec.path("tags").has(follows.get())) {
                    findings.error(pointer + "/follows", "gateway " + id + " follows '" + follows.get() + "', which is neither today's"
                            + " revision " + fromRevision + " nor a tag the plan knows (spec.tags, spec.existing.tags, default)");
                    continue;
                }
                if (tag == null) {
                    // No label of its own: it follows its namespace's istio.io/rev, which a wave changes.
                    if (namespaceMoves < w) {
                        findings.error(pointer, "gateway " + id + " carries no istio.io/rev of its own, so it follows its namespace's,"
                                + " and wave '" + waves.get(namespaceMoves).path("name").asText() + "' moves that label first:"
                                + " its pods would restart with that wave, unannounced; move it in that wave or an earlier one");
                    }
                    continue;
                }
                Integer tagMoves = tag.equals(Plan.DEFAULT_REVISION) ? (defaultMoves ? Integer.MAX_VALUE : null) : tagWave.get(tag);
                if (tagMoves == null) {
                    continue; // a tag no stage moves, or today's revision: only this wave moves it
                }
                String mover = tagMoves == Integer.MAX_VALUE ? "finalize (the default revision)"
                        : "wave '" + waves.get(tagMoves).path("name").asText() + "'";
                if (tagMoves <= w) {
                    findings.error(pointer, "gateway " + id + " follows " + (follows.isPresent() ? "tag " + tag : "the default revision")
                            + ", which " + mover + " moves first: its pods would restart then at once (istio/istio#59959);"
                            + " move it in a wave of its own before that");
                } else if (!gatewaysOnly) {
                    findings.error(pointer, "gateway " + id + " follows " + (follows.isPresent() ? "tag " + tag : "the default revision")
                            + ": moving it restarts its pods at once, so it moves in a wave of its own (gateways only), not in wave '"
                            + name + "' with namespaces or tags");
                }
            }
        }
    }
}
