package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.Rollout;
import java.util.List;

/**
 * The sidecar injectors of a cluster as manifests (MESH-FACTS §3–§4): revision tags, the revisions'
 * own injectors and the non-revisioned one. The same text feeds the stage files and the admission
 * simulation, so the checks see exactly what is rendered.
 */
final class Injectors {

    static final List<String> DEFAULT_WEBHOOKS = List.of("rev.namespace.sidecar-injector.istio.io",
            "rev.object.sidecar-injector.istio.io", "namespace.sidecar-injector.istio.io", "object.sidecar-injector.istio.io");
    /**
     * The one webhook of a non-revisioned injector before Istio 1.10: its chart's default
     * {@code sidecarInjectorWebhook.useLegacySelectors: true} renders a single {@code sidecar-injector.istio.io}
     * (istio/istio release-1.9 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml
     * and values.yaml; release-1.8 has only that webhook). 1.10 turned the legacy selectors off and the
     * four names above on.
     */
    static final List<String> LEGACY_WEBHOOKS = List.of("sidecar-injector.istio.io");
    /**
     * That injector as a 1.9 install leaves it in the cluster (meshwave never renders it): namespaces
     * labelled {@code istio-injection=enabled}, pods not opting out (objectSelector {@code enabled},
     * {@code autoInject: true}). A pod labelled {@code sidecar.istio.io/inject=true} in an unlabelled
     * namespace is not sent to it. 1.8 disables the objectSelector by default, but its istiod declines
     * {@code sidecar.istio.io/inject=false} pods itself, so the outcome is the same.
     */
    private static final String LEGACY_NON_REVISIONED = """
            apiVersion: admissionregistration.k8s.io/v1
            kind: MutatingWebhookConfiguration
            metadata:
              name: istio-sidecar-injector
              labels:
                app: sidecar-injector
                istio.io/rev: default
            webhooks:
            - name: sidecar-injector.istio.io
              clientConfig:
                service:
                  name: istiod
                  namespace: istio-system
                  path: "/inject"
                  port: 443
              namespaceSelector:
                matchLabels:
                  istio-injection: enabled
              objectSelector:
                matchExpressions:
                - key: sidecar.istio.io/inject
                  operator: NotIn
                  values:
                  - "false"
            """;

    private final Templates templates;
    private final TemplateContext common;
    private final String injectPath;
    private final List<String> reviewVersions;
    /** Whether the non-revisioned injector is a pre-1.10 one: its version is {@code from.version}. */
    private final boolean legacyNonRevisioned;

    /** {@code facts}: the path of every injector is the one the installer gives the revision's own (MESH-FACTS §4). */
    Injectors(Templates templates, Plan plan, ClusterFacts facts, TemplateContext common) {
        this.templates = templates;
        this.common = common;
        this.injectPath = facts.injectPath();
        this.reviewVersions = plan.to().version().atLeast(1, 23) ? List.of("v1") : List.of("v1beta1", "v1");
        this.legacyNonRevisioned = legacySelectors(plan);
    }

    /** Whether the plan's non-revisioned injector has the single pre-1.10 webhook ({@code from.version} before 1.10). */
    static boolean legacySelectors(Plan plan) {
        return plan.from().version().map(v -> !v.atLeast(1, 10)).orElse(false);
    }

    /** The webhooks the cluster's non-revisioned injector has, by name: what a deactivation must name. */
    List<String> nonRevisionedWebhookNames() {
        return legacyNonRevisioned ? LEGACY_WEBHOOKS : DEFAULT_WEBHOOKS;
    }

    /** Webhooks a tag's configuration has: two, four for {@code default}. */
    static int webhookCount(String tag) {
        return Rollout.DEFAULT_TAG.equals(tag) ? 4 : 2;
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

    /**
     * The non-revisioned install's {@code istio-sidecar-injector}: from 1.10 the default tag's four webhooks on
     * Service istiod, before that the one legacy webhook.
     */
    String nonRevisioned() throws TemplateException {
        if (legacyNonRevisioned) {
            return LEGACY_NON_REVISIONED;
        }
        return webhook("istio-sidecar-injector", Rollout.DEFAULT_TAG, Plan.DEFAULT_REVISION, "istiod");
    }

    /**
     * The non-revisioned injector with selectors that match nothing, as istioctl deactivates it: every
     * webhook it has, by name, since applying it merges webhooks by name and leaves the others active.
     */
    String deactivatedNonRevisioned() throws TemplateException {
        return templates.render("stages/deactivated-injector.yaml.mustache", new TemplateContext()
                .with("webhookNames", nonRevisionedWebhookNames())
                .with("injectPath", injectPath)
                .with("admissionReviewVersions", reviewVersions)
                .with("istioNamespace", Rollout.ISTIO_SYSTEM));
    }

    private String webhook(String name, String tag, String revision, String service) throws TemplateException {
        return templates.render("stages/revision-tag-webhook.yaml.mustache", context(tag, revision)
                .with("webhookName", name)
                .with("serviceName", service));
    }

    TemplateContext context(String tag, String revision) {
        return common.copy()
                .with("tag", tag)
                .with("revision", revision)
                .with("isDefaultTag", Rollout.DEFAULT_TAG.equals(tag))
                .with("webhookName", "istio-revision-tag-" + tag)
                .with("serviceName", "istiod-" + revision)
                .with("protect", false)
                .with("injectPath", injectPath)
                .with("admissionReviewVersions", reviewVersions);
    }

}
