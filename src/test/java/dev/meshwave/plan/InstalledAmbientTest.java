package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The ambient components a repository installs or a cluster runs, read for {@code meshwave import} as {@code spec.ambient}.
 * Chart names {@code cni} and {@code ztunnel} (istio/istio@1.28.10:manifests/charts/istio-cni/Chart.yaml,
 * manifests/charts/ztunnel/Chart.yaml); ztunnel's {@code updateStrategy} value (istio/istio@1.26.0 and @1.28.10:
 * manifests/charts/ztunnel/values.yaml, {@code updateStrategy.type}); Sail's {@code IstioCNI}/{@code ZTunnel}
 * {@code spec.version}, {@code spec.namespace} and {@code values.ztunnel.updateStrategy}
 * (istio-ecosystem/sail-operator@1.28.3:api/v1/istiocni_types.go, ztunnel_types.go, values_types_extra.go).
 */
class InstalledAmbientTest {

    private static List<Manifest> objects(String yaml) throws Exception {
        return ManifestFile.read("repo/ambient.yaml", yaml.getBytes(StandardCharsets.UTF_8), 1 << 20);
    }

    private static InstalledMesh mesh(String install, Map<String, Object> to) {
        return new InstalledMesh(install, "1-26-3", Map.of("version", "1.26.3"), to, Map.of(), List.of(), Map.of(), List.of(), "istiod");
    }

    private static final InstalledMesh FLUX = mesh("helm", Map.of("install", "helm", "helm", Map.of("controller", "flux")));
    private static final InstalledMesh ARGOCD = mesh("helm", Map.of("install", "helm", "helm", Map.of("controller", "argocd")));
    private static final InstalledMesh SAIL = mesh("sail", Map.of("install", "sail"));

    private static InstalledAmbient.Result choose(String repository, Optional<InstalledMesh> mesh) throws Exception {
        return InstalledAmbient.choose(InstalledAmbient.read(objects(repository)), List.of(), mesh);
    }

    private static String fluxRelease(String name, String chart, String version, String values) {
        return """
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata:
                  name: %s
                  namespace: istio-system
                spec:
                  chart:
                    spec:
                      chart: %s
                      version: %s
                  values:
                %s""".formatted(name, chart, version, values);
    }

    private static final String CNI = fluxRelease("istio-cni", "cni", "1.26.3", "    profile: ambient\n");
    private static final String ZTUNNEL = fluxRelease("ztunnel", "ztunnel", "1.26.2", "    revision: 1-26-3\n    updateStrategy:\n"
            + "      type: OnDelete\n");

    @Nested
    class Helm {

        @Test
        void fluxReleasesOfTheChartsGiveEachComponentItsVersionAndZtunnelItsStrategy() throws Exception {
            InstalledAmbient.Result result = choose(CNI + "---\n" + ZTUNNEL, Optional.of(FLUX));
            assertEquals(Map.of("cni", Map.of("version", "1.26.3"), "ztunnel", Map.of("version", "1.26.2", "updateStrategy", "OnDelete")),
                    result.ambient());
            assertEquals(List.of("cni", "ztunnel"), List.copyOf(result.ambient().keySet()), "plan order");
            assertEquals(List.of(), result.warnings());
        }

        @Test
        void anArgoCdApplicationGivesTheTargetRevisionAndReadsTheValuesString() throws Exception {
            String application = """
                    apiVersion: argoproj.io/v1alpha1
                    kind: Application
                    metadata:
                      name: ztunnel
                      namespace: argocd
                    spec:
                      destination:
                        namespace: istio-system
                      source:
                        chart: ztunnel
                        targetRevision: 1.27.0
                        helm:
                          values: |
                            updateStrategy:
                              type: RollingUpdate
                            resources: {}
                    """;
            InstalledAmbient.Result result = choose(application, Optional.of(ARGOCD));
            assertEquals(Map.of("ztunnel", Map.of("version", "1.27.0", "updateStrategy", "RollingUpdate")), result.ambient());
            assertEquals(1, result.warnings().size(), result::toString);
            assertTrue(result.warnings().get(0).toString().startsWith("repo/ambient.yaml:13:7: warning: Application argocd/ztunnel sets"
                    + " ztunnel's value resources, which meshwave's ztunnel release does not carry"), result::toString);
        }

