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

    /**
     * plan.schema.json names each default for editors and readers; {@link PlanDraft} is the one place
     * that fills them in. A plan that sets none of them gets exactly what the schema says.
     */
    @Test
    void theDefaultsAreTheOnesTheSchemaNames() throws Exception {
        com.fasterxml.jackson.databind.JsonNode schema;
        try (var in = PlanSchema.class.getResourceAsStream("plan.schema.json")) {
            schema = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).path("properties").path("spec").path("properties");
        }
        Plan plan = Plans.load(dir, Plans.BASE);
        java.util.function.Function<String, String> at = pointer -> schema.at(pointer).path("default").asText();
        assertEquals(at.apply("/to/properties/downgrade"), "false");
        assertEquals(at.apply("/to/properties/ca"), plan.to().ca().flag());
        assertEquals(at.apply("/injection"), plan.injection().name().toLowerCase(java.util.Locale.ROOT));
        assertEquals(at.apply("/existing/properties/nonRevisionedInjector"),
                plan.existing().nonRevisionedInjector().name().toLowerCase(java.util.Locale.ROOT));
        assertEquals(at.apply("/ordering"), plan.ordering().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        assertEquals(at.apply("/restart"), plan.restart().name().toLowerCase(java.util.Locale.ROOT));
        assertEquals(at.apply("/finalize/properties/istiodService"), String.valueOf(plan.finishing().istiodService()));
        assertEquals(at.apply("/finalize/properties/defaultTag"), String.valueOf(plan.finishing().defaultTag()));
        assertEquals(at.apply("/finalize/properties/removeOldRevision"), String.valueOf(plan.finishing().removeOldRevision()));
        Plan.GitOps gitops = plan.gitops();
        assertEquals(at.apply("/gitops/properties/argocd/properties/targetRevision"), gitops.argocd().targetRevision());
        assertEquals(at.apply("/gitops/properties/argocd/properties/project"), gitops.argocd().project());
        assertEquals(at.apply("/gitops/properties/argocd/properties/namespace"), gitops.argocd().namespace());
        assertEquals(at.apply("/gitops/properties/flux/properties/namespace"), gitops.flux().namespace());
        assertEquals(at.apply("/gitops/properties/flux/properties/interval"), gitops.flux().interval());
        assertEquals(at.apply("/gitops/properties/flux/properties/sourceRef/properties/kind"), gitops.flux().sourceRef().kind());
        assertEquals(at.apply("/gitops/properties/flux/properties/sourceRef/properties/name"), gitops.flux().sourceRef().name());
    }

    /** An installed Istio revision may follow Istio's own 1-21-0 naming, and so may the new one. */
    @Test
    void anIstioStyleInstalledRevisionIsAccepted() {
        Plan plan = Plans.load(dir, Plans.BASE.replace("revision: asm-1130-0", "revision: 1-21-0\n    version: 1.21.0")
                .replace("    version: 1.14.0-asm.0\n", "    version: 1.22.3\n    revision: istio-1-22-3\n"));
        assertEquals("1-21-0", plan.from().revision());
        assertEquals("istio-1-22-3", plan.to().revision());
    }

    /**
     * Istio's own revision form is a valid new revision too. Rule: a revision is a DNS-1123 label
     * (istio/istio master operator/pkg/apis/validation/validation.go validateRevision →
     * pkg/config/labels/instance.go IsDNS1123Label), lower-case and at most 56 characters because it
     * names Service {@code istiod-<rev>}, a DNS-1035 name of at most 63 (Kubernetes
     * apimachinery IsDNS1035Label). Refused as a DNS-1035 label before issue 14.
     */
    @Test
    void istiosOwnRevisionFormIsAcceptedAsTheNewRevision() {
        Plan plan = Plans.load(dir, Plans.BASE.replace("    version: 1.14.0-asm.0\n", "    version: 1.23.3\n    revision: 1-23-3\n"));
        assertEquals("1-23-3", plan.to().revision());
        String longest = "1" + "-0".repeat(27) + "9";
        assertEquals(56, longest.length());
        assertEquals(longest, Plans.load(dir, Plans.BASE.replace("    version: 1.14.0-asm.0\n",
                "    version: 1.23.3\n    revision: " + longest + "\n")).to().revision());
    }

    /** A downgrade the plan declares (issue 14 item 7): refused without {@code spec.to.downgrade: true}, see invalid-plans 131. */
    @Test
    void aDeclaredDowngradeIsAccepted() {
        Plan plan = Plans.load(dir, Plans.BASE.replace("revision: asm-1130-0", "revision: asm-1130-0\n    version: 1.13.0-asm.0")
                .replace("    version: 1.14.0-asm.0\n", "    version: 1.12.0-asm.2\n    downgrade: true\n"));
        assertEquals("asm-1120-2", plan.to().revision());
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

    /** A gateway chart release names its objects as the chart does (manifests/charts/gateway/templates/_helpers.tpl). */
    @Test
    void aGatewayReleaseDefaultsItsServiceSelectorAndNamespaceAsTheChartNamesThem() {
        String helm = Plans.BASE.replace("    revision: asm-1130-0\n", "    revision: 1-26-5\n    version: 1.26.5\n")
                .replace("    version: 1.14.0-asm.0\n", "    version: 1.27.3\n    install: helm\n");
        String plain = helm.replace("      path: clusters/c1\n", "      path: clusters/c1\n      ingressGateway: {release: istio-ingress}\n");
        Plan.IngressGateway gateway = Plans.load(dir, plain).clusters().get(0).ingressGateway().orElseThrow();
        assertEquals("istio-ingress", gateway.namespace());
        assertEquals("istio-ingress", gateway.service());
        assertEquals(Map.of("app", "istio-ingress", "istio", "ingress"), gateway.selector());
        assertEquals("istio-ingress-1-27-3", gateway.releaseAt("1-27-3"));

        String named = helm.replace("      path: clusters/c1\n", "      path: clusters/c1\n      ingressGateway:\n        release: gw\n"
                + "        namespace: edge\n        values: {name: istio-ingressgateway, labels: {istio: ingress-eu}}\n");
        Plan.IngressGateway custom = Plans.load(dir, named).clusters().get(0).ingressGateway().orElseThrow();
        assertEquals("edge", custom.namespace());
        assertEquals("istio-ingressgateway", custom.service(), "the chart's name value names the Service");
        assertEquals(Map.of("app", "istio-ingressgateway", "istio", "ingress-eu"), custom.selector());
        assertEquals(Map.of("name", "istio-ingressgateway", "labels", Map.of("istio", "ingress-eu")), custom.values());
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

    /**
     * Issue 15: an overlay written with CR-only line breaks (classic Mac) is YAML with line breaks, but
     * was copied as is: one line to kustomize's readers and to a Git diff. Its line breaks become LF, as
     * CRLF ones always did.
     */
    @Test
    void anOverlayWithCarriageReturnLineBreaksIsCopiedWithLineFeeds() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("tuning.yaml"), String.join("\r", "apiVersion: install.istio.io/v1alpha1",
                "kind: IstioOperator", "spec:", "  meshConfig:", "    accessLogFile: /dev/stdout", ""));
        Plan plan = Plans.load(dir, Plans.BASE.replace("    version: 1.14.0-asm.0\n", "    version: 1.14.0-asm.0\n    overlays: [tuning.yaml]\n"));
        assertEquals("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig:\n    accessLogFile: /dev/stdout\n",
                plan.to().overlays().get(0).text());
    }

    /** Render copies an overlay as NN-overlay-<name>.yaml: a 250-character name made a 266-byte file name, exit 4 in render. */
    @Test
    void anOverlayWhoseCopyWouldNotFitTheFileSystemIsRefusedAtItsEntry() throws Exception {
        String name = "o".repeat(101) + ".yaml";
        java.nio.file.Files.writeString(dir.resolve(name), "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n");
        java.nio.file.Path plan = dir.resolve("plan.yaml");
        java.nio.file.Files.writeString(plan, Plans.BASE.replace("    version: 1.14.0-asm.0\n", "    version: 1.14.0-asm.0\n    overlays: [" + name + "]\n"));
        InvalidPlanException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidPlanException.class,
                () -> new PlanLoader(PlanSchema.load()).load(plan));
        assertEquals(plan + ":10:16: spec.to.overlays[0]: overlay file name '" + name + "' is longer than 100 characters;"
                + " render writes a copy named NN-overlay-<name>.yaml below the cluster's path", e.problems().get(0).toString());
    }
}
