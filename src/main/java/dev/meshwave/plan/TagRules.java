package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Revision tags (MESH-FACTS §1, §4): their names, the waves that move them, and the tags already in the cluster. */
record TagRules(Findings findings, JsonNode spec, PlanDraft draft) {

    /** Tags named unlike revisions, moved by a wave of the plan, followed by the namespaces of that wave. */
    void tags() {
        JsonNode tags = spec.path("tags");
        JsonNode waves = spec.path("waves");
        String from = spec.path("from").path("revision").asText();
        JsonNode to = spec.path("to");
        String toRevision = draft.toRevision().orElse("");
        Map<String, Integer> waveIndex = new HashMap<>();
        for (int w = 0; w < waves.size(); w++) {
            waveIndex.putIfAbsent(waves.get(w).path("name").asText(), w);
        }
        boolean byTag = draft.injection() == Plan.Injection.TAG;
        if (byTag && tags.isEmpty()) {
            findings.error("/spec/injection", "injection: tag needs spec.tags (tag -> the wave that moves it)");
        }
        for (Map.Entry<String, JsonNode> tag : Findings.entries(tags)) {
            String pointer = "/spec/tags/" + YamlDocument.escape(tag.getKey());
            String name = tag.getKey();
            // from.revision "default" names the non-revisioned install, not a revision: the default tag is fine then.
            String sameAs = name.equals(from) && !from.equals(Plan.DEFAULT_REVISION) ? "the revision in use (spec.from.revision)"
                    : name.equals(toRevision) ? "the new revision" + (to.has("revision") ? " (spec.to.revision)"
                            : " (derived from spec.to.version " + to.path("version").asText() + ")")
                    : null;
            if (sameAs != null) {
                findings.errorAtKey(pointer, "tag '" + name + "' has the name of " + sameAs + "; tags and revisions share istio.io/rev"
                        + " values, so a tag must not share a name with a revision (choose e.g. prod-stable, canary)");
            } else if (MeshVersion.looksLikeRevision(name)) {
                findings.errorAtKey(pointer, "tag '" + name + "' looks like a revision name (asm-<version>-<n>, <M>-<m>-<p> or asm-managed*);"
                        + " tags and revisions share istio.io/rev values, so a tag must not look like one"
                        + " (choose e.g. prod-stable, canary)");
            }
            if (spec.path("existing").path("tags").has(name)) {
                findings.errorAtKey(pointer, "tag '" + name + "' is also listed in spec.existing.tags; keep it in spec.tags if this plan"
                        + " moves it, or in spec.existing.tags if it stays where it is, not in both");
            }
            if (!waveIndex.containsKey(tag.getValue().asText())) {
                findings.error(pointer, "no wave named '" + tag.getValue().asText() + "' moves tag '" + name + "'"
                        + PlanSchema.didYouMean(tag.getValue().asText(), List.copyOf(waveIndex.keySet()))
                        + " (expected one of: " + String.join(", ", waveIndex.keySet().stream().sorted().toList()) + ")");
            }
            if (from.equals(Plan.DEFAULT_REVISION) && !name.equals("default")) {
                findings.errorAtKey(pointer, "tag '" + name + "' does not exist in a non-revisioned install (spec.from.revision: default),"
                        + " so no namespace follows it today; only the default tag can be created in a wave (its namespaces"
                        + " carry istio-injection=enabled); remove it from spec.tags and let the waves relabel namespaces"
                        + " to the new revision");
            }
        }
        boolean removesOld = draft.finishing().removeOldRevision();
        for (Map.Entry<String, JsonNode> tag : Findings.entries(spec.path("existing").path("tags"))) {
            String pointer = "/spec/existing/tags/" + YamlDocument.escape(tag.getKey());
            String name = tag.getKey();
            boolean sameAsFrom = name.equals(from) && !from.equals(Plan.DEFAULT_REVISION);
            if (sameAsFrom || name.equals(toRevision) || MeshVersion.looksLikeRevision(name)) {
                findings.errorAtKey(pointer, "existing tag '" + name + "' is named like a revision; tags and revisions share istio.io/rev"
                        + " values, so injection would be ambiguous (rename the tag: istioctl tag remove, then tag set)");
            }
            boolean movedAtFinalize = name.equals("default") && draft.finishing().defaultTag();
            if (removesOld && tag.getValue().asText().equals(from) && !movedAtFinalize) {
                findings.error(pointer, "existing tag '" + name + "' points at " + from + ", which this plan removes after finalize;"
                        + " its webhook (failurePolicy Fail) would then refuse every pod it matches. Move it in a wave"
                        + " (spec.tags) or keep the old revision (finalize.removeOldRevision: false)");
            }
        }
        // With the default tag in spec.tags, finalize.defaultTag is false unless the plan sets it.
        if (tags.has("default") && draft.finishing().defaultTag()) {
            findings.error("/spec/finalize/defaultTag", "the default tag already moves in wave '" + tags.path("default").asText()
                    + "' (spec.tags); remove finalize.defaultTag");
        }
        for (int w = 0; w < waves.size(); w++) {
            String wave = waves.get(w).path("name").asText();
            List<String> moved = new ArrayList<>();
            Findings.entries(tags).forEach(t -> {
                if (t.getValue().asText().equals(wave)) {
                    moved.add(t.getKey());
                }
            });
            JsonNode namespaces = waves.get(w).path("namespaces");
            if (namespaces.isEmpty() && moved.isEmpty() && waves.get(w).path("gateways").isEmpty()) {
                findings.error("/spec/waves/" + w + "/namespaces", "wave '" + wave + "' moves no namespace, no tag and no gateway;"
                        + " list its namespaces or gateways, or move a tag in it (spec.tags: {<tag>: " + wave + "})");
            }
            for (int n = 0; n < namespaces.size(); n++) {
                JsonNode entry = namespaces.get(n);
                String pointer = "/spec/waves/" + w + "/namespaces/" + n;
                if (entry.isObject() && entry.has("tag")) {
                    String tag = entry.path("tag").asText();
                    if (!tags.has(tag)) {
                        findings.error(pointer + "/tag", "tag '" + tag + "' is not in spec.tags, so nothing moves it"
                                + PlanSchema.didYouMean(tag, Findings.fieldNames(tags))
                                + (tags.isEmpty() ? "" : " (spec.tags has: " + String.join(", ", Findings.fieldNames(tags)) + ")"));
                    } else if (!tags.path(tag).asText().equals(wave)) {
                        findings.error(pointer + "/tag", "namespace '" + entry.path("name").asText() + "' follows tag '" + tag
                                + "', which moves in wave '" + tags.path(tag).asText() + "'; list it there");
                    }
                } else if (!entry.isObject() && byTag && !tags.isEmpty() && moved.size() != 1
                        && !waves.get(w).path("dataplane").asText("").equals("ambient")) {
                    findings.error(pointer, "with injection: tag, say which tag namespace '" + entry.asText() + "' follows: {name: "
                            + entry.asText() + ", tag: <tag>} (wave '" + wave + "' moves " + (moved.isEmpty() ? "no tag" : String.join(", ", moved)) + ")");
                }
            }
        }
        // Namespaces on istio-injection=enabled follow the default revision; moving the default tag
        // before they are relabelled would re-inject them outside their own wave.
        if (tags.has("default") && from.equals(Plan.DEFAULT_REVISION) && waveIndex.containsKey(tags.path("default").asText())) {
            int defaultWave = waveIndex.get(tags.path("default").asText());
            for (int w = defaultWave + 1; w < waves.size(); w++) {
                for (JsonNode entry : waves.get(w).path("namespaces")) {
                    if (!entry.isObject()) {
                        findings.error("/spec/tags/default", "the default tag moves in wave '" + tags.path("default").asText()
                                + "' before namespace '" + entry.asText() + "' (istio-injection=enabled today) is relabelled in wave '"
                                + waves.get(w).path("name").asText() + "'; move the default tag in the last wave, or remove it"
                                + " from spec.tags and let finalize create it (finalize.defaultTag)");
                        return;
                    }
                }
            }
        }
    }
}
