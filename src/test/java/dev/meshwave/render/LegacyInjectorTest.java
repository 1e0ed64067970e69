package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.admission.Admission;
import dev.meshwave.admission.Injector;
import dev.meshwave.plan.Plan;
import dev.meshwave.testing.Plans;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 5: deactivating a pre-1.10 non-revisioned injector.
 *
 * <p>Rule: a 1.9 non-revisioned install has one webhook, {@code sidecar-injector.istio.io}, selecting
 * namespaces {@code istio-injection=enabled} and pods not labelled {@code sidecar.istio.io/inject=false}
 * (its chart's default {@code useLegacySelectors: true}: istio/istio release-1.9
 * manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml and values.yaml); the
 * four names meshwave rendered are 1.10's. Applying a MutatingWebhookConfiguration merges its webhooks by
 * name (admissionregistration/v1 {@code +listType=map +listMapKey=name}), so a deactivation naming the four
 * leaves the 1.9 webhook injecting next to the default tag (IST0139). istioctl deactivates every webhook
 * the object has (istio/istio master istioctl/pkg/tag/util.go DeactivateIstioInjectionWebhook).
 */
class LegacyInjectorTest {

    /** A non-revisioned Istio 1.9 install moving to ASM 1.10, deactivating its injector when the default tag arrives. */
    static final String FROM_19 = Plans.BASE
            .replace("revision: asm-1130-0", "revision: default\n    version: 1.9.9")
            .replace("version: 1.14.0-asm.0", "version: 1.10.6-asm.2")
            // ASM 1.10's installer (install_asm) installs only on GKE: the cluster needs its project and location.
            .replace("path: clusters/c1\n", "path: clusters/c1\n      project: example-project\n      location: us-central1\n")
            + "  existing:\n    nonRevisionedInjector: deactivate\n";

    static final Map<String, String> ENABLED = Map.of("istio-injection", "enabled");

    @TempDir
    Path dir;

    private Injectors injectors(Plan plan) {
        return new Injectors(Templates.builtIn(), plan, ClusterFacts.of(plan, plan.clusters().get(0)), new TemplateContext()
                .with("istioNamespace", "istio-system").with("planName", "p").with("cluster", "c1")
                .with("version", plan.to().version().toString()));
    }

    private static List<String> names(Injector injector) {
        return injector.webhooks().stream().map(Injector.Webhook::name).toList();
    }

    @Test
    void aPre110NonRevisionedInjectorHasTheOneLegacyWebhook() throws Exception {
        Injector live = AdmissionTableTest.parse(injectors(Plans.load(dir, FROM_19)).nonRevisioned());
        assertEquals(List.of("sidecar-injector.istio.io"), names(live));
        assertEquals("sidecar-injector.istio.io", Admission.admit(List.of(live), ENABLED, Map.of()).get(0).webhook().name());
        // No object path under the legacy selectors: an unlabelled namespace's opted-in pod is not sent to it.
        assertEquals(List.of(), Admission.admit(List.of(live), Map.of(), Map.of("sidecar.istio.io/inject", "true")));
        assertEquals(List.of(), Admission.admit(List.of(live), ENABLED, Map.of("sidecar.istio.io/inject", "false")));
    }

    @Test
    void theDeactivationNamesTheWebhooksTheSourceVersionHas() throws Exception {
        Injectors from19 = injectors(Plans.load(dir, FROM_19));
        Injector live = AdmissionTableTest.parse(from19.nonRevisioned());
        Injector deactivation = AdmissionTableTest.parse(from19.deactivatedNonRevisioned());
        assertEquals(List.of("sidecar-injector.istio.io"), names(deactivation));
        Injector defaultTag = AdmissionTableTest.parse(from19.tag("default", "asm-1106-2"));
        List<Admission.Match> matches = Admission.admit(List.of(deactivation.appliedOver(live), defaultTag), ENABLED, Map.of());
        assertEquals(List.of("istio-revision-tag-default"), matches.stream().map(m -> m.injector().name()).toList());

        Injectors from110 = injectors(Plans.load(dir, FROM_19.replace("version: 1.9.9", "version: 1.10.3")));
        assertEquals(Injectors.DEFAULT_WEBHOOKS, names(AdmissionTableTest.parse(from110.deactivatedNonRevisioned())));
    }

