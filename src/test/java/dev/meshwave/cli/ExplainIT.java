package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code meshwave explain}: which webhook injects which pods of a namespace, stage by stage. */
class ExplainIT {

    @Test
    void aTagFollowerIsInjectedByItsTagAtTheTagsRevision() {
        Cli.Result result = Cli.run("explain", "examples/asm-tags/plan.yaml", "--namespace", "app");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().contains("follows revision tag prod-stable"), result::toString);
        List<String> plainPods = result.out().lines().filter(l -> l.startsWith("  {} ")).toList();
        assertEquals(4, plainPods.size(), "one line per stage: " + result.out());
        assertTrue(plainPods.get(0).contains("revision asm-1130-0 via istio-revision-tag-prod-stable"), plainPods.get(0));
        assertTrue(plainPods.get(1).contains("revision asm-1140-0 via istio-revision-tag-prod-stable"), plainPods.get(1));
        assertTrue(plainPods.get(1).contains("namespace istio.io/rev in [prod-stable], no istio-injection"), plainPods.get(1));
        assertTrue(result.out().lines().anyMatch(l -> l.startsWith("  {sidecar.istio.io/inject=false} ") && l.endsWith("nobody; nobody (outside the mesh)")));
    }

    /**
     * An ambient namespace: nobody injects a plain pod and ztunnel carries its traffic (the cni chart's default enablement
     * selectors); a pod that asks for a revision by its own label still gets that revision's sidecar, which wins over
     * ztunnel (istio 1.28 cni/pkg/util/enablement_selector.go). Before its wave the same namespace is a sidecar one.
     */
    @Test
    void anAmbientNamespaceIsInjectedByNobodyAndCarriedByZtunnel() {
        Cli.Result result = Cli.run("explain", "examples/ambient-migration/plan.yaml", "--namespace", "orders");
        assertEquals(0, result.exitCode(), result::toString);
        List<String> plainPods = result.out().lines().filter(l -> l.startsWith("  {} ")).toList();
        assertEquals(9, plainPods.size(), "one line per stage: " + result.out());
        assertTrue(plainPods.get(4).endsWith("; sidecar of revision 1-27-3"), plainPods.get(4));
        for (String line : plainPods.subList(5, 9)) {
            assertTrue(line.endsWith(" nobody; ztunnel (ambient)"), line);
        }
        assertTrue(result.out().contains("stage 05-orders: namespace labels {istio.io/dataplane-mode=ambient, istio.io/use-waypoint=waypoint}"),
                result::toString);
        assertTrue(result.out().lines().anyMatch(l -> l.startsWith("  {istio.io/rev=1-28-1} ") && l.endsWith("; sidecar of revision 1-28-1")),
                "a pod's own revision label still injects it, and its sidecar wins: " + result.out());
    }

    @Test
    void oneStageOnly() {
        Cli.Result result = Cli.run("explain", "examples/istio-to-asm/plan.yaml", "--namespace", "checkout", "--stage", "apps");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(1, result.out().lines().filter(l -> l.startsWith("stage ")).count(), result::toString);
        assertTrue(result.out().contains("stage 02-apps: namespace labels {istio.io/rev=asm-1106-2}"), result::toString);
    }

    /**
     * explain reads a 1.9 non-revisioned injector as the cluster has it: one webhook sidecar-injector.istio.io
     * with the legacy selectors (istio/istio release-1.9 manifests/charts/istio-control/istio-discovery/templates/
     * mutatingwebhook.yaml, useLegacySelectors: true), not 1.10's four (issue 14 item 5).
     */
    @Test
    void aPre110InjectorIsExplainedWithItsOneLegacyWebhook() {
        Cli.Result result = Cli.run("explain", "examples/istio-to-asm/plan.yaml", "--namespace", "checkout", "--stage", "0");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().contains("  {}  ") && result.out().contains("revision default via istio-sidecar-injector"
                + " (sidecar-injector.istio.io: namespace istio-injection=enabled; pod sidecar.istio.io/inject not in [false])"),
                result::toString);
        assertTrue(result.out().lines().noneMatch(l -> l.contains("namespace.sidecar-injector.istio.io")), result::toString);
    }

    @Test
    void anOverlapThatValidateRefusesIsShownWithBothInjectors() {
        String plan = "src/test/resources/explain/overlap.yaml";
        Cli.Result validate = Cli.run("validate", plan);
        assertEquals(2, validate.exitCode(), validate::toString);
        assertTrue(validate.err().contains("13:5: spec.existing: stages 00-control-plane, 01-apps, 02-finalize: in namespaces"
                + " labelled {}, pods labelled {istio.io/rev=default} would be injected by 2 webhooks at once (IST0139):"
                + " istio-sidecar-injector (rev.object.sidecar-injector.istio.io, revision default), istio-revision-tag-default"
                + " (rev.object.sidecar-injector.istio.io, revision asm-1130-0)"),
                validate::toString);

        Cli.Result explain = Cli.run("explain", plan, "--namespace", "app", "--stage", "0");
        assertEquals(0, explain.exitCode(), explain::toString);
        assertTrue(explain.out().contains("injectors: istio-sidecar-injector→default, istio-sidecar-injector-asm-1130-0→asm-1130-0,"),
                explain::toString);
        assertTrue(explain.out().contains("istio-revision-tag-default→asm-1130-0"), explain::toString);
    }

    @Test
    void anUnknownNamespaceIsAUsageError() {
        Cli.Result result = Cli.run("explain", "examples/asm-tags/plan.yaml", "--namespace", "nope");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("namespace 'nope' is in no wave"), result::toString);
    }
}
