package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.List;

/**
 * The sidecar injectors of a cluster as manifests (MESH-FACTS §3–§4): revision tags, the revisions'
 * own injectors and the non-revisioned one. The same text feeds the stage files and the admission
 * simulation, so the checks see exactly what is rendered.
 */
final class Injectors {

    static final String DEFAULT_TAG = "default";
    static final List<String> DEFAULT_WEBHOOKS = List.of("rev.namespace.sidecar-injector.istio.io",
            "rev.object.sidecar-injector.istio.io", "namespace.sidecar-injector.istio.io", "object.sidecar-injector.istio.io");

    private final Templates templates;
    private final ClusterRenderer.Context common;
    private final String injectPath;
    private final List<String> reviewVersions;

    Injectors(Templates templates, Plan plan, Plan.Cluster cluster, String istioClusterName, ClusterRenderer.Context common) {
        this.templates = templates;
        this.common = common;
        this.injectPath = cluster.network().map(network -> "/inject/cluster/" + istioClusterName + "/net/" + network).orElse("/inject");
        this.reviewVersions = plan.to().version().atLeast(1, 23) ? List.of("v1") : List.of("v1beta1", "v1");
    }

    /** Webhooks a tag's configuration has: two, four for {@code default}. */
    static int webhookCount(String tag) {
        return DEFAULT_TAG.equals(tag) ? 4 : 2;
    }

    /** MutatingWebhookConfiguration {@code istio-revision-tag-<tag>} at a revision. */
    String tag(String tag, String revision) throws TemplateException {
        return webhook("istio-revision-tag-" + tag, tag, revision, "istiod-" + revision);
    }

    /**
     * An existing tag that Git takes over, owned from stage 00: protected from deletion with the application,
     * because Git did not create it.
     */
    String keptTag(String tag, String revision) throws TemplateException {
        return templates.render("stages/revision-tag-webhook.yaml.mustache", context(tag, revision).with("protect", true));
    }

    /** Service {@code istiod-revision-tag-<tag>} (Istio 1.28 and later). */
    String tagService(String tag, String revision) throws TemplateException {
        return templates.render("stages/revision-tag-service.yaml.mustache", context(tag, revision));
    }

    /** A revision's own injector as istioctl installs it: {@code istio-sidecar-injector-<rev>}, selecting its name. */
    String revision(String revision) throws TemplateException {
        return webhook("istio-sidecar-injector-" + revision, revision, revision, "istiod-" + revision);
    }

    /** The non-revisioned install's {@code istio-sidecar-injector}: the default tag's four webhooks on Service istiod. */
    String nonRevisioned() throws TemplateException {
        return webhook("istio-sidecar-injector", DEFAULT_TAG, Plan.DEFAULT_REVISION, "istiod");
    }

    /** The non-revisioned injector with selectors that match nothing, as istioctl deactivates it. */
    String deactivatedNonRevisioned() throws TemplateException {
        return templates.render("stages/deactivated-injector.yaml.mustache", new ClusterRenderer.Context()
                .with("webhookNames", DEFAULT_WEBHOOKS)
                .with("injectPath", injectPath)
                .with("admissionReviewVersions", reviewVersions)
                .with("istioNamespace", ClusterRenderer.ISTIO_SYSTEM));
    }

    private String webhook(String name, String tag, String revision, String service) throws TemplateException {
        return templates.render("stages/revision-tag-webhook.yaml.mustache", context(tag, revision)
                .with("webhookName", name)
                .with("serviceName", service));
    }

    ClusterRenderer.Context context(String tag, String revision) {
        ClusterRenderer.Context context = new ClusterRenderer.Context();
        context.putAll(common);
        return context
                .with("tag", tag)
                .with("revision", revision)
                .with("isDefaultTag", DEFAULT_TAG.equals(tag))
                .with("webhookName", "istio-revision-tag-" + tag)
                .with("serviceName", "istiod-" + revision)
                .with("protect", false)
                .with("injectPath", injectPath)
                .with("admissionReviewVersions", reviewVersions);
    }

}
