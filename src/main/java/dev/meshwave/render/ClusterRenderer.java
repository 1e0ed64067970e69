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

    private final StagePlan stages;
    private final Plan plan;
    private final Plan.Cluster cluster;
    private final Stage live;
    private final Renderer.Output out;
    private final ControlPlane controlPlane;
    private final Runbook runbook;
    private final Injectors injectors;

    ClusterRenderer(StagePlan stages, Stage live, Renderer.Output out) {
        this.stages = stages;
        this.plan = stages.plan();
        this.cluster = stages.cluster();
        this.live = live;
        this.out = out;
        this.controlPlane = new ControlPlane(plan, cluster);
        this.runbook = new Runbook(stages);
        this.injectors = new Injectors(out.templates(), plan, cluster, controlPlane.istioClusterName(), common());
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
        out.emit("argocd/ignore-differences.yaml", "argocd/ignore-differences.yaml.mustache", common());
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
                List<Map<String, Object>> labels = new ArrayList<>();
                stages.labelsAt(namespace, stage).forEach((k, v) -> labels.add(new Context().with("key", k).with("value", v)));
                namespaces.add(new Context().with("name", namespace).with("labels", labels));
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
        if (!plan.from().isNonRevisioned()) {
            for (String tag : sortedTags()) {
                resources.addAll(emitTag(dir, tag, plan.from().revision()));
            }
        }
        resources.addAll(emitDeactivationIfDefaultTagArrives(dir, stage));
        out.emit(dir + "kustomization.yaml", "stages/control-plane-kustomization.yaml.mustache", common()
                .with("stage", stage.directory())
                .with("resources", resources)
                .with("namespacesFrom", cluster.namespacesFrom().orElse("")));
    }

    private List<String> sortedTags() {
        return plan.tags().keySet().stream().sorted().toList();
    }

    /** A tag's webhook (and, from Istio 1.28, its Service) as files of a stage; returns their names. */
    private List<String> emitTag(String dir, String tag, String revision) throws TemplateException {
        List<String> files = new ArrayList<>();
        String webhook = "istio-revision-tag-" + tag + ".yaml";
        out.emitText(dir + webhook, "stages/revision-tag-webhook.yaml.mustache", injectors.tag(tag, revision));
        files.add(webhook);
        if (plan.to().version().atLeast(1, 28)) {
            String service = "istiod-revision-tag-" + tag + "-service.yaml";
            out.emitText(dir + service, "stages/revision-tag-service.yaml.mustache", injectors.tagService(tag, revision));
            files.add(service);
        }
        return files;
    }

    /** With {@code existing.nonRevisionedInjector: deactivate}, the stage where a default tag arrives deactivates it. */
    private List<String> emitDeactivationIfDefaultTagArrives(String dir, Stage stage) throws TemplateException {
        if (plan.existing().nonRevisionedInjector() != Plan.NonRevisionedInjector.DEACTIVATE
                || !stages.defaultTagArrives().filter(stage::equals).isPresent()) {
            return List.of();
        }
        out.emitText(dir + "istio-sidecar-injector-deactivated.yaml", "stages/deactivated-injector.yaml.mustache",
                injectors.deactivatedNonRevisioned());
        return List.of("istio-sidecar-injector-deactivated.yaml");
    }

    private void renderWaveStage(Stage stage) throws TemplateException {
        String dir = "stages/" + stage.directory() + "/";
        Plan.Wave wave = stage.wave().orElseThrow();
        List<String> relabelled = wave.relabelled();
        if (!relabelled.isEmpty()) {
            List<Map<String, Object>> namespaces = relabelled.stream()
                    .map(ns -> (Map<String, Object>) new Context().with("name", ns)).toList();
            out.emit(dir + "namespaces.yaml", "stages/namespace-patches.yaml.mustache", common().with("namespaces", namespaces));
        }
        List<String> added = new ArrayList<>();
        List<Map<String, Object>> tagPatches = new ArrayList<>();
        List<String> moved = plan.tagsMovedBy(wave);
        for (String tag : moved) {
            if (plan.from().isNonRevisioned()) {
                added.addAll(emitTag(dir, tag, plan.to().revision())); // a non-revisioned install had no tag to move
                continue;
            }
            String patch = "tag-" + tag + ".yaml";
            List<Integer> indexes = java.util.stream.IntStream.range(0, Injectors.webhookCount(tag)).boxed().toList();
            out.emit(dir + patch, "stages/tag-move.yaml.mustache", common().with("tag", tag).with("webhookIndexes", indexes));
            tagPatches.add(new Context().with("file", patch).with("group", "admissionregistration.k8s.io")
                    .with("kind", "MutatingWebhookConfiguration").with("name", "istio-revision-tag-" + tag));
            if (plan.to().version().atLeast(1, 28)) {
                String servicePatch = "tag-" + tag + "-service.yaml";
                out.emit(dir + servicePatch, "stages/tag-service-move.yaml.mustache", common().with("tag", tag));
                tagPatches.add(new Context().with("file", servicePatch).with("group", "")
                        .with("kind", "Service").with("name", "istiod-revision-tag-" + tag));
            }
        }
        added.addAll(emitDeactivationIfDefaultTagArrives(dir, stage));
        boolean switchesGateway = runbook.switchesGateway(stage);
        Context context = common()
                .with("stage", stage.directory())
                .with("wave", wave.name())
                .with("previousStage", previous(stage).directory())
                .with("movedNamespaces", String.join(", ", relabelled))
                .with("movedTags", String.join(", ", moved))
                .with("addedResources", added)
                .with("hasNamespacePatches", !relabelled.isEmpty())
                .with("tagPatches", tagPatches)
                .with("hasPatches", !relabelled.isEmpty() || !tagPatches.isEmpty() || switchesGateway)
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
        if (plan.finishing().istiodService()) {
            resources.add("istiod-default-validator.yaml");
            out.emit(dir + "istiod-default-validator.yaml", "stages/default-validator.yaml.mustache", common());
        }
        if (plan.finishing().defaultTag()) {
            resources.addAll(emitTag(dir, Injectors.DEFAULT_TAG, plan.to().revision()));
        }
        resources.addAll(emitDeactivationIfDefaultTagArrives(dir, stage));
        out.emit(dir + "kustomization.yaml", "stages/finalize-kustomization.yaml.mustache", common()
                .with("stage", stage.directory())
                .with("resources", resources));
    }

    /** A non-revisioned istio-sidecar-injector is in the cluster and nobody deactivates it: it must be removed by hand. */
    private boolean nonRevisionedInjectorPresent() {
        return plan.existing().nonRevisionedInjector() == Plan.NonRevisionedInjector.PRESENT
                || (plan.from().isNonRevisioned() && plan.existing().nonRevisionedInjector() != Plan.NonRevisionedInjector.DEACTIVATE);
    }

    private static String backticked(List<String> names) {
        return String.join(", ", names.stream().map(n -> "`" + n + "`").toList());
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
                    .with("verify", runbook.verify(stage))
                    .with("relabelledList", stage.wave().map(w -> backticked(w.relabelled())).orElse(""))
                    .with("tagList", stage.wave().map(w -> backticked(plan.tagsMovedBy(w))).orElse(""))
                    .with("followerList", stage.wave().map(w -> backticked(List.copyOf(w.followsTag().keySet()))).orElse(""))
                    .with("defaultTagArrives", stages.defaultTagArrives().filter(stage::equals).isPresent()
                            && nonRevisionedInjectorPresent())
                    .with("deactivatesInjector", stages.defaultTagArrives().filter(stage::equals).isPresent()
                            && plan.existing().nonRevisionedInjector() == Plan.NonRevisionedInjector.DEACTIVATE);
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
