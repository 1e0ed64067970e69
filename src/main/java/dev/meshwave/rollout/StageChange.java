package dev.meshwave.rollout;

import dev.meshwave.plan.MeshVersion;
import dev.meshwave.plan.Plan;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One thing a stage changes over the stage before it, as data. The {@link RolloutComposer} decides every
 * change; a layout turns them into files (the Kustomize layout: stage directories), the admission check
 * applies them to the cluster it simulates, and the runbook explains them. A stage's changes come in the
 * order the layout lists their resources and patches.
 */
public sealed interface StageChange {

    /**
     * Stage 00 takes the plan's namespaces into Git with the labels they have today: declared by meshwave, or
     * as the cluster's {@code namespacesFrom} kustomization holds them ({@code from}).
     *
     * @param labels namespace → its labels before the upgrade, in the order the waves move them
     */
    record NamespacesOwned(Optional<String> from, Map<String, Map<String, String>> labels) implements StageChange {}

    /** A wave points namespaces at its phase's revision: each then carries {@code istio.io/rev=<revision>} alone. */
    record NamespacesRelabelled(List<String> namespaces, String revision) implements StageChange {}

    /**
     * An ambient wave takes namespaces off sidecar injection and into ambient mode, in one update of each Namespace:
     * {@code istio.io/dataplane-mode=ambient}, {@code istio.io/use-waypoint=<waypoint>} where {@code waypoints} names one,
     * {@code istio.io/rev} and {@code istio-injection} removed; their workloads restart without sidecars (docs/ambient.md).
     */
    record NamespacesToAmbient(List<String> namespaces, Map<String, String> waypoints) implements StageChange {}

    /**
     * The waypoints stage deploys the ambient waves' waypoints (Gateways of class {@code istio-waypoint}) at the phase's
     * revision, before any namespace uses one.
     */
    record WaypointsDeployed(List<Plan.Gateway> waypoints, String revision) implements StageChange {}

    /** A wave moves Gateway API gateways and waypoints to its phase's revision by their own {@code istio.io/rev}; their pods restart at once. */
    record GatewaysMoved(List<Plan.Gateway> gateways, String revision) implements StageChange {}

    /**
     * A wave's namespaces whose pods the phase's revision injects once they restart: the relabelled ones and
     * those following a tag the wave moves.
     */
    record WorkloadsRestarted(List<String> namespaces, String revision) implements StageChange {}

    /** Stage 00 takes the shared ingress gateway's Service into Git, selecting today's canonical revision. */
    record GatewayServiceOwned(Plan.IngressGateway gateway) implements StageChange {}

    /** The first wave of a phase points the shared ingress gateway Service at the phase's revision (seed 000 step 2). */
    record GatewaySwitched(Plan.IngressGateway gateway, String revision) implements StageChange {}

    /**
     * The first wave of a phase moves a gateway of Istio's {@code gateway} chart from today's release to the
     * phase's: the new release (installed by stage 00 with no replicas) is scaled up, then today's is scaled down.
     */
    record GatewayReleaseSwitched(Plan.IngressGateway gateway, String fromRevision, String revision) implements StageChange {}

    /** Who a tag change belongs to: a plan tag (stage 00 or its wave), or finalize's default tag. */
    enum TagOwner { PLAN, FINALIZE }

    /** A tag pointed at a revision by a stage, whether it creates the tag or moves it. */
    sealed interface TagPointed extends StageChange {
        String tag();

        String revision();

        TagOwner owner();
    }

    /** A revision tag's webhook (and, with {@code service}, from Istio 1.28, its Service) created at a revision. */
    record TagCreated(String tag, String revision, TagOwner owner, boolean service) implements TagPointed {}

    /** A tag Git already holds, moved to a revision: its webhooks (and, with {@code service}, its Service) patched. */
    record TagMoved(String tag, String revision, TagOwner owner, boolean service) implements TagPointed {}

    /** An existing tag taken into Git as it is, protected from deletion: the default tag finalize moves later. */
    record TagKept(String tag, String revision) implements StageChange {}

    /** Stage 00 takes Service {@code istiod} into Git as it is today, so that rolling back finalize restores it. */
    record IstiodServiceOwned(DefaultObjects.IstiodService service) implements StageChange {}

    /**
     * The first finalize points Service {@code istiod} at its revision, written whole: the keys of {@code stale}
     * (today's selector) that {@code service} lacks are deleted.
     */
    record IstiodServiceSelects(DefaultObjects.IstiodService service, Map<String, String> stale) implements StageChange {}

    /** A later finalize moves Service {@code istiod}'s revision label and selector to its revision. */
    record IstiodServiceMoved(String revision) implements StageChange {}

    /** Stage 00 takes the existing default validator into Git as it is (see {@link DefaultObjects}). */
    record ValidatorOwned(String name, boolean legacy, DefaultObjects.Validator validator) implements StageChange {}

    /** Finalize creates the default validator, calling its revision's Service. */
    record ValidatorCreated(String name, boolean legacy, DefaultObjects.Validator validator) implements StageChange {}

    /** Finalize points a validator Git holds at its revision (its label, unless legacy, and the Service it calls). */
    record ValidatorMoved(String name, boolean legacy, String revision) implements StageChange {}

    /**
     * The cluster's non-revisioned injector stops injecting where a default tag arrives: deactivated in Git
     * ({@code inGit}, {@code existing.nonRevisionedInjector: deactivate}), or removed by hand as the runbook says.
     */
    record InjectorRetired(boolean inGit) implements StageChange {}

    /**
     * Finalize makes a revision the default one where the delivery owns that in Git (Helm's base release
     * {@code defaultRevision}, which owns {@code istiod-default-validator}).
     */
    record DefaultRevisionSet(String revision) implements StageChange {}

    /** The cleanup stage takes the old revision's control plane out of Git, which uninstalls it; its rollback reinstalls it. */
    record ControlPlaneRetired(String revision) implements StageChange {}

    /**
     * An ambient component upgraded in place to the phase's version, its stage's only change: {@code revision} is
     * the control plane it talks to from now on (ztunnel's {@code revision} value), and ztunnel takes the plan's
     * update strategy. Rolling the stage back sets today's version again.
     */
    record AmbientComponentUpgraded(Plan.AmbientComponent component, MeshVersion version, String revision) implements StageChange {}

    /** A phase's control plane, delivered with this stage (a script's is installed before it goes live). */
    record ControlPlaneInstalled(int phase, String revision) implements StageChange {}
}
