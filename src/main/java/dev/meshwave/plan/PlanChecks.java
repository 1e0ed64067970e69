package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The semantic rules a schema cannot express (MESH-FACTS §1, DESIGN "The plan"). Runs on a document
 * that already passed the schema, so every field has the type the schema promises.
 */
final class PlanChecks {

    static final Set<String> SYSTEM_NAMESPACES = Set.of("kube-system", "kube-public", "kube-node-lease", "istio-system");
    static final Set<String> MANAGED_REVISIONS = Set.of("asm-managed", "asm-managed-rapid", "asm-managed-stable");

    /** asmcli named options meshwave renders today (MESH-FACTS §7). */
    static final Set<String> OPTIONS = Set.of("multicluster", "multicloud", "stackdriver", "prometheus",
            "prometheus-and-stackdriver", "legacy-default-ingressgateway");
    /** Options that belong to later work: recognised, refused with a clear message. */
    static final Map<String, String> OPTIONS_NOT_YET = Map.of(
            "multiproject", "multi-project meshes come with fleet plans",
            "ca-migration-citadel", "the Citadel to Mesh CA migration comes with its own plan fields",
            "ca-migration-meshca", "the Citadel to Mesh CA migration comes with its own plan fields");
    /** CA overlays come from {@code to.ca}, as asmcli's {@code --ca} does; listing them again is a mistake. */
    static final Map<String, String> CA_OPTIONS = Map.of(
            "citadel-ca", "citadel", "private-ca", "gcp_cas", "managed_cas", "managed_cas");

    private final YamlDocument document;
    private final List<Problem> problems = new ArrayList<>();

    private PlanChecks(YamlDocument document) {
        this.document = document;
    }

    static List<Problem> check(YamlDocument document) {
        PlanChecks checks = new PlanChecks(document);
        checks.run();
        return checks.problems;
    }

    private void run() {
        JsonNode spec = document.root().path("spec");
        checkRevisions(spec);
        checkNotYetSupported(spec);
        checkCa(spec.path("to"));
        checkOptions(spec.path("to").path("options"));
        Set<String> clusterNames = checkClusters(spec.path("clusters"));
        checkWaves(spec.path("waves"), clusterNames);
    }

    private void checkRevisions(JsonNode spec) {
        JsonNode to = spec.path("to");
        MeshVersion toVersion = MeshVersion.parse(to.path("version").asText());
        String from = spec.path("from").path("revision").asText();
        Optional<String> toRevision;
        String toRevisionPointer;
        if (to.has("revision")) {
            toRevision = Optional.of(to.path("revision").asText());
            toRevisionPointer = "/spec/to/revision";
            if (toRevision.get().equals(Plan.DEFAULT_REVISION)) {
                error(toRevisionPointer, "'default' cannot be installed as a revision: istioctl ignores"
                        + " --revision default and it would overlap the non-revisioned injector (expected a name such as "
                        + toVersion.defaultRevision().orElse("1-22-3") + ")");
            }
        } else {
            toRevision = toVersion.defaultRevision();
            toRevisionPointer = "/spec/to/version";
            if (toRevision.isEmpty()) {
                error(toRevisionPointer, "plain Istio version " + toVersion + " has no default revision;"
                        + " set spec.to.revision to a DNS-1035 label, e.g. istio-" + toVersion.major() + "-" + toVersion.minor()
                        + "-" + toVersion.patch());
            }
        }
        toRevision.filter(MANAGED_REVISIONS::contains).ifPresent(r -> error(toRevisionPointer,
                "'" + r + "' is a managed control plane (release channel), not an in-cluster revision meshwave can install"));
        if (toRevision.isPresent() && toRevision.get().equals(from)) {
            error(toRevisionPointer, "the new revision '" + from + "'"
                    + (to.has("revision") ? "" : " (derived from " + toVersion + ")")
                    + " is the revision in use (spec.from.revision); a canary upgrade needs a new revision name");
        }
        JsonNode fromVersionNode = spec.path("from").path("version");
        if (fromVersionNode.isTextual()) {
            checkSkew(MeshVersion.parse(fromVersionNode.asText()), toVersion);
        }
    }

    private void checkSkew(MeshVersion from, MeshVersion to) {
        String pointer = "/spec/to/version";
        if (from.major() != to.major()) {
            error(pointer, "upgrading from " + from + " to " + to + " crosses a major version, which is not supported");
            return;
        }
        int minors = to.minor() - from.minor();
        if (minors > 2) {
            error(pointer, "upgrading from " + from + " to " + to + " skips " + (minors - 1)
                    + " minor versions; a canary upgrade may skip at most one (upgrade in steps, e.g. to "
                    + from.major() + "." + (from.minor() + 2) + " first)");
        } else if (minors == 2) {
            warning(pointer, "upgrading from " + from + " to " + to + " skips minor version " + from.major() + "."
                    + (from.minor() + 1) + "; a canary upgrade may skip one minor, but read that version's upgrade notes too");
        } else if (to.compareTo(from) < 0) {
            warning(pointer, to + " is older than " + from + " (spec.from.version): this plan is a downgrade");
        }
    }

    private void checkNotYetSupported(JsonNode spec) {
        if (spec.path("injection").asText("revision").equals("tag")) {
            error("/spec/injection", "injection: tag is not supported yet (revision tags as an upgrade strategy come later);"
                    + " use injection: revision");
        }
        if (spec.path("tags").size() > 0) {
            error("/spec/tags", "tags are not supported yet (they go with injection: tag)");
        }
        if (spec.path("clusters").size() > 1) {
            error("/spec/clusters/1", "plans with several clusters are not supported yet (fleet plans come later);"
                    + " write one plan per cluster for now");
        }
        if (spec.path("restart").asText("annotation").equals("job")) {
            error("/spec/restart", "restart: job is not supported yet; use annotation (declarative) or manual");
        }
    }

