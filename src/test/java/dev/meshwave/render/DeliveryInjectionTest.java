package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.admission.Injector;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.plan.PlanSchema;
import dev.meshwave.rollout.RolloutComposer;
import dev.meshwave.rollout.StagePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With Helm and Sail the old control plane leaves through Git at the cleanup stage (docs/delivery.md): the admission check
 * must see its injector there until finalize, and no longer from cleanup on, or it would judge the cleanup stage
 * against an injector the cluster no longer has.
 */
class DeliveryInjectionTest {

    @TempDir
    Path tmp;

    /** Example, its old revision's injector (istiod chart mutatingwebhook.yaml: istio-sidecar-injector[-<rev>]). */
    @ParameterizedTest
    @CsvSource({"helm-flux, istio-sidecar-injector-1-22-3, istio-sidecar-injector-1-23-4",
            "sail, istio-sidecar-injector-default-v1-24-3, istio-sidecar-injector-default-v1-25-2"})
    void theOldRevisionsInjectorIsThereUntilFinalizeAndGoneAtCleanup(String example, String old, String next) throws Exception {
        Map<String, List<String>> injectors = injectorsByStage(Path.of("examples/" + example + "/plan.yaml"));
        assertEquals(List.of("00-control-plane", "01-canary", "02-apps", "03-finalize", "04-cleanup"), List.copyOf(injectors.keySet()));
        for (String stage : List.of("00-control-plane", "01-canary", "02-apps", "03-finalize")) {
            assertTrue(injectors.get(stage).contains(old), stage + ": " + injectors.get(stage));
        }
        assertFalse(injectors.get("04-cleanup").contains(old), "its release or IstioRevision is uninstalled: " + injectors.get("04-cleanup"));
        injectors.values().forEach(stage -> assertTrue(stage.contains(next), "the new revision injects from stage 00: " + stage));
    }

    /** From the non-revisioned release istiod (Argo CD example): its istio-sidecar-injector is gone at cleanup. */
    @Test
    void theNonRevisionedReleasesInjectorIsGoneAtCleanup() throws Exception {
        Map<String, List<String>> injectors = injectorsByStage(Path.of("examples/helm-argocd/plan.yaml"));
        assertTrue(injectors.get("02-apps").contains("istio-sidecar-injector"), injectors.toString());
        assertEquals(List.of("istio-sidecar-injector-1-24-3", "istio-revision-tag-default"), injectors.get("04-cleanup"));
    }

    /** finalize.removeOldRevision: false keeps the old release: no cleanup stage, and its injector stays to the end. */
    @Test
    void keepingTheOldRevisionRendersNoCleanupAndKeepsItsInjector() throws Exception {
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), Files.readString(Path.of("examples/helm-flux/plan.yaml"))
                .replace("  clusters:\n", "  finalize:\n    removeOldRevision: false\n  clusters:\n"));
        Map<String, List<String>> injectors = injectorsByStage(plan);
        assertEquals(List.of("00-control-plane", "01-canary", "02-apps", "03-finalize"), List.copyOf(injectors.keySet()));
        assertTrue(injectors.get("03-finalize").contains("istio-sidecar-injector-1-22-3"), injectors.toString());
    }

    /** The examples pass the check at every stage, cleanup included. */
    @ParameterizedTest
    @CsvSource({"helm-flux", "helm-argocd", "helm-gateway", "sail"})
    void theExamplesPassTheCheck(String example) throws Exception {
        Plan plan = new PlanLoader(PlanSchema.load()).load(Path.of("examples/" + example + "/plan.yaml")).plan();
        assertEquals(List.of(), new InjectionCheck(Templates.builtIn()).check(plan));
    }

    private static Map<String, List<String>> injectorsByStage(Path file) throws Exception {
        Plan plan = new PlanLoader(PlanSchema.load()).load(file).plan();
        Map<String, List<String>> byStage = new TreeMap<>();
        for (InjectionCheck.StageView view : new InjectionCheck(Templates.builtIn())
                .views(RolloutComposer.compose(new StagePlan(plan, plan.clusters().get(0))))) {
            byStage.put(view.stage().directory(), view.injectors().stream().map(Injector::name).toList());
        }
        return byStage;
    }
}
