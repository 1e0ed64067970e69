package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Waves and the namespaces they move: names, system namespaces, once per cluster, canary-first ordering, restart. */
record WaveRules(Findings findings, JsonNode spec, PlanDraft draft) {

    static final Set<String> SYSTEM_NAMESPACES = Set.of("kube-system", "kube-public", "kube-node-lease", "istio-system");

    /** Wave names, and each namespace moving once per cluster on clusters of the plan. */
    void waves(Set<String> clusterNames) {
        JsonNode waves = spec.path("waves");
        Map<String, Integer> waveNames = new HashMap<>();
        Map<String, Integer> movedBy = new HashMap<>();
        for (int w = 0; w < waves.size(); w++) {
            JsonNode wave = waves.get(w);
            String name = wave.path("name").asText();
            Integer first = waveNames.putIfAbsent(name, w);
            if (first != null) {
                findings.error("/spec/waves/" + w + "/name", "wave name '" + name + "' is already used by spec.waves[" + first + "]");
            }
            if (name.equals("finalize") || name.equals("control-plane")) {
                findings.error("/spec/waves/" + w + "/name", "'" + name + "' is the name of a stage meshwave adds itself; choose another");
            }
            JsonNode namespaces = wave.path("namespaces");
            for (int n = 0; n < namespaces.size(); n++) {
                String namespace = namespaceName(namespaces.get(n));
                String pointer = "/spec/waves/" + w + "/namespaces/" + n;
                if (SYSTEM_NAMESPACES.contains(namespace)) {
                    findings.error(pointer, "'" + namespace + "' is a system namespace and never moves in a wave"
                            + (namespace.equals("istio-system") ? " (the control plane lives there)" : ""));
                    continue;
                }
                // A namespace moves once per cluster: the same name may move in several waves on different clusters.
                Integer previous = null;
                for (String cluster : clustersOf(wave, clusterNames)) {
                    Integer earlier = movedBy.putIfAbsent(cluster + "/" + namespace, w);
                    previous = previous != null ? previous : earlier;
                }
                if (previous != null && previous == w) {
                    findings.error(pointer, "namespace '" + namespace + "' is listed twice in wave '" + name + "'");
                } else if (previous != null) {
                    findings.error(pointer, "namespace '" + namespace + "' already moves in wave '"
                            + waves.get(previous).path("name").asText() + "' on the same cluster; a namespace moves once per cluster");
                }
            }
            JsonNode clusters = wave.path("clusters");
            for (int c = 0; c < clusters.size(); c++) {
                String cluster = clusters.get(c).asText();
                if (!clusterNames.contains(cluster)) {
                    findings.error("/spec/waves/" + w + "/clusters/" + c, "no cluster named '" + cluster + "'"
                            + PlanSchema.didYouMean(cluster, List.copyOf(clusterNames))
                            + " (expected one of: " + String.join(", ", clusterNames) + ")");
                }
            }
        }
    }

    /** How a wave's pods are restarted: restart: job is in the schema, but render has no Job to offer yet. */
    void restart() {
        if (draft.restart() == Plan.Restart.JOB) {
            findings.error("/spec/restart", "restart: job is not supported yet; use annotation (declarative) or manual");
        }
    }

    /** With ordering: canary-first, every namespace moves on the canary clusters in an earlier wave than elsewhere. */
    void canaryFirst(Set<String> allClusters) {
        if (draft.ordering() != Plan.Ordering.CANARY_FIRST) {
            return;
        }
        Set<String> canaries = new java.util.LinkedHashSet<>();
        spec.path("clusters").forEach(c -> {
            if (c.path("canary").asBoolean(false)) {
                canaries.add(c.path("name").asText());
            }
        });
        if (canaries.isEmpty()) {
            findings.error("/spec/ordering", "ordering: canary-first needs at least one cluster with canary: true");
            return;
        }
        JsonNode waves = spec.path("waves");
        Map<String, Integer> firstOnCanary = new HashMap<>();
        for (int w = 0; w < waves.size(); w++) {
            for (String cluster : clustersOf(waves.get(w), allClusters)) {
                if (canaries.contains(cluster)) {
                    for (JsonNode entry : waves.get(w).path("namespaces")) {
                        firstOnCanary.putIfAbsent(namespaceName(entry), w);
                    }
                }
            }
        }
        for (int w = 0; w < waves.size(); w++) {
            JsonNode wave = waves.get(w);
            List<String> others = clustersOf(wave, allClusters).stream().filter(c -> !canaries.contains(c)).toList();
            if (others.isEmpty()) {
                continue;
            }
            JsonNode namespaces = wave.path("namespaces");
            for (int n = 0; n < namespaces.size(); n++) {
                String namespace = namespaceName(namespaces.get(n));
                Integer canaryWave = firstOnCanary.get(namespace);
                if (canaryWave == null || canaryWave >= w) {
                    findings.error("/spec/waves/" + w + "/namespaces/" + n, "ordering: canary-first: namespace '" + namespace
                            + "' moves on " + String.join(", ", others) + " in wave '" + wave.path("name").asText() + "' "
                            + (canaryWave == null ? "but never on the canary cluster(s) " + String.join(", ", canaries)
                                    : canaryWave == w ? "and in the same wave on the canary cluster(s) " + String.join(", ", canaries)
                                    : "before it moves on the canary cluster(s) " + String.join(", ", canaries)
                                            + " (in wave '" + waves.get(canaryWave).path("name").asText() + "')")
                            + "; move it on a canary in an earlier wave");
                }
            }
        }
    }

    static String namespaceName(JsonNode entry) {
        return entry.isObject() ? entry.path("name").asText() : entry.asText();
    }

    private static List<String> clustersOf(JsonNode wave, Set<String> allClusters) {
        if (!wave.has("clusters")) {
            return List.copyOf(allClusters);
        }
        List<String> names = new ArrayList<>();
        wave.path("clusters").forEach(c -> names.add(c.asText()));
        return names;
    }
}
