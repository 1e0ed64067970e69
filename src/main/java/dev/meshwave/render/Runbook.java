package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StagePlan;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands a person runs to check a stage (seeds 000, 002 and 004), written once for the cluster
 * README and for the pull-request texts.
 */
final class Runbook {

    /** seed 002: every proxy must trust both roots before any workload gets a Mesh CA certificate. */
    static final String CHECK_BOTH_ROOTS = "./migrate_ca check-root-cert   # every pod must print: trusts [CITADEL MESHCA]";

    private final StagePlan stages;
    private final Plan plan;

    Runbook(StagePlan stages) {
        this.stages = stages;
        this.plan = stages.plan();
    }

    /** Commands that show a stage took effect, in the order to run them. */
    List<String> verify(Stage stage) {
        Plan phase = stages.phase(stage);
        String revision = phase.to().revision();
        boolean migration = plan.caMigration().isPresent();
        List<String> commands = new ArrayList<>();
        switch (stage.kind()) {
            case CONTROL_PLANE -> {
                if (stage.phase() > 0) {
                    commands.add(CHECK_BOTH_ROOTS + " (before installing " + revision + ")");
                }
                commands.addAll(DeliveryMethod.of(plan, stages.cluster(), stage.phase()).verify());
                stages.cluster().ingressGateway().ifPresent(gateway -> commands.add(gateway.release().isPresent()
                        ? "kubectl get deployment -n " + gateway.namespace() + " " + gateway.releaseAt(revision)
                                + "   # installed with 0 replicas: the first wave scales it up"
                        : "kubectl get pods -n " + gateway.namespace() + " -l service.istio.io/canonical-revision=" + revision
                                + "   # the new gateway must be ready before the first wave switches " + gateway.service()));
            }
            case CNI, ZTUNNEL -> commands.addAll(verifyComponent(stage));
            // istio.io ambient/migrate "Enable ambient mode", step 1: a waypoint is used only once it is ready.
            case WAYPOINTS -> {
                commands.add("kubectl get crd gateways.gateway.networking.k8s.io   # the Gateway API CRDs waypoints need");
                for (Plan.Gateway waypoint : plan.waypoints(stages.cluster())) {
                    commands.add("kubectl get gateway " + waypoint.name() + " -n " + waypoint.namespace()
                            + "   # PROGRAMMED True before its namespace's wave");
                }
            }
            case WAVE -> {
                if (switchesGateway(stage)) {
                    Plan.IngressGateway gateway = stages.cluster().ingressGateway().orElseThrow();
                    if (gateway.release().isPresent()) {
                        commands.add("kubectl get deployment -n " + gateway.namespace() + " " + gateway.releaseAt(revision) + " "
                                + gateway.release().get() + "   # expect " + gateway.releaseAt(revision) + " ready, "
                                + gateway.release().get() + " 0/0");
                        commands.add("kubectl get pods -n " + gateway.namespace() + " -l app=" + gateway.selector().get("app")
                                + " -L istio.io/rev   # only " + revision);
                    } else {
                        commands.add("kubectl get service -n " + gateway.namespace() + " " + gateway.service()
                                + " -o jsonpath='{.spec.selector}'");
                    }
                }
                DeliveryMethod delivery = DeliveryMethod.of(plan, stages.cluster(), stage.phase());
                for (String tag : plan.tagsMovedBy(stage.wave().orElseThrow())) {
                    commands.addAll(delivery.verifyTag(tag, revision));
                }
                for (Plan.Gateway gateway : stage.wave().orElseThrow().gateways()) {
                    commands.add("kubectl get gateway " + gateway.name() + " -n " + gateway.namespace()
                            + " -L istio.io/rev   # " + revision + "; its pods were replaced at once");
                    commands.add("kubectl get pods -n " + gateway.namespace() + " -l gateway.networking.k8s.io/gateway-name="
                            + gateway.name() + " -o jsonpath='{.items[*].spec.containers[*].image}'   # expect proxyv2:" + plan.to().version());
                }
                for (String namespace : stage.wave().orElseThrow().toAmbient()) {
                    // istio.io ambient/migrate "Enable ambient mode", steps 2-4, as one update of the Namespace and a restart.
                    commands.add("kubectl get namespace " + namespace + " -L istio.io/dataplane-mode,istio.io/use-waypoint,istio.io/rev,istio-injection"
                            + "   # ambient, no injection label");
                    if (plan.restart() == Plan.Restart.MANUAL) {
                        commands.add("kubectl rollout restart deployment -n " + namespace);
                    }
                    commands.add("kubectl get pods -n " + namespace + " -o jsonpath='{.items[*].spec.containers[*].name}' | tr ' ' '\\n'"
                            + " | grep -c istio-proxy   # expect 0: no sidecar left");
                    commands.add("istioctl ztunnel-config workloads | grep " + namespace + "   # protocol HBONE");
                }
                for (String namespace : stage.wave().orElseThrow().sidecarNamespaces()) {
                    commands.add("kubectl get namespace " + namespace + " -L istio.io/rev,istio-injection");
                    if (plan.restart() == Plan.Restart.MANUAL) {
                        commands.add("kubectl rollout restart deployment -n " + namespace);
                    }
                    commands.add("kubectl get pods -n " + namespace + " -l istio.io/rev=" + revision);
                    commands.add("kubectl get pods -n " + namespace
                            + " -o jsonpath='{.items[*].spec.containers[*].image}' | tr ' ' '\\n' | grep proxyv2   # expect :"
                            + plan.to().version());
                    if (migration && stage.phase() > 0) {
                        commands.add("kubectl exec -n " + namespace + " deploy/CLIENT -c istio-proxy -- curl -sS -o /dev/null"
                                + " -w '%{http_code}\\n' http://SERVICE.OTHER_NAMESPACE   # mTLS, both ways, with a namespace still on "
                                + phase.from().revision());
                    }
                }
                if (migration && stage.phase() == 0) {
                    commands.add(CHECK_BOTH_ROOTS);
                }
                commands.add("istioctl proxy-status");
            }
            case FINALIZE -> {
                if (phase.finishing().istiodService()) {
                    commands.add("kubectl get service istiod -n istio-system -o jsonpath='{.spec.selector}'");
                }
                if (phase.finishing().defaultTag()) {
                    commands.addAll(DeliveryMethod.of(plan, stages.cluster(), stage.phase()).verifyDefaultTag(revision));
                }
            }
            case CLEANUP -> commands.addAll(DeliveryMethod.of(plan, stages.cluster(), stage.phase())
                    .verifyRetired(plan.from().revision()));
            case CA_CLEANUP -> {
                commands.add("kubectl get secret cacerts istio-ca-secret -n istio-system   # expect: NotFound");
                commands.add("kubectl get pods -n istio-system -l istio.io/rev=" + revision + "   # restarted, ready");
                commands.add("./migrate_ca check-root-cert   # every pod must trust MESHCA only");
            }
        }
        return commands;
    }

