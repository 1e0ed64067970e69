package dev.meshwave.render;

import dev.meshwave.plan.Delivery;
import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.StageChange;
import dev.meshwave.rollout.Rollout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Sail Operator ({@link Delivery.Sail}): one {@code Istio} object (sailoperator.io/v1) with
 * {@code updateStrategy: RevisionBased}. Stage 00 sets its version to the new one, so Sail adds the
 * IstioRevision {@code <name>-v<new version>} and keeps today's while pods use it and for
 * {@code inactiveRevisionDeletionGracePeriodSeconds} after; rolling stage 00 back sets the old version again.
 * Revision tags are {@code IstioRevisionTag}s whose {@code targetRef} names an IstioRevision, never the
 * {@code Istio} object (which would move every tag the moment the version changes); the default tag is one
 * of them, and Sail installs the default validator with it. The cleanup stage sets Sail's default grace
 * period again, so that the unused old revision is deleted.
 */
final class SailDelivery implements DeliveryMethod {

    private static final String TEMPLATES = "sail/";

    private final Plan plan;
    private final Delivery.Sail sail;
    private final ClusterFacts facts;
    private final String directory;

    SailDelivery(Plan plan, Plan.Cluster cluster, String directory, Delivery.Sail sail) {
        this.plan = plan;
        this.sail = sail;
        this.facts = ClusterFacts.of(plan, cluster);
        this.directory = directory;
    }

    @Override
    public String templateDirectory() {
        return TEMPLATES;
    }

    @Override
    public String directory() {
        return directory;
    }

    @Override
    public String revision() {
        return plan.to().revision();
    }

    @Override
    public List<String> fileNames() {
        List<String> names = new ArrayList<>(List.of("kustomization.yaml", "istio.yaml"));
        plan.ambient().forEach(component -> names.add(component.component().label() + ".yaml"));
        return names;
    }

    @Override
    public void render(Renderer.Output out, TemplateContext common) throws TemplateException {
        out.emit(directory + "/kustomization.yaml", TEMPLATES + "sail-kustomization.yaml.mustache", common.copy()
                .with("ambient", !plan.ambient().isEmpty())
                .with("resources", fileNames().subList(1, fileNames().size())));
        out.emit(directory + "/istio.yaml", TEMPLATES + "istio.yaml.mustache", common.copy()
                .with("istioName", sail.name())
                .with("sailVersion", "v" + plan.to().version())
                .with("sailNamespace", sail.namespace())
                .with("gracePeriodSeconds", sail.gracePeriodSeconds())
                // Sail sets values.revision itself (its IstioRevision's name); the rest is the plan's and the cluster's.
                .with("values", ChartValuesYaml.indented(ChartValuesYaml.istiodValues(plan, facts, Optional.empty(), false, true), 4)));
        for (Plan.AmbientComponent component : plan.ambient()) {
            Map<String, Object> values = componentValues(component.component(), plan.from().revision(), Optional.empty(), true);
            out.emit(directory + "/" + component.component().label() + ".yaml", TEMPLATES + "component.yaml.mustache", common.copy()
                    .with("sailKind", component.component().sailKind())
                    .with("component", component.component().label())
                    .with("upgradeStage", component.component().label())
                    .with("sailVersion", "v" + component.version())
                    .with("componentNamespace", component.component().sailNamespace())
                    // Sail's documented IstioCNI for ambient (sail-operator 1.28.3 docs/common/istio-ambient-mode.adoc).
                    .with("hasProfile", component.component() == Plan.Component.CNI)
                    .with("hasValues", !values.isEmpty())
                    .with("values", values.isEmpty() ? "" : ChartValuesYaml.indented(values, 4)));
        }
    }

    /**
     * A ZTunnel's {@code values.ztunnel} that meshwave sets (sail-operator 1.28.3 api/v1/values_types_extra.go
     * {@code ZTunnelConfig}): the IstioRevision whose istiod it talks to, since under RevisionBased no Service
     * {@code istiod} serves it (the ztunnel chart calls {@code istiod-<revision>} only with {@code revision} set: istio
     * 1.28 manifests/charts/ztunnel/values.yaml), the cluster's name as istiod knows it, and an {@code OnDelete} update
     * strategy; {@code istioNamespace} when the control plane is not in istio-system. An IstioCNI gets none.
     */
    private Map<String, Object> componentValues(Plan.Component component, String istiodRevision, Optional<Plan.UpdateStrategy> strategy,
            boolean whole) {
        Map<String, Object> ztunnel = new LinkedHashMap<>();
        if (component == Plan.Component.CNI) {
            return ztunnel;
        }
        ztunnel.put("revision", istiodRevision);
        if (whole) {
            if (!sail.namespace().equals(Rollout.ISTIO_SYSTEM)) {
                ztunnel.put("istioNamespace", sail.namespace());
            }
            ztunnel.put("multiCluster", new LinkedHashMap<>(Map.of("clusterName", facts.clusterName())));
        }
        strategy.filter(s -> s == Plan.UpdateStrategy.ON_DELETE)
                .ifPresent(s -> ztunnel.put("updateStrategy", new LinkedHashMap<>(Map.of("type", s.spelling()))));
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("ztunnel", ztunnel);
        return values;
    }

