package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Plans;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreFilledInAndTheRevisionDerived() {
        Plan plan = Plans.load(dir, Plans.BASE);
        assertEquals("asm-1140-0", plan.to().revision());
        assertEquals(Plan.CertificateAuthority.MESH_CA, plan.to().ca());
        assertEquals(Plan.Injection.REVISION, plan.injection());
        assertEquals(Plan.Restart.ANNOTATION, plan.restart());
        assertEquals(new Plan.Finalize(true, true, true), plan.finishing());
        assertEquals(Optional.empty(), plan.from().version());
        assertEquals(List.of("a"), plan.waves().get(0).namespaces());
    }

    /** An installed Istio revision may follow Istio's own 1-21-0 naming; only the new one must be DNS-1035. */
    @Test
    void anIstioStyleInstalledRevisionIsAccepted() {
        Plan plan = Plans.load(dir, Plans.BASE.replace("revision: asm-1130-0", "revision: 1-21-0\n    version: 1.21.0")
                .replace("    version: 1.14.0-asm.0\n", "    version: 1.22.3\n    revision: istio-1-22-3\n"));
        assertEquals("1-21-0", plan.from().revision());
        assertEquals("istio-1-22-3", plan.to().revision());
    }

    /** The usual ASM state: a default tag on the old revision, which finalize moves; nothing to refuse. */
    @Test
    void anExistingDefaultTagThatFinalizeMovesIsFine() {
        Plan plan = Plans.load(dir, Plans.BASE + "  existing:\n    tags:\n      default: asm-1130-0\n");
        assertEquals(Map.of("default", "asm-1130-0"), plan.existing().tags());
        assertTrue(plan.finishing().defaultTag());
    }

    @Test
    void theGatewaysCanonicalRevisionBeforeTheSwitchDefaultsFromTheInstall() {
        String gateway = "      path: clusters/c1\n      ingressGateway: {service: istio-ingressgateway}\n";
        Plan revisioned = Plans.load(dir, Plans.BASE.replace("      path: clusters/c1\n", gateway));
        assertEquals(new Plan.IngressGateway("istio-system", "istio-ingressgateway", "asm-1130-0",
                        Map.of("app", "istio-ingressgateway", "istio", "ingressgateway")),
                revisioned.clusters().get(0).ingressGateway().orElseThrow());
        Plan nonRevisioned = Plans.load(dir, Plans.BASE.replace("      path: clusters/c1\n", gateway)
                .replace("revision: asm-1130-0", "revision: default"));
        assertEquals("latest", nonRevisioned.clusters().get(0).ingressGateway().orElseThrow().fromCanonicalRevision());
        assertTrue(nonRevisioned.from().isNonRevisioned());
    }

    @Test
    void theGatewaysOwnSelectorKeysComeFromThePlan() {
        String gateway = "      path: clusters/c1\n      ingressGateway:\n        service: gw\n"
                + "        selector: {istio: ingress-eu, app: gw}\n";
        Plan plan = Plans.load(dir, Plans.BASE.replace("      path: clusters/c1\n", gateway));
        assertEquals(List.of("app", "istio"), List.copyOf(plan.clusters().get(0).ingressGateway().orElseThrow().selector().keySet()),
                "sorted, so the render does not depend on the plan's order");
        assertEquals(Map.of("app", "gw", "istio", "ingress-eu"), plan.clusters().get(0).ingressGateway().orElseThrow().selector());
    }
}
