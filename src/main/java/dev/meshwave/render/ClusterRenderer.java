package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders one cluster's directory: the live entry point, the cumulative stages, the restart
 * components, the control-plane overlays and the README runbook.
 */
final class ClusterRenderer {

    static final String ISTIO_SYSTEM = "istio-system";
    private static final String DEFAULT_TAG = "default";

    private final StagePlan stages;
    private final Plan plan;
    private final Plan.Cluster cluster;
    private final Stage live;
    private final Renderer.Output out;
    private final ControlPlane controlPlane;
    private final Runbook runbook;

    ClusterRenderer(StagePlan stages, Stage live, Renderer.Output out) {
        this.stages = stages;
        this.plan = stages.plan();
        this.cluster = stages.cluster();
        this.live = live;
        this.out = out;
        this.controlPlane = new ControlPlane(plan, cluster);
        this.runbook = new Runbook(stages);
    }

    void render() throws TemplateException {
        out.emit("kustomization.yaml", "live/kustomization.yaml.mustache", common()
                .with("liveStage", live.directory()));
        for (Stage stage : stages.stages()) {
            switch (stage.kind()) {
                case CONTROL_PLANE -> renderControlPlaneStage(stage);
                case WAVE -> renderWaveStage(stage);
                case FINALIZE -> renderFinalizeStage(stage);
            }
        }
        if (plan.restart() == Plan.Restart.ANNOTATION) {
            for (String namespace : stages.namespaces()) {
                out.emit("components/restart/" + namespace + "/kustomization.yaml", "components/restart.yaml.mustache",
                        common().with("namespace", namespace).with("revision", stages.revisionAt(namespace, live)));
            }
        }
        controlPlane.render(out, common());
        out.emit("README.md", "docs/README.md.mustache", readme());
    }

    private void renderControlPlaneStage(Stage stage) throws TemplateException {
        String dir = "stages/" + stage.directory() + "/";
        List<String> resources = new ArrayList<>();
        if (cluster.namespacesFrom().isPresent()) {
            resources.add(pathToOutputRoot(dir) + cluster.namespacesFrom().get());
        } else {
            resources.add("namespaces.yaml");
            List<Map<String, Object>> namespaces = new ArrayList<>();
            for (String namespace : stages.namespaces()) {
                namespaces.add(new Context().with("name", namespace).with("labels", currentLabels()));
            }
            out.emit(dir + "namespaces.yaml", "stages/namespaces.yaml.mustache", common().with("namespaces", namespaces));
        }
        if (cluster.ingressGateway().isPresent()) {
            resources.add("ingress-gateway-service.yaml");
            Plan.IngressGateway gateway = cluster.ingressGateway().get();
            out.emit(dir + "ingress-gateway-service.yaml", "stages/ingress-gateway-service.yaml.mustache", common()
                    .with("gatewayNamespace", gateway.namespace())
                    .with("gatewayService", gateway.service())
                    .with("canonicalRevision", gateway.fromCanonicalRevision()));
        }
        out.emit(dir + "kustomization.yaml", "stages/control-plane-kustomization.yaml.mustache", common()
                .with("stage", stage.directory())
                .with("resources", resources)
                .with("namespacesFrom", cluster.namespacesFrom().orElse("")));
    }

    /** Today's injection labels: {@code istio-injection=enabled} for a non-revisioned install, else the revision. */
    private List<Map<String, Object>> currentLabels() {
        return plan.from().isNonRevisioned()
                ? List.of(new Context().with("key", "istio-injection").with("value", "enabled"))
                : List.of(new Context().with("key", "istio.io/rev").with("value", plan.from().revision()));
    }

    private void renderWaveStage(Stage stage) throws TemplateException {
        String dir = "stages/" + stage.directory() + "/";
        Plan.Wave wave = stage.wave().orElseThrow();
        List<Map<String, Object>> namespaces = wave.namespaces().stream()
                .map(ns -> (Map<String, Object>) new Context().with("name", ns)).toList();
        out.emit(dir + "namespaces.yaml", "stages/namespace-patches.yaml.mustache", common().with("namespaces", namespaces));
        boolean switchesGateway = runbook.switchesGateway(stage);
        Context context = common()
                .with("stage", stage.directory())
                .with("wave", wave.name())
                .with("previousStage", previous(stage).directory())
                .with("movedNamespaces", String.join(", ", wave.namespaces()))
                .with("switchesGateway", switchesGateway);
        cluster.ingressGateway().ifPresent(g -> context
                .with("gatewayNamespace", g.namespace())
                .with("gatewayService", g.service()));
        out.emit(dir + "kustomization.yaml", "stages/wave-kustomization.yaml.mustache", context);
    }

