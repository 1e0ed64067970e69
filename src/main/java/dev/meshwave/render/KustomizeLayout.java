package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.DefaultObjects;
import dev.meshwave.rollout.Rollout;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StageChange;
import dev.meshwave.rollout.StageName;
import dev.meshwave.rollout.StagePlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kustomize layout of one cluster's rollout: the live entry point, one cumulative directory per stage
 * (each the stage before plus its changes, as resources and patches), the restart components, the
 * control-plane files and the README runbook. It writes what the {@link Rollout} says and decides nothing.
 */
final class KustomizeLayout implements Layout {

    private final Rollout rollout;
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

    /** Whether stage directories after the live one are left out (a published branch carries none). */
    private final boolean throughLive;

    KustomizeLayout(Rollout rollout, Stage live, boolean throughLive, Renderer.Output out) {
        this.throughLive = throughLive;
        this.rollout = rollout;
        this.stages = rollout.stages();
        this.plan = stages.plan();
        this.cluster = stages.cluster();
        this.live = live;
        this.out = out;
        this.controlPlanes = DeliveryMethod.of(plan, cluster);
        this.runbook = new Runbook(stages);
        this.injectors = new Injectors(out.templates(), plan, ClusterFacts.of(plan, cluster), common());
        this.defaults = new DefaultObjects(plan);
    }

    @Override
    public void write() throws TemplateException {
        out.emit("kustomization.yaml", "live/kustomization.yaml.mustache", common()
                .with("liveStage", live.directory()));
        for (Stage stage : stages.stages()) {
            if (!throughLive || stage.number() <= live.number()) {
                writeStage(stage);
            }
        }
        if (plan.restart() == Plan.Restart.ANNOTATION) {
            for (String namespace : stages.namespaces()) {
                // Into ambient mode is a restart of its own: the pods come back without sidecars.
                out.emit("components/restart/" + namespace + "/kustomization.yaml", "components/restart.yaml.mustache",
                        common().with("namespace", namespace).with("revision",
                                rollout.ambientAt(namespace, live) ? RESTARTED_INTO_AMBIENT : rollout.revisionAt(namespace, live)));
            }
        }
        writeGatewayComponents();
        for (int phase = 0; phase < controlPlanes.size(); phase++) {
            controlPlanes.get(phase).render(out, common(plan.phases().get(phase)));
        }
        out.emit("argocd/ignore-differences.yaml", "argocd/ignore-differences.yaml.mustache", common());
        if (cluster.inPlace()) {
            List<Map<String, Object>> namespaces = new ArrayList<>();
            for (String namespace : stages.namespaces()) {
                namespaces.add(new TemplateContext().with("name", namespace).with("labels", keyValues(stages.labelsBefore(namespace))));
            }
            out.emit(NamespaceManifests.LABELS_BEFORE, "live/labels-before.yaml.mustache", common()
                    .with("cluster", cluster.name()).with("namespacesIn", cluster.namespacesIn().get()).with("namespaces", namespaces));
        }
        out.emit("README.md", "docs/README.md.mustache", readme());
    }

    /** The restart annotation's value once a namespace is in ambient mode: no revision injects it any more. */
    static final String RESTARTED_INTO_AMBIENT = "ambient";

    /**
     * One component per namespace with gateways the plan moves ({@code components/gateways/<namespace>/}): it sets each
     * gateway's {@code istio.io/rev} to what it carries at the live stage, as the restart components do for pods. Before its
     * wave a gateway that carries no label gets no patch, so including the component changes nothing until then, and
     * rolling its wave back removes the label again (a dropped field: kubectl's last-applied configuration for Argo CD's
     * client-side apply, the field manager's owned fields for Flux's server-side apply).
     */
    private void writeGatewayComponents() throws TemplateException {
        Map<String, List<Map<String, Object>>> byNamespace = new java.util.TreeMap<>();
        for (Plan.Gateway gateway : rollout.gateways()) {
            List<Map<String, Object>> patches = byNamespace.computeIfAbsent(gateway.namespace(), k -> new ArrayList<>());
            rollout.gatewayRevisionAt(gateway, live).ifPresent(revision -> patches.add(new TemplateContext()
                    .with("name", gateway.name()).with("gatewayRevision", revision)));
        }
        for (Map.Entry<String, List<Map<String, Object>>> entry : byNamespace.entrySet()) {
            List<String> names = rollout.gateways().stream().filter(g -> g.namespace().equals(entry.getKey())).map(Plan.Gateway::name).toList();
            out.emit("components/gateways/" + entry.getKey() + "/kustomization.yaml", "components/gateways.yaml.mustache", common()
                    .with("namespace", entry.getKey())
                    .with("gatewayNames", String.join(", ", names))
                    .with("hasPatches", !entry.getValue().isEmpty())
                    .with("gateways", entry.getValue()));
        }
    }

