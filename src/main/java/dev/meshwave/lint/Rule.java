package dev.meshwave.lint;

/** What {@code meshwave lint} looks for. Ids are stable: CI filters and SARIF baselines key on them. */
public enum Rule {
    BOTH_INJECTION_LABELS("both-injection-labels", "A namespace carries both istio-injection and istio.io/rev",
            "istio-injection wins and istio.io/rev is ignored, so the namespace stays on the default revision. Moving a namespace to a"
                    + " revision means setting istio.io/rev and removing istio-injection."),
    AMBIENT_WITH_SIDECAR_LABEL("ambient-with-sidecar-label", "An ambient namespace carries a sidecar injection label",
            "Sidecar injection takes precedence over ztunnel capture: a namespace labelled istio.io/dataplane-mode=ambient that also has"
                    + " istio-injection=enabled or istio.io/rev gets sidecars in every pod at its next restart. Remove the sidecar label to"
                    + " stay ambient, or the ambient one to stay on sidecars. The same holds for a workload whose pods are labelled"
                    + " istio.io/dataplane-mode=ambient in a namespace with a sidecar label, unless they opt out of injection with"
                    + " sidecar.istio.io/inject=false."),
    OVERLAPPING_INJECTORS("overlapping-injectors", "Two sidecar injector webhooks match the same pod (IST0139)",
            "Every sidecar-injector webhook whose selectors match a pod injects it, two webhooks of one configuration as well as of two,"
                    + " so the pod gets two sidecars or fails to start. Istio's analyzer reports this as IST0139 on each configuration"
                    + " involved; a non-revisioned istio-sidecar-injector next to a default tag is the usual cause."),
    INJECTOR_SERVICE_NOT_FOUND("injector-service-not-found", "A sidecar injector webhook calls a Service that is not there (IST0139)",
            "An injector whose Service does not exist refuses every pod it selects (failurePolicy Fail) or lets it start without a"
                    + " sidecar. Istio's analyzer reports this as IST0139. Lint takes the Service a revision's installer creates"
                    + " (istiod-<rev>, or istiod) as there; any other must be applied with the webhook."),
    TAG_NAMED_LIKE_REVISION("tag-named-like-revision", "A revision tag is named like a revision",
            "Tags and revisions share istio.io/rev values. A tag named like a revision (asm-1233-2, 1-22-3, asm-managed) or"
                    + " sharing a revision's name makes every namespace label ambiguous; name tags by channel (prod-stable, canary)."),
    VALIDATOR_WITHOUT_ISTIOD_SERVICE("validator-without-istiod-service", "A validating webhook calls Service istiod, which is not there",
            "With failurePolicy Fail, a validator whose Service is missing refuses every kubectl apply of Istio resources."
                    + " Service istiod must be applied with the validator (and point at a revision that is installed)."),
    UNSERVED_REVISION("unserved-revision", "A namespace is labelled with a revision or tag that no control plane of the repository serves",
            "A namespace's istio.io/rev (or istio-injection=enabled, which needs the default revision or a default tag) must name a"
                    + " revision or tag that something installs, or its pods start without a sidecar. Lint reads the revisions and tags of"
                    + " the istiod HelmReleases and Argo CD Applications, IstioOperators, Sail Istio, IstioRevision and IstioRevisionTag"
                    + " objects and injector webhooks of the repository, and speaks only when it declares a control plane."),
    NAMESPACE_APPLIED_TWICE("namespace-applied-twice", "A namespace is applied by two Flux Kustomizations or Argo CD Applications with different"
            + " injection labels",
            "Each applier writes its own istio-injection and istio.io/rev over the other's at every reconcile, so the namespace's"
                    + " injection flips between them and a relabel in one of them is undone by the other. Apply each Namespace from one"
                    + " place."),
    LABEL_SET_BY_APPLIER("label-set-by-applier", "An injection label is set by an Argo CD Application or a Flux Kustomization, outside the"
            + " namespace's manifests",
            "istio-injection or istio.io/rev written in an Argo CD Application's spec.syncPolicy.managedNamespaceMetadata or in a Flux"
                    + " Kustomization's spec.patches is applied by the controller on top of, or next to, the Namespace manifests that"
                    + " meshwave's waves relabel: the wave's relabel is overridden or fought. Set the label in the Namespace manifest."),
    INJECTED_SIDECAR_IN_MANIFEST("injected-sidecar-in-manifest", "A workload's manifest already holds an injected sidecar (istioctl"
            + " kube-inject output)",
            "The sidecar.istio.io/status annotation (with its istio-proxy container) in a workload's manifest means the proxy was"
                    + " injected before commit: its image and settings are written there, not chosen by the namespace's labels, so a"
                    + " namespace relabel does not move it to a new revision unless an injector re-injects the pod. Re-run istioctl"
                    + " kube-inject for the new revision, or remove the injected fields and let the namespace label inject it. An"
                    + " istio-proxy container of the pod's own that pins an image (not auto) keeps that image through injection too.");

    private final String id;
    private final String title;
    private final String help;

    Rule(String id, String title, String help) {
        this.id = id;
        this.title = title;
        this.help = help;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public String help() {
        return help;
    }
}
