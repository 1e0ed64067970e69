package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The clusters of a plan: unique names, and paths that are safe, distinct and clear of what meshwave
 * writes itself; the Argo CD destinations that name them.
 */
record ClusterRules(Findings findings, JsonNode spec) {

    /** The longest path, from the output root, that meshwave writes or reads; far below every PATH_MAX, whatever the output root. */
    static final int MAX_PATH_BYTES = 1024;
    /**
     * The longest cluster path: render adds stage and file names below it ({@code stages/NN-<wave>/},
     * {@code control-plane/<revision>/NN-overlay-<name>.yaml}, at most about 200 bytes with 63-character
     * names), and keeps the whole within {@link #MAX_PATH_BYTES}.
     */
    static final int MAX_CLUSTER_PATH_BYTES = MAX_PATH_BYTES - 256;
    /** The last name of a cluster path, so that its temporary sibling {@code .<name>.meshwave-new-<19 digits>} fits in 255 bytes. */
    static final int MAX_LAST_SEGMENT_BYTES = 200;
    /** Names meshwave writes as files in the directories it renders, which kustomize also reads as kustomization files. */
    private static final Set<String> OWN_FILE_NAMES = Set.of("readme.md", "kustomization.yaml", "kustomization.yml", "kustomization");

    /** Cluster names, and each cluster's path and namespacesFrom; returns the names in plan order. */
    Set<String> clusters() {
        JsonNode clusters = spec.path("clusters");
        Map<String, Integer> names = new LinkedHashMap<>();
        for (int i = 0; i < clusters.size(); i++) {
            JsonNode cluster = clusters.get(i);
            String name = cluster.path("name").asText();
            Integer first = names.putIfAbsent(name, i);
            if (first != null) {
                findings.error("/spec/clusters/" + i + "/name", "cluster '" + name + "' is already defined at spec.clusters[" + first + "]");
            }
            if (checkRelativePath("/spec/clusters/" + i + "/path", cluster.path("path").asText(), "the output root", MAX_CLUSTER_PATH_BYTES)) {
                checkOwnFiles("/spec/clusters/" + i + "/path", cluster.path("path").asText());
            }
            if (cluster.has("namespacesIn")) {
                String pointer = "/spec/clusters/" + i + "/namespacesIn";
                if (cluster.has("namespacesFrom")) {
                    findings.error(pointer, "namespacesIn edits the team's own Namespace manifests, namespacesFrom patches one"
                            + " kustomization's in meshwave's stages: choose one");
                }
                String in = cluster.path("namespacesIn").asText();
                if (checkRelativePath(pointer, in, "the repository root", MAX_PATH_BYTES)) {
                    String path = cluster.path("path").asText();
                    if (in.equals(path) || in.startsWith(path + "/")) {
                        findings.error(pointer, "'" + in + "' is inside the cluster's own path '" + path
                                + "', which meshwave rewrites; name the directory Argo CD or Flux applies for the cluster");
                    }
                }
            }
            if (cluster.has("namespacesFrom")) {
                String pointer = "/spec/clusters/" + i + "/namespacesFrom";
                String from = cluster.path("namespacesFrom").asText();
                if (checkRelativePath(pointer, from, "the output root", MAX_PATH_BYTES)) {
                    String path = cluster.path("path").asText();
                    if (from.equals(path) || from.startsWith(path + "/")) {
                        findings.error(pointer, "'" + from + "' is inside the cluster's own path '" + path
                                + "', which meshwave rewrites; keep the Namespaces elsewhere");
                    }
                }
            }
        }
        return names.keySet();
    }

    /**
     * A cluster directory must not be, or sit in, what meshwave writes itself: {@code meshwave/} (each
     * plan's files that are no cluster's), {@code .meshwave/} and {@code .meshwave.lock} (publish's
     * pull-request files and lock in the working copy), the {@code .<name>.meshwave-…} siblings a render
     * swaps in and removes, or a file name meshwave (and kustomize) uses in the directories it renders.
     */
    private void checkOwnFiles(String pointer, String path) {
        String[] segments = path.split("/");
        String first = segments[0].toLowerCase(java.util.Locale.ROOT);
        String last = segments[segments.length - 1];
        String reason = null;
        if (first.equals(Plan.MESHWAVE_DIRECTORY)) {
            reason = "is inside " + Plan.MESHWAVE_DIRECTORY + "/, where meshwave writes each plan's files that are no cluster's";
        } else if (first.equals(".meshwave") || first.equals(".meshwave.lock")) {
            reason = "is where publish keeps its pull-request files and lock (" + segments[0] + ")";
        } else if (java.util.Arrays.stream(segments).anyMatch(seg -> seg.startsWith(".") && seg.toLowerCase(java.util.Locale.ROOT).contains(".meshwave-"))) {
            reason = "has a name like the temporary directories render writes and removes (.<name>.meshwave-…)";
        } else if (java.util.Arrays.stream(segments).anyMatch(seg -> OWN_FILE_NAMES.contains(seg.toLowerCase(java.util.Locale.ROOT)))) {
            reason = "names a file meshwave writes in every directory it renders (README.md, kustomization.yaml)";
        } else if (last.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LAST_SEGMENT_BYTES) {
            reason = "ends in a name longer than " + MAX_LAST_SEGMENT_BYTES + " bytes; render writes the directory beside it first, as"
                    + " .<name>.meshwave-new-<number>, which must still fit in " + FileNames.MAX_NAME_BYTES + " bytes";
        }
        if (reason != null) {
            findings.error(pointer, "'" + path + "' " + reason + " (expected e.g. clusters/prod-us/mesh)");
        }
    }

