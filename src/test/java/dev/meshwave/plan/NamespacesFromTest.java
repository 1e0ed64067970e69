package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What a {@code namespacesFrom} build means for the plan, without kubectl: the objects as lint reads them. */
class NamespacesFromTest {

    private static final Plan PLAN = load();
    private static final Plan.Cluster EDGE = PLAN.clusters().get(0);

    private static Plan load() {
        try {
            return new PlanLoader(PlanSchema.load()).load(Path.of("src/test/resources/namespaces-from/plan.yaml")).plan();
        } catch (InvalidPlanException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Manifest> objects(String yaml) {
        try {
            return ManifestFile.read("repo/ns.yaml", yaml.getBytes(StandardCharsets.UTF_8), 1 << 20);
        } catch (ManifestFile.UnreadableException e) {
            throw new AssertionError(e);
        }
    }

    private static final String BOTH = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: shop
              labels: {istio.io/rev: asm-1130-0}
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: billing
              labels: {istio-injection: enabled}
            """;

    @Nested
    class Found {
        @Test
        void everyRelabelledNamespaceOnceIsNoProblem() {
            NamespacesFrom.Result result = NamespacesFrom.check(PLAN, EDGE, "repo", objects(BOTH));
            assertEquals(List.of(), result.problems());
            assertEquals(Map.of("istio-injection", "enabled"), result.built().namespaces().get("billing").labels());
            assertEquals("repo/ns.yaml:7:1", result.built().namespaces().get("billing").position().toString());
        }

        @Test
        void aMissingNamespaceIsOneErrorAtItsWaveEntry() {
            NamespacesFrom.Result result = NamespacesFrom.check(PLAN, EDGE, "repo", objects(BOTH.replace("name: billing", "name: other")));
            assertEquals(1, result.problems().size(), result.problems()::toString);
            assertEquals("spec.waves[1].namespaces[0]", result.problems().get(0).yamlPath());
            assertTrue(result.problems().get(0).message().contains("namespace 'billing' of wave 'second' is not in namespacesFrom"));
        }

        @Test
        void objectsThatAreNotNamespacesAreOneErrorNamingTheFirstAndCountingTheRest() {
            NamespacesFrom.Result result = NamespacesFrom.check(PLAN, EDGE, "repo", objects(BOTH
                    + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\n"
                    + "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: kafka, namespace: billing}\n"));
            assertEquals(1, result.problems().size(), result.problems()::toString);
            assertEquals("spec.clusters[0].namespacesFrom", result.problems().get(0).yamlPath());
            assertTrue(result.problems().get(0).message().contains("builds HorizontalPodAutoscaler shop/web (repo/ns.yaml:13:1)"
                    + ", which is not a Namespace"), result.problems()::toString);
            assertTrue(result.problems().get(0).message().contains("(and 1 more objects that are not Namespaces)"));
        }
    }

    /**
     * Argo CD: argoproj/argo-cd@v3.5.1:docs/user-guide/sync-options.md ("No Resource Deletion": the annotation's
     * comma-separated options include Delete=false); Flux: fluxcd/kustomize-controller@v1.9.4:docs/spec/v1/kustomizations.md
     * (kustomize.toolkit.fluxcd.io/prune: disabled, as a label or an annotation).
     */
    @Nested
    class Protection {
        @Test
        void deleteFalseAmongOtherSyncOptionsAndPruneDisabledAsALabelCount() {
            NamespacesFrom.Result result = NamespacesFrom.check(PLAN, EDGE, "repo", objects(BOTH.replace("  name: shop\n",
                    "  name: shop\n  annotations: {argocd.argoproj.io/sync-options: 'Prune=false, Delete=false'}\n").replace(
                    "labels: {istio-injection: enabled}", "labels: {istio-injection: enabled, kustomize.toolkit.fluxcd.io/prune: disabled}")));
            Plan.BuiltNamespace shop = result.built().namespaces().get("shop");
            Plan.BuiltNamespace billing = result.built().namespaces().get("billing");
            assertTrue(shop.argoCdDeleteFalse());
            assertFalse(shop.fluxPruneDisabled());
            assertFalse(billing.argoCdDeleteFalse());
            assertTrue(billing.fluxPruneDisabled());
        }

        @Test
        void deleteTrueIsNoProtection() {
            NamespacesFrom.Result result = NamespacesFrom.check(PLAN, EDGE, "repo", objects(BOTH.replace("  name: shop\n",
                    "  name: shop\n  annotations: {argocd.argoproj.io/sync-options: Delete=true}\n")));
            assertFalse(result.built().namespaces().get("shop").argoCdDeleteFalse());
        }
    }
}
