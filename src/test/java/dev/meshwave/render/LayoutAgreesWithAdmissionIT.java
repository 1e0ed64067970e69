package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.meshwave.plan.Plan;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.plan.PlanSchema;
import dev.meshwave.rollout.RolloutComposer;
import dev.meshwave.rollout.StagePlan;
import dev.meshwave.testing.Kustomize;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kustomize layout writes a rollout's changes and the admission check applies the same changes to the
 * cluster it simulates: for every stage of every approved example, the revision tags Git holds there (built with the
 * real {@code kubectl kustomize}) are exactly those the check
 * sees, pointing at the same Services (with Sail, the IstioRevisionTags Git holds, as the webhooks Sail renders for them).
 * A change that one of them read and the other did not would show here.
 */
class LayoutAgreesWithAdmissionIT {

    @ParameterizedTest
    @ValueSource(strings = {"asm-tags", "asm-upgrade", "istio-to-asm", "ca-migration", "multi-project", "helm-flux", "helm-argocd", "helm-gateway",
            "sail", "helm-ambient", "sail-ambient", "ambient-migration"})
    void everyStageBuildsTheInjectorsTheCheckSimulates(String example) throws Exception {
        Plan plan = new PlanLoader(PlanSchema.load()).load(Path.of("examples/" + example + "/plan.yaml")).plan();
        InjectionCheck check = new InjectionCheck(Templates.builtIn());
        for (Plan.Cluster cluster : plan.clusters()) {
            StagePlan stages = new StagePlan(plan, cluster);
            for (InjectionCheck.StageView view : check.views(RolloutComposer.compose(stages))) {
                Map<String, String> simulated = new TreeMap<>();
                view.injectors().stream().filter(i -> inGit(i.name()))
                        .forEach(i -> simulated.put(i.name(), i.webhooks().get(0).service()));
                Map<String, String> built = new TreeMap<>();
                for (Map<String, Object> object : Kustomize.build(Path.of("golden/" + example + "/" + cluster.path() + "/stages/"
                        + view.stage().directory()))) {
                    String name = (String) Kustomize.at(object, "metadata", "name");
                    if ("MutatingWebhookConfiguration".equals(object.get("kind")) && inGit(name)) {
                        @SuppressWarnings("unchecked")
                        List<Map<String, Object>> webhooks = (List<Map<String, Object>>) object.get("webhooks");
                        built.put(name, (String) Kustomize.at(webhooks.get(0), "clientConfig", "service", "name"));
                    } else if ("IstioRevisionTag".equals(object.get("kind"))) {
                        // With Sail, Git holds the IstioRevisionTag and Sail renders its webhook: the revisiontags chart as
                        // release <tag>-revisiontags (istiorevisiontag_controller.go installHelmCharts), whose
                        // istio-revision-tag-<tag> calls Service istiod-<revision> (istiod chart revision-tags-mwc.yaml).
                        // Only a tag naming an IstioRevision says which revision that is (kind Istio follows the active one).
                        assertEquals("IstioRevision", Kustomize.at(object, "spec", "targetRef", "kind"), name);
                        built.put("istio-revision-tag-" + name, "istiod-" + Kustomize.at(object, "spec", "targetRef", "name"));
                    }
                }
                assertEquals(built, simulated, example + " " + cluster.name() + " " + view.stage().directory());
            }
        }
    }

    /**
     * Every Namespace every stage of every example builds carries exactly the injection and ambient labels the rollout says it
     * has there (which the admission check judges), and none is ambient with a sidecar injection label: sidecar injection
     * takes precedence over ztunnel capture (istio 1.28 cni/pkg/util/enablement_selector.go), so such a namespace would turn
     * into a sidecar one at its next restart. No stage meshwave renders may do that.
     */
    @ParameterizedTest
    @ValueSource(strings = {"asm-tags", "asm-upgrade", "istio-to-asm", "ca-migration", "multi-project", "helm-flux", "helm-argocd", "helm-gateway",
            "sail", "helm-ambient", "sail-ambient", "ambient-migration"})
    void everyStageBuildsTheNamespaceLabelsTheRolloutSaysAndNoAmbientNamespaceGetsSidecars(String example) throws Exception {
        Plan plan = new PlanLoader(PlanSchema.load()).load(Path.of("examples/" + example + "/plan.yaml")).plan();
        for (Plan.Cluster cluster : plan.clusters()) {
            StagePlan stages = new StagePlan(plan, cluster);
            dev.meshwave.rollout.Rollout rollout = RolloutComposer.compose(stages);
            for (dev.meshwave.rollout.Stage stage : stages.stages()) {
                String where = example + " " + cluster.name() + " " + stage.directory();
                for (Map<String, Object> object : Kustomize.build(Path.of("golden/" + example + "/" + cluster.path() + "/stages/"
                        + stage.directory()))) {
                    if (!"Namespace".equals(object.get("kind"))) {
                        continue;
                    }
                    String name = (String) Kustomize.at(object, "metadata", "name");
                    Map<String, String> labels = new TreeMap<>();
                    @SuppressWarnings("unchecked")
                    Map<String, Object> built = (Map<String, Object>) Kustomize.at(object, "metadata", "labels");
                    if (built != null) {
                        built.forEach((k, v) -> labels.put(k, String.valueOf(v)));
                    }
                    if (dev.meshwave.plan.Ambient.is(labels)) {
                        assertFalse(labels.containsKey("istio.io/rev") || labels.containsKey("istio-injection"), where + ": " + name + " " + labels);
                    }
                    if (stages.namespaces().contains(name)) {
                        Map<String, String> mesh = new TreeMap<>(labels);
                        mesh.keySet().removeIf(k -> !k.startsWith("istio"));
                        Map<String, String> said = new TreeMap<>(rollout.labelsAt(name, stage));
                        said.keySet().removeIf(k -> !k.startsWith("istio"));
                        assertEquals(said, mesh, where + ": " + name);
                    }
                }
            }
        }
    }

    private static boolean inGit(String webhookConfiguration) {
        return webhookConfiguration.startsWith("istio-revision-tag-");
    }
}
