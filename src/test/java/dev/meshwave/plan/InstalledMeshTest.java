package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What installs istiod in a repository, read for {@code meshwave import --repository}. */
class InstalledMeshTest {

    private static InstalledMesh find(String yaml, String toVersion) throws Exception {
        return InstalledMesh.find("repo", ManifestFile.read("repo/istio.yaml", yaml.getBytes(StandardCharsets.UTF_8), 1 << 20),
                toVersion, Optional.empty());
    }

    private static String refusal(String yaml, String toVersion) {
        InvalidPlanException e = assertThrows(InvalidPlanException.class, () -> find(yaml, toVersion));
        return e.problems().get(0).toString();
    }

    private static String helmRelease(String name, String extra, String values) {
        return """
                apiVersion: helm.toolkit.fluxcd.io/v2beta2
                kind: HelmRelease
                metadata:
                  name: %s
                  namespace: istio-system
                spec:
                  interval: 10m
                %s  chart:
                    spec:
                      chart: istiod
                      version: 1.22.4
                      sourceRef:
                        kind: HelmRepository
                        name: istio
                  values:
                %s""".formatted(name, extra, values);
    }

    @Nested
    class Flux {

        @Test
        void withoutReleaseNameTheReleaseIsTheTargetNamespaceAndTheName() throws Exception {
            InstalledMesh mesh = find(helmRelease("istiod", "  targetNamespace: istio-system\n", "    revision: \"\"\n"), "1.24.3");
            assertEquals("default", mesh.revision());
            assertEquals(Map.of("version", "1.22.4", "helm", Map.of("release", "istio-system-istiod")), mesh.from());
        }

        @Test
        void theBaseReleaseAndAnOciRepositoryAreKeptWhenTheyAreNotIstiosDefaults() throws Exception {
            InstalledMesh mesh = find(helmRelease("istiod-1-22-4", "", "    revision: 1-22-4\n") + """
                    ---
                    apiVersion: helm.toolkit.fluxcd.io/v2
                    kind: HelmRelease
                    metadata:
                      name: base
                      namespace: istio-system
                    spec:
                      chart:
                        spec:
                          chart: base
                    ---
                    apiVersion: source.toolkit.fluxcd.io/v1
                    kind: HelmRepository
                    metadata:
                      name: istio
                      namespace: istio-system
                    spec:
                      type: oci
                      url: oci://registry.example.com/istio
                    """, "1.24.3");
            assertEquals("{controller=flux, repository=oci://registry.example.com/istio, flux={sourceRef={name=istio}},"
                    + " baseRelease=base}", mesh.to().get("helm").toString());
        }

        @Test
        void aChartFromAGitRepositoryIsNoSourceRefForTheNewRelease() throws Exception {
            InstalledMesh mesh = find(helmRelease("istiod", "", "    revision: \"\"\n").replace("kind: HelmRepository", "kind: GitRepository"),
                    "1.24.3");
            assertEquals("{controller=flux}", mesh.to().get("helm").toString());
            assertEquals(List.of("repo/istio.yaml:12:7: warning: HelmRelease istio-system/istiod takes the chart from a GitRepository;"
                    + " meshwave's releases take it from a HelmRepository, so the plan renders one for to.helm.repository (Istio's"
                    + " charts unless you set it)"), mesh.warnings().stream().map(Problem::toString).toList());
        }

        @Test
        void aChartVersionRangeIsRefused() {
            assertEquals("repo/istio.yaml:11:7: HelmRelease istio-system/istiod-1-22 runs version '1.22.x', which is no exact Istio"
                    + " version; meshwave needs the version today's istiod runs (from.version): pin it, then import again",
                    refusal(helmRelease("istiod-1-22", "", "    revision: 1-22\n").replace("version: 1.22.4", "version: 1.22.x"), "1.24.3"));
        }

