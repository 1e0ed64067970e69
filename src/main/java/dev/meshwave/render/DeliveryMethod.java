package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.StageChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One way of delivering a phase's control plane to a cluster, as the renderer, the admission check and the
 * runbook see it: the files it writes, what it adds to its control-plane stage, the injector its revision
 * brings, the revision tags that select it (created and moved), the commands that show it arrived, and its
 * own template directory. {@link #of} is the one place
 * that chooses a method for a plan's {@link dev.meshwave.plan.Delivery}; {@link ControlPlane} is the
 * script (asmcli, install_asm, istioctl) method.
 */
interface DeliveryMethod {

    /** The control plane of each phase of a plan, for one cluster. */
    static List<DeliveryMethod> of(Plan plan, Plan.Cluster cluster) {
        List<DeliveryMethod> list = new ArrayList<>();
        for (int phase = 0; phase < plan.phases().size(); phase++) {
            list.add(of(plan, cluster, phase));
        }
        return list;
    }

    /** The control plane one phase of a plan installs on a cluster. */
    static DeliveryMethod of(Plan plan, Plan.Cluster cluster, int phase) {
        Plan phasePlan = plan.phases().get(phase);
        String directory = directory(plan, phase);
        return phasePlan.to().delivery().match(
                script -> new ControlPlane(phasePlan, cluster, directory, script),
                helm -> new HelmDelivery(phasePlan, cluster, directory, helm),
                sail -> new SailDelivery(phasePlan, cluster, directory, sail));
    }

    /** {@code control-plane/}, or with several phases {@code control-plane/<revision of the phase>/}. */
    static String directory(Plan plan, int phase) {
        List<Plan> phases = plan.phases();
        return phases.size() == 1 ? "control-plane" : "control-plane/" + phases.get(phase).to().revision();
    }

    /** The directory of {@code templates/} this method's templates are in, with a trailing slash. */
    String templateDirectory();

    /** Where the files go in the cluster directory: {@code control-plane}, or one directory per phase. */
    String directory();

    /** The revision this control plane installs. */
    String revision();

    /** The names of the files {@link #render} writes in {@link #directory()}, in order. */
    List<String> fileNames();

    /** Writes this phase's control-plane files. */
    void render(Renderer.Output out, TemplateContext common) throws TemplateException;

    /**
     * What the control-plane stage applies of this method, as paths from the stage directory, after the
     * stage's own resources. Nothing for a script, which a person runs before the stage goes live.
     */
    List<String> stageResources(String stageDirectory);

    /** The MutatingWebhookConfiguration of the revision's own injector, as the cluster will have it. */
    String injector(Injectors injectors) throws TemplateException;

    /** Commands that show this control plane is installed, for its stage's runbook. */
    List<String> verify();

    /**
     * What a person does before the control-plane stage is merged, for its runbook: why (Markdown, a sentence or
     * more), what to do (Markdown, after "Before merging the stage,"), and the commands.
     */
    record Preparation(String why, String action, List<String> commands) {}

    /** What must be done by hand before this control plane's stage is merged; nothing by default. */
    default java.util.Optional<Preparation> beforeInstall() {
        return java.util.Optional.empty();
    }

    /**
     * A revision tag created at this method's revision by a stage: its objects written in the stage directory
     * {@code dir}, returned as that stage's resources. By default the objects {@code istioctl tag set} makes (and
     * Istio's Helm docs apply from the istiod chart's tag template): MutatingWebhookConfiguration
     * {@code istio-revision-tag-<tag>} and, from Istio 1.28, Service {@code istiod-revision-tag-<tag>}.
     */
    default List<String> writeTag(Renderer.Output out, String dir, StageChange.TagCreated tag, Injectors injectors)
            throws TemplateException {
        List<String> files = new ArrayList<>();
        String webhook = "istio-revision-tag-" + tag.tag() + ".yaml";
        out.emitText(dir + webhook, "stages/revision-tag-webhook.yaml.mustache", tagInjector(injectors, tag.tag(), tag.revision()));
        files.add(webhook);
        if (tag.service()) {
            String service = "istiod-revision-tag-" + tag.tag() + "-service.yaml";
            out.emitText(dir + service, "stages/revision-tag-service.yaml.mustache", injectors.tagService(tag.tag(), tag.revision()));
            files.add(service);
        }
        return files;
    }

    /**
     * A tag Git holds moved to this method's revision by a stage: the patch files written in {@code dir}, returned
     * as kustomize patch targets. By default JSON6902 patches of the tag's webhooks (and, from 1.28, its Service).
     */
    default List<Map<String, Object>> writeTagMove(Renderer.Output out, String dir, StageChange.TagMoved tag, TemplateContext common)
            throws TemplateException {
        List<Map<String, Object>> patches = new ArrayList<>();
        String patch = "tag-" + tag.tag() + ".yaml";
        List<Integer> indexes = java.util.stream.IntStream.range(0, Injectors.webhookCount(tag.tag())).boxed().toList();
        out.emit(dir + patch, "stages/tag-move.yaml.mustache", common.copy().with("tag", tag.tag()).with("webhookIndexes", indexes));
        patches.add(KustomizeLayout.patchTarget(patch, "admissionregistration.k8s.io", "MutatingWebhookConfiguration",
                "istio-revision-tag-" + tag.tag()));
        if (tag.service()) {
            String servicePatch = "tag-" + tag.tag() + "-service.yaml";
            out.emit(dir + servicePatch, "stages/tag-service-move.yaml.mustache", common.copy().with("tag", tag.tag()));
            patches.add(KustomizeLayout.patchTarget(servicePatch, "", "Service", "istiod-revision-tag-" + tag.tag()));
        }
        return patches;
    }

    /**
     * Commands that show a revision tag points at {@code revision}, for the runbook of the stage that moves it. By
     * default the tag's webhook, which carries the revision as its {@code istio.io/rev} label.
     */
    default List<String> verifyTag(String tag, String revision) {
        return List.of("kubectl get mutatingwebhookconfiguration istio-revision-tag-" + tag + " -o yaml"
                + " | grep -e istio.io/rev: -e istio.io/tag:");
    }

    /** Commands that show the default tag points at {@code revision} (finalize): by default every tag, then its webhook. */
    default List<String> verifyDefaultTag(String revision) {
        List<String> commands = new ArrayList<>();
        commands.add("istioctl tag list");
        commands.addAll(verifyTag("default", revision));
        return commands;
    }

    /** How a tag moves to {@code revision}, as the README says it in parentheses (Markdown). */
    default String tagMoveHow(String revision) {
        return "`istioctl tag set … --revision " + revision + "`";
    }

    /** The object that is revision tag {@code tag} in the cluster, as the README names it (Markdown). */
    default String tagObject(String tag) {
        return "MutatingWebhookConfiguration `istio-revision-tag-" + tag + "`";
    }

    /** The MutatingWebhookConfiguration of a tag pointing at a revision, as the cluster will have it. */
    default String tagInjector(Injectors injectors, String tag, String revision) throws TemplateException {
        return injectors.tag(tag, revision);
    }

    /**
     * Finalize's change of the default revision, for a method that keeps it in Git: its patch files written in
     * {@code dir}, returned as kustomize patch targets. The composer asks only methods whose delivery is
     * {@linkplain dev.meshwave.plan.Delivery#inGit() in Git}.
     */
    default List<Map<String, Object>> writeDefaultRevision(Renderer.Output out, String dir, StageChange.DefaultRevisionSet change,
            TemplateContext common) throws TemplateException {
        throw new IllegalStateException(getClass().getSimpleName() + " keeps no default revision in Git");
    }

    /** What a change adds to a stage's kustomization: files it lists as resources, and patches over the stage before. */
    record StageFiles(List<String> resources, List<Map<String, Object>> patches) {}

    /**
     * The non-revisioned injector stops injecting where the default tag arrives. By default the cluster's
     * {@code istio-sidecar-injector} is deactivated in Git (its selectors match nothing), as {@code istioctl tag set
     * default} does.
     */
    default StageFiles retireNonRevisionedInjector(Renderer.Output out, String dir, Injectors injectors, TemplateContext common)
            throws TemplateException {
        out.emitText(dir + "istio-sidecar-injector-deactivated.yaml", "stages/deactivated-injector.yaml.mustache",
                injectors.deactivatedNonRevisioned());
        return new StageFiles(List.of("istio-sidecar-injector-deactivated.yaml"), List.of());
    }

    /**
     * The first wave's move of a gateway of Istio's {@code gateway} chart to the new revision's release: patch files
     * written in {@code dir}, returned as kustomize patch targets. Only Helm delivers gateway releases.
     */
    default List<Map<String, Object>> writeGatewaySwitch(Renderer.Output out, String dir, StageChange.GatewayReleaseSwitched change,
            TemplateContext common) throws TemplateException {
        throw new IllegalStateException(getClass().getSimpleName() + " delivers no gateway releases");
    }

    /** How the control plane is delivered, as the README says it ("Flux HelmReleases"); only for a method in Git. */
    default String describe() {
        throw new IllegalStateException(getClass().getSimpleName() + " is not delivered through Git");
    }

    /**
     * An ambient component's stage: the patch of its object in {@code control-plane/} to the new version (and, for
     * ztunnel, the new revision and the plan's update strategy), written in {@code dir}, as patch targets. Only
     * methods in Git have ambient components (a plan rule).
     */
    default List<Map<String, Object>> writeComponentUpgrade(Renderer.Output out, String dir, StageChange.AmbientComponentUpgraded change,
            TemplateContext common) throws TemplateException {
        throw new IllegalStateException(getClass().getSimpleName() + " has no ambient components in Git");
    }

    /** The namespace an ambient component's DaemonSet runs in. */
    default String componentNamespace(Plan.Component component) {
        throw new IllegalStateException(getClass().getSimpleName() + " has no ambient components in Git");
    }

    /** The command that shows the controller applied an ambient component's new version. */
    default String verifyComponent(Plan.Component component, String version) {
        throw new IllegalStateException(getClass().getSimpleName() + " has no ambient components in Git");
    }

    /** Commands that show the cleanup stage uninstalled the old revision (only for a method in Git). */
    default List<String> verifyRetired(String oldRevision) {
        throw new IllegalStateException(getClass().getSimpleName() + " has no control plane in Git to retire");
    }

    /** The cleanup stage's removal of the old control plane from Git, as patch targets (only for a method in Git). */
    default List<Map<String, Object>> writeRetirement(Renderer.Output out, String dir, StageChange.ControlPlaneRetired change,
            TemplateContext common) throws TemplateException {
        throw new IllegalStateException(getClass().getSimpleName() + " has no control plane in Git to retire");
    }
}
