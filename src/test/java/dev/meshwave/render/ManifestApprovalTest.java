package dev.meshwave.render;

import static dev.meshwave.testing.Kustomize.at;
import static dev.meshwave.testing.Kustomize.labels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.Plan;
import dev.meshwave.testing.Plans;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.approvaltests.Approvals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The exact text of every mesh object meshwave renders (MESH-FACTS §3–§5), one approved file per
 * object per Istio version band: before 1.23 ({@code admissionReviewVersions: [v1beta1, v1]}), from
 * 1.23 ({@code [v1]}) and from 1.28 (a tag also has Service {@code istiod-revision-tag-<tag>}). The
 * texts come from a real render where a render writes the object, else from {@link Injectors}.
 * A flat class on purpose: surefire's {@code -Dtest} filter skips {@code @Nested} classes.
 */
class ManifestApprovalTest {

    private static final String V1_14 = "1.14.0-asm.0";
    private static final String V1_23 = "1.23.3-asm.2";
    private static final String V1_28 = "1.28.0-asm.1";

    private static final String CONTROL_PLANE = "clusters/c1/stages/00-control-plane/";
    private static final String FINALIZE = "clusters/c1/stages/03-finalize/";

    /** The plan's tags: {@code prod-stable} moves with wave first, {@code default} with wave second. */
    private static final String TAGS = "  injection: tag\n  tags: {prod-stable: first, default: second}\n";
    private static final String MULTI_CLUSTER = "      path: clusters/c1\n"
            + "      project: proj-one\n      location: us-central1\n      network: vpc-1\n";
    // On GKE asmcli names the network <project>-<VPC> (asmcli/lib/util.sh populate_cluster_values).
    private static final String MULTI_CLUSTER_INJECT_PATH = "/inject/cluster/cn-proj-one-us-central1-c1/net/proj-one-vpc-1";

    @TempDir
    Path dir;

    // --- approvals: one file per object per band ---------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {V1_14, V1_23, V1_28})
    void defaultTagWebhook(String band) throws Exception {
        verify(file(render(tagPlan(band)), CONTROL_PLANE + "istio-revision-tag-default.yaml"), band);
    }

    @ParameterizedTest
    @ValueSource(strings = {V1_14, V1_23, V1_28})
    void prodStableTagWebhook(String band) throws Exception {
        verify(file(render(tagPlan(band)), CONTROL_PLANE + "istio-revision-tag-prod-stable.yaml"), band);
    }

    @Test
    void tagServiceFromIstio128() throws Exception {
        verify(file(render(tagPlan(V1_28)), CONTROL_PLANE + "istiod-revision-tag-prod-stable-service.yaml"), V1_28);
    }