        @Test
        void theTargetRevisionAlreadyInstalledIsNotTodaysAndCopiesAreOne() throws Exception {
            String today = helmRelease("istiod-1-22-4", "", "    revision: 1-22-4\n");
            String target = helmRelease("istiod-1-24-3", "", "    revision: 1-24-3\n").replace("1.22.4", "1.24.3");
            InstalledMesh mesh = find(today + "---\n" + target + "---\n" + today, "1.24.3");
            assertEquals("1-22-4", mesh.revision());
        }

        @Test
        void twoRevisionsThatAreNotTheTargetAreRefused() {
            String refusal = refusal(helmRelease("istiod-1-22-4", "", "    revision: 1-22-4\n") + "---\n"
                    + helmRelease("istiod-1-23-1", "", "    revision: 1-23-1\n"), "1.24.3");
            assertTrue(refusal.startsWith("repo/istio.yaml:1:1: 2 different installations of istiod: HelmRelease"
                    + " istio-system/istiod-1-22-4 (revision 1-22-4) at repo/istio.yaml:1:1; HelmRelease istio-system/istiod-1-23-1"
                    + " (revision 1-23-1) at repo/istio.yaml:18:1;"), refusal);
        }
    }

    @Test
    void anArgoCdOciRegistryIsWrittenWithItsScheme() throws Exception {
        InstalledMesh mesh = find("""
                apiVersion: argoproj.io/v1alpha1
                kind: Application
                metadata:
                  name: istiod
                  namespace: argocd
                spec:
                  destination:
                    namespace: mesh
                  source:
                    repoURL: registry.example.com/charts
                    chart: istiod
                    targetRevision: 1.23.2
                """, "1.24.3");
        assertEquals("default", mesh.revision());
        assertEquals("{controller=argocd, repository=oci://registry.example.com/charts, namespace=mesh}", mesh.to().get("helm").toString());
    }

    /** What a values file beside the plan keeps ({@code import --out}), per kind of installation. */
    @Nested
    class Values {

        @Test
        void anArgoCdValuesStringIsKeptTypedAsItsOwnTextWritesIt() throws Exception {
            InstalledMesh mesh = find("""
                    apiVersion: argoproj.io/v1alpha1
                    kind: Application
                    metadata:
                      name: istiod
                      namespace: argocd
                    spec:
                      destination:
                        namespace: istio-system
                      source:
                        repoURL: https://istio-release.storage.googleapis.com/charts
                        chart: istiod
                        targetRevision: 1.23.2
                        helm:
                          values: |
                            pilot:
                              replicaCount: 3
                              image: registry.example.com/pilot@sha256:0123
                              traceSampling: 1.5
                            meshConfig:
                              enableTracing: "false"
                              trustDomain: shop.example.com
                    """, "1.24.3");
            assertEquals("{pilot={replicaCount=3, traceSampling=1.5}, meshConfig={enableTracing=false, trustDomain=shop.example.com}}",
                    mesh.values().toString());
            Map<?, ?> pilot = (Map<?, ?>) mesh.values().get("pilot");
            assertEquals(Integer.class, pilot.get("replicaCount").getClass());
            assertEquals(Double.class, pilot.get("traceSampling").getClass());
            assertEquals(String.class, ((Map<?, ?>) mesh.values().get("meshConfig")).get("enableTracing").getClass(), "quoted stays a string");
            // A digest pins today's image as much as a tag does.
            List<Problem> pins = mesh.warnings().stream().filter(w -> w.message().contains("pins")).toList();
            assertEquals(1, pins.size(), mesh.warnings().toString());
            assertTrue(pins.get(0).message().contains("pins istiod's image to registry.example.com/pilot@sha256:0123 (pilot.image)"));
            assertEquals(mesh.warnings().stream().filter(w -> !pins.contains(w)).toList(), mesh.kept(), "the image pin is no value a file keeps");
        }

