package dev.meshwave.rollout;

import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.StageChange.TagOwner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plan → one cluster's {@link Rollout}: the one place that decides what each stage changes. Stage 00 takes
 * into Git what later stages change (namespaces, the gateway Service, tags, the objects finalize moves) with
 * their values of today, so that every rollback restores rather than prunes; waves relabel, move tags and
 * switch the gateway; finalize points the un-revisioned names at the new revision.
 */
public final class RolloutComposer {

    private final StagePlan stages;
    private final Plan plan;
    private final Plan.Cluster cluster;
    private final DefaultObjects defaults;
    private final Optional<Stage> defaultTagArrives;

    private RolloutComposer(StagePlan stages) {
        this.stages = stages;
        this.plan = stages.plan();
        this.cluster = stages.cluster();
        this.defaults = new DefaultObjects(plan);
        this.defaultTagArrives = stages.defaultTagArrives();
    }

    public static Rollout compose(StagePlan stages) {
        return new RolloutComposer(stages).compose();
    }

    private Rollout compose() {
        List<List<StageChange>> changes = new ArrayList<>();
        boolean[] gatewaySwitched = new boolean[plan.phases().size()];
        for (Stage stage : stages.stages()) {
            List<StageChange> stageChanges = new ArrayList<>();
            switch (stage.kind()) {
                case CONTROL_PLANE -> controlPlane(stage, stageChanges);
                case CNI, ZTUNNEL -> stageChanges.add(ambientComponent(stage));
                case WAYPOINTS -> stageChanges.add(new StageChange.WaypointsDeployed(plan.waypoints(cluster),
                        stages.phase(stage).to().revision()));
                case WAVE -> {
                    boolean firstWave = !gatewaySwitched[stage.phase()];
                    gatewaySwitched[stage.phase()] = true;
                    wave(stage, firstWave, stageChanges);
                }
                case FINALIZE -> finalize(stage, stageChanges);
                case CA_CLEANUP -> { } // changes nothing in Git: its runbook carries the Secret cleanup
                case CLEANUP -> stageChanges.add(new StageChange.ControlPlaneRetired(plan.from().revision()));
            }
            changes.add(stageChanges);
        }
        return new Rollout(stages, changes);
    }

    private void controlPlane(Stage stage, List<StageChange> changes) {
        Plan phase = stages.phase(stage);
        if (stage.phase() == 0) {
            Map<String, Map<String, String>> labels = new LinkedHashMap<>();
            for (String namespace : stages.namespaces()) {
                labels.put(namespace, stages.labelsBefore(namespace));
            }
            changes.add(new StageChange.NamespacesOwned(cluster.namespacesFrom(), labels));
            // A gateway chart's release keeps its Service: stage 00 installs the new release beside it (control plane).
            cluster.ingressGateway().filter(gateway -> gateway.release().isEmpty())
                    .ifPresent(gateway -> changes.add(new StageChange.GatewayServiceOwned(gateway)));
            if (!plan.from().isNonRevisioned()) {
                for (String tag : plan.tags().keySet().stream().sorted().toList()) {
                    changes.add(new StageChange.TagCreated(tag, plan.from().revision(), TagOwner.PLAN, withTagService()));
                }
            }
            if (plan.finishing().istiodService()) {
                changes.add(new StageChange.IstiodServiceOwned(defaults.serviceBefore()));
                defaults.validatorBefore().ifPresent(validator -> changes.add(
                        new StageChange.ValidatorOwned(defaults.validatorName(), defaults.legacyValidator(), validator)));
            }
            defaults.defaultTagBefore().ifPresent(revision -> changes.add(new StageChange.TagKept(Rollout.DEFAULT_TAG, revision)));
            retireInjectorIfDefaultTagArrives(stage, changes);
        }
        changes.add(new StageChange.ControlPlaneInstalled(stage.phase(), phase.to().revision()));
    }

    /** A component stage upgrades its component to the phase's version, pointed at the phase's revision. */
    private StageChange ambientComponent(Stage stage) {
        Plan phase = stages.phase(stage);
        Plan.AmbientComponent component = phase.ambient().stream()
                .filter(c -> Stage.Kind.of(c.component()) == stage.kind()).findFirst().orElseThrow();
        return new StageChange.AmbientComponentUpgraded(component, phase.to().version(), phase.to().revision());
    }