        /** Stage 00 writes its own release istio-cni/ztunnel in the control plane's namespace: another would be a second one. */
        @Test
        void aReleaseMeshwaveWouldNotRenderWhereItRunsIsLeftOutSayingWhy() throws Exception {
            InstalledAmbient.Result renamed = choose(ZTUNNEL.replace("name: ztunnel", "name: ztunnel-node"), Optional.of(FLUX));
            assertEquals(Map.of(), renamed.ambient());
            assertTrue(renamed.warnings().get(0).toString().startsWith("repo/ambient.yaml:1:1: warning: HelmRelease istio-system/ztunnel-node"
                    + " runs ztunnel 1.26.2, but the plan's stages upgrade the Helm release ztunnel in namespace istio-system (a Flux"
                    + " HelmRelease), as istiod is delivered; the plan leaves spec.ambient.ztunnel out"), renamed::toString);
            assertEquals(Map.of(), choose(ZTUNNEL, Optional.of(ARGOCD)).ambient(), "Flux's release under an Argo CD plan");
            assertEquals(Map.of(), choose(ZTUNNEL, Optional.of(SAIL)).ambient(), "a Helm release under a Sail plan");
            InstalledMesh elsewhere = mesh("helm", Map.of("install", "helm", "helm", Map.of("controller", "flux", "namespace", "mesh")));
            assertEquals(Map.of(), choose(ZTUNNEL, Optional.of(elsewhere)).ambient(), "istiod's namespace is the components'");
        }

        /** istio-cni also replaces istio-init for sidecars (istio.io "Install the Istio CNI node agent"); without ztunnel it is that. */
        @Test
        void istioCniWithoutZtunnelIsSidecarModesPluginAndLeftOut() throws Exception {
            InstalledAmbient.Result result = choose(CNI, Optional.of(FLUX));
            assertEquals(Map.of(), result.ambient());
            assertTrue(result.warnings().get(0).message().startsWith("HelmRelease istio-system/istio-cni runs istio-cni and nothing runs"
                    + " ztunnel: that is sidecar mode's CNI plugin"), result::toString);
        }

        @Test
        void withTheScriptNothingIsPlannedAndTheWarningSaysWhenToUpgrade() throws Exception {
            InstalledAmbient.Result result = choose(CNI + "---\n" + ZTUNNEL, Optional.empty());
            assertEquals(Map.of(), result.ambient());
            assertTrue(result.warnings().get(0).message().contains("which the plan cannot upgrade: spec.ambient needs"
                    + " a control plane delivered in Git (to.install: helm or sail, as a repository's istiod shows it), and this plan's comes"
                    + " from kubectl exports alone. Upgrade istio-cni yourself after the new control plane serves and before the first wave"), result::toString);
            assertTrue(choose(CNI + "---\n" + ZTUNNEL, Optional.of(mesh("istioctl", Map.of("install", "istioctl")))).warnings().get(0).message()
                    .contains("and this plan's is installed by istioctl. Upgrade istio-cni yourself"));
        }

        @Test
        void twoDifferentInstallationsAreLeftOutNamingBothAndCopiesCountOnce() throws Exception {
            assertEquals(Map.of("version", "1.26.3"), choose(CNI + "---\n" + CNI + "---\n" + ZTUNNEL, Optional.of(FLUX)).ambient()
                    .get("cni"));
            InstalledAmbient.Result two = choose(CNI + "---\n" + CNI.replace("1.26.3", "1.26.1") + "---\n" + ZTUNNEL, Optional.of(FLUX));
            assertEquals(List.of("ztunnel"), List.copyOf(two.ambient().keySet()));
            assertTrue(two.warnings().get(0).message().startsWith("2 different installations of istio-cni: HelmRelease istio-system/istio-cni"
                    + " at repo/ambient.yaml:1:1; HelmRelease istio-system/istio-cni at repo/ambient.yaml:"), two::toString);
        }

        @Test
        void aVersionThatIsNoExactOneIsLeftOut() throws Exception {
            InstalledAmbient.Result result = choose(CNI.replace("1.26.3", "1.26.x") + "---\n" + ZTUNNEL, Optional.of(FLUX));
            assertEquals(List.of("ztunnel"), List.copyOf(result.ambient().keySet()));
            assertEquals("repo/ambient.yaml:10:7: warning: HelmRelease istio-system/istio-cni installs istio-cni at '1.26.x', which is"
                    + " no exact Istio version; the plan leaves spec.ambient.cni out (pin the version, then import again, or write it by"
                    + " hand)", result.warnings().get(0).toString());
        }

        /** The ztunnel chart reads updateStrategy from 1.26 (istio/istio@1.25.0 manifests/charts/ztunnel has no such value). */
        @Test
        void anUpdateStrategyTheChartIgnoresOrCannotCarryIsAWarning() throws Exception {
            InstalledAmbient.Result old = choose(ZTUNNEL.replace("1.26.2", "1.25.2"), Optional.of(FLUX));
            assertEquals(Map.of("ztunnel", Map.of("version", "1.25.2")), old.ambient());
            assertTrue(old.warnings().get(0).message().contains("sets ztunnel's updateStrategy OnDelete, which its chart 1.25.2 ignores"),
                    old::toString);
            InstalledAmbient.Result surge = choose(ZTUNNEL.replace("      type: OnDelete\n", "      type: RollingUpdate\n"
                    + "      rollingUpdate:\n        maxSurge: 0\n"), Optional.of(FLUX));
            assertEquals(Map.of("ztunnel", Map.of("version", "1.26.2", "updateStrategy", "RollingUpdate")), surge.ambient());
            assertTrue(surge.warnings().get(0).message().contains("sets ztunnel's updateStrategy.rollingUpdate, which the plan does not"
                    + " carry"), surge::toString);
        }
    }

