package dev.meshwave.rollout;

import dev.meshwave.plan.Plan;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The un-revisioned objects finalize points at the new revision — Service {@code istiod}, the default
 * validator and the default tag — as they are before the upgrade and after it. An object that existed
 * before is owned from stage 00 with its values of today and changed by finalize, so that rolling back
 * finalize restores it (rather than an auto-prune deleting it); one that did not exist is created by
 * finalize, and a rollback's prune deletes it again, which is also the state before.
 */
public final class DefaultObjects {

    /** What a Service {@code istiod} holds: labels and its whole selector. */
    public record IstiodService(Map<String, String> labels, Map<String, String> selector) {}

    /** A validator's revision label (empty for the 1.10 flavour, which has none) and the Service it calls. */
    public record Validator(Optional<String> revisionLabel, String service) {}

    private final Plan plan;

    public DefaultObjects(Plan plan) {
        this.plan = plan;
    }

    /**
     * Service {@code istiod} before the upgrade. A non-revisioned install's selects {@code app: istiod, istio: pilot}
     * (istio-discovery chart {@code service.yaml}); a revisioned install's (applied by asmcli's istiod-service.yaml or
     * meshwave's last finalize) selects its revision. When a revisioned cluster has none, stage 00 creates that one,
     * which only names the running revision.
     */
    public IstiodService serviceBefore() {
        Plan.From from = plan.from();
        return from.isNonRevisioned()
                ? new IstiodService(serviceLabels(Plan.DEFAULT_REVISION), ordered("app", "istiod", "istio", "pilot"))
                : serviceAt(from.revision());
    }

    /** Service {@code istiod} pointing at a revision: what asmcli's istiod-service.yaml applies (MESH-FACTS §5). */
    public IstiodService serviceAt(String revision) {
        return new IstiodService(serviceLabels(revision), ordered("app", "istiod", "istio.io/rev", revision));
    }

    private static Map<String, String> serviceLabels(String revision) {
        return ordered("app", "istiod", "istio", "pilot", "istio.io/rev", revision, "release", "istio");
    }

    /**
     * Istio 1.10's istiod patches only a validator named {@code istiod-<namespace>} (pilot/pkg/bootstrap/validation.go
     * of 1.10, {@code VALIDATION_WEBHOOK_CONFIG_NAME}); selecting {@code istiod-default-validator} by its revision
     * label starts in 1.11.
     */
    public boolean legacyValidator() {
        return !plan.to().version().atLeast(1, 11);
    }

    public String validatorName() {
        return legacyValidator() ? "istiod-" + Rollout.ISTIO_SYSTEM : "istiod-default-validator";
    }

    /**
     * The validator before the upgrade, if one of {@link #validatorName()} exists. {@code istiod-istio-system} is the
     * base chart's before 1.11 and calls Service istiod; {@code istiod-default-validator} exists for a non-revisioned
     * install of 1.11 or later (base chart, {@code defaultRevision: default}: Service istiod) and where a default tag
     * exists ({@code istioctl tag set default}: Service istiod-&lt;rev&gt;). Otherwise finalize creates it.
     */
    public Optional<Validator> validatorBefore() {
        if (legacyValidator()) {
            return Optional.of(new Validator(Optional.empty(), "istiod"));
        }
        if (plan.from().isNonRevisioned()) {
            return plan.from().version().filter(v -> v.atLeast(1, 11))
                    .map(v -> new Validator(Optional.of(Plan.DEFAULT_REVISION), "istiod"));
        }
        return defaultTagBefore().map(revision -> new Validator(Optional.of(revision), "istiod-" + revision));
    }

    /**
     * The validator once a revision is the default: it calls the revision's own Service, as upstream's does (base
     * chart {@code defaultrevision-validatingwebhookconfiguration.yaml}: {@code istiod-<defaultRevision>}), so
     * validation never depends on Service istiod.
     */
    public Validator validatorAt(String revision) {
        return new Validator(legacyValidator() ? Optional.empty() : Optional.of(revision), "istiod-" + revision);
    }

    /** The revision an existing default tag points at before the upgrade, when finalize moves it. */
    public Optional<String> defaultTagBefore() {
        return plan.finishing().defaultTag() && !plan.tags().containsKey(Rollout.DEFAULT_TAG)
                ? Optional.ofNullable(plan.existing().tags().get(Rollout.DEFAULT_TAG)) : Optional.empty();
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
