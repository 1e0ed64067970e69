package dev.meshwave.render;

import dev.meshwave.plan.Delivery;
import dev.meshwave.plan.MeshVersion;
import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.StageChange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's charts as Helm releases in Git ({@link Delivery.Helm}), as Flux HelmReleases or Argo CD
 * Applications: {@code control-plane/} holds the base release, today's istiod release as it is and the new
 * revision's release beside it, and is applied by stage 00. Finalize points the base release's
 * {@code defaultRevision} (which owns {@code istiod-default-validator}) at the new revision; the cleanup
 * stage deletes today's release, which uninstalls it, and rolling cleanup back reinstalls it.
 * Revision tags stay meshwave's webhooks (the defaults of {@link DeliveryMethod}): no release sets
 * {@code revisionTags}, so every {@code istio-revision-tag-*} has one writer.
 */
final class HelmDelivery implements DeliveryMethod {

    private static final String TEMPLATES = "helm/";

    private final Plan plan;
    private final Delivery.Helm helm;
    private final ClusterFacts facts;
    private final String directory;

    HelmDelivery(Plan plan, Plan.Cluster cluster, String directory, Delivery.Helm helm) {
        this.plan = plan;
        this.helm = helm;
        this.facts = ClusterFacts.of(plan, cluster);
        this.directory = directory;
    }

    private boolean flux() {
        return helm.controller() == Delivery.Controller.FLUX;
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

    /** The release of the new revision: {@code istiod-<revision>}. */
    private String newRelease() {
        return Delivery.Helm.istiodRelease(revision());
    }

    /** Whether meshwave renders the Flux HelmRepository itself: no {@code flux.sourceRef} names the team's. */
    private boolean ownRepository() {
        return flux() && helm.fluxSource().isEmpty();
    }

    @Override
    public List<String> fileNames() {
        List<String> names = new ArrayList<>();
        names.add("kustomization.yaml");
        if (ownRepository()) {
            names.add("helm-repository.yaml");
        }
        names.add(helm.baseRelease() + ".yaml");
        names.add(helm.fromRelease() + ".yaml");
        names.add(newRelease() + ".yaml");
        plan.ambient().forEach(component -> names.add(component.component().label() + ".yaml"));
        return names;
    }

    @Override
    public void render(Renderer.Output out, TemplateContext common) throws TemplateException {
        List<String> releases = fileNames().subList(1, fileNames().size());
        out.emit(directory + "/kustomization.yaml", TEMPLATES + "helm-kustomization.yaml.mustache", common.copy()
                .with("resources", releases));
        if (ownRepository()) {
            out.emit(directory + "/helm-repository.yaml", TEMPLATES + "flux-helm-repository.yaml.mustache", common.copy()
                    .with("helmNamespace", helm.namespace())
                    .with("repository", helm.repository())
                    .with("oci", helm.repository().startsWith("oci://"))
                    .with("interval", helm.fluxInterval()));
        }
        Map<String, Object> baseValues = new LinkedHashMap<>();
        // The base chart's validator calls Service istiod for "default", else istiod-<revision> (base chart,
        // defaultrevision-validatingwebhookconfiguration.yaml): today's default revision until finalize moves it.
        baseValues.put("defaultRevision", plan.from().revision());
        // Istio's Helm canary upgrades istio-base first (istio.io, Helm upgrade guide): CRDs and the objects both
        // revisions share come from the new version's chart, while defaultRevision stays today's until finalize.
        release(out, common, helm.baseRelease(), "base", plan.to().version(), baseValues, false,
                "the cluster-wide objects both revisions share, at the new version; its defaultRevision names the default revision");
        release(out, common, helm.fromRelease(), "istiod", plan.from().version().orElseThrow(), istiodValues(plan.from().revision(), true),
                true, "today's revision " + plan.from().revision() + ", as it runs now: unchanged until the cleanup stage removes it");
        release(out, common, newRelease(), "istiod", plan.to().version(), istiodValues(revision(), false), true,
                "revision " + revision() + ", installed beside " + plan.from().revision() + " by stage 00");
        for (Plan.AmbientComponent component : plan.ambient()) {
            release(out, common, component.component().label(), component.component().chart(), component.version(),
                    componentValues(component.component(), plan.from().revision(), Optional.empty(), true), true,
                    component.component().label() + " as it runs today, at " + component.version()
                            + ": its own stage upgrades it in place to " + plan.to().version());
        }
    }

    /**
     * An ambient component's values as Istio's ambient Helm install gives them (istio.io ambient/install/helm:
     * {@code cni} with {@code profile=ambient}; {@code ztunnel} with none), and for ztunnel meshwave's: the revision whose
     * istiod it talks to (without one it calls Service istiod; istio 1.22 to 1.28 manifests/charts/ztunnel/values.yaml,
     * {@code revision}, {@code xdsAddress}) and the cluster's name as istiod knows it ({@code multiCluster.clusterName}),
     * then an {@code OnDelete} update strategy (the chart's {@code updateStrategy} from 1.26). {@code whole} says the
     * values of a release, rather than those a stage changes.
     */
    private Map<String, Object> componentValues(Plan.Component component, String istiodRevision, Optional<Plan.UpdateStrategy> strategy,
            boolean whole) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (component == Plan.Component.CNI) {
            if (whole) {
                values.put("profile", "ambient");
            }
            return values;
        }
        if (!Plan.DEFAULT_REVISION.equals(istiodRevision)) {
            values.put("revision", istiodRevision);
        }
        if (whole) {
            values.put("multiCluster", new LinkedHashMap<>(Map.of("clusterName", facts.clusterName())));
        }
        strategy.filter(s -> s == Plan.UpdateStrategy.ON_DELETE)
                .ifPresent(s -> values.put("updateStrategy", new LinkedHashMap<>(Map.of("type", s.spelling()))));
        return values;
    }

