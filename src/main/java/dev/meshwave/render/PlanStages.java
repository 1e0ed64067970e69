package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StageName;
import dev.meshwave.rollout.StagePlan;
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
    record PlanStage(int number, Stage.Kind kind, Optional<Plan.Wave> wave, int phase) {
        String label() {
            return asStage().label();
        }

        String directory() {
            return asStage().directory();
        }

        StageName name() {
            return asStage().name();
        }

        private Stage asStage() {
            return new Stage(number, kind, wave, phase);
        }
    }

    private PlanStages() {}

    static List<PlanStage> of(Plan plan) {
        List<PlanStage> stages = new ArrayList<>();
        List<Plan> phases = plan.phases();
        for (int phase = 0; phase < phases.size(); phase++) {
            stages.add(new PlanStage(stages.size(), Stage.Kind.CONTROL_PLANE, Optional.empty(), phase));
            for (Plan.AmbientComponent component : phases.get(phase).ambient()) {
                stages.add(new PlanStage(stages.size(), Stage.Kind.of(component.component()), Optional.empty(), phase));
            }
            if (phase == 0 && plan.clusters().stream().anyMatch(cluster -> !plan.waypoints(cluster).isEmpty())) {
                stages.add(new PlanStage(stages.size(), Stage.Kind.WAYPOINTS, Optional.empty(), phase));
            }
            for (Plan.Wave wave : phases.get(phase).waves()) {
                stages.add(new PlanStage(stages.size(), Stage.Kind.WAVE, Optional.of(wave), phase));
            }
            if (phases.get(phase).finalizes()) {
                stages.add(new PlanStage(stages.size(), Stage.Kind.FINALIZE, Optional.empty(), phase));
            }
        }
        if (plan.caMigration().isPresent()) {
            stages.add(new PlanStage(stages.size(), Stage.Kind.CA_CLEANUP, Optional.empty(), phases.size() - 1));
        }
        if (plan.retiresInGit()) {
            stages.add(new PlanStage(stages.size(), Stage.Kind.CLEANUP, Optional.empty(), phases.size() - 1));
        }
        return stages;
    }

    /** The first plan stage a selector names ({@link StageName#selectedBy}). */
    static Optional<PlanStage> find(Plan plan, String selector) {
        return of(plan).stream().filter(stage -> stage.name().selectedBy(selector)).findFirst();
    }

    /** Each cluster's own stage once a plan stage is applied: its stage of the latest wave so far that applies to it. */
    static Map<String, Stage> liveAt(List<StagePlan> fleet, PlanStage planStage) {
        Map<String, Stage> live = new LinkedHashMap<>();
        for (StagePlan stages : fleet) {
            Stage stage = stages.stages().get(0);
            for (Stage candidate : stages.stages()) {
                if (reached(stages.plan(), candidate, planStage)) {
                    stage = candidate;
                }
            }
            live.put(stages.cluster().name(), stage);
        }
        return live;
    }

    /** Whether a cluster's stage is applied once the plan reaches {@code planStage}: earlier phases entirely, then in order. */
    private static boolean reached(Plan plan, Stage candidate, PlanStage planStage) {
        if (candidate.phase() != planStage.phase()) {
            return candidate.phase() < planStage.phase();
        }
        boolean phaseFinished = planStage.kind() == Stage.Kind.FINALIZE || planStage.kind() == Stage.Kind.CA_CLEANUP
                || planStage.kind() == Stage.Kind.CLEANUP;
        return switch (candidate.kind()) {
            case CONTROL_PLANE -> true;
            // Every cluster has the component stages, right after its control plane's: they are reached in order.
            case CNI -> planStage.kind() != Stage.Kind.CONTROL_PLANE;
            case ZTUNNEL -> planStage.kind() != Stage.Kind.CONTROL_PLANE && planStage.kind() != Stage.Kind.CNI;
            // Only clusters with waypoints have the stage; it comes before every wave.
            case WAYPOINTS -> planStage.kind() != Stage.Kind.CONTROL_PLANE && !planStage.kind().isAmbientComponent();
            case WAVE -> phaseFinished || (planStage.kind() == Stage.Kind.WAVE
                    && plan.waves().indexOf(candidate.wave().orElseThrow()) <= plan.waves().indexOf(planStage.wave().orElseThrow()));
            case FINALIZE -> phaseFinished;
            case CA_CLEANUP -> planStage.kind() == Stage.Kind.CA_CLEANUP;
            case CLEANUP -> planStage.kind() == Stage.Kind.CLEANUP;
        };
    }

    /**
     * The phase every cluster of a fleet has finished, given each cluster's live stage: a cluster may
     * enter a phase only when every cluster has finished the one before it (MESH-FACTS §8).
     */
    static Optional<String> phaseOrderViolation(List<StagePlan> fleet, Map<String, Stage> live) {
        for (StagePlan ahead : fleet) {
            Stage aheadStage = live.get(ahead.cluster().name());
            for (StagePlan behind : fleet) {
                Stage behindStage = live.get(behind.cluster().name());
                if (aheadStage.phase() > behindStage.phase() && !finishedPhase(behind, behindStage)) {
                    return Optional.of("cluster " + ahead.cluster().name() + " is at " + aheadStage.directory()
                            + " (the Mesh CA phase) while cluster " + behind.cluster().name() + " is at "
                            + behindStage.directory() + ", before the end of the phase that distributes the Mesh CA root;"
                            + " every cluster must finish that phase before any cluster starts the next");
                }
            }
        }
        return Optional.empty();
    }

    /** Whether a cluster's live stage is the last stage of its phase (its finalize, or its last wave). */
    private static boolean finishedPhase(StagePlan stages, Stage stage) {
        int next = stage.number() + 1;
        return next >= stages.stages().size() || stages.stages().get(next).phase() != stage.phase();
    }
}