    private void renderFinalizeStage(Stage stage) throws TemplateException {
        String dir = "stages/" + stage.directory() + "/";
        List<String> resources = new ArrayList<>();
        resources.add("../" + previous(stage).directory());
        if (plan.finishing().istiodService()) {
            resources.add("istiod-service.yaml");
            out.emit(dir + "istiod-service.yaml", "stages/istiod-service.yaml.mustache", common());
        }
        if (plan.finishing().defaultTag()) {
            String webhook = "istio-revision-tag-" + DEFAULT_TAG + ".yaml";
            resources.add(webhook);
            out.emit(dir + webhook, "stages/revision-tag-webhook.yaml.mustache", tagContext(DEFAULT_TAG));
            if (plan.to().version().atLeast(1, 28)) {
                String service = "istiod-revision-tag-" + DEFAULT_TAG + "-service.yaml";
                resources.add(service);
                out.emit(dir + service, "stages/revision-tag-service.yaml.mustache", tagContext(DEFAULT_TAG));
            }
        }
        out.emit(dir + "kustomization.yaml", "stages/finalize-kustomization.yaml.mustache", common()
                .with("stage", stage.directory())
                .with("resources", resources));
    }

    /** MESH-FACTS §4: the tag's webhook at the new revision, no caBundle. */
    private Context tagContext(String tag) {
        String injectPath = cluster.network()
                .map(network -> "/inject/cluster/" + controlPlane.istioClusterName() + "/net/" + network)
                .orElse("/inject");
        List<String> reviewVersions = plan.to().version().atLeast(1, 23) ? List.of("v1") : List.of("v1beta1", "v1");
        return common()
                .with("tag", tag)
                .with("isDefaultTag", DEFAULT_TAG.equals(tag))
                .with("webhookName", "istio-revision-tag-" + tag)
                .with("injectPath", injectPath)
                .with("admissionReviewVersions", reviewVersions);
    }

    private Stage previous(Stage stage) {
        return stages.stages().get(stage.number() - 1);
    }

    /** {@code ../} enough times to climb from a directory of this cluster to the output root. */
    private String pathToOutputRoot(String dirInCluster) {
        int depth = cluster.path().split("/").length + dirInCluster.split("/").length;
        return "../".repeat(depth);
    }

    /** Values every template may use. */
    Context common() {
        return new Context()
                .with("planName", plan.name())
                .with("cluster", cluster.name())
                .with("clusterPath", cluster.path())
                .with("fromRevision", plan.from().revision())
                .with("fromNonRevisioned", plan.from().isNonRevisioned())
                .with("revision", plan.to().revision())
                .with("version", plan.to().version().toString())
                .with("istioNamespace", ISTIO_SYSTEM);
    }

    private Context readme() {
        List<Map<String, Object>> stageRows = new ArrayList<>();
        for (Stage stage : stages.stages()) {
            Context row = new Context()
                    .with("directory", stage.directory())
                    .with("isLive", stage.equals(live))
                    .with("isControlPlane", stage.kind() == Stage.Kind.CONTROL_PLANE)
                    .with("isWave", stage.kind() == Stage.Kind.WAVE)
                    .with("isFinalize", stage.kind() == Stage.Kind.FINALIZE)
                    .with("previous", stage.number() == 0 ? "" : previous(stage).directory())
                    .with("switchesGateway", runbook.switchesGateway(stage))
                    .with("verify", runbook.verify(stage));
            row.with("namespaceList", String.join(", ",
                    stage.wave().map(Plan.Wave::namespaces).orElse(List.of()).stream().map(ns -> "`" + ns + "`").toList()));
            stageRows.add(row);
        }
        Optional<Plan.IngressGateway> gateway = cluster.ingressGateway();
        return common()
                .with("liveStage", live.directory())
                .with("stages", stageRows)
                .with("restartAnnotation", plan.restart() == Plan.Restart.ANNOTATION)
                .with("restartManual", plan.restart() == Plan.Restart.MANUAL)
                .with("allNamespaces", stages.namespaces().stream()
                        .map(ns -> (Map<String, Object>) new Context().with("name", ns)
                                .with("revisionLive", stages.revisionAt(ns, live)))
                        .toList())
                .with("hasGateway", gateway.isPresent())
                .with("gatewayNamespace", gateway.map(Plan.IngressGateway::namespace).orElse(""))
                .with("gatewayService", gateway.map(Plan.IngressGateway::service).orElse(""))
                .with("gatewayCanonicalBefore", gateway.map(Plan.IngressGateway::fromCanonicalRevision).orElse(""))
                .with("namespacesFrom", cluster.namespacesFrom().orElse(""))
                .with("finalizeIstiodService", plan.finishing().istiodService())
                .with("finalizeDefaultTag", plan.finishing().defaultTag())
                .with("removeOldRevision", plan.finishing().removeOldRevision())
                .with("controlPlaneFiles", controlPlane.fileNames())
                .with("controlPlaneVerify", runbook.verify(stages.stages().get(0)));
    }

    /** A template context: an insertion-ordered map with a fluent {@code with}. */
    static final class Context extends LinkedHashMap<String, Object> {
        private static final long serialVersionUID = 1L;

        Context with(String key, Object value) {
            put(key, value);
            return this;
        }
    }
}