    /**
     * An ambient component's stage, node by node: the controller applied the new version, then the DaemonSet's pods
     * were replaced on every node. ztunnel with {@code OnDelete} replaces a node's pod only when it is deleted
     * (Kubernetes DaemonSet update strategies), so each node is drained first and its pod deleted, as Istio
     * recommends for long-lived connections (istio.io ambient/upgrade/helm: "node cordoning and draining before
     * upgrading the ztunnel for a given node"); {@code kubectl rollout status} answers only for RollingUpdate.
     */
    private List<String> verifyComponent(Stage stage) {
        Plan phase = stages.phase(stage);
        Plan.AmbientComponent component = phase.ambient().stream()
                .filter(c -> Stage.Kind.of(c.component()) == stage.kind()).findFirst().orElseThrow();
        DeliveryMethod delivery = DeliveryMethod.of(plan, stages.cluster(), stage.phase());
        String version = phase.to().version().toString();
        String namespace = delivery.componentNamespace(component.component());
        String daemonSet = component.component().daemonSet();
        String pods = " -n " + namespace + " -l " + component.component().podSelector();
        List<String> commands = new ArrayList<>();
        commands.add(delivery.verifyComponent(component.component(), version));
        if (component.updateStrategy() == Plan.UpdateStrategy.ON_DELETE) {
            commands.add("# OnDelete: replace ztunnel node by node, each node drained first");
            commands.add("for node in $(kubectl get nodes -o jsonpath='{.items[*].metadata.name}'); do");
            commands.add("  kubectl drain \"$node\" --ignore-daemonsets --delete-emptydir-data");
            commands.add("  kubectl delete pod" + pods + " --field-selector spec.nodeName=\"$node\"");
            commands.add("  until kubectl wait pod" + pods + " --field-selector spec.nodeName=\"$node\" --for=condition=Ready"
                    + " --timeout=5m; do sleep 5; done");
            commands.add("  kubectl uncordon \"$node\"");
            commands.add("done");
        } else {
            commands.add("kubectl rollout status daemonset/" + daemonSet + " -n " + namespace + "   # one node after another");
        }
        commands.add("kubectl get pods" + pods + " -o jsonpath='{.items[*].spec.containers[*].image}' | tr ' ' '\\n' | sort -u"
                + "   # expect :" + version + " only");
        if (component.component() == Plan.Component.ZTUNNEL) {
            commands.add("istioctl proxy-status | grep ztunnel   # every node's ztunnel connected to istiod " + phase.to().revision());
        }
        return commands;
    }

