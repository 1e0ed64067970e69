package dev.meshwave.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.ManifestFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Who sets a namespace's injection labels: two appliers of one Namespace, and labels in an applier's own
 * fields. LintIT runs both on a repository (src/test/resources/lint/appliers) with real builds.
 */
class ApplierRulesTest {

    private static List<Manifest> read(String file, String yaml) throws ManifestFile.UnreadableException {
        return ManifestFile.read(file, yaml.getBytes(StandardCharsets.UTF_8), 1 << 20);
    }

    private static String namespace(String name, String labels) {
        return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n  labels:\n" + labels;
    }

    /** An applier written in {@code file} (its only object), applying {@code path}. */
    private static Appliers.Applier applier(String file, String yaml, String path, boolean recurse) throws ManifestFile.UnreadableException {
        Manifest object = read(file, yaml).get(0);
        boolean flux = object.kind().equals("Kustomization");
        String who = object.namespace() + "/" + object.name();
        return new Appliers.Applier(flux ? "Flux Kustomization" : "Argo CD Application", who, flux, object, Path.of(file), yaml,
                List.of(new Appliers.Source(path, Optional.of(Path.of(path)), recurse)));
    }

    private static String flux(String name, String path, String patches) {
        return "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: " + name + "\n  namespace: flux-system\n"
                + "spec:\n  path: " + path + "\n  sourceRef: {kind: GitRepository, name: fleet}\n" + patches;
    }

    private static String argo(String name, String path, String syncPolicy) {
        return "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: " + name + "\n  namespace: argocd\nspec:\n"
                + "  source:\n    repoURL: https://git.example.com/fleet.git\n    path: " + path + "\n"
                + "  destination:\n    server: https://kubernetes.default.svc\n    namespace: " + name + "\n" + syncPolicy;
    }

    private static List<ApplierRules.Placed> check(List<Appliers.Applier> appliers, Map<String, List<Manifest>> applied) {
        return ApplierRules.check(appliers, (applier, source) -> applied.getOrDefault(source.path(), List.of()), applier -> "clusters");
    }

    @Nested
    class NamespaceAppliedTwice {

        @Test
        void differentLabelsAreReportedAtTheLabelOfEachApplier() throws Exception {
            Appliers.Applier apps = applier("clusters/apps.yaml", flux("apps", "apps", ""), "apps", true);
            Appliers.Applier team = applier("clusters/team.yaml", argo("team", "teams/b", ""), "teams/b", false);
            List<ApplierRules.Placed> hits = check(List.of(apps, team), Map.of(
                    "apps", read("apps/ns.yaml", namespace("orders", "    istio-injection: enabled\n")),
                    "teams/b", read("teams/b/ns.yaml", namespace("orders", "    team: b\n    istio.io/rev: blue\n"))));
            assertEquals(2, hits.size(), hits::toString);
            assertEquals("apps/ns.yaml:6:5", hits.get(0).hit().position().toString());
            assertEquals("teams/b/ns.yaml:7:5", hits.get(1).hit().position().toString());
            assertEquals(Rule.NAMESPACE_APPLIED_TWICE, hits.get(0).hit().rule());
            assertEquals("Flux Kustomization flux-system/apps (apps)", hits.get(0).seenIn());
            assertEquals("Argo CD Application argocd/team (teams/b)", hits.get(1).seenIn());
            assertEquals("[teams/b/ns.yaml:7:5]", hits.get(0).hit().related().toString());
            assertEquals("[apps/ns.yaml:6:5]", hits.get(1).hit().related().toString());
            // One message at both places, naming both appliers and both lines.
            assertEquals(hits.get(0).hit().message(), hits.get(1).hit().message());
            assertTrue(hits.get(0).hit().message().startsWith("namespace 'orders' is applied by 2 Flux Kustomizations or Argo CD Applications"
                    + " with different injection labels: Flux Kustomization flux-system/apps (apps) with istio-injection=enabled (apps/ns.yaml:6:5);"
                    + " Argo CD Application argocd/team (teams/b) with istio.io/rev=blue (teams/b/ns.yaml:7:5); each writes"), hits::toString);
        }

