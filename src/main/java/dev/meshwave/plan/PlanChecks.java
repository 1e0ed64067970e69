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
    static final Set<String> OPTIONS = Set.of("multicluster", "multiproject", "multicloud", "stackdriver", "prometheus",
            "prometheus-and-stackdriver", "legacy-default-ingressgateway");
    /** The ASM minor whose installer first ships an option's file (asm/istio/options/ of each release branch). */
    static final Map<String, Integer> OPTION_SINCE = Map.of("stackdriver", 12, "prometheus-and-stackdriver", 12,
            "legacy-default-ingressgateway", 11);
    /** Options meshwave adds to the phase they belong to; a plan never lists them itself. */
    static final Set<String> CA_MIGRATION_OPTIONS = Set.of(Plan.CaMigration.CITADEL_OPTION, Plan.CaMigration.MESHCA_OPTION);
    static final String DISTRIBUTE_ROOT_SUFFIX = "-distribute-root";
    static final String MESHCA_SUFFIX = "-meshca-ca-migration";
    /** CA overlays come from {@code to.ca}, as asmcli's {@code --ca} does; listing them again is a mistake. */
    static final Map<String, String> CA_OPTIONS = Map.of(
            "citadel-ca", "citadel", "private-ca", "gcp_cas", "managed_cas", "managed_cas");

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
        checkDeactivation(spec);
        checkCaMigration(spec);
        checkNotYetSupported(spec);
        checkCa(spec.path("to"));
        checkOptions(spec.path("to").path("options"));
        checkInstallerVersion(spec);
        Set<String> clusterNames = checkClusters(spec.path("clusters"));
        checkWaves(spec.path("waves"), clusterNames);
        checkTags(spec);
        checkFleet(spec);
        checkGitOps(spec.path("gitops"), clusterNames);
    }

    /** {@code gitops.argocd.destinations} maps clusters of the plan, not names that render nothing. */
    private void checkGitOps(JsonNode gitops, Set<String> clusterNames) {
        for (Map.Entry<String, JsonNode> destination : iterable(gitops.path("argocd").path("destinations"))) {
            if (!clusterNames.contains(destination.getKey())) {
                errorAtKey("/spec/gitops/argocd/destinations/" + YamlDocument.escape(destination.getKey()),
                        "'" + destination.getKey() + "' is not a cluster of the plan"
                        + PlanSchema.didYouMean(destination.getKey(), List.copyOf(clusterNames))
                        + " (spec.clusters has: " + String.join(", ", clusterNames) + ")");
            }
        }
    }

    private static List<String> clustersOf(JsonNode wave, Set<String> allClusters) {
        if (!wave.has("clusters")) {
            return List.copyOf(allClusters);
        }
        List<String> names = new ArrayList<>();
        wave.path("clusters").forEach(c -> names.add(c.asText()));
        return names;
    }

    /** Several clusters: distinct paths, the facts their options need, canary-first ordering. */
    private void checkFleet(JsonNode spec) {
        JsonNode clusters = spec.path("clusters");
        Set<String> allClusters = new java.util.LinkedHashSet<>();
        clusters.forEach(c -> allClusters.add(c.path("name").asText()));
        for (int i = 0; i < clusters.size(); i++) {
            JsonNode cluster = clusters.get(i);
            String path = cluster.path("path").asText();
            for (int j = 0; j < i; j++) {
                String other = clusters.get(j).path("path").asText();
                String normalized = java.text.Normalizer.normalize(path, java.text.Normalizer.Form.NFC);
                String otherNormalized = java.text.Normalizer.normalize(other, java.text.Normalizer.Form.NFC);
                String folded = normalized.toLowerCase(java.util.Locale.ROOT);
                String otherFolded = otherNormalized.toLowerCase(java.util.Locale.ROOT);
                boolean overlaps = path.equals(other) || path.startsWith(other + "/") || other.startsWith(path + "/");
                boolean sameNormalized = normalized.equals(otherNormalized) || normalized.startsWith(otherNormalized + "/")
                        || otherNormalized.startsWith(normalized + "/");
                if (!overlaps && sameNormalized) {
                    // macOS stores names decomposed (NFD): café typed twice, composed and decomposed, is one directory there.
                    error("/spec/clusters/" + i + "/path", "'" + path + "' and the path of cluster '" + clusters.get(j).path("name").asText()
                            + "' ('" + other + "') are the same name in two Unicode forms (composed and decomposed); on macOS they are"
                            + " one directory (write both the same way)");
                } else if (!overlaps && (folded.equals(otherFolded) || folded.startsWith(otherFolded + "/")
                        || otherFolded.startsWith(folded + "/"))) {
                    error("/spec/clusters/" + i + "/path", "'" + path + "' and the path of cluster '" + clusters.get(j).path("name").asText()
                            + "' ('" + other + "') differ only by case; on a case-insensitive file system (macOS, Windows) they are one directory");
                } else if (overlaps) {
                    error("/spec/clusters/" + i + "/path", "'" + path + "' overlaps the path of cluster '"
                            + clusters.get(j).path("name").asText() + "' ('" + other + "'); each cluster needs its own directory");
                }
            }
            if (cluster.path("platform").asText("").equals("gke") && !(cluster.has("project") && cluster.has("location"))) {
                List<String> missing = new ArrayList<>();
                List<String> flags = new ArrayList<>();
                if (!cluster.has("project")) {
                    missing.add("project");
                    flags.add("--project_id");
                }
                if (!cluster.has("location")) {
                    missing.add("location");
                    flags.add("--cluster_location");
                }
                error("/spec/clusters/" + i + "/platform", "platform: gke needs the cluster's " + String.join(" and ", missing)
                        + " (asmcli install " + String.join(" ", flags) + ")");
            }
        }
        boolean multiproject = false;
        for (JsonNode option : spec.path("to").path("options")) {
            multiproject |= option.asText().equals("multiproject");
        }
        if (multiproject) {
            for (int i = 0; i < clusters.size(); i++) {
                JsonNode cluster = clusters.get(i);
                for (String field : List.of("project", "fleetProjectNumber")) {
                    if (!cluster.has(field)) {
                        error("/spec/clusters/" + i, "option multiproject needs every cluster's " + field
                                + (field.equals("project") ? " (its trust domain <project>.svc.id.goog is aliased on every cluster)"
                                        : " (meshID is proj-<fleet project number>)"));
                    }
                }
            }
            // One multi-project mesh is one fleet: its meshID (proj-<number>) and trust domain must be the same everywhere.
            for (String field : List.of("fleetProject", "fleetProjectNumber")) {
                String first = null;
                String firstCluster = null;
                for (int i = 0; i < clusters.size(); i++) {
                    JsonNode value = clusters.get(i).get(field);
                    if (value == null) {
                        continue;
                    }
                    if (first == null) {
                        first = value.asText();
                        firstCluster = clusters.get(i).path("name").asText();
                    } else if (!first.equals(value.asText())) {
                        error("/spec/clusters/" + i + "/" + field, "cluster " + clusters.get(i).path("name").asText() + " has " + field
                                + " " + value.asText() + ", but cluster " + firstCluster + " has " + first + "; the clusters of a"
                                + " multi-project mesh are in one fleet" + (field.equals("fleetProjectNumber")
                                        ? ", and a different meshID (proj-" + value.asText() + ") would keep this cluster out of the mesh"
                                        : ", whose project is their trust domain"));
                    }
                }
            }
        }
        // asmcli installs no ingress gateway from 1.11 on; switching the shared Service to a revision
        // without gateway pods would leave it without endpoints.
        boolean legacyGateway = false;
        for (JsonNode option : spec.path("to").path("options")) {
            legacyGateway |= option.asText().equals("legacy-default-ingressgateway");
        }
        if (!legacyGateway && MeshVersion.parse(spec.path("to").path("version").asText()).atLeast(1, 11)) {
            for (int i = 0; i < clusters.size(); i++) {
                if (clusters.get(i).has("ingressGateway")) {
                    warning("/spec/clusters/" + i + "/ingressGateway", "the first wave switches this Service to the new"
                            + " revision, but the plan installs no gateway for it (asmcli installs none from 1.11 on): deploy one"
                            + " (option legacy-default-ingressgateway, an overlay, or a gateway Deployment) before that wave");
                }
            }
        }
        if (spec.path("ordering").asText("waves").equals("canary-first")) {
            checkCanaryFirst(spec, allClusters);
        }
    }

    /** With ordering: canary-first, every namespace moves on the canary clusters in an earlier wave than elsewhere. */
    private void checkCanaryFirst(JsonNode spec, Set<String> allClusters) {
        Set<String> canaries = new java.util.LinkedHashSet<>();
        spec.path("clusters").forEach(c -> {
            if (c.path("canary").asBoolean(false)) {
                canaries.add(c.path("name").asText());
            }
        });
        if (canaries.isEmpty()) {
            error("/spec/ordering", "ordering: canary-first needs at least one cluster with canary: true");
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
                    error("/spec/waves/" + w + "/namespaces/" + n, "ordering: canary-first: namespace '" + namespace
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
                        + " set spec.to.revision, e.g. Istio's own " + toVersion.major() + "-" + toVersion.minor()
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
        boolean saysDowngrade = to.path("downgrade").asBoolean(false);
        if (fromVersionNode.isTextual()) {
            MeshVersion fromVersion = MeshVersion.parse(fromVersionNode.asText());
            if (fromVersion.major() == toVersion.major()) { // else checkSkew refuses the step anyway
                checkDirection(fromVersion, toVersion, saysDowngrade);
            }
            checkSkew(fromVersion, toVersion);
        } else if (saysDowngrade) {
            error("/spec/to/downgrade", "a downgrade is checked against the version in use: set spec.from.version");
        }
    }

    /**
     * Going back to an older version is a different operation from an upgrade (older proxies under the
     * new control plane's config, CRDs and defaults the old one may not know), so a plan only does it
     * when it says so: {@code spec.to.downgrade: true}.
     */
    private void checkDirection(MeshVersion from, MeshVersion to, boolean saysDowngrade) {
        boolean downgrade = to.compareTo(from) < 0;
        if (downgrade && !saysDowngrade) {
            error("/spec/to/version", to + " is older than " + from + " (spec.from.version): this plan is a downgrade;"
                    + " if that is intended, say so with spec.to.downgrade: true");
        } else if (!downgrade && saysDowngrade) {
            error("/spec/to/downgrade", "spec.to.downgrade is true, but " + to + " is not older than " + from
                    + " (spec.from.version)");
        }
    }

    /**
     * Deactivating the non-revisioned injector means naming each of its webhooks (applying merges them
     * by name): one {@code sidecar-injector.istio.io} before Istio 1.10, four from 1.10. Without
     * {@code from.version} meshwave cannot tell which, unless the target is 1.12 or later: a step skips
     * at most one minor, so the installed version is 1.10 or later then.
     */
    private void checkDeactivation(JsonNode spec) {
        JsonNode mode = spec.path("existing").path("nonRevisionedInjector");
        if (!mode.asText().equals("deactivate") || spec.path("from").path("version").isTextual()) {
            return;
        }
        MeshVersion to = MeshVersion.parse(spec.path("to").path("version").asText());
        if (!to.atLeast(1, 12)) {
            error("/spec/existing/nonRevisionedInjector", "deactivate needs spec.from.version when moving to " + to
                    + ": a non-revisioned injector before Istio 1.10 has one webhook (sidecar-injector.istio.io), from 1.10 four,"
                    + " and a deactivation that misses one leaves it injecting next to the default tag (IST0139)");
        }
    }

    /** Whether the plan migrates from Citadel to Mesh CA: {@code spec.caMigration}, or the CAs of from and to. */
    static boolean migratesCa(JsonNode spec) {
        return spec.has("caMigration")
                || (spec.path("from").path("ca").asText("").equals("citadel") && spec.path("to").path("ca").asText("mesh_ca").equals("mesh_ca"));
    }

    /** The Citadel → Mesh CA migration (seed 002): the only CA change meshwave plans, with two new revision names. */
    private void checkCaMigration(JsonNode spec) {
        JsonNode from = spec.path("from");
        JsonNode to = spec.path("to");
        String fromCa = from.path("ca").asText("");
        String toCa = to.path("ca").asText("mesh_ca");
        if (spec.has("caMigration")) {
            if (!fromCa.isEmpty() && !fromCa.equals("citadel")) {
                error("/spec/from/ca", "spec.caMigration migrates from citadel, but from.ca is " + fromCa);
            }
            if (!toCa.equals("mesh_ca")) {
                error("/spec/to/ca", "spec.caMigration migrates to mesh_ca, but to.ca is " + toCa);
            }
        } else if (!fromCa.isEmpty() && !fromCa.equals(toCa) && !migratesCa(spec)) {
            error("/spec/from/ca", "meshwave plans one change of CA, from citadel to mesh_ca (see docs/ca-migration.md in the meshwave repository); " + fromCa + " to "
                    + toCa + " is not a canary upgrade it can render (keep from.ca and to.ca the same)");
        }
        if (!migratesCa(spec)) {
            return;
        }
        MeshVersion version = MeshVersion.parse(to.path("version").asText());
        if (!version.isAsm()) {
            error("/spec/to/version", "the Citadel to Mesh CA migration needs an ASM version (M.m.p-asm.r): Mesh CA is"
                    + " Google's, and options ca-migration-citadel and ca-migration-meshca are asmcli's");
            return;
        }
        String base = to.has("revision") ? to.path("revision").asText() : version.defaultRevision().orElse("");
        JsonNode migration = spec.path("caMigration");
        Map<String, String> revisions = new LinkedHashMap<>();
        revisions.put("distributeRootRevision", migration.has("distributeRootRevision")
                ? migration.path("distributeRootRevision").asText() : base + DISTRIBUTE_ROOT_SUFFIX);
        revisions.put("meshcaRevision", migration.has("meshcaRevision")
                ? migration.path("meshcaRevision").asText() : base + MESHCA_SUFFIX);
        String fromRevision = from.path("revision").asText();
        revisions.forEach((field, revision) -> {
            String pointer = migration.has(field) ? "/spec/caMigration/" + field : to.has("revision") ? "/spec/to/revision" : "/spec/to/version";
            if (revision.length() > 56) {
                error(pointer, "the derived revision '" + revision + "' is longer than 56 characters (Service istiod-<revision>"
                        + " must stay a DNS label); set spec.caMigration." + field + " or a shorter spec.to.revision");
            } else if (revision.equals(fromRevision)) {
                error(pointer, "revision '" + revision + "' (spec.caMigration." + field + ") is the revision in use"
                        + " (spec.from.revision); each phase of the migration needs a new revision");
            }
        });
        if (revisions.get("distributeRootRevision").equals(revisions.get("meshcaRevision"))) {
            error(migration.has("meshcaRevision") ? "/spec/caMigration/meshcaRevision" : "/spec/caMigration",
                    "both phases of the migration would install revision '" + revisions.get("meshcaRevision")
                            + "'; the Mesh CA phase needs a revision of its own");
        }
        JsonNode waves = spec.path("waves");
        for (int w = 0; w < waves.size(); w++) {
            String name = waves.get(w).path("name").asText();
            if (name.startsWith(Plan.CaMigration.STAGE_PREFIX) || name.equals(Plan.CaMigration.CLEANUP_LABEL)) {
                error("/spec/waves/" + w + "/name", "in a CA migration the Mesh CA phase repeats every wave as stage '"
                        + Plan.CaMigration.STAGE_PREFIX + "<wave>', and the last stage is '" + Plan.CaMigration.CLEANUP_LABEL + "'; rename wave '" + name + "'");
            }
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
        }
    }

    private void checkNotYetSupported(JsonNode spec) {
        if (spec.path("restart").asText("annotation").equals("job")) {
            error("/spec/restart", "restart: job is not supported yet; use annotation (declarative) or manual");
        }
    }

    private void checkCa(JsonNode to) {
        String ca = to.path("ca").asText("mesh_ca");
        if (ca.equals("gcp_cas") && !to.has("caPool")) {
            error("/spec/to/ca", "ca: gcp_cas needs spec.to.caPool (projects/P/locations/L/caPools/NAME)");
        }
        if (!ca.equals("citadel") && !migratesCa(document.root().path("spec")) && to.has("citadel")) {
            error("/spec/to/citadel", "the plug-in CA files are only used with ca: citadel (ca is " + ca + ")");
        }
        if (!ca.equals("gcp_cas") && to.has("caPool")) {
            error("/spec/to/caPool", "caPool is only used with ca: gcp_cas (ca is " + ca + ")");
        }
    }

    /**
     * What the installer of {@code to.version} would refuse at install time, refused by validate first
     * (MESH-FACTS §7; anthos-service-mesh-packages, asm/istio/options/ and asmcli/lib/validate.sh per
     * release branch): an option file that the release does not ship, a CA it does not take, and
     * 1.10's install_asm, which installs only on GKE.
     */
    private void checkInstallerVersion(JsonNode spec) {
        JsonNode to = spec.path("to");
        MeshVersion version = MeshVersion.parse(to.path("version").asText());
        if (!version.isAsm()) {
            return;
        }
        JsonNode options = to.path("options");
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i).asText();
            int since = OPTION_SINCE.getOrDefault(option, 0);
            if (since > 0 && !version.atLeast(1, since)) {
                error("/spec/to/options/" + i, "option '" + option + "' exists from ASM 1." + since + " on; the installer of "
                        + version + " has no such option file and refuses it");
            }
        }
        if (to.path("ca").asText("mesh_ca").equals("managed_cas") && !version.atLeast(1, 14)) {
            error("/spec/to/ca", "ca: managed_cas is accepted by asmcli from ASM 1.14 on; the installer of " + version
                    + " refuses it (expected mesh_ca, citadel or gcp_cas)");
        }
        if (!version.atLeast(1, 11)) {
            JsonNode clusters = spec.path("clusters");
            for (int i = 0; i < clusters.size(); i++) {
                JsonNode cluster = clusters.get(i);
                if (cluster.path("platform").asText("").equals("multicloud") || !(cluster.has("project") && cluster.has("location"))) {
                    error("/spec/clusters/" + i, "ASM " + version + " has no asmcli; its installer install_asm installs only on GKE"
                            + " (it needs the cluster's project and location, and has no --platform multicloud); use ASM 1.11 or later"
                            + " for cluster " + cluster.path("name").asText());
                }
            }
        }
    }

    private void checkOptions(JsonNode options) {
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i).asText();
            String pointer = "/spec/to/options/" + i;
            if (OPTIONS.contains(option)) {
                continue;
            }
            if (CA_MIGRATION_OPTIONS.contains(option)) {
                error(pointer, "option '" + option + "' belongs to one phase of the Citadel to Mesh CA migration;"
                        + " set spec.from.ca: citadel and spec.to.ca: mesh_ca (or spec.caMigration) and meshwave adds it there");
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
            if (checkRelativePath("/spec/clusters/" + i + "/path", cluster.path("path").asText(), "the output root", MAX_CLUSTER_PATH_BYTES)) {
                checkOwnFiles("/spec/clusters/" + i + "/path", cluster.path("path").asText());
            }
            if (cluster.has("namespacesFrom")) {
                String pointer = "/spec/clusters/" + i + "/namespacesFrom";
                String from = cluster.path("namespacesFrom").asText();
                if (checkRelativePath(pointer, from, "the output root", MAX_PATH_BYTES)) {
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
            error(pointer, "'" + path + "' " + reason + " (expected e.g. clusters/prod-us/mesh)");
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
            error(pointer, "'" + PlanSchema.shown(path) + "' " + reason + " (expected e.g. clusters/prod-us/mesh)");
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
                String namespace = namespaceName(namespaces.get(n));
                String pointer = "/spec/waves/" + w + "/namespaces/" + n;
                if (SYSTEM_NAMESPACES.contains(namespace)) {
                    error(pointer, "'" + namespace + "' is a system namespace and never moves in a wave"
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
                    error(pointer, "namespace '" + namespace + "' is listed twice in wave '" + name + "'");
                } else if (previous != null) {
                    error(pointer, "namespace '" + namespace + "' already moves in wave '"
                            + waves.get(previous).path("name").asText() + "' on the same cluster; a namespace moves once per cluster");
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

    static String namespaceName(JsonNode entry) {
        return entry.isObject() ? entry.path("name").asText() : entry.asText();
    }

    /** Revision tags (MESH-FACTS §1, §4) and how waves use them. */
    private void checkTags(JsonNode spec) {
        JsonNode tags = spec.path("tags");
        JsonNode waves = spec.path("waves");
        String from = spec.path("from").path("revision").asText();
        JsonNode to = spec.path("to");
        String toRevision = to.has("revision") ? to.path("revision").asText()
                : MeshVersion.parse(to.path("version").asText()).defaultRevision().orElse("");
        Map<String, Integer> waveIndex = new HashMap<>();
        for (int w = 0; w < waves.size(); w++) {
            waveIndex.putIfAbsent(waves.get(w).path("name").asText(), w);
        }
        boolean byTag = spec.path("injection").asText("revision").equals("tag");
        if (byTag && tags.isEmpty()) {
            error("/spec/injection", "injection: tag needs spec.tags (tag -> the wave that moves it)");
        }
        for (Map.Entry<String, JsonNode> tag : iterable(tags)) {
            String pointer = "/spec/tags/" + YamlDocument.escape(tag.getKey());
            String name = tag.getKey();
            // from.revision "default" names the non-revisioned install, not a revision: the default tag is fine then.
            String sameAs = name.equals(from) && !from.equals(Plan.DEFAULT_REVISION) ? "the revision in use (spec.from.revision)"
                    : name.equals(toRevision) ? "the new revision" + (to.has("revision") ? " (spec.to.revision)"
                            : " (derived from spec.to.version " + to.path("version").asText() + ")")
                    : null;
            if (sameAs != null) {
                errorAtKey(pointer, "tag '" + name + "' has the name of " + sameAs + "; tags and revisions share istio.io/rev"
                        + " values, so a tag must not share a name with a revision (choose e.g. prod-stable, canary)");
            } else if (MeshVersion.looksLikeRevision(name)) {
                errorAtKey(pointer, "tag '" + name + "' looks like a revision name (asm-<version>-<n>, <M>-<m>-<p> or asm-managed*);"
                        + " tags and revisions share istio.io/rev values, so a tag must not look like one"
                        + " (choose e.g. prod-stable, canary)");
            }
            if (spec.path("existing").path("tags").has(name)) {
                errorAtKey(pointer, "tag '" + name + "' is also listed in spec.existing.tags; keep it in spec.tags if this plan"
                        + " moves it, or in spec.existing.tags if it stays where it is, not in both");
            }
            if (!waveIndex.containsKey(tag.getValue().asText())) {
                error(pointer, "no wave named '" + tag.getValue().asText() + "' moves tag '" + name + "'"
                        + PlanSchema.didYouMean(tag.getValue().asText(), List.copyOf(waveIndex.keySet()))
                        + " (expected one of: " + String.join(", ", waveIndex.keySet().stream().sorted().toList()) + ")");
            }
            if (from.equals(Plan.DEFAULT_REVISION) && !name.equals("default")) {
                errorAtKey(pointer, "tag '" + name + "' does not exist in a non-revisioned install (spec.from.revision: default),"
                        + " so no namespace follows it today; only the default tag can be created in a wave (its namespaces"
                        + " carry istio-injection=enabled); remove it from spec.tags and let the waves relabel namespaces"
                        + " to the new revision");
            }
        }
        boolean removesOld = spec.path("finalize").path("removeOldRevision").asBoolean(true);
        for (Map.Entry<String, JsonNode> tag : iterable(spec.path("existing").path("tags"))) {
            String pointer = "/spec/existing/tags/" + YamlDocument.escape(tag.getKey());
            String name = tag.getKey();
            boolean sameAsFrom = name.equals(from) && !from.equals(Plan.DEFAULT_REVISION);
            if (sameAsFrom || name.equals(toRevision) || MeshVersion.looksLikeRevision(name)) {
                errorAtKey(pointer, "existing tag '" + name + "' is named like a revision; tags and revisions share istio.io/rev"
                        + " values, so injection would be ambiguous (rename the tag: istioctl tag remove, then tag set)");
            }
            boolean movedAtFinalize = name.equals("default") && spec.path("finalize").path("defaultTag").asBoolean(!tags.has("default"));
            if (removesOld && tag.getValue().asText().equals(from) && !movedAtFinalize) {
                error(pointer, "existing tag '" + name + "' points at " + from + ", which this plan removes after finalize;"
                        + " its webhook (failurePolicy Fail) would then refuse every pod it matches. Move it in a wave"
                        + " (spec.tags) or keep the old revision (finalize.removeOldRevision: false)");
            }
        }
        if (tags.has("default") && spec.path("finalize").path("defaultTag").asBoolean(false)) {
            error("/spec/finalize/defaultTag", "the default tag already moves in wave '" + tags.path("default").asText()
                    + "' (spec.tags); remove finalize.defaultTag");
        }
        for (int w = 0; w < waves.size(); w++) {
            String wave = waves.get(w).path("name").asText();
            List<String> moved = new ArrayList<>();
            iterable(tags).forEach(t -> {
                if (t.getValue().asText().equals(wave)) {
                    moved.add(t.getKey());
                }
            });
            JsonNode namespaces = waves.get(w).path("namespaces");
            if (namespaces.isEmpty() && moved.isEmpty()) {
                error("/spec/waves/" + w + "/namespaces", "wave '" + wave + "' moves no namespace and no tag;"
                        + " list its namespaces, or move a tag in it (spec.tags: {<tag>: " + wave + "})");
            }
            for (int n = 0; n < namespaces.size(); n++) {
                JsonNode entry = namespaces.get(n);
                String pointer = "/spec/waves/" + w + "/namespaces/" + n;
                if (entry.isObject()) {
                    String tag = entry.path("tag").asText();
                    if (!tags.has(tag)) {
                        error(pointer + "/tag", "tag '" + tag + "' is not in spec.tags, so nothing moves it"
                                + PlanSchema.didYouMean(tag, fieldNames(tags))
                                + (tags.isEmpty() ? "" : " (spec.tags has: " + String.join(", ", fieldNames(tags)) + ")"));
                    } else if (!tags.path(tag).asText().equals(wave)) {
                        error(pointer + "/tag", "namespace '" + entry.path("name").asText() + "' follows tag '" + tag
                                + "', which moves in wave '" + tags.path(tag).asText() + "'; list it there");
                    }
                } else if (byTag && !tags.isEmpty() && moved.size() != 1) {
                    error(pointer, "with injection: tag, say which tag namespace '" + entry.asText() + "' follows: {name: "
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
                        error("/spec/tags/default", "the default tag moves in wave '" + tags.path("default").asText()
                                + "' before namespace '" + entry.asText() + "' (istio-injection=enabled today) is relabelled in wave '"
                                + waves.get(w).path("name").asText() + "'; move the default tag in the last wave, or remove it"
                                + " from spec.tags and let finalize create it (finalize.defaultTag)");
                        return;
                    }
                }
            }
        }
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        object.fields().forEachRemaining(entries::add);
        return entries;
    }

    private void error(String pointer, String message) {
        YamlDocument.Location at = document.locate(pointer);
        problems.add(Problem.error(at.value(), at.displayPath(), message));
    }

    /** An error about a mapping key itself (a tag's name), reported at the key. */
    private void errorAtKey(String pointer, String message) {
        YamlDocument.Location at = document.locate(pointer);
        problems.add(Problem.error(at.key(), at.displayPath(), message));
    }

    private void warning(String pointer, String message) {
        YamlDocument.Location at = document.locate(pointer);
        problems.add(Problem.warning(at.value(), at.displayPath(), message));
    }
}