    /** What a stage's kustomization lists: the files it adds as resources, and the patches over the stage before. */
    private static final class Kustomization {
        final List<String> resources = new ArrayList<>();
        final List<Map<String, Object>> patches = new ArrayList<>();
        boolean namespacePatches;
        Optional<StageChange.GatewaySwitched> gatewaySwitch = Optional.empty();
        Optional<String> namespacesFrom = Optional.empty();
    }

    /** Each change of a stage as the files it needs, then the stage's kustomization over them. */
    private void writeStage(Stage stage) throws TemplateException {
        String dir = stage.name().path();
        Plan phase = stages.phase(stage);
        Kustomization kustomization = new Kustomization();
        if (stage.number() > 0) {
            kustomization.resources.add("../" + previous(stage).directory());
        }
        for (StageChange change : rollout.changes(stage)) {
            write(dir, phase, controlPlanes.get(stage.phase()), change, kustomization);
        }
        switch (stage.kind()) {
            case CONTROL_PLANE -> out.emit(dir + "kustomization.yaml", "stages/control-plane-kustomization.yaml.mustache",
                    common(phase)
                            .with("stage", stage.directory())
                            .with("resources", kustomization.resources)
                            .with("controlPlaneDirectory", controlPlanes.get(stage.phase()).directory())
                            .with("inGit", phase.to().delivery().inGit())
                            .with("laterPhase", stage.phase() > 0)
                            .with("namespacesFrom", kustomization.namespacesFrom.orElse("")));
            case CNI, ZTUNNEL -> out.emit(dir + "kustomization.yaml", "stages/component-kustomization.yaml.mustache", common(phase)
                    .with("stage", stage.directory())
                    .with("component", stage.label())
                    .with("previousStage", previous(stage).directory())
                    .with("patches", kustomization.patches));
            case WAYPOINTS -> out.emit(dir + "kustomization.yaml", "stages/waypoints-kustomization.yaml.mustache", common(phase)
                    .with("stage", stage.directory())
                    .with("previousStage", previous(stage).directory())
                    .with("waypointList", String.join(", ", rollout.change(stage, StageChange.WaypointsDeployed.class)
                            .map(d -> d.waypoints().stream().map(Plan.Gateway::id).toList()).orElse(List.of()))));
            case WAVE -> writeWaveKustomization(dir, stage, phase, kustomization);
            case FINALIZE -> out.emit(dir + "kustomization.yaml", "stages/finalize-kustomization.yaml.mustache", common(phase)
                    .with("stage", stage.directory())
                    .with("resources", kustomization.resources)
                    .with("hasPatches", !kustomization.patches.isEmpty())
                    .with("patches", kustomization.patches));
            case CLEANUP -> out.emit(dir + "kustomization.yaml", "stages/cleanup-kustomization.yaml.mustache", common(phase)
                    .with("stage", stage.directory())
                    .with("previousStage", previous(stage).directory())
                    .with("hasPatches", !kustomization.patches.isEmpty())
                    .with("patches", kustomization.patches));
            // The CA migration's last stage changes nothing in Git: its README and pull request carry the Secret cleanup.
            case CA_CLEANUP -> out.emit(dir + "kustomization.yaml", "stages/ca-cleanup-kustomization.yaml.mustache", common(phase)
                    .with("stage", stage.directory())
                    .with("previousStage", previous(stage).directory()));
        }
    }