        @Test
        void theSameInjectionLabelsOrOneApplierAreNoFinding() throws Exception {
            Appliers.Applier apps = applier("clusters/apps.yaml", flux("apps", "apps", ""), "apps", true);
            Appliers.Applier team = applier("clusters/team.yaml", argo("team", "teams/b", ""), "teams/b", false);
            // Other labels may differ: only injection labels are compared.
            assertEquals(List.of(), check(List.of(apps, team), Map.of(
                    "apps", read("apps/ns.yaml", namespace("orders", "    istio.io/rev: blue\n    team: a\n")),
                    "teams/b", read("teams/b/ns.yaml", namespace("orders", "    team: b\n    istio.io/rev: blue\n")))));
            assertEquals(List.of(), check(List.of(apps), Map.of(
                    "apps", read("apps/ns.yaml", namespace("orders", "    istio.io/rev: blue\n") + "---\n" + namespace("orders", "    istio.io/rev: green\n")))));
        }

        @Test
        void aLabelOnlyOneApplierSetsIsADifference() throws Exception {
            Appliers.Applier apps = applier("clusters/apps.yaml", flux("apps", "apps", ""), "apps", true);
            Appliers.Applier infra = applier("clusters/infra.yaml", flux("infra", "infra", ""), "infra", true);
            List<ApplierRules.Placed> hits = check(List.of(apps, infra), Map.of(
                    "apps", read("apps/ns.yaml", namespace("orders", "    istio-injection: enabled\n")),
                    "infra", read("infra/ns.yaml", namespace("orders", "    team: a\n"))));
            assertEquals(2, hits.size(), hits::toString);
            // Without an injection label, the finding points at the labels the namespace has.
            assertEquals("infra/ns.yaml:5:3", hits.get(1).hit().position().toString());
            assertTrue(hits.get(1).hit().message().contains("Flux Kustomization flux-system/infra (infra) with no injection label (infra/ns.yaml:5:3)"),
                    hits::toString);
        }
    }

    /** Appliers of different clusters may label one namespace differently: a base and one overlay per cluster. */
    @Nested
    class Clusters {

        private final String prodNamespace = namespace("orders", "    istio.io/rev: stable\n");
        private final String stagingNamespace = namespace("orders", "    istio.io/rev: canary\n");

        @Test
        void appliersOfSiblingClusterDirectoriesAreDifferentClusters() throws Exception {
            Appliers.Applier prod = applier("clusters/prod/apps.yaml", flux("apps-prod", "apps/prod", ""), "apps/prod", true);
            Appliers.Applier staging = applier("clusters/staging/apps.yaml", flux("apps-staging", "apps/staging", ""), "apps/staging", true);
            assertEquals(List.of(), check(List.of(prod, staging), Map.of("apps/prod", read("apps/base/ns.yaml", prodNamespace),
                    "apps/staging", read("apps/base/ns.yaml", stagingNamespace))));
        }

        @Test
        void appliersOfTheSameNameInTwoClustersAreTwoAppliers() throws Exception {
            // Each cluster has its Kustomizations "apps" and "infra"; only staging's disagree.
            List<Appliers.Applier> appliers = List.of(
                    applier("clusters/prod/apps.yaml", flux("apps", "apps/prod", ""), "apps/prod", true),
                    applier("clusters/prod/infra.yaml", flux("infra", "infra/prod", ""), "infra/prod", true),
                    applier("clusters/staging/apps.yaml", flux("apps", "apps/staging", ""), "apps/staging", true),
                    applier("clusters/staging/infra.yaml", flux("infra", "infra/staging", ""), "infra/staging", true));
            List<ApplierRules.Placed> hits = check(appliers, Map.of(
                    "apps/prod", read("apps/prod/ns.yaml", prodNamespace), "infra/prod", read("infra/prod/ns.yaml", prodNamespace),
                    "apps/staging", read("apps/staging/ns.yaml", stagingNamespace), "infra/staging", read("infra/staging/ns.yaml", prodNamespace)));
            assertEquals(List.of("Flux Kustomization flux-system/apps (apps/staging)", "Flux Kustomization flux-system/infra (infra/staging)"),
                    hits.stream().map(ApplierRules.Placed::seenIn).toList(), hits::toString);
        }

