package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StageName;
import dev.meshwave.testing.Plans;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishPlannerTest {

    @TempDir
    Path dir;

    private final PublishPlanner planner = new PublishPlanner(Templates.builtIn());

    @Test
    void oneStackedBranchPerStage() throws Exception {
        List<PublishStep> steps = planner.waves(Plans.load(dir, Plans.BASE), "main");
        assertEquals(List.of("meshwave/demo/00-control-plane", "meshwave/demo/01-first", "meshwave/demo/02-second",
                "meshwave/demo/03-finalize"), steps.stream().map(PublishStep::branch).toList());
        assertEquals(List.of(Optional.empty(), Optional.of("meshwave/demo/00-control-plane"), Optional.of("meshwave/demo/01-first"),
                Optional.of("meshwave/demo/02-second")), steps.stream().map(PublishStep::parentBranch).toList());
    }

    @Test
    void eachBranchHoldsTheStagesUpToItsOwnWithTheLiveEntryPointThere() throws Exception {
        List<PublishStep> steps = planner.waves(Plans.load(dir, Plans.BASE), "main");
        RenderedTree first = steps.get(1).tree();
        assertTrue(first.files().containsKey("clusters/c1/stages/01-first/kustomization.yaml"));
        assertFalse(first.files().keySet().stream().anyMatch(p -> p.startsWith("clusters/c1/stages/02-")));
        assertTrue(first.text("clusters/c1/kustomization.yaml").contains("- stages/01-first\n"));
        assertTrue(first.text("clusters/c1/components/restart/a/kustomization.yaml").contains("\"asm-1140-0\""));
        assertTrue(first.text("clusters/c1/components/restart/b/kustomization.yaml").contains("\"asm-1130-0\""));
    }

    /** Stage directories are matched by name: a plan of 120 waves once put stages 100+ on the branch of wave 10. */
    @Test
    void withMoreThanAHundredStagesEveryBranchHoldsExactlyTheStagesUpToItsOwn() throws Exception {
        Plan plan = Plans.load(dir, dev.meshwave.testing.SyntheticPlans.text(1, 120, 120, "1.14.0-asm.0"));
        List<PublishStep> steps = planner.waves(plan, "main");
        assertEquals(122, steps.size());
        for (int k = 0; k < steps.size(); k++) {
            java.util.Set<String> stages = new java.util.TreeSet<>();
            for (String path : steps.get(k).tree().files().keySet()) {
                if (path.startsWith("clusters/c1/stages/")) {
                    stages.add(path.split("/")[3]);
                }
            }
            assertEquals(k + 1, stages.size(), steps.get(k).branch() + " holds " + stages);
            assertTrue(stages.contains(steps.get(k).stage()), steps.get(k).branch() + " holds " + stages);
            assertEquals(java.util.Map.of("clusters/c1", StageName.parse(steps.get(k).stage()).orElseThrow()), steps.get(k).live());
        }
    }

    @Test
    void pullRequestTextsSayWhatMovesWhatChangedAndWhatIsNext() throws Exception {
        PublishStep second = planner.waves(Plans.load(dir, Plans.BASE), "main").get(2);
        assertEquals("[demo] 02-second: move b, c to asm-1140-0", second.title());
        assertTrue(second.body().contains("namespaces b, c get `istio.io/rev=asm-1140-0`"), second.body());
        assertTrue(second.body().contains("- added `clusters/c1/stages/02-second/namespaces.yaml`"), second.body());
        assertTrue(second.body().contains("kubectl get pods -n c -l istio.io/rev=asm-1140-0"), second.body());
        assertTrue(second.body().contains("- based on: `meshwave/demo/01-first`\n- next: `meshwave/demo/03-finalize`"), second.body());
        assertTrue(second.commitMessage().startsWith("demo: 02-second — move b, c to asm-1140-0\n"), second.commitMessage());
    }

    @Test
    void theFirstPullRequestSaysToInstallTheRevisionBeforeTheNext() throws Exception {
        PublishStep first = planner.waves(Plans.load(dir, Plans.BASE), "main").get(0);
        assertTrue(first.body().contains("install the new revision and wait until its istiod pods are\nready"), first.body());
        assertTrue(first.body().contains("- based on: `main`"), first.body());
    }

    /** A control plane in Git is installed by merging, not by install.sh; finalize moves the base release, not Service istiod. */
    @Test
    void helmPullRequestsSayTheControlPlaneArrivesThroughGitAndTheGatewayMovesBetweenReleases() throws Exception {
        List<PublishStep> steps = planner.waves(new dev.meshwave.plan.PlanLoader(dev.meshwave.plan.PlanSchema.load())
                .load(java.nio.file.Path.of("examples/helm-gateway/plan.yaml")).plan(), "main");
        String first = steps.get(0).body();
        assertFalse(first.contains("install.sh"), first);
        assertFalse(first.contains("istioctl uninstall"), first);
        assertTrue(first.contains("Merging this installs revision `1-27-3` beside `1-26-5` through Git (Flux applies each"), first);
        assertTrue(steps.get(1).body().contains("On `store-0042` the ingress gateway `istio-ingress/istio-ingress` moves first: release"
                + " `istio-ingress-1-27-3` scales up, then `istio-ingress` scales to none."), steps.get(1).body());
        String finalize = steps.get(3).body();
        assertTrue(finalize.contains("**What moves:** the base release's `defaultRevision` and the revision tag `default` point at `1-27-3`."),
                finalize);
        assertTrue(finalize.contains("the cleanup stage then removes `1-26-5`."), finalize);
        assertFalse(finalize.contains("Service `istiod`"), finalize);
    }

    @Test
    void aRollbackRepointsTheLiveStageAndIsProposedIntoTheBase() throws Exception {
        Plan plan = Plans.load(dir, Plans.BASE);
        PublishStep rollback = planner.rollback(plan, "second", "main");
        assertEquals("meshwave/demo/rollback-second", rollback.branch());
        assertEquals(Optional.empty(), rollback.parentBranch(), "built on and proposed into the base, where the wave was merged");
        assertTrue(rollback.rollback());
        assertTrue(rollback.tree().text("clusters/c1/kustomization.yaml").contains("- stages/01-first\n"));
        assertEquals(java.util.Map.of("clusters/c1", new StageName(1, "first")), rollback.live(), "the stage it makes live again");
        assertTrue(rollback.tree().files().containsKey("clusters/c1/stages/02-second/kustomization.yaml"),
                "the stage stays; only the live pointer moves");
        assertTrue(rollback.body().contains("kubectl get namespace b -L istio.io/rev,istio-injection   # expect istio.io/rev=asm-1130-0"),
                rollback.body());
        assertThrows(RenderException.class, () -> planner.rollback(plan, "control-plane", "main"));
    }

    @Test
    void eachPullRequestDrawsTheRolloutWithItsOwnStageHighlighted() throws Exception {
        List<PublishStep> steps = planner.waves(Plans.load(dir, Plans.BASE), "main");
        String body = steps.get(2).body();
        assertTrue(body.contains("```mermaid\nflowchart LR\n  subgraph c0[\"c1\"]\n    direction LR\n"
                + "    c0s0[\"00-control-plane\"] --> c0s1[\"01-first\"] --> c0s2[\"02-second\"] --> c0s3[\"03-finalize\"]\n  end\n"), body);
        assertTrue(body.contains("  class c0s2 live\n```"), "the stage this pull request makes live: " + body);
        assertTrue(planner.rollback(Plans.load(dir, Plans.BASE), "second", "main").body().contains("  class c0s1 live\n"),
                "a rollback highlights the stage it returns to");
    }
}