    private void writeWaveKustomization(String dir, Stage stage, Plan phase, Kustomization kustomization) throws TemplateException {
        List<String> relabelled = rollout.change(stage, StageChange.NamespacesRelabelled.class)
                .map(StageChange.NamespacesRelabelled::namespaces).orElse(List.of());
        List<String> toAmbient = rollout.change(stage, StageChange.NamespacesToAmbient.class)
                .map(StageChange.NamespacesToAmbient::namespaces).orElse(List.of());
        List<String> gateways = rollout.change(stage, StageChange.GatewaysMoved.class)
                .map(moved -> moved.gateways().stream().map(Plan.Gateway::id).toList()).orElse(List.of());
        List<String> tags = rollout.changes(stage, StageChange.TagPointed.class).stream().map(StageChange.TagPointed::tag).toList();
        boolean switchesGateway = kustomization.gatewaySwitch.isPresent();
        TemplateContext context = common(phase)
                .with("stage", stage.directory())
                .with("wave", stage.wave().orElseThrow().name())
                .with("previousStage", previous(stage).directory())
                .with("movedNamespaces", String.join(", ", relabelled))
                .with("ambientNamespaces", String.join(", ", toAmbient))
                .with("movedGateways", String.join(", ", gateways))
                .with("movedTags", String.join(", ", tags))
                .with("addedResources", kustomization.resources.subList(1, kustomization.resources.size()))
                .with("hasNamespacePatches", kustomization.namespacePatches)
                .with("tagPatches", kustomization.patches)
                .with("hasPatches", kustomization.namespacePatches || !kustomization.patches.isEmpty() || switchesGateway)
                .with("switchesGateway", switchesGateway);
        kustomization.gatewaySwitch.ifPresent(s -> context
                .with("gatewayNamespace", s.gateway().namespace())
                .with("gatewayService", s.gateway().service()));
        out.emit(dir + "kustomization.yaml", "stages/wave-kustomization.yaml.mustache", context);
    }

