package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.Set;

/** From one revision and version to another: a new revision name, the direction and size of the step. */
record VersionRules(Findings findings, JsonNode spec, PlanDraft draft) {

    static final Set<String> MANAGED_REVISIONS = Set.of("asm-managed", "asm-managed-rapid", "asm-managed-stable");

    void revisions() {
        JsonNode to = spec.path("to");
        MeshVersion toVersion = draft.toVersion();
        String from = spec.path("from").path("revision").asText();
        Optional<String> toRevision = draft.toRevision();
        String toRevisionPointer = to.has("revision") ? "/spec/to/revision" : "/spec/to/version";
        if (to.has("revision")) {
            if (toRevision.get().equals(Plan.DEFAULT_REVISION)) {
                findings.error(toRevisionPointer, "'default' cannot be installed as a revision: istioctl ignores"
                        + " --revision default and it would overlap the non-revisioned injector (expected a name such as "
                        + toVersion.defaultRevision().orElse("1-22-3") + ")");
            }
        } else {
            if (toRevision.isEmpty()) {
                findings.error(toRevisionPointer, "plain Istio version " + toVersion + " has no default revision;"
                        + " set spec.to.revision, e.g. Istio's own " + toVersion.major() + "-" + toVersion.minor()
                        + "-" + toVersion.patch());
            }
        }
        toRevision.filter(MANAGED_REVISIONS::contains).ifPresent(r -> findings.error(toRevisionPointer,
                "'" + r + "' is a managed control plane (release channel), not an in-cluster revision meshwave can install"));
        if (toRevision.isPresent() && toRevision.get().equals(from)) {
            findings.error(toRevisionPointer, "the new revision '" + from + "'"
                    + (to.has("revision") ? "" : " (derived from " + toVersion + ")")
                    + " is the revision in use (spec.from.revision); a canary upgrade needs a new revision name");
        }
        boolean saysDowngrade = draft.downgrade();
        if (draft.fromVersion().isPresent()) {
            MeshVersion fromVersion = draft.fromVersion().get();
            if (fromVersion.major() == toVersion.major()) { // else checkSkew refuses the step anyway
                checkDirection(fromVersion, toVersion, saysDowngrade);
            }
            checkSkew(fromVersion, toVersion);
        } else if (saysDowngrade) {
            findings.error("/spec/to/downgrade", "a downgrade is checked against the version in use: set spec.from.version");
        }
    }

    /**
     * Going back to an older version is a different operation from an upgrade (older proxies under the
     * new control plane's config, CRDs and defaults the old one may not know), so a plan only does it
     * when it says so: {@code spec.to.downgrade: true}.
     */
    private void checkDirection(MeshVersion from, MeshVersion to, boolean saysDowngrade) {
        boolean downgrade = to.compareTo(from) < 0;
        if (downgrade && !saysDowngrade) {
            findings.error("/spec/to/version", to + " is older than " + from + " (spec.from.version): this plan is a downgrade;"
                    + " if that is intended, say so with spec.to.downgrade: true");
        } else if (!downgrade && saysDowngrade) {
            findings.error("/spec/to/downgrade", "spec.to.downgrade is true, but " + to + " is not older than " + from
                    + " (spec.from.version)");
        }
    }

    /**
     * Deactivating the non-revisioned injector means naming each of its webhooks (applying merges them
     * by name): one {@code sidecar-injector.istio.io} before Istio 1.10, four from 1.10. Without
     * {@code from.version} meshwave cannot tell which, unless the target is 1.12 or later: a step skips
     * at most one minor, so the installed version is 1.10 or later then.
     */
    void deactivation() {
        if (draft.nonRevisionedInjector() != Plan.NonRevisionedInjector.DEACTIVATE || draft.fromVersion().isPresent()) {
            return;
        }
        MeshVersion to = draft.toVersion();
        if (!to.atLeast(1, 12)) {
            findings.error("/spec/existing/nonRevisionedInjector", "deactivate needs spec.from.version when moving to " + to
                    + ": a non-revisioned injector before Istio 1.10 has one webhook (sidecar-injector.istio.io), from 1.10 four,"
                    + " and a deactivation that misses one leaves it injecting next to the default tag (IST0139)");
        }
    }

    private void checkSkew(MeshVersion from, MeshVersion to) {
        String pointer = "/spec/to/version";
        if (from.major() != to.major()) {
            findings.error(pointer, "upgrading from " + from + " to " + to + " crosses a major version, which is not supported");
            return;
        }
        int minors = to.minor() - from.minor();
        if (minors > 2) {
            findings.error(pointer, "upgrading from " + from + " to " + to + " skips " + (minors - 1)
                    + " minor versions; a canary upgrade may skip at most one (upgrade in steps, e.g. to "
                    + from.major() + "." + (from.minor() + 2) + " first)");
        } else if (minors == 2) {
            findings.warning(pointer, "upgrading from " + from + " to " + to + " skips minor version " + from.major() + "."
                    + (from.minor() + 1) + "; a canary upgrade may skip one minor, but read that version's upgrade notes too");
        }
    }
}