    /**
     * An ambient component's stage patches its release: the chart version, and for ztunnel the new revision and the
     * plan's update strategy. Helm upgrades the one DaemonSet in place; rolling back restores today's version.
     */
    @Override
    public List<Map<String, Object>> writeComponentUpgrade(Renderer.Output out, String dir, StageChange.AmbientComponentUpgraded change,
            TemplateContext common) throws TemplateException {
        Plan.Component component = change.component().component();
        Map<String, Object> values = componentValues(component, change.revision(), Optional.of(change.component().updateStrategy()), false);
        return List.of(releasePatch(out, dir, "release-upgrade.yaml.mustache", component.label(), common.copy()
                .with("component", component.label())
                .with("isZtunnel", component == Plan.Component.ZTUNNEL)
                .with("chartVersion", change.version().toString())
                .with("hasValues", !values.isEmpty())
                .with("values", values.isEmpty() ? "" : ChartValuesYaml.indented(values, flux() ? 4 : 8))));
    }

    @Override
    public String componentNamespace(Plan.Component component) {
        return helm.namespace();
    }

    @Override
    public String verifyComponent(Plan.Component component, String version) {
        return flux() ? "flux get helmreleases -n " + helm.namespace() + " " + component.label() + "   # expect Ready True, " + component.chart()
                + "@" + version : "kubectl get applications.argoproj.io -n " + helm.argocdNamespace() + " " + component.label()
                + " -o jsonpath='{.spec.source.targetRevision} {.status.sync.status} {.status.health.status}'   # expect " + version
                + " Synced Healthy";
    }

    /**
     * An istiod release's values: the plan's chart values (for today's release the values file alone; for the new
     * one also the overlays translated, to.hub and to.profile), then its revision ({@code ""} for the non-revisioned {@code default}) and the cluster's facts as
     * the chart names them (global.multiCluster.clusterName, global.network, global.meshID), so that both revisions
     * agree on them.
     */
    private Map<String, Object> istiodValues(String revision, boolean todays) {
        return ChartValuesYaml.istiodValues(plan, facts, Optional.of(revision), todays, false);
    }

    private void release(Renderer.Output out, TemplateContext common, String name, String chart, MeshVersion version,
            Map<String, Object> values, boolean dependsOnBase, String purpose) throws TemplateException {
        out.emit(directory + "/" + name + ".yaml", TEMPLATES + (flux() ? "flux-helm-release.yaml.mustache" : "argocd-application.yaml.mustache"),
                common.copy()
                        .with("releaseName", name)
                        .with("chart", chart)
                        .with("chartVersion", version.toString())
                        .with("purpose", purpose)
                        .with("helmNamespace", helm.namespace())
                        .with("interval", helm.fluxInterval())
                        .with("sourceName", helm.fluxSource().map(Delivery.FluxSource::name).orElse("istio"))
                        .with("sourceNamespace", helm.fluxSource().map(Delivery.FluxSource::namespace).orElse(helm.namespace()))
                        .with("dependsOnBase", dependsOnBase)
                        .with("baseRelease", helm.baseRelease())
                        // Argo CD names an OCI registry without its scheme (argo-cd docs/user-guide/helm.md).
                        .with("repository", flux() ? helm.repository() : helm.repository().replaceFirst("^oci://", ""))
                        .with("argocdNamespace", helm.argocdNamespace())
                        .with("argocdProject", helm.argocdProject())
                        .with("argocdServer", helm.argocdServer())
                        // Argo CD applies in sync waves: the base chart (CRDs, the validator) before any istiod.
                        .with("syncWave", dependsOnBase ? "1" : "0")
                        .with("values", ChartValuesYaml.indented(values, flux() ? 4 : 8)));
    }

