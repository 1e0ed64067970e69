package dev.meshwave.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.Plan;
import dev.meshwave.testing.Plans;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagePlanTest {

    @TempDir
    Path dir;

    @Test
    void stagesAreControlPlaneThenWavesThenFinalize() {
        StagePlan stages = stages(Plans.BASE);
        assertEquals(List.of("00-control-plane", "01-first", "02-second", "03-finalize"),
                stages.stages().stream().map(Stage::directory).toList());
        assertEquals(List.of("a", "b", "c"), stages.namespaces());
    }

    /** The README, the fleet overview and the pull-request texts all branch on these names. */
    @Test
    void eachKindSetsExactlyOneTemplateFlag() {
        assertEquals(java.util.Map.of("isControlPlane", false, "isCni", false, "isZtunnel", false, "isWaypoints", false, "isWave", false,
                "isFinalize", true, "isCaCleanup", false, "isCleanup", false), Stage.Kind.FINALIZE.templateFlags());
        for (Stage.Kind kind : Stage.Kind.values()) {
            assertEquals(List.of("isControlPlane", "isCni", "isZtunnel", "isWaypoints", "isWave", "isFinalize", "isCaCleanup", "isCleanup"),
                    List.copyOf(kind.templateFlags().keySet()));
            assertEquals(1, kind.templateFlags().values().stream().filter(b -> b).count(), kind.name());
        }
    }

    @Test
    void noFinalizeStageWhenItWouldRenderNothing() {
        StagePlan stages = stages(Plans.BASE + "  finalize: {istiodService: false, defaultTag: false}\n");
        assertEquals(List.of("00-control-plane", "01-first", "02-second"), stages.stages().stream().map(Stage::directory).toList());
    }

    @Test
    void aNamespaceIsOnTheNewRevisionFromItsWaveOn() {
        Rollout rollout = RolloutComposer.compose(stages(Plans.BASE));
        List<Stage> all = rollout.stages().stages();
        assertEquals(List.of("asm-1130-0", "asm-1130-0", "asm-1140-0", "asm-1140-0"),
                all.stream().map(s -> rollout.revisionAt("b", s)).toList());
        assertEquals(List.of("asm-1130-0", "asm-1140-0", "asm-1140-0", "asm-1140-0"),
                all.stream().map(s -> rollout.revisionAt("a", s)).toList());
    }

    @Test
    void stagesAreFoundByNumberDirectoryOrLabel() {
        StagePlan stages = stages(Plans.BASE);
        for (String selector : List.of("2", "02", "002", "second", "02-second")) {
            assertEquals("02-second", stages.find(selector).orElseThrow().directory(), selector);
        }
        assertEquals("03-finalize", stages.find("finalize").orElseThrow().directory());
        assertEquals("00-control-plane", stages.find("control-plane").orElseThrow().directory());
        assertTrue(stages.find("4").isEmpty());
        assertTrue(stages.find("third").isEmpty());
    }

    private StagePlan stages(String yaml) {
        Plan plan = Plans.load(dir, yaml);
        return new StagePlan(plan, plan.clusters().get(0));
    }
}