    /** One change as files of the stage directory {@code dir}, listed in its kustomization. */
    private void write(String dir, Plan phase, DeliveryMethod delivery, StageChange change, Kustomization kustomization)
            throws TemplateException {
        if (cluster.inPlace() && (change instanceof StageChange.NamespacesOwned || change instanceof StageChange.NamespacesRelabelled)) {
            return; // the team's own manifests hold the Namespaces: the renderer edits their label lines (namespacesIn)
        }
        if (change instanceof StageChange.NamespacesOwned owned) {
            if (owned.from().isPresent()) {
                kustomization.namespacesFrom = owned.from();
                kustomization.resources.add(pathToOutputRoot(dir) + owned.from().get());
                return;
            }
            List<Map<String, Object>> namespaces = new ArrayList<>();
            owned.labels().forEach((namespace, labels) -> namespaces.add(new TemplateContext()
                    .with("name", namespace).with("labels", keyValues(labels))));
            out.emit(dir + "namespaces.yaml", "stages/namespaces.yaml.mustache", common().with("namespaces", namespaces));
            kustomization.resources.add("namespaces.yaml");
        } else if (change instanceof StageChange.NamespacesRelabelled relabelled) {
            out.emit(dir + "namespaces.yaml", "stages/namespace-patches.yaml.mustache", common(phase).with("namespaces",
                    relabelled.namespaces().stream().map(ns -> (Map<String, Object>) new TemplateContext().with("name", ns)).toList()));
            kustomization.namespacePatches = true;
        } else if (change instanceof StageChange.NamespacesToAmbient ambient) {
            out.emit(dir + "namespaces.yaml", "stages/namespace-ambient-patches.yaml.mustache", common(phase).with("namespaces",
                    ambient.namespaces().stream().map(ns -> (Map<String, Object>) new TemplateContext().with("name", ns)
                            .with("waypoint", ambient.waypoints().getOrDefault(ns, ""))).toList()));
            kustomization.namespacePatches = true;
        } else if (change instanceof StageChange.WaypointsDeployed deployed) {
            out.emit(dir + "waypoints.yaml", "stages/waypoints.yaml.mustache", common(phase).with("waypoints",
                    deployed.waypoints().stream().map(w -> (Map<String, Object>) new TemplateContext()
                            .with("name", w.name()).with("namespace", w.namespace())).toList()));
            kustomization.resources.add("waypoints.yaml");
        } else if (change instanceof StageChange.GatewaysMoved) {
            // Nothing in the stage: the gateway components follow the live stage, like the restart components.
        } else if (change instanceof StageChange.GatewayServiceOwned owned) {
            Plan.IngressGateway gateway = owned.gateway();
            out.emit(dir + "ingress-gateway-service.yaml", "stages/ingress-gateway-service.yaml.mustache", common()
                    .with("gatewayNamespace", gateway.namespace())
                    .with("gatewayService", gateway.service())
                    .with("gatewaySelector", keyValues(gateway.selector()))
                    .with("canonicalRevision", gateway.fromCanonicalRevision()));
            kustomization.resources.add("ingress-gateway-service.yaml");
        } else if (change instanceof StageChange.GatewaySwitched switched) {
            kustomization.gatewaySwitch = Optional.of(switched); // an inline patch of the wave's kustomization
        } else if (change instanceof StageChange.GatewayReleaseSwitched switched) {
            kustomization.patches.addAll(delivery.writeGatewaySwitch(out, dir, switched, common(phase)));
        } else if (change instanceof StageChange.TagCreated created) {
            kustomization.resources.addAll(delivery.writeTag(out, dir, created, injectors));
        } else if (change instanceof StageChange.TagMoved moved) {
            kustomization.patches.addAll(delivery.writeTagMove(out, dir, moved, common(phase)));
        } else if (change instanceof StageChange.TagKept kept) {
            String file = "istio-revision-tag-" + kept.tag() + ".yaml";
            out.emitText(dir + file, "stages/revision-tag-webhook.yaml.mustache", injectors.keptTag(kept.tag(), kept.revision()));
            kustomization.resources.add(file);
        } else if (change instanceof StageChange.IstiodServiceOwned owned) {
            out.emit(dir + "istiod-service.yaml", "stages/istiod-service.yaml.mustache", common()
                    .with("before", true).with("patch", false)
                    .with("labels", keyValues(owned.service().labels()))
                    .with("selector", selector(owned.service().selector(), Map.of())));
            kustomization.resources.add("istiod-service.yaml");
        } else if (change instanceof StageChange.IstiodServiceSelects selects) {
            // Stage 00 owns Service istiod with today's selector: patch it whole, deleting the old install's keys.
            List<Map<String, Object>> selector = selector(selects.service().selector(), selects.stale());
            out.emit(dir + "istiod-service.yaml", "stages/istiod-service.yaml.mustache", common(phase)
                    .with("before", false).with("patch", selector.stream().anyMatch(k -> Boolean.TRUE.equals(k.get("remove"))))
                    .with("labels", keyValues(selects.service().labels()))
                    .with("selector", selector));
            kustomization.patches.add(patchTarget("istiod-service.yaml", "", "Service", "istiod"));
        } else if (change instanceof StageChange.IstiodServiceMoved moved) {
            out.emit(dir + "istiod-service.yaml", "stages/revision-label-move.yaml.mustache", common(phase)
                    .with("object", "Service istiod").with("ops", List.of(
                            op("/metadata/labels/istio.io~1rev", moved.revision()), op("/spec/selector/istio.io~1rev", moved.revision()))));
            kustomization.patches.add(patchTarget("istiod-service.yaml", "", "Service", "istiod"));
        } else if (change instanceof StageChange.ValidatorOwned owned) {
            String file = owned.name() + ".yaml";
            out.emit(dir + file, "stages/default-validator.yaml.mustache", validator(common(), owned.name(), owned.legacy(),
                    owned.validator(), true));
            kustomization.resources.add(file);
        } else if (change instanceof StageChange.ValidatorCreated created) {
            String file = created.name() + ".yaml";
            out.emit(dir + file, "stages/default-validator.yaml.mustache", validator(common(phase), created.name(), created.legacy(),
                    created.validator(), false));
            kustomization.resources.add(file);
        } else if (change instanceof StageChange.ValidatorMoved moved) {
            String file = moved.name() + ".yaml";
            List<Map<String, Object>> ops = new ArrayList<>();
            if (!moved.legacy()) {
                ops.add(op("/metadata/labels/istio.io~1rev", moved.revision()));
            }
            ops.add(op("/webhooks/0/clientConfig/service/name", "istiod-" + moved.revision()));
            out.emit(dir + file, "stages/revision-label-move.yaml.mustache", common(phase)
                    .with("object", "ValidatingWebhookConfiguration " + moved.name()).with("ops", ops));
            kustomization.patches.add(patchTarget(file, "admissionregistration.k8s.io", "ValidatingWebhookConfiguration", moved.name()));
        } else if (change instanceof StageChange.InjectorRetired retired) {
            if (retired.inGit()) {
                DeliveryMethod.StageFiles files = delivery.retireNonRevisionedInjector(out, dir, injectors, common(phase));
                kustomization.resources.addAll(files.resources());
                kustomization.patches.addAll(files.patches());
            } // else: the stage's README has it removed by hand
        } else if (change instanceof StageChange.ControlPlaneInstalled installed) {
            kustomization.resources.addAll(delivery.stageResources(dir));
        } else if (change instanceof StageChange.DefaultRevisionSet set) {
            kustomization.patches.addAll(delivery.writeDefaultRevision(out, dir, set, common(phase)));
        } else if (change instanceof StageChange.AmbientComponentUpgraded upgraded) {
            kustomization.patches.addAll(delivery.writeComponentUpgrade(out, dir, upgraded, common(phase)
                    .with("stage", dir.substring(StageName.PARENT.length(), dir.length() - 1))));
        } else if (change instanceof StageChange.ControlPlaneRetired retired) {
            kustomization.patches.addAll(delivery.writeRetirement(out, dir, retired, common(phase)));
        } else if (change instanceof StageChange.WorkloadsRestarted) {
            // Nothing in the stage: the restart components follow the live stage, and the runbook lists the namespaces.
        }
    }