    private void checkCa(JsonNode to) {
        String ca = to.path("ca").asText("mesh_ca");
        if (ca.equals("gcp_cas") && !to.has("caPool")) {
            error("/spec/to/ca", "ca: gcp_cas needs spec.to.caPool (projects/P/locations/L/caPools/NAME)");
        }
        if (!ca.equals("gcp_cas") && to.has("caPool")) {
            error("/spec/to/caPool", "caPool is only used with ca: gcp_cas (ca is " + ca + ")");
        }
    }

    private void checkOptions(JsonNode options) {
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i).asText();
            String pointer = "/spec/to/options/" + i;
            if (OPTIONS.contains(option)) {
                continue;
            }
            if (OPTIONS_NOT_YET.containsKey(option)) {
                error(pointer, "option '" + option + "' is not supported yet (" + OPTIONS_NOT_YET.get(option) + ")");
            } else if (CA_OPTIONS.containsKey(option)) {
                error(pointer, "option '" + option + "' is chosen by spec.to.ca: " + CA_OPTIONS.get(option)
                        + "; remove it from options");
            } else {
                error(pointer, "unknown option '" + option + "'" + PlanSchema.didYouMean(option, List.copyOf(OPTIONS))
                        + " (expected one of: " + String.join(", ", OPTIONS.stream().sorted().toList()) + ")");
            }
        }
    }

    private Set<String> checkClusters(JsonNode clusters) {
        Map<String, Integer> names = new LinkedHashMap<>();
        for (int i = 0; i < clusters.size(); i++) {
            JsonNode cluster = clusters.get(i);
            String name = cluster.path("name").asText();
            Integer first = names.putIfAbsent(name, i);
            if (first != null) {
                error("/spec/clusters/" + i + "/name", "cluster '" + name + "' is already defined at spec.clusters[" + first + "]");
            }
            checkRelativePath("/spec/clusters/" + i + "/path", cluster.path("path").asText(), "the output root");
            if (cluster.has("namespacesFrom")) {
                String pointer = "/spec/clusters/" + i + "/namespacesFrom";
                String from = cluster.path("namespacesFrom").asText();
                if (checkRelativePath(pointer, from, "the output root")) {
                    String path = cluster.path("path").asText();
                    if (from.equals(path) || from.startsWith(path + "/")) {
                        error(pointer, "'" + from + "' is inside the cluster's own path '" + path
                                + "', which meshwave rewrites; keep the Namespaces elsewhere");
                    }
                }
            }
        }
        return names.keySet();
    }

    /** A path under a root: relative, normalized, no {@code ..}, no backslashes. */
    private boolean checkRelativePath(String pointer, String path, String root) {
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
            }
        }
        if (reason != null) {
            error(pointer, "'" + path + "' " + reason + " (expected e.g. clusters/prod-us/mesh)");
            return false;
        }
        return true;
    }

    private void checkWaves(JsonNode waves, Set<String> clusterNames) {
        Map<String, Integer> waveNames = new HashMap<>();
        Map<String, Integer> movedBy = new HashMap<>();
        for (int w = 0; w < waves.size(); w++) {
            JsonNode wave = waves.get(w);
            String name = wave.path("name").asText();
            Integer first = waveNames.putIfAbsent(name, w);
            if (first != null) {
                error("/spec/waves/" + w + "/name", "wave name '" + name + "' is already used by spec.waves[" + first + "]");
            }
            if (name.equals("finalize") || name.equals("control-plane")) {
                error("/spec/waves/" + w + "/name", "'" + name + "' is the name of a stage meshwave adds itself; choose another");
            }
            JsonNode namespaces = wave.path("namespaces");
            for (int n = 0; n < namespaces.size(); n++) {
                String namespace = namespaces.get(n).asText();
                String pointer = "/spec/waves/" + w + "/namespaces/" + n;
                if (SYSTEM_NAMESPACES.contains(namespace)) {
                    error(pointer, "'" + namespace + "' is a system namespace and never moves in a wave"
                            + (namespace.equals("istio-system") ? " (the control plane lives there)" : ""));
                    continue;
                }
                Integer previous = movedBy.putIfAbsent(namespace, w);
                if (previous != null && previous == w) {
                    error(pointer, "namespace '" + namespace + "' is listed twice in wave '" + name + "'");
                } else if (previous != null) {
                    error(pointer, "namespace '" + namespace + "' already moves in wave '"
                            + waves.get(previous).path("name").asText() + "'; a namespace moves in one wave only");
                }
            }
            JsonNode clusters = wave.path("clusters");
            for (int c = 0; c < clusters.size(); c++) {
                String cluster = clusters.get(c).asText();
                if (!clusterNames.contains(cluster)) {
                    error("/spec/waves/" + w + "/clusters/" + c, "no cluster named '" + cluster + "'"
                            + PlanSchema.didYouMean(cluster, List.copyOf(clusterNames))
                            + " (expected one of: " + String.join(", ", clusterNames) + ")");
                }
            }
        }
    }

    private void error(String pointer, String message) {
        YamlDocument.Location at = document.locate(pointer);
        problems.add(Problem.error(at.value(), at.displayPath(), message));
    }

    private void warning(String pointer, String message) {
        YamlDocument.Location at = document.locate(pointer);
        problems.add(Problem.warning(at.value(), at.displayPath(), message));
    }
}