    @ParameterizedTest
    @ValueSource(strings = {V1_14, V1_23})
    void noTagServiceBeforeIstio128(String band) throws Exception {
        RenderedTree tree = render(tagPlan(band));
        assertTrue(tree.text(CONTROL_PLANE + "istio-revision-tag-prod-stable.yaml") != null, tree.files().keySet()::toString);
        for (String path : tree.files().keySet()) {
            assertFalse(path.contains("revision-tag-") && path.endsWith("-service.yaml"), path);
            assertFalse(path.matches(".*/tag-[^/]+-service\\.yaml"), path);
            assertFalse(tree.text(path).contains("istiod-revision-tag-"), path);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {V1_14, V1_23, V1_28})
    void istiodService(String band) throws Exception {
        verify(file(render(basePlan(band)), FINALIZE + "istiod-service.yaml"), band);
    }

    @ParameterizedTest
    @ValueSource(strings = {V1_14, V1_23, V1_28})
    void defaultValidator(String band) throws Exception {
        verify(file(render(basePlan(band)), FINALIZE + "istiod-default-validator.yaml"), band);
    }

    @ParameterizedTest
    @ValueSource(strings = {V1_14, V1_23, V1_28})
    void deactivatedNonRevisionedInjector(String band) throws Exception {
        Plan plan = Plans.load(dir, tagPlan(band));
        Plan.Cluster cluster = plan.clusters().get(0);
        String text = new Injectors(Templates.builtIn(), plan, ClusterFacts.of(plan, cluster), new TemplateContext()).deactivatedNonRevisioned();
        // A render that deactivates the injector writes the same text under its generated-by header.
        String rendered = file(render(tagPlan(band) + "  existing: {nonRevisionedInjector: deactivate}\n"),
                CONTROL_PLANE + "istio-sidecar-injector-deactivated.yaml");
        assertTrue(rendered.endsWith("\n" + text), rendered);
        verify(text, band);
    }

    @ParameterizedTest
    @ValueSource(strings = {V1_14, V1_23, V1_28})
    void multiClusterDefaultTagWebhook(String band) throws Exception {
        String text = file(render(multiClusterTagPlan(band)), CONTROL_PLANE + "istio-revision-tag-default.yaml");
        assertEquals(4, text.split("path: \"" + MULTI_CLUSTER_INJECT_PATH + "\"\n", -1).length - 1, text);
        verify(text, band);
    }

    // --- MESH-FACTS §4 field by field, for a non-default tag (the default tag: KustomizeBuildIT) ----------------

    @ParameterizedTest
    @ValueSource(strings = {V1_14, V1_23, V1_28})
    void prodStableTagHasTheLabelsAndTwoWebhooksOfATag(String band) throws Exception {
        Map<String, Object> webhook = prodStable(band);
        assertEquals("admissionregistration.k8s.io/v1", webhook.get("apiVersion"));
        assertEquals("MutatingWebhookConfiguration", webhook.get("kind"));
        assertEquals("istio-revision-tag-prod-stable", at(webhook, "metadata", "name"));
        assertEquals(Map.of("app", "sidecar-injector", "istio.io/rev", "asm-1130-0", "istio.io/tag", "prod-stable"), labels(webhook));
        assertEquals(List.of("rev.namespace.sidecar-injector.istio.io", "rev.object.sidecar-injector.istio.io"),
                hooks(webhook).stream().map(h -> at(h, "name")).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {V1_14, V1_23, V1_28})
    void prodStableTagWebhooksCallTheRevisionsIstiodWithoutCaBundle(String band) throws Exception {
        List<String> reviewVersions = band.equals(V1_14) ? List.of("v1beta1", "v1") : List.of("v1");
        for (Object hook : hooks(prodStable(band))) {
            String name = (String) at(hook, "name");
            assertEquals(Set.of("service"), ((Map<?, ?>) at(hook, "clientConfig")).keySet(),
                    name + ": clientConfig is the service only, no caBundle (istiod patches it in at run time)");
            assertEquals(Map.of("name", "istiod-asm-1130-0", "namespace", "istio-system", "path", "/inject", "port", 443),
                    at(hook, "clientConfig", "service"), name);
            assertEquals(List.of(Map.of("operations", List.of("CREATE"), "apiGroups", List.of(""), "apiVersions", List.of("v1"),
                    "resources", List.of("pods"))), at(hook, "rules"), name);
            assertEquals("Fail", at(hook, "failurePolicy"), name);
            assertEquals("None", at(hook, "sideEffects"), name);
            assertEquals("Never", at(hook, "reinvocationPolicy"), name);
            assertEquals(reviewVersions, at(hook, "admissionReviewVersions"), name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {V1_14, V1_23, V1_28})
    void prodStableNamespaceWebhookSelectsNamespacesLabelledWithTheTag(String band) throws Exception {
        Object hook = hooks(prodStable(band)).get(0);
        assertEquals("rev.namespace.sidecar-injector.istio.io", at(hook, "name"));
        assertEquals(Map.of("matchExpressions", List.of(
                        Map.of("key", "istio.io/rev", "operator", "In", "values", List.of("prod-stable")),
                        Map.of("key", "istio-injection", "operator", "DoesNotExist"))),
                at(hook, "namespaceSelector"));
        assertEquals(Map.of("matchExpressions", List.of(
                        Map.of("key", "sidecar.istio.io/inject", "operator", "NotIn", "values", List.of("false")))),
                at(hook, "objectSelector"));
    }

    @ParameterizedTest
    @ValueSource(strings = {V1_14, V1_23, V1_28})
    void prodStableObjectWebhookSelectsPodsLabelledWithTheTagInUnlabelledNamespaces(String band) throws Exception {
        Object hook = hooks(prodStable(band)).get(1);
        assertEquals("rev.object.sidecar-injector.istio.io", at(hook, "name"));
        assertEquals(Map.of("matchExpressions", List.of(
                        Map.of("key", "istio.io/rev", "operator", "DoesNotExist"),
                        Map.of("key", "istio-injection", "operator", "DoesNotExist"))),
                at(hook, "namespaceSelector"));
        assertEquals(Map.of("matchExpressions", List.of(
                        Map.of("key", "sidecar.istio.io/inject", "operator", "NotIn", "values", List.of("false")),
                        Map.of("key", "istio.io/rev", "operator", "In", "values", List.of("prod-stable")))),
                at(hook, "objectSelector"));
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private static void verify(String text, String band) {
        Approvals.verify(text, Approvals.NAMES.withParameters(band));
    }

    private static String basePlan(String band) {
        return Plans.BASE.replace("1.14.0-asm.0", band);
    }

    private static String tagPlan(String band) {
        return basePlan(band) + TAGS;
    }

    private static String multiClusterTagPlan(String band) {
        String plan = tagPlan(band).replace("      path: clusters/c1\n", MULTI_CLUSTER);
        assertTrue(plan.contains("network: vpc-1"), plan);
        return plan;
    }

    private RenderedTree render(String yaml) throws Exception {
        return new Renderer(Templates.builtIn()).render(Plans.load(dir, yaml), Renderer.LiveStages.first());
    }

    private static String file(RenderedTree tree, String path) {
        String text = tree.text(path);
        assertNotNull(text, () -> path + " not rendered; files: " + tree.files().keySet());
        return text;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> prodStable(String band) throws Exception {
        String text = file(render(tagPlan(band)), CONTROL_PLANE + "istio-revision-tag-prod-stable.yaml");
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
    }

    private static List<?> hooks(Map<String, Object> webhook) {
        return (List<?>) webhook.get("webhooks");
    }
}