    private TemplateContext validator(TemplateContext context, String name, boolean legacy, DefaultObjects.Validator validator,
            boolean before) {
        return context
                .with("before", before)
                .with("protect", before)
                .with("legacy", legacy)
                .with("validatorName", name)
                .with("revisionLabel", validator.revisionLabel().orElse(""))
                .with("serviceName", validator.service());
    }

    /** A selector as template entries: {@code selector}'s keys, then each key of {@code stale} it lacks, as a deletion. */
    private static List<Map<String, Object>> selector(Map<String, String> selector, Map<String, String> stale) {
        List<Map<String, Object>> list = new ArrayList<>();
        selector.forEach((k, v) -> list.add(new TemplateContext().with("key", k).with("value", v).with("remove", false)));
        stale.keySet().stream().filter(k -> !selector.containsKey(k))
                .forEach(k -> list.add(new TemplateContext().with("key", k).with("value", "").with("remove", true)));
        return list;
    }

    private static Map<String, Object> op(String path, String value) {
        return new TemplateContext().with("path", path).with("value", value);
    }

    /** A kustomize patch of {@code file} on the object it targets (of API version v1), as the stage templates list it. */
    static Map<String, Object> patchTarget(String file, String group, String kind, String name) {
        return patchTarget(file, group, "v1", kind, name);
    }