    @Nested
    class Sail {

        @Test
        void sailObjectsGiveTheirVersionWithoutItsV() throws Exception {
            String yaml = """
                    apiVersion: sailoperator.io/v1
                    kind: IstioCNI
                    metadata:
                      name: default
                    spec:
                      version: v1.26.3
                      namespace: istio-cni
                      profile: ambient
                    ---
                    apiVersion: sailoperator.io/v1alpha1
                    kind: ZTunnel
                    metadata:
                      name: default
                    spec:
                      version: v1.26.3
                      values:
                        ztunnel:
                          revision: default-v1-26-3
                          updateStrategy:
                            type: OnDelete
                    """;
            InstalledAmbient.Result result = choose(yaml, Optional.of(SAIL));
            assertEquals(Map.of("cni", Map.of("version", "1.26.3"), "ztunnel", Map.of("version", "1.26.3", "updateStrategy", "OnDelete")),
                    result.ambient());
            assertEquals(List.of(), result.warnings());
            // Sail's ZTunnel in another namespace than meshwave's (ztunnel) would be a second one.
            assertEquals(Map.of("cni", Map.of("version", "1.26.3")), choose(yaml.replace("  values:", "  namespace: kube-system\n"
                    + "  values:"), Optional.of(SAIL)).ambient());
        }
    }

    @Nested
    class DaemonSets {

        private static String daemonSet(String namespace, String name, String image, String strategy) {
            return """
                    apiVersion: apps/v1
                    kind: DaemonSet
                    metadata:
                      name: %s
                      namespace: %s
                    spec:
                      updateStrategy:
                        type: %s
                      template:
                        spec:
                          containers:
                          - name: istio-proxy
                            image: %s
                    """.formatted(name, namespace, strategy, image);
        }

        private InstalledAmbient.Result running(String yaml, String repository) throws Exception {
            return InstalledAmbient.choose(InstalledAmbient.read(objects(repository)), InstalledAmbient.read(objects(yaml)), Optional.of(FLUX));
        }

        @Test
        void theImageTagGivesTheVersionAndOnDeleteTheStrategy() throws Exception {
            String yaml = daemonSet("istio-system", "ztunnel", "docker.io/istio/ztunnel:1.26.3-distroless", "OnDelete") + "---\n"
                    + daemonSet("istio-system", "istio-cni-node", "registry.example.com:5000/istio/install-cni:1.26.1", "RollingUpdate");
            assertEquals(Map.of("cni", Map.of("version", "1.26.1"), "ztunnel", Map.of("version", "1.26.3", "updateStrategy", "OnDelete")),
                    running(yaml, "").ambient());
        }

        @Test
        void theRepositorysReleaseWinsOverTheRunningDaemonSet() throws Exception {
            String yaml = daemonSet("istio-system", "ztunnel", "docker.io/istio/ztunnel:1.26.3", "RollingUpdate");
            InstalledAmbient.Result result = running(yaml, ZTUNNEL);
            assertEquals(Map.of("ztunnel", Map.of("version", "1.26.2", "updateStrategy", "OnDelete")), result.ambient());
            assertEquals(List.of("repo/ambient.yaml:1:1: warning: DaemonSet istio-system/ztunnel runs ztunnel 1.26.3, but HelmRelease"
                    + " istio-system/ztunnel installs 1.26.2; the plan takes the repository's version (check that it has synced)"),
                    result.warnings().stream().map(Problem::toString).toList());
            assertEquals(List.of(), running(yaml.replace("1.26.3", "1.26.2"), ZTUNNEL).warnings(), "the same version says nothing");
        }

        @Test
        void anImageWithoutAVersionOrADaemonSetElsewhereIsLeftOut() throws Exception {
            InstalledAmbient.Result digest = running(daemonSet("istio-system", "ztunnel", "docker.io/istio/ztunnel@sha256:abc", "RollingUpdate"), "");
            assertEquals(Map.of(), digest.ambient());
            assertTrue(digest.warnings().get(0).message().startsWith("DaemonSet istio-system/ztunnel runs image docker.io/istio/ztunnel@sha256:abc,"
                    + " whose tag is no exact Istio version"), digest::toString);
            assertEquals(Map.of(), running(daemonSet("kube-system", "ztunnel", "docker.io/istio/ztunnel:1.26.3", "RollingUpdate"), "").ambient());
        }

        /** A DaemonSet the repository applies as a plain manifest is no release a stage can upgrade. */
        @Test
        void aPlainDaemonSetInTheRepositoryIsLeftOut() throws Exception {
            InstalledAmbient.Result result = choose(daemonSet("istio-system", "ztunnel", "docker.io/istio/ztunnel:1.26.3", "RollingUpdate"),
                    Optional.of(FLUX));
            assertEquals(Map.of(), result.ambient());
            assertTrue(result.warnings().get(0).message().contains("applied as a plain manifest"), result::toString);
        }
    }
}