    private void wave(Stage stage, boolean firstOfPhase, List<StageChange> changes) {
        Plan phase = stages.phase(stage);
        Plan.Wave wave = stage.wave().orElseThrow();
        String revision = phase.to().revision();
        if (!wave.relabelled().isEmpty()) {
            changes.add(new StageChange.NamespacesRelabelled(wave.relabelled(), revision));
        }
        if (!wave.toAmbient().isEmpty()) {
            changes.add(new StageChange.NamespacesToAmbient(wave.toAmbient(), wave.waypoints()));
        }
        if (!wave.gateways().isEmpty()) {
            changes.add(new StageChange.GatewaysMoved(wave.gateways(), revision));
        }
        for (String tag : plan.tagsMovedBy(wave)) {
            // A non-revisioned install had no tag to move: the wave creates it.
            changes.add(phase.from().isNonRevisioned()
                    ? new StageChange.TagCreated(tag, revision, TagOwner.PLAN, withTagService())
                    : new StageChange.TagMoved(tag, revision, TagOwner.PLAN, phase.to().version().atLeast(1, 28)));
        }
        retireInjectorIfDefaultTagArrives(stage, changes);
        if (firstOfPhase) {
            cluster.ingressGateway().ifPresent(gateway -> changes.add(gateway.release().isPresent()
                    ? new StageChange.GatewayReleaseSwitched(gateway, phase.from().revision(), revision)
                    : new StageChange.GatewaySwitched(gateway, revision)));
        }
        if (!wave.sidecarNamespaces().isEmpty()) {
            changes.add(new StageChange.WorkloadsRestarted(wave.sidecarNamespaces(), revision));
        }
    }

    /**
     * The first phase's finalize points Service istiod, the default validator and the default tag at its
     * revision (creating those that did not exist); a later phase's finalize moves the same objects on.
     */
    private void finalize(Stage stage, List<StageChange> changes) {
        Plan phase = stages.phase(stage);
        boolean moves = stage.phase() > 0;
        String revision = phase.to().revision();
        if (phase.finishing().istiodService()) {
            if (moves) {
                changes.add(new StageChange.IstiodServiceMoved(revision));
            } else {
                changes.add(new StageChange.IstiodServiceSelects(defaults.serviceAt(revision), defaults.serviceBefore().selector()));
            }
            if (moves || defaults.validatorBefore().isPresent()) {
                changes.add(new StageChange.ValidatorMoved(defaults.validatorName(), defaults.legacyValidator(), revision));
            } else {
                changes.add(new StageChange.ValidatorCreated(defaults.validatorName(), defaults.legacyValidator(),
                        defaults.validatorAt(revision)));
            }
        }
        if (phase.to().delivery().inGit()) {
            // Before the old revision leaves, the default revision (and its validator) must not name it.
            changes.add(new StageChange.DefaultRevisionSet(revision));
        }
        if (phase.finishing().defaultTag()) {
            changes.add(moves || defaults.defaultTagBefore().isPresent()
                    ? new StageChange.TagMoved(Rollout.DEFAULT_TAG, revision, TagOwner.FINALIZE, phase.to().version().atLeast(1, 28))
                    : new StageChange.TagCreated(Rollout.DEFAULT_TAG, revision, TagOwner.FINALIZE, withTagService()));
        }
        retireInjectorIfDefaultTagArrives(stage, changes);
    }

    /** A tag's Service exists from Istio 1.28. */
    private boolean withTagService() {
        return plan.to().version().atLeast(1, 28);
    }

    /**
     * Where a default tag first exists in Git, the cluster's non-revisioned injector (if it has one) must stop
     * injecting: deactivated by Git with {@code existing.nonRevisionedInjector: deactivate}, else removed by hand.
     */
    private void retireInjectorIfDefaultTagArrives(Stage stage, List<StageChange> changes) {
        boolean nonRevisioned = plan.from().isNonRevisioned() || plan.existing().nonRevisionedInjector() != Plan.NonRevisionedInjector.ABSENT;
        if (nonRevisioned && defaultTagArrives.filter(stage::equals).isPresent()) {
            // A non-revisioned release in Git (Helm) is told to drop its injector; a script's is deactivated on request.
            boolean inGit = plan.existing().nonRevisionedInjector() == Plan.NonRevisionedInjector.DEACTIVATE
                    || (plan.from().isNonRevisioned() && plan.to().delivery().inGit());
            changes.add(new StageChange.InjectorRetired(inGit));
        }
    }
}