    /** What the simulation now sees if a deactivation misses a webhook: the overlap the cluster would have. */
    @Test
    void aDeactivationByOtherNamesLeavesTheLegacyWebhookInjecting() throws Exception {
        Injectors from19 = injectors(Plans.load(dir, FROM_19));
        Injector live = AdmissionTableTest.parse(from19.nonRevisioned());
        Injector by110Names = AdmissionTableTest.parse(injectors(Plans.load(dir, FROM_19.replace("version: 1.9.9", "version: 1.10.3")))
                .deactivatedNonRevisioned());
        Injector defaultTag = AdmissionTableTest.parse(from19.tag("default", "asm-1106-2"));
        List<Admission.Match> matches = Admission.admit(List.of(by110Names.appliedOver(live), defaultTag), ENABLED, Map.of());
        assertEquals(List.of("sidecar-injector.istio.io", "namespace.sidecar-injector.istio.io"),
                matches.stream().map(m -> m.webhook().name()).toList());
    }

    private String readme(String yaml) throws Exception {
        RenderedTree tree = new Renderer(Templates.builtIn()).render(Plans.load(dir, yaml), Renderer.LiveStages.first());
        return tree.files().entrySet().stream().filter(e -> e.getKey().endsWith("/README.md"))
                .map(e -> new String(e.getValue(), StandardCharsets.UTF_8)).findFirst().orElseThrow();
    }

    /**
     * The finalize stage that adds istiod-default-validator lists deleting the non-revisioned install's
     * istiod-istio-system, as istioctl tag set default does (istio/istio release-1.12 … release-1.20
     * istioctl/pkg/tag/util.go DeleteDeprecatedValidator: every app=istiod validator not named *validator*).
     * Not for a 1.10 target: istiod 1.10 patches only istiod-<namespace> (release-1.10
     * pilot/pkg/bootstrap/validation.go); the README says to keep it then.
     */
    @Test
    void theOldValidatorIsDeletedWhereTheDefaultValidatorArrives() throws Exception {
        String delete = "kubectl delete validatingwebhookconfiguration istiod-istio-system --ignore-not-found=true";
        String from110 = FROM_19.replace("version: 1.9.9", "version: 1.10.3").replace("version: 1.10.6-asm.2", "version: 1.11.8-asm.4");
        assertTrue(readme(from110).contains(delete), "from 1.10 to 1.11");
        assertTrue(readme(Plans.BASE.replace("revision: asm-1130-0", "revision: default")).contains(delete), "without from.version");
        String to110 = readme(FROM_19);
        assertTrue(!to110.contains(delete) && to110.contains("Keep the non-revisioned install's validator `istiod-istio-system`"), to110);
        assertTrue(!readme(Plans.BASE).contains("istiod-istio-system"), "a revisioned install has no such validator");
    }

    @Test
    void theRenderedDeactivationAndTheChecksAgree() throws Exception {
        Plan plan = Plans.load(dir, FROM_19);
        assertEquals(List.of(), new InjectionCheck(Templates.builtIn()).check(plan));
        RenderedTree tree = new Renderer(Templates.builtIn()).render(plan, Renderer.LiveStages.first());
        String deactivation = tree.files().entrySet().stream().filter(e -> e.getKey().endsWith("istio-sidecar-injector-deactivated.yaml"))
                .map(e -> new String(e.getValue(), StandardCharsets.UTF_8)).findFirst().orElseThrow();
        assertTrue(deactivation.contains("- name: sidecar-injector.istio.io\n"), deactivation);
        assertEquals(1, deactivation.lines().filter(l -> l.startsWith("- name: ")).count(), deactivation);
    }
}