    /**
     * The last step of a CA migration (seed 002): save and delete the Citadel Secrets, then restart the
     * control plane so that every proxy drops the old root. meshwave does not own these Secrets.
     */
    static List<String> caCleanup(Plan plan) {
        if (plan.caMigration().isEmpty()) {
            return List.of();
        }
        return List.of(
                "kubectl get secret/cacerts -n istio-system -o yaml > cacerts.saved.yaml   # keep both files out of Git",
                "kubectl get secret/istio-ca-secret -n istio-system -o yaml > istio-ca-secret.saved.yaml",
                "kubectl delete secret cacerts istio-ca-secret -n istio-system --ignore-not-found",
                "kubectl rollout restart deployment -n istio-system");
    }

    /** Commands that show a wave was rolled back: its namespaces are on the phase's previous revision again. */
    List<String> verifyRollback(Stage stage) {
        Plan phase = stages.phase(stage);
        List<String> commands = new ArrayList<>();
        if (switchesGateway(stage)) {
            Plan.IngressGateway gateway = stages.cluster().ingressGateway().orElseThrow();
            commands.add(gateway.release().isPresent()
                    ? "kubectl get deployment -n " + gateway.namespace() + " " + gateway.release().get() + " "
                            + gateway.releaseAt(phase.to().revision()) + "   # expect " + gateway.release().get() + " ready, "
                            + gateway.releaseAt(phase.to().revision()) + " 0/0"
                    : "kubectl get service -n " + gateway.namespace() + " " + gateway.service()
                            + " -o jsonpath='{.spec.selector}'   # expect " + stages.gatewayCanonicalBefore(stage).orElseThrow());
        }
        String expected = phase.from().isNonRevisioned() ? "istio-injection=enabled" : "istio.io/rev=" + phase.from().revision();
        for (String namespace : stage.wave().map(Plan.Wave::namespaces).orElse(List.of())) {
            commands.add("kubectl get namespace " + namespace + " -L istio.io/rev,istio-injection   # expect " + expected);
            if (plan.restart() == Plan.Restart.MANUAL) {
                commands.add("kubectl rollout restart deployment -n " + namespace);
            }
        }
        commands.add("istioctl proxy-status");
        return commands;
    }

    boolean switchesGateway(Stage stage) {
        return stages.cluster().ingressGateway().isPresent() && stages.isFirstWaveOfPhase(stage);
    }
}