    /** An ambient component's stage sets its object's version (and ztunnel's revision and strategy): Sail upgrades it in place. */
    @Override
    public List<Map<String, Object>> writeComponentUpgrade(Renderer.Output out, String dir, StageChange.AmbientComponentUpgraded change,
            TemplateContext common) throws TemplateException {
        Plan.Component component = change.component().component();
        Map<String, Object> values = componentValues(component, change.revision(), Optional.of(change.component().updateStrategy()), false);
        String file = component.label() + ".yaml";
        out.emit(dir + file, TEMPLATES + "component-upgrade.yaml.mustache", common.copy()
                .with("sailKind", component.sailKind())
                .with("component", component.label())
                .with("isZtunnel", component == Plan.Component.ZTUNNEL)
                .with("sailVersion", "v" + change.version())
                .with("hasValues", !values.isEmpty())
                .with("values", values.isEmpty() ? "" : ChartValuesYaml.indented(values, 4)));
        return List.of(KustomizeLayout.patchTarget(file, "sailoperator.io", "v1", component.sailKind(), "default"));
    }

    @Override
    public String componentNamespace(Plan.Component component) {
        return component.sailNamespace();
    }

    @Override
    public String verifyComponent(Plan.Component component, String version) {
        return "kubectl get " + component.sailKind().toLowerCase(java.util.Locale.ROOT) + " default   # expect READY True, VERSION v" + version;
    }

    @Override
    public List<String> stageResources(String stageDirectory) {
        return List.of("../".repeat(stageDirectory.split("/").length) + directory);
    }

    /** Sail renders each IstioRevision's injector from the istiod chart: {@code istio-sidecar-injector-<revision>}. */
    @Override
    public String injector(Injectors injectors) throws TemplateException {
        return injectors.revision(revision());
    }

    @Override
    public List<String> verify() {
        return List.of(
                "kubectl get istiorevision " + revision() + "   # expect READY True",
                "kubectl get istio " + sail.name() + " -o jsonpath='{.status.activeRevisionName}'   # expect " + revision(),
                "kubectl get pods -n " + sail.namespace() + " -l istio.io/rev=" + revision());
    }

    @Override
    public String describe() {
        return "the Sail Operator's Istio object";
    }

    @Override
    public List<String> verifyRetired(String oldRevision) {
        return List.of(
                "kubectl get istiorevisions   # " + oldRevision + " is deleted once no pod uses it and 30 seconds have passed",
                "kubectl get pods -A -l istio.io/rev=" + oldRevision + "   # expect: none",
                "kubectl get istio " + sail.name() + " -o jsonpath='{.status.revisions}'");
    }

    /**
     * A tag is an IstioRevisionTag, which reports the IstioRevision it resolved in {@code status.istioRevision}
     * (sail-operator 1.28.3 api/v1/istiorevisiontags_types.go {@code IstioRevisionTagStatus.IstioRevision}, set to the
     * revision's name in controllers/istiorevisiontag/istiorevisiontag_controller.go); istioctl knows no such object.
     */
    @Override
    public List<String> verifyTag(String tag, String revision) {
        return List.of("kubectl get istiorevisiontag " + tag + " -o jsonpath='{.status.istioRevision}'   # expect " + revision);
    }

    @Override
    public List<String> verifyDefaultTag(String revision) {
        return verifyTag("default", revision);
    }

    @Override
    public String tagMoveHow(String revision) {
        return "its IstioRevisionTag's `targetRef` names IstioRevision `" + revision + "`";
    }

    @Override
    public String tagObject(String tag) {
        return "IstioRevisionTag `" + tag + "`";
    }

    /** A tag is an IstioRevisionTag naming its IstioRevision; Sail renders its webhook from the istiod chart. */
    @Override
    public List<String> writeTag(Renderer.Output out, String dir, StageChange.TagCreated tag, Injectors injectors)
            throws TemplateException {
        String file = "istio-revision-tag-" + tag.tag() + ".yaml";
        out.emit(dir + file, TEMPLATES + "revision-tag.yaml.mustache", new TemplateContext()
                .with("planName", plan.name())
                .with("tag", tag.tag())
                .with("targetRevision", tag.revision()));
        return List.of(file);
    }

    @Override
    public List<Map<String, Object>> writeTagMove(Renderer.Output out, String dir, StageChange.TagMoved tag, TemplateContext common)
            throws TemplateException {
        String file = "tag-" + tag.tag() + ".yaml";
        out.emit(dir + file, TEMPLATES + "revision-tag-move.yaml.mustache", common.copy()
                .with("tag", tag.tag())
                .with("targetRevision", tag.revision()));
        return List.of(KustomizeLayout.patchTarget(file, "sailoperator.io", "v1", "IstioRevisionTag", tag.tag()));
    }

    /** Sail's default revision is its default IstioRevisionTag, which finalize creates or moves: nothing more to write. */
    @Override
    public List<Map<String, Object>> writeDefaultRevision(Renderer.Output out, String dir, StageChange.DefaultRevisionSet change,
            TemplateContext common) {
        return List.of();
    }

    /** Cleanup sets Sail's default grace period again: the old IstioRevision, no longer in use, is deleted. */
    @Override
    public List<Map<String, Object>> writeRetirement(Renderer.Output out, String dir, StageChange.ControlPlaneRetired change,
            TemplateContext common) throws TemplateException {
        String file = "istio.yaml";
        out.emit(dir + file, TEMPLATES + "grace-period.yaml.mustache", common.copy()
                .with("oldRevision", change.revision())
                .with("gracePeriodSeconds", Delivery.Sail.SAIL_DEFAULT_GRACE_SECONDS));
        List<Map<String, Object>> patches = new ArrayList<>();
        patches.add(KustomizeLayout.patchTarget(file, "sailoperator.io", "v1", "Istio", sail.name()));
        return patches;
    }
}
