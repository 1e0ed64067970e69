package dev.meshwave.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Who carries a pod's traffic: the sidecar that injected it wins over ztunnel (istio 1.28 cni/pkg/util/enablement_selector.go
 * {@code Matches}); else the cni chart's default enablement selectors decide (istio 1.28 manifests/charts/istio-cni/values.yaml
 * {@code ambient.enablementSelectors}: a pod labelled ambient, or a pod not labelled none in a namespace labelled ambient).
 */
class CapturedByTest {

    private static final Map<String, String> AMBIENT = Map.of("istio.io/dataplane-mode", "ambient");

    @Test
    void aPodInAnAmbientNamespaceIsCarriedByZtunnelUnlessItOptsOut() {
        assertEquals("ztunnel (ambient)", Admission.capturedBy(List.of(), AMBIENT, Map.of()));
        assertEquals("nobody (outside the mesh)", Admission.capturedBy(List.of(), AMBIENT, Map.of("istio.io/dataplane-mode", "none")));
    }

    @Test
    void aPodLabelledAmbientIsCarriedByZtunnelInAnyNamespace() {
        assertEquals("ztunnel (ambient)", Admission.capturedBy(List.of(), Map.of(), AMBIENT));
        assertEquals("nobody (outside the mesh)", Admission.capturedBy(List.of(), Map.of(), Map.of()));
    }

    @Test
    void anInjectedSidecarWinsOverZtunnel() {
        Injector injector = new Injector("istio-sidecar-injector-1-28-1", "1-28-1", List.of());
        List<Admission.Match> matches = List.of(new Admission.Match(injector, null));
        assertEquals("sidecar of revision 1-28-1", Admission.capturedBy(matches, AMBIENT, AMBIENT));
    }
}