    /** Stage 00 applies {@code control-plane/}: the releases of both revisions and the base. */
    @Override
    public List<String> stageResources(String stageDirectory) {
        return List.of("../".repeat(stageDirectory.split("/").length) + directory);
    }

    /** The chart installs the revision's injector as {@code istio-sidecar-injector-<rev>}, as istioctl does. */
    @Override
    public String injector(Injectors injectors) throws TemplateException {
        return injectors.revision(revision());
    }

    @Override
    public List<String> verify() {
        List<String> commands = new ArrayList<>();
        commands.add(flux() ? "flux get helmreleases -n " + helm.namespace() + " " + newRelease() + "   # expect Ready True"
                : "kubectl get applications.argoproj.io -n " + helm.argocdNamespace() + " " + newRelease()
                        + " -o jsonpath='{.status.sync.status} {.status.health.status}'   # expect Synced Healthy");
        commands.add("kubectl get pods -n " + helm.namespace() + " -l istio.io/rev=" + revision());
        commands.add("kubectl get mutatingwebhookconfigurations istio-sidecar-injector-" + revision());
        return commands;
    }

    @Override
    public String describe() {
        return flux() ? "Flux HelmReleases" : "Argo CD Applications";
    }

    @Override
    public List<String> verifyRetired(String oldRevision) {
        return List.of(
                flux() ? "flux get helmreleases -n " + helm.namespace() + "   # " + helm.fromRelease() + " is gone"
                        : "kubectl get applications.argoproj.io -n " + helm.argocdNamespace() + " " + helm.fromRelease()
                                + "   # expect: NotFound",
                "kubectl get pods -n " + helm.namespace() + " -l app=istiod -L istio.io/rev   # only " + revision(),
                "kubectl get mutatingwebhookconfigurations -l app=sidecar-injector -L istio.io/rev   # none of " + oldRevision);
    }

    /** The object kind of a release in Git, as a kustomize patch targets it. */
    private Map<String, Object> releaseTarget(String file, String name) {
        return flux() ? KustomizeLayout.patchTarget(file, "helm.toolkit.fluxcd.io", "v2", "HelmRelease", name)
                : KustomizeLayout.patchTarget(file, "argoproj.io", "v1alpha1", "Application", name);
    }

    /**
     * The non-revisioned release's injector ({@code istio-sidecar-injector}) is the release's own object: a second
     * writer in Git would fight Helm. Instead the release is told to render no webhooks
     * ({@code global.operatorManageWebhooks: true}, istiod chart mutatingwebhook.yaml), so Helm deletes it where
     * the default tag arrives, and a rollback renders it again.
     */
    @Override
    public StageFiles retireNonRevisionedInjector(Renderer.Output out, String dir, Injectors injectors, TemplateContext common)
            throws TemplateException {
        return new StageFiles(List.of(), List.of(releasePatch(out, dir, "no-webhooks.yaml.mustache", helm.fromRelease(), common.copy())));
    }

    /** Finalize sets the base release's {@code defaultRevision} (istio.io Helm upgrade guide, last step). */
    @Override
    public List<Map<String, Object>> writeDefaultRevision(Renderer.Output out, String dir, StageChange.DefaultRevisionSet change,
            TemplateContext common) throws TemplateException {
        return List.of(releasePatch(out, dir, "default-revision.yaml.mustache", helm.baseRelease(),
                common.copy().with("defaultRevision", change.revision())));
    }

    /**
     * The cleanup stage deletes today's istiod release object: helm-controller's finalizer (Flux) or the
     * Application's resources finalizer (Argo CD) uninstalls it; rolling the stage back applies it again.
     */
    @Override
    public List<Map<String, Object>> writeRetirement(Renderer.Output out, String dir, StageChange.ControlPlaneRetired change,
            TemplateContext common) throws TemplateException {
        return List.of(releasePatch(out, dir, "delete-release.yaml.mustache", helm.fromRelease(), common.copy()));
    }

    /**
     * A patch of one release object (a HelmRelease, or an Application in Argo CD's namespace), written as
     * {@code <release>.yaml} in the stage directory {@code dir} from {@code template}; returns its patch target.
     */
    private Map<String, Object> releasePatch(Renderer.Output out, String dir, String template, String release,
            TemplateContext context) throws TemplateException {
        String file = release + ".yaml";
        out.emit(dir + file, TEMPLATES + template, context
                .with("flux", flux())
                .with("releaseName", release)
                .with("namespace", flux() ? helm.namespace() : helm.argocdNamespace()));
        return releaseTarget(file, release);
    }
}