    /** A path under a root: relative, normalized, no {@code ..}, no backslashes, safe names, at most {@code maxBytes} long. */
    private boolean checkRelativePath(String pointer, String path, String root, int maxBytes) {
        String reason = null;
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*") || path.startsWith("~")) {
            reason = "must be relative to " + root + ", not absolute";
        } else if (path.contains("\\")) {
            reason = "must use '/' as separator";
        } else {
            for (String segment : path.split("/", -1)) {
                if (segment.equals("..")) {
                    reason = "must stay inside " + root + " (no '..')";
                    break;
                }
                if (segment.isEmpty() || segment.equals(".")) {
                    reason = "must be a normalized path (no empty or '.' segments, no trailing '/')";
                    break;
                }
                Optional<String> unsafe = FileNames.problem(segment);
                if (unsafe.isPresent()) {
                    reason = "is not a safe path on every file system: " + unsafe.get();
                    break;
                }
            }
        }
        if (reason == null && path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxBytes) {
            reason = "is longer than " + maxBytes + " bytes" + (maxBytes == MAX_PATH_BYTES ? ""
                    : " (render adds up to " + (MAX_PATH_BYTES - maxBytes) + " bytes of stage and file names below it, and meshwave"
                            + " writes paths of at most " + MAX_PATH_BYTES + " bytes)");
        }
        if (reason != null) {
            findings.error(pointer, "'" + PlanSchema.shown(path) + "' " + reason + " (expected e.g. clusters/prod-us/mesh)");
            return false;
        }
        return true;
    }

    /** Several clusters: each needs a directory of its own, on every file system. */
    void distinctPaths() {
        JsonNode clusters = spec.path("clusters");
        int count = clusters.size();
        String[] paths = new String[count];
        String[] normalizedPaths = new String[count];
        String[] foldedPaths = new String[count];
        // Only paths that overlap once case-folded can clash at all: index each folded path and its parent directories, so
        // that a fleet of 10,000 clusters compares each path with its few candidates, not with every other path.
        Map<String, List<Integer>> byFolded = new java.util.HashMap<>();
        Map<String, List<Integer>> byFoldedParent = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            paths[i] = clusters.get(i).path("path").asText();
            normalizedPaths[i] = java.text.Normalizer.normalize(paths[i], java.text.Normalizer.Form.NFC);
            foldedPaths[i] = normalizedPaths[i].toLowerCase(java.util.Locale.ROOT);
            byFolded.computeIfAbsent(foldedPaths[i], k -> new ArrayList<>()).add(i);
            for (int slash = foldedPaths[i].indexOf('/'); slash >= 0; slash = foldedPaths[i].indexOf('/', slash + 1)) {
                byFoldedParent.computeIfAbsent(foldedPaths[i].substring(0, slash), k -> new ArrayList<>()).add(i);
            }
        }
        for (int i = 0; i < count; i++) {
            java.util.TreeSet<Integer> candidates = new java.util.TreeSet<>();
            candidates.addAll(byFolded.getOrDefault(foldedPaths[i], List.of()));
            candidates.addAll(byFoldedParent.getOrDefault(foldedPaths[i], List.of()));
            for (int slash = foldedPaths[i].indexOf('/'); slash >= 0; slash = foldedPaths[i].indexOf('/', slash + 1)) {
                candidates.addAll(byFolded.getOrDefault(foldedPaths[i].substring(0, slash), List.of()));
            }
            String path = paths[i];
            for (int j : candidates.headSet(i)) {
                String other = paths[j];
                String normalized = normalizedPaths[i];
                String otherNormalized = normalizedPaths[j];
                String folded = foldedPaths[i];
                String otherFolded = foldedPaths[j];
                boolean overlaps = path.equals(other) || path.startsWith(other + "/") || other.startsWith(path + "/");
                boolean sameNormalized = normalized.equals(otherNormalized) || normalized.startsWith(otherNormalized + "/")
                        || otherNormalized.startsWith(normalized + "/");
                if (!overlaps && sameNormalized) {
                    // macOS stores names decomposed (NFD): café typed twice, composed and decomposed, is one directory there.
                    findings.error("/spec/clusters/" + i + "/path", "'" + path + "' and the path of cluster '" + clusters.get(j).path("name").asText()
                            + "' ('" + other + "') are the same name in two Unicode forms (composed and decomposed); on macOS they are"
                            + " one directory (write both the same way)");
                } else if (!overlaps && (folded.equals(otherFolded) || folded.startsWith(otherFolded + "/")
                        || otherFolded.startsWith(folded + "/"))) {
                    findings.error("/spec/clusters/" + i + "/path", "'" + path + "' and the path of cluster '" + clusters.get(j).path("name").asText()
                            + "' ('" + other + "') differ only by case; on a case-insensitive file system (macOS, Windows) they are one directory");
                } else if (overlaps) {
                    findings.error("/spec/clusters/" + i + "/path", "'" + path + "' overlaps the path of cluster '"
                            + clusters.get(j).path("name").asText() + "' ('" + other + "'); each cluster needs its own directory");
                }
            }
        }
    }

    /** {@code gitops.argocd.destinations} maps clusters of the plan, not names that render nothing. */
    void gitOps(Set<String> clusterNames) {
        JsonNode gitops = spec.path("gitops");
        for (Map.Entry<String, JsonNode> destination : Findings.entries(gitops.path("argocd").path("destinations"))) {
            if (!clusterNames.contains(destination.getKey())) {
                findings.errorAtKey("/spec/gitops/argocd/destinations/" + YamlDocument.escape(destination.getKey()),
                        "'" + destination.getKey() + "' is not a cluster of the plan"
                        + PlanSchema.didYouMean(destination.getKey(), List.copyOf(clusterNames))
                        + " (spec.clusters has: " + String.join(", ", clusterNames) + ")");
            }
        }
    }
}
