package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands a person runs to check a stage (seeds 000 and 004), written once for the cluster
 * README and for the pull-request texts.
 */
final class Runbook {

    private final StagePlan stages;
    private final Plan plan;

    Runbook(StagePlan stages) {
        this.stages = stages;
        this.plan = stages.plan();
    }

    /** Commands that show a stage took effect, in the order to run them. */
    List<String> verify(Stage stage) {
        String revision = plan.to().revision();
        List<String> commands = new ArrayList<>();
        switch (stage.kind()) {
            case CONTROL_PLANE -> {
                commands.add("kubectl get pods -n istio-system -l istio.io/rev=" + revision);
                commands.add("kubectl get mutatingwebhookconfigurations istio-sidecar-injector-" + revision);
                stages.cluster().ingressGateway().ifPresent(gateway -> commands.add("kubectl get pods -n " + gateway.namespace()
                        + " -l service.istio.io/canonical-revision=" + revision
                        + "   # the new gateway must be ready before the first wave switches " + gateway.service()));
            }
            case WAVE -> {
                if (switchesGateway(stage)) {
                    Plan.IngressGateway gateway = stages.cluster().ingressGateway().orElseThrow();
                    commands.add("kubectl get service -n " + gateway.namespace() + " " + gateway.service()
                            + " -o jsonpath='{.spec.selector}'");
                }
                for (String tag : plan.tagsMovedBy(stage.wave().orElseThrow())) {
                    commands.add("kubectl get mutatingwebhookconfiguration istio-revision-tag-" + tag
                            + " -o yaml | grep -e istio.io/rev: -e istio.io/tag:");
                }
                for (String namespace : stage.wave().orElseThrow().namespaces()) {
                    commands.add("kubectl get namespace " + namespace + " -L istio.io/rev,istio-injection");
                    if (plan.restart() == Plan.Restart.MANUAL) {
                        commands.add("kubectl rollout restart deployment -n " + namespace);
                    }
                    commands.add("kubectl get pods -n " + namespace + " -l istio.io/rev=" + revision);
                    commands.add("kubectl get pods -n " + namespace
                            + " -o jsonpath='{.items[*].spec.containers[*].image}' | tr ' ' '\\n' | grep proxyv2   # expect :"
                            + plan.to().version());
                }
                commands.add("istioctl proxy-status");
            }
            case FINALIZE -> {
                if (plan.finishing().istiodService()) {
                    commands.add("kubectl get service istiod -n istio-system -o jsonpath='{.spec.selector}'");
                }
                if (plan.finishing().defaultTag()) {
                    commands.add("istioctl tag list");
                    commands.add("kubectl get mutatingwebhookconfiguration istio-revision-tag-default -o yaml"
                            + " | grep -e istio.io/rev: -e istio.io/tag:");
                }
            }
        }
        return commands;
    }

    /** Commands that show a wave was rolled back: its namespaces are on the old revision again. */
    List<String> verifyRollback(Stage stage) {
        List<String> commands = new ArrayList<>();
        if (switchesGateway(stage)) {
            Plan.IngressGateway gateway = stages.cluster().ingressGateway().orElseThrow();
            commands.add("kubectl get service -n " + gateway.namespace() + " " + gateway.service()
                    + " -o jsonpath='{.spec.selector}'   # expect " + gateway.fromCanonicalRevision());
        }
        String expected = plan.from().isNonRevisioned() ? "istio-injection=enabled" : "istio.io/rev=" + plan.from().revision();
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
        return cluster().ingressGateway().isPresent() && stages.firstWave().filter(stage::equals).isPresent();
    }

    private Plan.Cluster cluster() {
        return stages.cluster();
    }
}