        @Test
        void appliersUnderOneFluxRootAreOneCluster() throws Exception {
            // Flux's bootstrap: clusters/prod/flux-system applies clusters/prod, where the two Kustomizations are, in subdirectories.
            String apps = flux("apps", "apps/prod", "");
            String infra = flux("infra", "infra/prod", "");
            Appliers.Applier root = applier("clusters/prod/flux-system/sync.yaml", flux("flux-system", "clusters/prod", ""), "clusters/prod", true);
            Appliers.Applier a = applier("clusters/prod/apps/apps.yaml", apps, "apps/prod", true);
            Appliers.Applier b = applier("clusters/prod/infra/infra.yaml", infra, "infra/prod", true);
            Map<String, List<Manifest>> applied = new java.util.HashMap<>(Map.of("apps/prod", read("apps/base/ns.yaml", prodNamespace),
                    "infra/prod", read("infra/ns.yaml", stagingNamespace)));
            assertEquals(List.of(), check(List.of(root, a, b), applied), "no root in common: two clusters as far as lint knows");
            List<Manifest> prodObjects = new java.util.ArrayList<>(read("clusters/prod/apps/apps.yaml", apps));
            prodObjects.addAll(read("clusters/prod/infra/infra.yaml", infra));
            applied.put("clusters/prod", prodObjects);
            assertEquals(2, check(List.of(root, a, b), applied).size());
        }

        @Test
        void argoCdApplicationsForOtherDestinationsAreOtherClusters() throws Exception {
            Appliers.Applier prod = applier("apps/prod.yaml", argo("orders-prod", "apps/prod", ""), "apps/prod", false);
            Appliers.Applier staging = applier("apps/staging.yaml", argo("orders-staging", "apps/staging", "").replace(
                    "https://kubernetes.default.svc", "https://staging.example.com"), "apps/staging", false);
            Map<String, List<Manifest>> applied = Map.of("apps/prod", read("apps/prod/ns.yaml", prodNamespace),
                    "apps/staging", read("apps/staging/ns.yaml", stagingNamespace));
            assertEquals(List.of(), check(List.of(prod, staging), applied));
            Appliers.Applier local = applier("apps/staging.yaml", argo("orders-staging", "apps/staging", "").replace(
                    "server: https://kubernetes.default.svc", "name: in-cluster"), "apps/staging", false);
            assertEquals(2, check(List.of(prod, local), applied).size(), "in-cluster is https://kubernetes.default.svc");
        }
    }

    @Nested
    class LabelSetByApplier {

        @Test
        void argoCdManagedNamespaceMetadataIsReportedAtItsLabel() throws Exception {
            String policy = "  syncPolicy:\n    managedNamespaceMetadata:\n      labels:\n        team: b\n        istio.io/rev: blue\n"
                    + "    syncOptions:\n    - CreateNamespace=true\n";
            Appliers.Applier team = applier("clusters/team.yaml", argo("team-b", "teams/b", policy), "teams/b", false);
            List<ApplierRules.Placed> hits = check(List.of(team), Map.of());
            assertEquals(1, hits.size(), hits::toString);
            assertEquals(Rule.LABEL_SET_BY_APPLIER, hits.get(0).hit().rule());
            assertEquals("clusters/team.yaml:17:9", hits.get(0).hit().position().toString());
            assertEquals("clusters", hits.get(0).seenIn());
            assertTrue(hits.get(0).hit().message().startsWith("Argo CD Application argocd/team-b sets istio.io/rev=blue on namespace 'team-b'"
                    + " through spec.syncPolicy.managedNamespaceMetadata, outside the namespace's manifests"), hits::toString);
        }

