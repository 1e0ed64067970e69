package dev.meshwave.lint;

/** What {@code meshwave lint} looks for. Ids are stable: CI filters and SARIF baselines key on them. */
public enum Rule {
    BOTH_INJECTION_LABELS("both-injection-labels", "A namespace carries both istio-injection and istio.io/rev",
            "istio-injection wins and istio.io/rev is ignored, so the namespace stays on the default revision. Moving a namespace to a"
                    + " revision means setting istio.io/rev and removing istio-injection."),
    OVERLAPPING_INJECTORS("overlapping-injectors", "Two sidecar injectors match the same pod (IST0139)",
            "Every sidecar-injector webhook whose selectors match a pod injects it, so the pod gets two sidecars or fails to start."
                    + " Istio's analyzer reports this as IST0139; a non-revisioned istio-sidecar-injector next to a default tag is the usual cause."),
    TAG_NAMED_LIKE_REVISION("tag-named-like-revision", "A revision tag is named like a revision",
            "Tags and revisions share istio.io/rev values. A tag named like a revision (asm-1233-2, 1-22-3, asm-managed) or"
                    + " sharing a revision's name makes every namespace label ambiguous; name tags by channel (prod-stable, canary)."),
    VALIDATOR_WITHOUT_ISTIOD_SERVICE("validator-without-istiod-service", "A validating webhook calls Service istiod, which is not there",
            "With failurePolicy Fail, a validator whose Service is missing refuses every kubectl apply of Istio resources."
                    + " Service istiod must be applied with the validator (and point at a revision that is installed).");

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
