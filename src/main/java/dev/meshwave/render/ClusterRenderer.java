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
    /** The control plane of each phase, in phase order. */
    private final List<DeliveryMethod> controlPlanes;
    private final Runbook runbook;
    private final Injectors injectors;
    private final DefaultObjects defaults;

    ClusterRenderer(StagePlan stages, Stage live, Renderer.Output out) {
        this.stages = stages;
        this.plan = stages.plan();
        this.cluster = stages.cluster();
        this.live = live;
        this.out = out;
        this.controlPlanes = DeliveryMethod.of(plan, cluster);
        this.runbook = new Runbook(stages);
        this.injectors = new Injectors(out.templates(), plan, ClusterFacts.of(plan, cluster), common());
        this.defaults = new DefaultObjects(plan);
    }

    void render() throws TemplateException {
        out.emit("kustomization.yaml", "live/kustomization.yaml.mustache", common()
                .with("liveStage", live.directory()));
        for (Stage stage : stages.stages()) {
            switch (stage.kind()) {
                case CONTROL_PLANE -> renderControlPlaneStage(stage);
                case WAVE -> renderWaveStage(stage);
                case FINALIZE -> renderFinalizeStage(stage);
                case CA_CLEANUP -> renderCleanupStage(stage);
            }
        }
        if (plan.restart() == Plan.Restart.ANNOTATION) {
            for (String namespace : stages.namespaces()) {
                out.emit("components/restart/" + namespace + "/kustomization.yaml", "components/restart.yaml.mustache",
                        common().with("namespace", namespace).with("revision", stages.revisionAt(namespace, live)));
            }
        }
        for (int phase = 0; phase < controlPlanes.size(); phase++) {
            controlPlanes.get(phase).render(out, common(plan.phases().get(phase)));
        }
        out.emit("argocd/ignore-differences.yaml", "argocd/ignore-differences.yaml.mustache", common());
        out.emit("README.md", "docs/README.md.mustache", readme());
    }

    private void renderControlPlaneStage(Stage stage) throws TemplateException {
        String dir = stage.name().path();
        List<String> resources = new ArrayList<>();
        if (stage.phase() > 0) {
            // A later phase installs its revision on top of everything the phase before left.
            resources.add("../" + stages.previous(stage).directory());
            resources.addAll(controlPlanes.get(stage.phase()).stageResources(dir));
            emitControlPlaneKustomization(dir, stage, resources, "");
            return;
        }
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
                    .with("gatewaySelector", keyValues(gateway.selector()))
                    .with("canonicalRevision", gateway.fromCanonicalRevision()));
        }
        if (!plan.from().isNonRevisioned()) {
            for (String tag : sortedTags()) {
                resources.addAll(emitTag(dir, tag, plan.from().revision()));
            }
        }
        resources.addAll(emitObjectsFinalizeChanges(dir));
        resources.addAll(emitDeactivationIfDefaultTagArrives(dir, stage));
        resources.addAll(controlPlanes.get(stage.phase()).stageResources(dir));
        emitControlPlaneKustomization(dir, stage, resources, cluster.namespacesFrom().orElse(""));
    }

    /**
     * The objects finalize changes that exist before the upgrade, with their values of today: owned from stage 00,
     * a rollback of finalize restores them instead of pruning them.
     */
    private List<String> emitObjectsFinalizeChanges(String dir) throws TemplateException {
        List<String> files = new ArrayList<>();
        if (plan.finishing().istiodService()) {
            DefaultObjects.IstiodService before = defaults.serviceBefore();
            out.emit(dir + "istiod-service.yaml", "stages/istiod-service.yaml.mustache", common()
                    .with("before", true).with("patch", false)
                    .with("labels", keyValues(before.labels()))
                    .with("selector", selector(before.selector(), Map.of())));
            files.add("istiod-service.yaml");
            Optional<DefaultObjects.Validator> validator = defaults.validatorBefore();
            if (validator.isPresent()) {
                String file = defaults.validatorName() + ".yaml";
                out.emit(dir + file, "stages/default-validator.yaml.mustache", validator(common(), validator.get(), true));
                files.add(file);
            }
        }
        Optional<String> defaultTag = defaults.defaultTagBefore();
        if (defaultTag.isPresent()) {
            String file = "istio-revision-tag-" + Injectors.DEFAULT_TAG + ".yaml";
            out.emitText(dir + file, "stages/revision-tag-webhook.yaml.mustache", injectors.keptTag(Injectors.DEFAULT_TAG, defaultTag.get()));
            files.add(file);
        }
        return files;
    }

    private Context validator(Context context, DefaultObjects.Validator validator, boolean before) {
        return context
                .with("before", before)
                .with("protect", before)
                .with("legacy", defaults.legacyValidator())
                .with("validatorName", defaults.validatorName())
                .with("revisionLabel", validator.revisionLabel().orElse(""))
                .with("serviceName", validator.service());
    }

    /** A selector as template entries: {@code selector}'s keys, then each key of {@code stale} it lacks, as a deletion. */
    private static List<Map<String, Object>> selector(Map<String, String> selector, Map<String, String> stale) {
        List<Map<String, Object>> list = new ArrayList<>();
        selector.forEach((k, v) -> list.add(new Context().with("key", k).with("value", v).with("remove", false)));
        stale.keySet().stream().filter(k -> !selector.containsKey(k))
                .forEach(k -> list.add(new Context().with("key", k).with("value", "").with("remove", true)));
        return list;
    }

    private void emitControlPlaneKustomization(String dir, Stage stage, List<String> resources, String namespacesFrom)
            throws TemplateException {
        out.emit(dir + "kustomization.yaml", "stages/control-plane-kustomization.yaml.mustache", common(stages.phase(stage))
                .with("stage", stage.directory())
                .with("resources", resources)
                .with("controlPlaneDirectory", controlPlanes.get(stage.phase()).directory())
                .with("laterPhase", stage.phase() > 0)
                .with("namespacesFrom", namespacesFrom));
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
        String dir = stage.name().path();
        Plan phase = stages.phase(stage);
        Plan.Wave wave = stage.wave().orElseThrow();
        List<String> relabelled = wave.relabelled();
        if (!relabelled.isEmpty()) {
            List<Map<String, Object>> namespaces = relabelled.stream()
                    .map(ns -> (Map<String, Object>) new Context().with("name", ns)).toList();
            out.emit(dir + "namespaces.yaml", "stages/namespace-patches.yaml.mustache", common(phase).with("namespaces", namespaces));
        }
        List<String> added = new ArrayList<>();
        List<Map<String, Object>> tagPatches = new ArrayList<>();
        List<String> moved = plan.tagsMovedBy(wave);
        for (String tag : moved) {
            if (phase.from().isNonRevisioned()) {
                added.addAll(emitTag(dir, tag, phase.to().revision())); // a non-revisioned install had no tag to move
                continue;
            }
            tagPatches.addAll(emitTagMove(dir, tag, phase));
        }
        added.addAll(emitDeactivationIfDefaultTagArrives(dir, stage));
        boolean switchesGateway = runbook.switchesGateway(stage);
        Context context = common(phase)
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

    /** JSON6902 patches that move an existing tag's webhook (and, from Istio 1.28, its Service) to the phase's revision. */
    private List<Map<String, Object>> emitTagMove(String dir, String tag, Plan phase) throws TemplateException {
        List<Map<String, Object>> patches = new ArrayList<>();
        String patch = "tag-" + tag + ".yaml";
        List<Integer> indexes = java.util.stream.IntStream.range(0, Injectors.webhookCount(tag)).boxed().toList();
        out.emit(dir + patch, "stages/tag-move.yaml.mustache", common(phase).with("tag", tag).with("webhookIndexes", indexes));
        patches.add(patchTarget(patch, "admissionregistration.k8s.io", "MutatingWebhookConfiguration", "istio-revision-tag-" + tag));
        if (phase.to().version().atLeast(1, 28)) {
            String servicePatch = "tag-" + tag + "-service.yaml";
            out.emit(dir + servicePatch, "stages/tag-service-move.yaml.mustache", common(phase).with("tag", tag));
            patches.add(patchTarget(servicePatch, "", "Service", "istiod-revision-tag-" + tag));
        }
        return patches;
    }

    private static Map<String, Object> op(String path, String value) {
        return new Context().with("path", path).with("value", value);
    }

    private static Map<String, Object> patchTarget(String file, String group, String kind, String name) {
        return new Context().with("file", file).with("group", group).with("kind", kind).with("name", name);
    }

    /**
     * The first phase's finalize adds Service istiod, the default validator and the default tag; a later
     * phase's finalize moves the same objects to its revision.
     */
    private void renderFinalizeStage(Stage stage) throws TemplateException {
        String dir = stage.name().path();
        Plan phase = stages.phase(stage);
        List<String> resources = new ArrayList<>();
        List<Map<String, Object>> patches = new ArrayList<>();
        resources.add("../" + previous(stage).directory());
        boolean moves = stage.phase() > 0;
        String revision = phase.to().revision();
        if (phase.finishing().istiodService()) {
            if (moves) {
                out.emit(dir + "istiod-service.yaml", "stages/revision-label-move.yaml.mustache", common(phase)
                        .with("object", "Service istiod").with("ops", List.of(
                                op("/metadata/labels/istio.io~1rev", revision), op("/spec/selector/istio.io~1rev", revision))));
            } else {
                // Stage 00 owns Service istiod with today's selector: patch it whole, deleting the old install's keys.
                DefaultObjects.IstiodService after = defaults.serviceAt(revision);
                List<Map<String, Object>> selector = selector(after.selector(), defaults.serviceBefore().selector());
                out.emit(dir + "istiod-service.yaml", "stages/istiod-service.yaml.mustache", common(phase)
                        .with("before", false).with("patch", selector.stream().anyMatch(k -> Boolean.TRUE.equals(k.get("remove"))))
                        .with("labels", keyValues(after.labels()))
                        .with("selector", selector));
            }
            patches.add(patchTarget("istiod-service.yaml", "", "Service", "istiod"));
            String validatorFile = defaults.validatorName() + ".yaml";
            if (moves || defaults.validatorBefore().isPresent()) {
                List<Map<String, Object>> ops = new ArrayList<>();
                if (!defaults.legacyValidator()) {
                    ops.add(op("/metadata/labels/istio.io~1rev", revision));
                }
                ops.add(op("/webhooks/0/clientConfig/service/name", "istiod-" + revision));
                out.emit(dir + validatorFile, "stages/revision-label-move.yaml.mustache", common(phase)
                        .with("object", "ValidatingWebhookConfiguration " + defaults.validatorName()).with("ops", ops));
                patches.add(patchTarget(validatorFile, "admissionregistration.k8s.io", "ValidatingWebhookConfiguration",
                        defaults.validatorName()));
            } else {
                resources.add(validatorFile);
                out.emit(dir + validatorFile, "stages/default-validator.yaml.mustache",
                        validator(common(phase), defaults.validatorAt(revision), false));
            }
        }
        if (phase.finishing().defaultTag()) {
            if (moves || defaults.defaultTagBefore().isPresent()) {
                patches.addAll(emitTagMove(dir, Injectors.DEFAULT_TAG, phase));
            } else {
                resources.addAll(emitTag(dir, Injectors.DEFAULT_TAG, revision));
            }
        }
        resources.addAll(emitDeactivationIfDefaultTagArrives(dir, stage));
        out.emit(dir + "kustomization.yaml", "stages/finalize-kustomization.yaml.mustache", common(phase)
                .with("stage", stage.directory())
                .with("resources", resources)
                .with("hasPatches", !patches.isEmpty())
                .with("patches", patches));
    }

    /** The CA migration's last stage changes nothing in Git: its README and pull request carry the Secret cleanup. */
    private void renderCleanupStage(Stage stage) throws TemplateException {
        String dir = stage.name().path();
        out.emit(dir + "kustomization.yaml", "stages/ca-cleanup-kustomization.yaml.mustache", common(stages.phase(stage))
                .with("stage", stage.directory())
                .with("previousStage", previous(stage).directory()));
    }

    /**
     * The stage that adds {@code istiod-default-validator} where a non-revisioned install may have left its
     * own validator, {@code istiod-<namespace>} (the base chart's up to 1.10). {@code istioctl tag set default}
     * deletes that one when it adds the default validator (istio/istio release-1.12 … release-1.20
     * istioctl/pkg/tag/generate.go, util.go DeleteDeprecatedValidator); an istiod of 1.10 patches only a
     * validator of that name (release-1.10 pilot/pkg/bootstrap/validation.go), so it stays for a 1.10 target.
     */
    private boolean addsDefaultValidatorOverNonRevisioned(Stage stage) {
        return stage.kind() == Stage.Kind.FINALIZE && stage.phase() == 0 && stages.phase(stage).finishing().istiodService()
                && (plan.from().isNonRevisioned() || plan.existing().nonRevisionedInjector() != Plan.NonRevisionedInjector.ABSENT);
    }

    /** A non-revisioned istio-sidecar-injector is in the cluster and nobody deactivates it: it must be removed by hand. */
    private boolean nonRevisionedInjectorPresent() {
        return plan.existing().nonRevisionedInjector() == Plan.NonRevisionedInjector.PRESENT
                || (plan.from().isNonRevisioned() && plan.existing().nonRevisionedInjector() != Plan.NonRevisionedInjector.DEACTIVATE);
    }

    private static List<Map<String, Object>> keyValues(Map<String, String> map) {
        List<Map<String, Object>> list = new ArrayList<>();
        map.forEach((k, v) -> list.add(new Context().with("key", k).with("value", v)));
        return list;
    }

    private static String backticked(List<String> names) {
        return String.join(", ", names.stream().map(n -> "`" + n + "`").toList());
    }

    private Stage previous(Stage stage) {
        return stages.previous(stage);
    }

    /** {@code ../} enough times to climb from a directory of this cluster to the output root. */
    private String pathToOutputRoot(String dirInCluster) {
        int depth = cluster.path().split("/").length + dirInCluster.split("/").length;
        return "../".repeat(depth);
    }

    /** Values every template may use: the revisions of the whole plan, from the one in use to the last it installs. */
    Context common() {
        List<Plan> phases = plan.phases();
        return common(plan.from(), phases.get(phases.size() - 1));
    }

    /** Values every template of one phase's files may use: the revisions that phase moves between. */
    Context common(Plan phase) {
        return common(phase.from(), phase);
    }

    private Context common(Plan.From from, Plan target) {
        return new Context()
                .with("planName", plan.name())
                .with("cluster", cluster.name())
                .with("clusterPath", cluster.path())
                .with("fromRevision", from.revision())
                .with("fromNonRevisioned", from.isNonRevisioned())
                .with("revision", target.to().revision())
                .with("version", target.to().version().toString())
                .with("istioNamespace", ISTIO_SYSTEM)
                .with("caMigration", plan.caMigration().isPresent());
    }

    private Context readme() {
        List<Map<String, Object>> stageRows = new ArrayList<>();
        for (Stage stage : stages.stages()) {
            Plan phase = stages.phase(stage);
            Context row = new Context()
                    .with("directory", stage.directory())
                    // A stage speaks of the revisions of its phase.
                    .with("revision", phase.to().revision())
                    .with("fromRevision", phase.from().revision())
                    .with("fromNonRevisioned", phase.from().isNonRevisioned())
                    .with("laterPhase", stage.phase() > 0)
                    .with("controlPlaneDirectory", controlPlanes.get(stage.phase()).directory())
                    .with("gatewayCanonicalBefore", stages.gatewayCanonicalBefore(stage).orElse(""))
                    .with("isLive", stage.equals(live))
                    .withAll(stage.kind().templateFlags())
                    .with("previous", stage.number() == 0 ? "" : previous(stage).directory())
                    .with("switchesGateway", runbook.switchesGateway(stage))
                    .with("verify", runbook.verify(stage))
                    .with("relabelledList", stage.wave().map(w -> backticked(w.relabelled())).orElse(""))
                    .with("tagList", stage.wave().map(w -> backticked(plan.tagsMovedBy(w))).orElse(""))
                    .with("followerList", stage.wave().map(w -> backticked(List.copyOf(w.followsTag().keySet()))).orElse(""))
                    .with("defaultTagArrives", stages.defaultTagArrives().filter(stage::equals).isPresent()
                            && nonRevisionedInjectorPresent())
                    .with("deactivatesInjector", stages.defaultTagArrives().filter(stage::equals).isPresent()
                            && plan.existing().nonRevisionedInjector() == Plan.NonRevisionedInjector.DEACTIVATE)
                    .with("deletesOldValidator", addsDefaultValidatorOverNonRevisioned(stage) && phase.to().version().atLeast(1, 11))
                    .with("keepsOldValidator", addsDefaultValidatorOverNonRevisioned(stage) && !phase.to().version().atLeast(1, 11));
            row.with("namespaceList", String.join(", ",
                    stage.wave().map(Plan.Wave::namespaces).orElse(List.of()).stream().map(ns -> "`" + ns + "`").toList()));
            stageRows.add(row);
        }
        Optional<Plan.IngressGateway> gateway = cluster.ingressGateway();
        List<String> kept = new ArrayList<>();
        List<String> created = new ArrayList<>();
        if (plan.finishing().istiodService()) {
            kept.add("Service `istiod`");
            (defaults.validatorBefore().isPresent() ? kept : created).add("`" + defaults.validatorName() + "`");
        }
        if (plan.finishing().defaultTag() && !plan.tags().containsKey(Injectors.DEFAULT_TAG)) {
            (defaults.defaultTagBefore().isPresent() ? kept : created).add("`istio-revision-tag-default`");
        }
        return common()
                .with("keptObjects", String.join(", ", kept))
                .with("createdObjects", String.join(", ", created))
                .with("liveStage", live.directory())
                .with("rolloutChart", Mermaid.stages(List.of(stages), Map.of(cluster.name(), live)))
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
                .with("controlPlanes", controlPlanesContext())
                .with("oldRevisions", oldRevisions())
                .with("caCleanup", Runbook.caCleanup(plan));
    }

    /** Each phase's control plane: where its files are, and the stage it must be installed before. */
    private List<Map<String, Object>> controlPlanesContext() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Stage stage : stages.stages()) {
            if (stage.kind() == Stage.Kind.CONTROL_PLANE) {
                DeliveryMethod controlPlane = controlPlanes.get(stage.phase());
                list.add(new Context()
                        .with("first", stage.phase() == 0)
                        .with("revision", controlPlane.revision())
                        .with("controlPlaneDirectory", controlPlane.directory())
                        .with("stage", stage.directory())
                        .with("files", controlPlane.fileNames())
                        .with("verify", runbook.verify(stage)));
            }
        }
        return list;
    }

    /** The revisions to remove by hand, each once the phase that replaced it is finished. */
    private List<Map<String, Object>> oldRevisions() {
        List<Map<String, Object>> list = new ArrayList<>();
        List<Plan> phases = plan.phases();
        for (int phase = 0; phase < phases.size(); phase++) {
            int index = phase;
            Stage last = stages.stages().stream().filter(s -> s.phase() == index && s.kind() != Stage.Kind.CA_CLEANUP)
                    .reduce((first, second) -> second).orElseThrow();
            list.add(new Context()
                    .with("fromRevision", phases.get(phase).from().revision())
                    .with("fromNonRevisioned", phases.get(phase).from().isNonRevisioned())
                    .with("afterStage", last.directory()));
        }
        return list;
    }

    /** A template context: an insertion-ordered map with a fluent {@code with}. */
    static final class Context extends LinkedHashMap<String, Object> {
        private static final long serialVersionUID = 1L;

        Context with(String key, Object value) {
            put(key, value);
            return this;
        }

        Context withAll(Map<String, ?> values) {
            putAll(values);
            return this;
        }
    }
}
