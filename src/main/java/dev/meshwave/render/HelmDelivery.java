package dev.meshwave.render;

import dev.meshwave.plan.ChartValues;
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
    /** The cluster's ingress gateway when it is a release of Istio's {@code gateway} chart. */
    private final Optional<Plan.IngressGateway> gateway;

    HelmDelivery(Plan plan, Plan.Cluster cluster, String directory, Delivery.Helm helm) {
        this.plan = plan;
        this.helm = helm;
        this.facts = ClusterFacts.of(plan, cluster);
        this.directory = directory;
        this.gateway = cluster.ingressGateway().filter(g -> g.release().isPresent());
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
        gateway.ifPresent(g -> {
            names.add(g.release().orElseThrow() + ".yaml");
            names.add(g.releaseAt(revision()) + ".yaml");
        });
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
        Release base = new Release(helm.baseRelease(), "base", plan.to().version(), helm.namespace(), baseValues,
                "the cluster-wide objects both revisions share, at the new version; its defaultRevision names the default revision")
                .withCrds();
        emit(out, common, base);
        emit(out, common, new Release(helm.fromRelease(), "istiod", plan.from().version().orElseThrow(), helm.namespace(),
                istiodValues(plan.from().revision(), true),
                "today's revision " + plan.from().revision() + ", as it runs now: unchanged until the cleanup stage removes it")
                .after(helm.baseRelease(), helm.namespace()).wave(1));
        emit(out, common, new Release(newRelease(), "istiod", plan.to().version(), helm.namespace(), istiodValues(revision(), false),
                "revision " + revision() + ", installed beside " + plan.from().revision() + " by stage 00")
                .after(helm.baseRelease(), helm.namespace()).wave(1));
        if (gateway.isPresent()) {
            Plan.IngressGateway g = gateway.get();
            String today = g.release().orElseThrow();
            emit(out, common, new Release(today, "gateway", plan.from().version().orElseThrow(), g.namespace(), copy(g.values()),
                    "today's gateway " + g.service() + ", as it runs now: the first wave scales it down once "
                            + g.releaseAt(revision()) + " is ready").wave(2));
            emit(out, common, new Release(g.releaseAt(revision()), "gateway", plan.to().version(), g.namespace(),
                    newGatewayValues(g), "gateway pods of revision " + revision() + " beside " + today
                            + ", installed with no replicas: the first wave scales them up, then " + today + " down")
                    .after(newRelease(), helm.namespace()).after(today, g.namespace()).wave(2));
        }
        for (Plan.AmbientComponent component : plan.ambient()) {
            emit(out, common, new Release(component.component().label(), component.component().chart(), component.version(),
                    helm.namespace(), componentValues(component.component(), plan.from().revision(), Optional.empty(), true),
                    component.component().label() + " as it runs today, at " + component.version()
                            + ": its own stage upgrades it in place to " + plan.to().version())
                    .after(helm.baseRelease(), helm.namespace()).wave(1));
        }
    }

    /**
     * A release of the new revision's gateway pods: today's values, injected by the new revision ({@code revision}
     * puts {@code istio.io/rev} on the pod template), selected by today's Service ({@code labels.app}/{@code labels.istio}
     * are the chart's selector labels, so the pods carry today's), with no Service of its own ({@code service.type:
     * None}) and no pods until the first wave ({@code replicaCount: 0}, which the chart renders from 1.26 on, and no
     * HorizontalPodAutoscaler). Source: istio manifests/charts/gateway 1.26-1.28, _helpers.tpl, deployment.yaml,
     * service.yaml, hpa.yaml.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> newGatewayValues(Plan.IngressGateway g) {
        Map<String, Object> values = copy(g.values());
        values.put("revision", revision());
        Map<String, Object> labels = values.get("labels") instanceof Map ? (Map<String, Object>) values.get("labels") : new LinkedHashMap<>();
        labels.put("app", g.selector().get("app"));
        labels.put("istio", g.selector().get("istio"));
        values.put("labels", labels);
        // the chart names the Deployment after `name` (else the release): the new release's must be its own
        values.remove("name");
        ChartValues.merge(values, scaledDown());
        ChartValues.merge(values, Map.of("service", Map.of("type", "None")));
        // Today's ServiceAccount, so that the pods keep their identity (and the AuthorizationPolicies naming it);
        // today's release keeps that account and its Role (named after the account: a second one would clash).
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("create", false);
        account.put("name", todaysServiceAccount(g));
        values.put("serviceAccount", account);
        values.put("rbac", new LinkedHashMap<>(Map.of("enabled", false)));
        // No second PodDisruptionBudget over the same pods: the eviction API refuses a pod two budgets select.
        values.put("podDisruptionBudget", new LinkedHashMap<>());
        return values;
    }

    /** The ServiceAccount today's release runs its pods as (gateway chart, _helpers.tpl gateway.serviceAccountName). */
    private static String todaysServiceAccount(Plan.IngressGateway g) {
        Object account = g.values().get("serviceAccount");
        Map<?, ?> settings = account instanceof Map<?, ?> map ? map : Map.of();
        String name = settings.get("name") instanceof String text && !text.isEmpty() ? text : "";
        if (Boolean.FALSE.equals(settings.get("create"))) {
            return name.isEmpty() ? "default" : name;
        }
        return name.isEmpty() ? g.service() : name;
    }

    /** A gateway release with no pods: no HorizontalPodAutoscaler, no replicas. */
    private static Map<String, Object> scaledDown() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("replicaCount", 0);
        values.put("autoscaling", new LinkedHashMap<>(Map.of("enabled", false)));
        return values;
    }

    /** Today's replica settings again: its values' {@code replicaCount} and {@code autoscaling.enabled}, or none (null). */
    private static Map<String, Object> scaledAsToday(Plan.IngressGateway g) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("replicaCount", g.values().get("replicaCount"));
        Map<String, Object> autoscaling = new LinkedHashMap<>();
        autoscaling.put("enabled", g.values().get("autoscaling") instanceof Map<?, ?> a ? a.get("enabled") : null);
        values.put("autoscaling", autoscaling);
        return values;
    }

    private static Map<String, Object> copy(Map<String, Object> values) {
        Map<String, Object> copy = new LinkedHashMap<>();
        ChartValues.merge(copy, values);
        return copy;
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

    /**
     * A release as a HelmRelease or an Application: {@code dependsOn} (Flux) the releases that must be ready first;
     * {@code syncWave} (Argo CD) orders base (0) before istiod (1) before gateways (2); {@code crds} upgrades a
     * chart's {@code crds/} directory too.
     */
    private record Release(String name, String chart, MeshVersion version, String namespace, Map<String, Object> values,
            String purpose, boolean crds, List<Map<String, Object>> dependsOn, int syncWave) {

        Release(String name, String chart, MeshVersion version, String namespace, Map<String, Object> values, String purpose) {
            this(name, chart, version, namespace, values, purpose, false, List.of(), 0);
        }

        Release withCrds() {
            return new Release(name, chart, version, namespace, values, purpose, true, dependsOn, syncWave);
        }

        Release after(String release, String releaseNamespace) {
            List<Map<String, Object>> list = new ArrayList<>(dependsOn);
            list.add(dependency(release, releaseNamespace));
            return new Release(name, chart, version, namespace, values, purpose, crds, list, syncWave);
        }

        Release wave(int wave) {
            return new Release(name, chart, version, namespace, values, purpose, crds, dependsOn, wave);
        }
    }

    private static Map<String, Object> dependency(String release, String namespace) {
        return new TemplateContext().with("name", release).with("namespace", namespace);
    }

    private void emit(Renderer.Output out, TemplateContext common, Release release) throws TemplateException {
        out.emit(directory + "/" + release.name() + ".yaml", TEMPLATES + (flux() ? "flux-helm-release.yaml.mustache" : "argocd-application.yaml.mustache"),
                common.copy()
                        .with("releaseName", release.name())
                        .with("chart", release.chart())
                        .with("chartVersion", release.version().toString())
                        .with("purpose", release.purpose())
                        .with("helmNamespace", release.namespace())
                        .with("interval", helm.fluxInterval())
                        .with("sourceName", helm.fluxSource().map(Delivery.FluxSource::name).orElse("istio"))
                        .with("sourceNamespace", helm.fluxSource().map(Delivery.FluxSource::namespace).orElse(helm.namespace()))
                        .with("crds", release.crds())
                        .with("hasDependsOn", !release.dependsOn().isEmpty())
                        .with("dependsOn", release.dependsOn())
                        // Argo CD names an OCI registry without its scheme (argo-cd docs/user-guide/helm.md).
                        .with("repository", flux() ? helm.repository() : helm.repository().replaceFirst("^oci://", ""))
                        .with("argocdNamespace", helm.argocdNamespace())
                        .with("argocdProject", helm.argocdProject())
                        .with("argocdServer", helm.argocdServer())
                        // Argo CD applies in sync waves: the base chart (CRDs, the validator) before any istiod.
                        .with("syncWave", String.valueOf(release.syncWave()))
                        .with("syncWaveReason", SYNC_WAVES[release.syncWave()])
                        .with("webhooks", !release.chart().equals("gateway"))
                        .with("values", ChartValuesYaml.indented(release.values(), flux() ? 4 : 8)));
    }

    private static final String[] SYNC_WAVES = {
        "orders base before istiod", "orders base before istiod", "orders gateways after istiod"};

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

    /**
     * The base release renders {@code istiod-default-validator} from stage 00 on (its {@code defaultRevision} is set
     * there), and Helm installs or upgrades a release over an existing object only when the object carries the
     * release's ownership metadata: label {@code app.kubernetes.io/managed-by=Helm}, annotations
     * {@code meta.helm.sh/release-name} and {@code meta.helm.sh/release-namespace} (helm/helm pkg/action/validate.go
     * {@code checkOwnership}: "invalid ownership metadata" otherwise). A validator made by {@code istioctl tag set default}
     * has none. Flux's helm-controller takes ownership itself from v1.1.0 unless the HelmRelease sets
     * {@code disableTakeOwnership} (fluxcd/helm-controller v1.1.0 internal/action/install.go and upgrade.go
     * {@code TakeOwnership = true}; v1.2.0 api/v2/helmrelease_types.go {@code DisableTakeOwnership}); adding the metadata
     * by hand is what it would do, so it is safe either way. Argo CD renders the chart with {@code helm template} and
     * applies the objects itself (argo-cd v3.5.1 docs/user-guide/helm.md), so no Helm ownership check applies there.
     * When the plan says a default tag exists outside Git ({@code existing.tags.default}), that validator came with it:
     * the runbook says to adopt it; otherwise it says to check first.
     */
    @Override
    public Optional<Preparation> beforeInstall() {
        if (!flux()) {
            return Optional.empty();
        }
        String validator = "validatingwebhookconfiguration istiod-default-validator";
        List<String> adopt = List.of(
                "kubectl label " + validator + " app.kubernetes.io/managed-by=Helm --overwrite",
                "kubectl annotate " + validator + " meta.helm.sh/release-name=" + helm.baseRelease()
                        + " meta.helm.sh/release-namespace=" + helm.namespace() + " --overwrite");
        String helmRule = "Helm takes over an object that exists only if it carries the release's ownership label and annotations,"
                + " else the release fails with \"invalid ownership metadata\" (helm-controller v1.1.0 and later take it over"
                + " themselves unless the HelmRelease sets `disableTakeOwnership`; the commands below add the same metadata).";
        if (plan.existing().tags().containsKey(dev.meshwave.rollout.Rollout.DEFAULT_TAG)) {
            return Optional.of(new Preparation("`" + helm.baseRelease() + "` renders `istiod-default-validator` from this stage on,"
                    + " and the cluster's one came with its default tag, made outside Git (`existing.tags.default`, `istioctl tag set"
                    + " default`): Helm does not own it. " + helmRule,
                    "give the validator the release's metadata", adopt));
        }
        List<String> check = new ArrayList<>();
        check.add("kubectl get " + validator + " -o jsonpath='{.metadata.labels.app\\.kubernetes\\.io/managed-by}"
                + " {.metadata.annotations.meta\\.helm\\.sh/release-name}{\"\\n\"}'   # expect: Helm " + helm.baseRelease()
                + ", or NotFound; else adopt it:");
        check.addAll(adopt);
        return Optional.of(new Preparation("`" + helm.baseRelease() + "` renders `istiod-default-validator` from this stage on; the"
                + " cluster may have one that Helm does not own (made by `istioctl tag set default` or `istioctl install`). " + helmRule,
                "check who owns it, and adopt it unless the base release does", check));
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

    /**
     * The first wave moves the gateway's pods from today's release to the new revision's: the new release gets
     * today's replica settings and today's release none, and each waits for the other to be ready in the direction
     * it scales. Flux: a HelmRelease reconciles only once every {@code dependsOn} release is Ready at its latest
     * generation (fluxcd/helm-controller internal/controller/helmrelease_controller.go, checkDependencies), so in
     * the wave today's release scales down after the new one is up, and rolling the wave back (stage 00's objects:
     * the new release depends on today's) scales the new one down after today's is back. Argo CD: sync waves order
     * the apply only (the new release 2, today's 3); they wait for health only where Applications report it.
     */
    @Override
    public List<Map<String, Object>> writeGatewaySwitch(Renderer.Output out, String dir, StageChange.GatewayReleaseSwitched change,
            TemplateContext common) throws TemplateException {
        Plan.IngressGateway g = change.gateway();
        String today = g.release().orElseThrow();
        String next = g.releaseAt(change.revision());
        return List.of(
                gatewayPatch(out, dir, next, g.namespace(), scaledAsToday(g), List.of(dependency(newRelease(), helm.namespace())), 2,
                        "gateway pods of revision " + change.revision() + " take today's replicas", common),
                gatewayPatch(out, dir, today, g.namespace(), scaledDown(), List.of(dependency(next, g.namespace())), 3,
                        "today's gateway pods (" + change.fromRevision() + ") scale to none once " + next + " is ready", common));
    }

    private Map<String, Object> gatewayPatch(Renderer.Output out, String dir, String release, String namespace, Map<String, Object> values,
            List<Map<String, Object>> dependsOn, int syncWave, String purpose, TemplateContext common) throws TemplateException {
        return releasePatch(out, dir, "gateway-scale.yaml.mustache", release, flux() ? namespace : helm.argocdNamespace(), common.copy()
                .with("purpose", purpose)
                .with("dependsOn", dependsOn)
                .with("syncWave", String.valueOf(syncWave))
                .with("values", ChartValuesYaml.indented(values, flux() ? 4 : 8)));
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
        return releasePatch(out, dir, template, release, flux() ? helm.namespace() : helm.argocdNamespace(), context);
    }

    private Map<String, Object> releasePatch(Renderer.Output out, String dir, String template, String release, String namespace,
            TemplateContext context) throws TemplateException {
        String file = release + ".yaml";
        out.emit(dir + file, TEMPLATES + template, context
                .with("flux", flux())
                .with("releaseName", release)
                .with("namespace", namespace));
        return releaseTarget(file, release);
    }
}