        @Test
        void aSailIstiosValuesAreKeptForToSailValues() throws Exception {
            InstalledMesh mesh = find("""
                    apiVersion: sailoperator.io/v1
                    kind: Istio
                    metadata:
                      name: default
                    spec:
                      version: v1.25.2
                      namespace: istio-system
                      updateStrategy:
                        type: RevisionBased
                      values:
                        global:
                          istioNamespace: istio-system
                          network: edge-net
                        meshConfig:
                          trustDomain: edge.example.com
                    """, "1.26.1");
            assertEquals(java.util.Optional.of("sail"), mesh.valuesField());
            assertEquals("{meshConfig={trustDomain=edge.example.com}}", mesh.values().toString());
            assertEquals(Map.of("network", "edge-net"), mesh.cluster());
            assertTrue(mesh.kept().get(0).toString().contains("keep it in to.sail.values (import --out PLAN writes it there)"),
                    mesh.kept().toString());
        }

        @Test
        void anIstioOperatorsValuesAreNoChartValuesAndStayWarnings() throws Exception {
            InstalledMesh mesh = find("""
                    apiVersion: install.istio.io/v1alpha1
                    kind: IstioOperator
                    metadata:
                      name: control-plane
                      namespace: istio-system
                    spec:
                      revision: 1-22-6
                      meshConfig:
                        trustDomain: corp.example.org
                      values:
                        pilot:
                          replicaCount: 2
                    """, "1.24.3");
            assertEquals(java.util.Optional.empty(), mesh.valuesField());
            assertEquals(Map.of(), mesh.values());
            assertEquals(List.of(), mesh.kept());
            assertEquals(2, mesh.warnings().size(), mesh.warnings().toString());
        }

        @Test
        void aGlobalIstioNamespaceOtherThanTheReleasesIsSaid() throws Exception {
            InstalledMesh mesh = find(helmRelease("istiod", "", "    global:\n      istioNamespace: mesh-system\n"), "1.24.3");
            assertEquals(Map.of(), mesh.values());
            assertEquals("repo/istio.yaml:17:7: warning: HelmRelease istio-system/istiod sets global.istioNamespace mesh-system, but the"
                    + " plan's control plane is in istio-system (to.helm.namespace), which meshwave sets it to; it is not carried",
                    mesh.warnings().get(0).toString());
        }
    }

    @Test
    void aSailIstioThatUpdatesInPlaceIsRefused() {
        assertEquals("repo/istio.yaml:5:1: Istio default updates in place (updateStrategy InPlace, Sail's default): its one revision is"
                + " named default and changes version where it runs, while meshwave plans RevisionBased canaries (revisions"
                + " <name>-v<version>); set updateStrategy.type: RevisionBased first, then import again", refusal("""
                apiVersion: sailoperator.io/v1
                kind: Istio
                metadata:
                  name: default
                spec:
                  version: v1.25.2
                """, "1.26.1"));
    }

    @Test
    void anIstioOperatorWithoutPilotInstallsNoIstiod() {
        assertTrue(refusal("""
                apiVersion: install.istio.io/v1alpha1
                kind: IstioOperator
                metadata:
                  name: gateways
                spec:
                  components:
                    pilot:
                      enabled: false
                """, "1.24.3").startsWith("repo:1:1: nothing in repo installs istiod"));
    }

    @Test
    void aChartRefIsNamedWhenNothingElseInstallsIstiod() {
        InvalidPlanException e = assertThrows(InvalidPlanException.class, () -> find("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata:
                  name: istiod
                  namespace: istio-system
                spec:
                  chartRef:
                    kind: OCIRepository
                    name: istiod-chart
                """, "1.24.3"));
        assertEquals(2, e.problems().size(), e.problems()::toString);
        assertEquals("repo/istio.yaml:7:3: warning: HelmRelease istio-system/istiod takes its chart from spec.chartRef (OCIRepository"
                + " istiod-chart), which import does not follow; if it installs istiod, write from.revision, from.version and to.helm"
                + " by hand", e.problems().get(1).toString());
    }
}