    static Map<String, Object> patchTarget(String file, String group, String version, String kind, String name) {
        return new TemplateContext().with("file", file).with("group", group).with("targetVersion", version).with("kind", kind)
                .with("name", name);
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

    private static List<Map<String, Object>> keyValues(Map<String, String> map) {
        List<Map<String, Object>> list = new ArrayList<>();
        map.forEach((k, v) -> list.add(new TemplateContext().with("key", k).with("value", v)));
        return list;
    }

    /** The plan tags a stage creates or moves, in the order it lists them. */
    private List<String> planTagsChanged(Stage stage) {
        return rollout.changes(stage, StageChange.TagPointed.class).stream().filter(t -> t.owner() == StageChange.TagOwner.PLAN)
                .map(StageChange.TagPointed::tag).toList();
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
    TemplateContext common() {
        List<Plan> phases = plan.phases();
        return common(plan.from(), phases.get(phases.size() - 1));
    }

    /** Values every template of one phase's files may use: the revisions that phase moves between. */
    TemplateContext common(Plan phase) {
        return common(phase.from(), phase);
    }

    private TemplateContext common(Plan.From from, Plan target) {
        return new TemplateContext()
                .with("planName", plan.name())
                .with("cluster", cluster.name())
                .with("clusterPath", cluster.path())
                .with("fromRevision", from.revision())
                .with("fromNonRevisioned", from.isNonRevisioned())
                .with("revision", target.to().revision())
                .with("version", target.to().version().toString())
                .with("istioNamespace", Rollout.ISTIO_SYSTEM)
                .with("caMigration", plan.caMigration().isPresent());
    }

    private TemplateContext readme() {
        List<Map<String, Object>> stageRows = new ArrayList<>();
        for (Stage stage : stages.stages()) {
            Plan phase = stages.phase(stage);
            TemplateContext row = new TemplateContext()
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
                    .with("isAmbientComponent", stage.kind().isAmbientComponent())
                    .with("previous", stage.number() == 0 ? "" : previous(stage).directory())
                    .with("switchesGateway", rollout.change(stage, StageChange.GatewaySwitched.class).isPresent())
                    .with("movesGatewayRelease", rollout.change(stage, StageChange.GatewayReleaseSwitched.class).isPresent())
                    .with("verify", runbook.verify(stage))
                    .with("relabelledList", backticked(rollout.change(stage, StageChange.NamespacesRelabelled.class)
                            .map(StageChange.NamespacesRelabelled::namespaces).orElse(List.of())))
                    .with("ambientRowList", backticked(rollout.change(stage, StageChange.NamespacesToAmbient.class)
                            .map(StageChange.NamespacesToAmbient::namespaces).orElse(List.of())))
                    .with("gatewayRowList", backticked(rollout.change(stage, StageChange.GatewaysMoved.class)
                            .map(m -> m.gateways().stream().map(Plan.Gateway::id).toList()).orElse(List.of())))
                    .with("waypointList", backticked(rollout.change(stage, StageChange.WaypointsDeployed.class)
                            .map(d -> d.waypoints().stream().map(Plan.Gateway::id).toList()).orElse(List.of())))
                    .with("tagList", stage.kind() == Stage.Kind.WAVE ? backticked(planTagsChanged(stage)) : "")
                    .with("tagMoveHow", controlPlanes.get(stage.phase()).tagMoveHow(phase.to().revision()))
                    .with("defaultTagObject", controlPlanes.get(stage.phase()).tagObject(Rollout.DEFAULT_TAG))
                    .with("followerList", stage.wave().map(w -> backticked(List.copyOf(w.followsTag().keySet()))).orElse(""))
                    .with("defaultTagArrives", rollout.change(stage, StageChange.InjectorRetired.class).filter(r -> !r.inGit()).isPresent())
                    .with("deactivatesInjector", rollout.change(stage, StageChange.InjectorRetired.class).filter(r -> r.inGit()).isPresent())
                    .with("deletesOldValidator", addsDefaultValidatorOverNonRevisioned(stage) && phase.to().version().atLeast(1, 11))
                    .with("keepsOldValidator", addsDefaultValidatorOverNonRevisioned(stage) && !phase.to().version().atLeast(1, 11));
            Optional<Plan.AmbientComponent> component = phase.ambient().stream()
                    .filter(c -> Stage.Kind.of(c.component()) == stage.kind()).findFirst();
            row.with("component", component.map(c -> c.component().label()).orElse(""))
                    .with("componentFrom", component.map(c -> c.version().toString()).orElse(""))
                    .with("onDelete", component.filter(c -> c.updateStrategy() == Plan.UpdateStrategy.ON_DELETE).isPresent())
                    .with("version", phase.to().version().toString());
            List<String> restarted = new ArrayList<>(rollout.change(stage, StageChange.WorkloadsRestarted.class)
                    .map(StageChange.WorkloadsRestarted::namespaces).orElse(List.of()));
            restarted.addAll(rollout.change(stage, StageChange.NamespacesToAmbient.class)
                    .map(StageChange.NamespacesToAmbient::namespaces).orElse(List.of()));
            row.with("namespaceList", backticked(restarted));
            stageRows.add(row);
        }
        Optional<Plan.IngressGateway> gateway = cluster.ingressGateway();
        List<String> kept = new ArrayList<>();
        List<String> created = new ArrayList<>();
        if (plan.finishing().istiodService()) {
            kept.add("Service `istiod`");
            (defaults.validatorBefore().isPresent() ? kept : created).add("`" + defaults.validatorName() + "`");
        }
        if (plan.finishing().defaultTag() && !plan.tags().containsKey(Rollout.DEFAULT_TAG)) {
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
                        .map(ns -> (Map<String, Object>) new TemplateContext().with("name", ns)
                                .with("revisionLive", rollout.revisionAt(ns, live)))
                        .toList())
                .with("hasGateway", gateway.isPresent())
                .with("gatewayNamespace", gateway.map(Plan.IngressGateway::namespace).orElse(""))
                .with("gatewayService", gateway.map(Plan.IngressGateway::service).orElse(""))
                .with("gatewayCanonicalBefore", gateway.map(Plan.IngressGateway::fromCanonicalRevision).orElse(""))
                .with("gatewayRelease", gateway.flatMap(Plan.IngressGateway::release).orElse(""))
                .with("gatewayNewRelease", gateway.filter(g -> g.release().isPresent()).map(g -> g.releaseAt(plan.to().revision())).orElse(""))
                .with("namespacesFrom", cluster.namespacesFrom().orElse(""))
                .with("namespacesIn", cluster.namespacesIn().orElse(""))
                .with("ownNamespaces", cluster.namespacesFrom().isEmpty() && cluster.namespacesIn().isEmpty())
                .with("namespacesBuilt", cluster.namespacesBuilt().isPresent())
                .with("namespaceProtection", namespaceProtection())
                .with("finalizeIstiodService", plan.finishing().istiodService())
                .with("finalizeDefaultTag", plan.finishing().defaultTag())
                .with("removeOldRevision", plan.finishing().removeOldRevision() && !plan.to().delivery().inGit())
                .with("controlPlaneInGit", plan.to().delivery().inGit())
                // A Helm release comes back with its rollback; a Sail revision Sail has deleted does not.
                .with("cleanupReinstalls", plan.to().delivery().match(script -> false, helm -> true, sail -> false))
                .with("controlPlanes", controlPlanesContext())
                .with("oldRevisions", oldRevisions())
                .with("caCleanup", Runbook.caCleanup(plan));
    }

    /**
     * Whether each plan namespace its {@code namespacesFrom} kustomization built carries Argo CD's {@code Delete=false}
     * and Flux's {@code prune: disabled}: the README promises only the protection the built objects carry.
     */
    private List<Map<String, Object>> namespaceProtection() {
        List<Map<String, Object>> lines = new ArrayList<>();
        cluster.namespacesBuilt().ifPresent(built -> stages.namespaces().stream().filter(built.namespaces()::containsKey).forEach(ns -> {
            Plan.BuiltNamespace namespace = built.namespaces().get(ns);
            String carries;
            if (namespace.argoCdDeleteFalse() && namespace.fluxPruneDisabled()) {
                carries = "carries both.";
            } else if (namespace.argoCdDeleteFalse()) {
                carries = "carries only Argo CD's `Delete=false`: removing a Flux Kustomization of the mesh with `prune: true` deletes it.";
            } else if (namespace.fluxPruneDisabled()) {
                carries = "carries only Flux's `prune: disabled`: deleting an Argo CD Application of the mesh with cascade deletes it.";
            } else {
                carries = "carries neither: removing the mesh application may delete it.";
            }
            lines.add(new TemplateContext().with("text", "Namespace `" + ns + "` " + carries));
        }));
        return lines;
    }

    /** Each phase's control plane: where its files are, and the stage it must be installed before. */
    private List<Map<String, Object>> controlPlanesContext() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Stage stage : stages.stages()) {
            if (stage.kind() == Stage.Kind.CONTROL_PLANE) {
                DeliveryMethod controlPlane = controlPlanes.get(stage.phase());
                list.add(new TemplateContext()
                        .with("first", stage.phase() == 0)
                        .with("inGit", plan.phases().get(stage.phase()).to().delivery().inGit())
                        .with("describe", plan.phases().get(stage.phase()).to().delivery().inGit() ? controlPlane.describe() : "")
                        .with("prepare", controlPlane.beforeInstall().map(p -> List.<Map<String, Object>>of(new TemplateContext()
                                .with("why", p.why()).with("action", p.action()).with("commands", p.commands()))).orElse(List.of()))
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
            list.add(new TemplateContext()
                    .with("fromRevision", phases.get(phase).from().revision())
                    .with("fromNonRevisioned", phases.get(phase).from().isNonRevisioned())
                    .with("afterStage", last.directory()));
        }
        return list;
    }
}
