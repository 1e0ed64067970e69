package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stages of the whole plan (the control plane, each wave of {@code spec.waves}, finalize) and, for
 * each, the stage every cluster is at: a cluster a wave skips stays at its own latest stage. This is
 * what {@code --live} names and what each published branch makes live.
 */
final class PlanStages {

    /** One stage of the plan; on each cluster it corresponds to that cluster's own stage. */
    record PlanStage(int number, Stage.Kind kind, Optional<Plan.Wave> wave) {
        String label() {
            return new Stage(number, kind, wave).label();
        }

        String directory() {
            return new Stage(number, kind, wave).directory();
        }
    }

    private PlanStages() {}

    static List<PlanStage> of(Plan plan) {
        List<PlanStage> stages = new ArrayList<>();
        stages.add(new PlanStage(0, Stage.Kind.CONTROL_PLANE, Optional.empty()));
        for (Plan.Wave wave : plan.waves()) {
            stages.add(new PlanStage(stages.size(), Stage.Kind.WAVE, Optional.of(wave)));
        }
        if (plan.finishing().rendersObjects()) {
            stages.add(new PlanStage(stages.size(), Stage.Kind.FINALIZE, Optional.empty()));
        }
        return stages;
    }

    /** A plan stage by number ({@code 1}, {@code 01}), directory ({@code 01-canary}) or label ({@code canary}). */
    static Optional<PlanStage> find(Plan plan, String selector) {
        for (PlanStage stage : of(plan)) {
            if (stage.directory().equals(selector) || stage.label().equals(selector)
                    || (selector.matches("\\d{1,3}") && Integer.parseInt(selector) == stage.number())) {
                return Optional.of(stage);
            }
        }
        return Optional.empty();
    }

    /** Each cluster's own stage once a plan stage is applied: its stage of the latest wave so far that applies to it. */
    static Map<String, Stage> liveAt(List<StagePlan> fleet, PlanStage planStage) {
        Map<String, Stage> live = new LinkedHashMap<>();
        for (StagePlan stages : fleet) {
            Stage stage = stages.stages().get(0);
            for (Stage candidate : stages.stages()) {
                boolean reached = switch (candidate.kind()) {
                    case CONTROL_PLANE -> true;
                    case WAVE -> planStage.kind() == Stage.Kind.FINALIZE || (planStage.kind() == Stage.Kind.WAVE
                            && stages.plan().waves().indexOf(candidate.wave().orElseThrow())
                                    <= stages.plan().waves().indexOf(planStage.wave().orElseThrow()));
                    case FINALIZE -> planStage.kind() == Stage.Kind.FINALIZE;
                };
                if (reached) {
                    stage = candidate;
                }
            }
            live.put(stages.cluster().name(), stage);
        }
        return live;
    }
}