        /** argoproj/argo-cd@v3.5.1 docs/user-guide/sync-options.md: without CreateNamespace=true "nothing will happen". */
        @Test
        void withoutCreateNamespaceArgoCdSetsNothing() throws Exception {
            String policy = "  syncPolicy:\n    managedNamespaceMetadata:\n      labels:\n        istio-injection: enabled\n";
            assertEquals(List.of(), check(List.of(applier("clusters/team.yaml", argo("team-b", "teams/b", policy), "teams/b", false)), Map.of()));
        }

        @Test
        void aFluxPatchIsReportedAtTheLabelInsideItsLiteralBlock() throws Exception {
            String patches = "  patches:\n    - patch: |\n        apiVersion: v1\n        kind: Namespace\n        metadata:\n          name: payments\n"
                    + "          labels:\n            istio-injection: disabled\n      target:\n        kind: Namespace\n        name: payments\n";
            List<ApplierRules.Placed> hits = check(List.of(applier("clusters/apps.yaml", flux("apps", "apps", patches), "apps", true)), Map.of());
            assertEquals(1, hits.size(), hits::toString);
            // Line 16 of the file, where "istio-injection: disabled" is written, not the line of "patch:".
            assertEquals("clusters/apps.yaml:16:13", hits.get(0).hit().position().toString());
            assertTrue(hits.get(0).hit().message().startsWith("Flux Kustomization flux-system/apps sets istio-injection=disabled on namespace"
                    + " 'payments' through spec.patches"), hits::toString);
        }

        @Test
        void aJson6902PatchOnNamespacesIsReportedAtItsOperation() throws Exception {
            String patches = "  patches:\n  - target: {kind: Namespace, labelSelector: team=shop}\n    patch: |-\n      - op: remove\n"
                    + "        path: /metadata/labels/istio.io~1rev\n      - op: add\n        path: /metadata/labels\n"
                    + "        value: {istio-injection: enabled}\n";
            List<ApplierRules.Placed> hits = check(List.of(applier("clusters/apps.yaml", flux("apps", "apps", patches), "apps", true)), Map.of());
            assertEquals(List.of("clusters/apps.yaml:13:9", "clusters/apps.yaml:16:17"), hits.stream()
                    .map(h -> h.hit().position().toString()).sorted().toList(), hits::toString);
            assertTrue(hits.stream().anyMatch(h -> h.hit().message().startsWith("Flux Kustomization flux-system/apps removes istio.io/rev on every"
                    + " Namespace it applies labelled team=shop")), hits::toString);
        }

        @Test
        void patchesOfOtherKindsOrOtherLabelsAreNoFinding() throws Exception {
            String patches = "  patches:\n  - patch: |\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: x\n"
                    + "        labels:\n          istio.io/rev: blue\n  - patch: |\n      apiVersion: v1\n      kind: Namespace\n"
                    + "      metadata:\n        name: payments\n        labels:\n          team: shop\n";
            assertEquals(List.of(), check(List.of(applier("clusters/apps.yaml", flux("apps", "apps", patches), "apps", true)), Map.of()));
        }

        @Test
        void aPatchThatIsNoLiteralBlockIsReportedAtItsKey() throws Exception {
            String patches = "  patches:\n  - patch: \"apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: payments\\n  labels:\\n"
                    + "    istio-injection: enabled\\n\"\n";
            List<ApplierRules.Placed> hits = check(List.of(applier("clusters/apps.yaml", flux("apps", "apps", patches), "apps", true)), Map.of());
            assertEquals(1, hits.size(), hits::toString);
            assertEquals("clusters/apps.yaml:10:5", hits.get(0).hit().position().toString());
        }
    }
}
