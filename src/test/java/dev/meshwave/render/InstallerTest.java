package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Plans;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code install.sh} and the overlays tell the installer of {@code to.version}, and that the tag
 * webhooks agree with it (issue 14, items 4, 6 and 8). Each rule names its upstream source.
 */
class InstallerTest {

    private static final String CP = "clusters/c1/control-plane/";

    @TempDir
    Path dir;

    private final Renderer renderer = new Renderer(Templates.builtIn());

    private RenderedTree render(String yaml) throws Exception {
        return renderer.render(Plans.load(dir, yaml), Renderer.LiveStages.first());
    }

    private static String file(RenderedTree tree, String path) {
        String text = tree.text(path);
        assertNotNull(text, () -> path + " not rendered; files: " + tree.files().keySet());
        return text;
    }

    /** Every {@code path:} of every injector webhook the render writes (tags, deactivated injectors). */
    private static List<String> injectPaths(RenderedTree tree) {
        Pattern path = Pattern.compile("path: \"(/inject[^\"]*)\"");
        return tree.files().keySet().stream().filter(p -> p.endsWith(".yaml")).map(tree::text)
                .flatMap(text -> {
                    Matcher m = path.matcher(text);
                    return m.results().map(r -> r.group(1)).toList().stream();
                }).distinct().toList();
    }

    private static String cluster(String facts) {
        return Plans.BASE.replace("      path: clusters/c1\n", "      path: clusters/c1\n" + facts);
    }

    /** Item 4: one network feeds the installer and the tag webhooks. */
    @Nested
    class InjectPath {

        // Rule: on Google Cloud asmcli sets the mesh network to <project>-<VPC> whatever --network_id says
        // (GoogleCloudPlatform/anthos-service-mesh-packages, asmcli/lib/util.sh populate_cluster_values, main and
        // release-1.11 on); the plan's network is the VPC, and the tags' path must be the injector's own.
        @Test
        void onGoogleCloudTheNetworkIsProjectDashVpcAsAsmcliSetsIt() throws Exception {
            RenderedTree tree = render(cluster("      project: proj-one\n      location: us-central1\n      network: vpc-1\n"));
            assertEquals(List.of("/inject/cluster/cn-proj-one-us-central1-c1/net/proj-one-vpc-1"), injectPaths(tree));
            assertTrue(file(tree, CP + "01-cluster-c1.yaml").contains("network: \"proj-one-vpc-1\""));
            // asmcli ignores --network_id on Google Cloud: meshwave does not pretend otherwise.
            assertFalse(file(tree, CP + "install.sh").contains("--network_id"));
        }

        // Rule: off Google Cloud asmcli takes the network from --network_id (default "default"); same source.
        @Test
        void offGoogleCloudTheNetworkIsPassedAsNetworkId() throws Exception {
            RenderedTree tree = render(cluster("      platform: multicloud\n      kubeconfig: /k/c1\n      network: net-a\n"));
            assertEquals(List.of("/inject/cluster/c1/net/net-a"), injectPaths(tree));
            assertTrue(file(tree, CP + "install.sh").contains("    --network_id 'net-a' \\\n"), file(tree, CP + "install.sh"));
        }
    }

    /** Item 6: what the installer of the version takes. */
    @Nested
    class VersionedInstaller {

        // Rule: Google's prometheus.yaml sets stackdriver.enabled: false and stackdriver.yaml prometheus.enabled: false,
        // because the ASM base turns Stackdriver on (anthos-service-mesh-packages asm/istio/options/, release-1.12).
        @Test
        void prometheusAndStackdriverEachTurnTheOtherOff() throws Exception {
            RenderedTree tree = render(Plans.BASE.replace("    version: 1.14.0-asm.0\n",
                    "    version: 1.14.0-asm.0\n    options: [prometheus]\n"));
            assertTrue(file(tree, CP + "01-option-prometheus.yaml").contains("""
                            prometheus:
                              enabled: true
                            stackdriver:
                              enabled: false
                    """));
            tree = render(Plans.BASE.replace("    version: 1.14.0-asm.0\n", "    version: 1.14.0-asm.0\n    options: [stackdriver]\n"));
            assertTrue(file(tree, CP + "01-option-stackdriver.yaml").contains("""
                            prometheus:
                              enabled: false
                            stackdriver:
                              enabled: true
                    """));
        }

        // Rule: asmcli aliases <fleet>.svc.id.goog and <fleet>.hub.id.goog (anthos-service-mesh-packages
        // asmcli/components/ca/mesh-ca.sh configure_trust_domain_aliases, release-1.11 to main); an overlay's
        // list replaces asmcli's, so meshwave's lists must keep both.
        @Test
        void trustDomainAliasesKeepTheFleetsHubDomain() throws Exception {
            String plan = Plans.BASE.replace("    version: 1.14.0-asm.0\n", "    version: 1.14.0-asm.0\n    options: [multiproject]\n")
                    .replace("      path: clusters/c1\n", "      path: clusters/c1\n      project: proj-one\n      location: us-central1\n"
                            + "      fleetProject: fleet-host\n      fleetProjectNumber: \"123456789\"\n");
            String overlay = file(render(plan), CP + "02-option-multiproject.yaml");
            assertTrue(overlay.contains("""
                        trustDomainAliases:
                        - "fleet-host.svc.id.goog"
                        - "fleet-host.hub.id.goog"
                        - "proj-one.svc.id.goog"
                    """), overlay);
        }

        // Rule: asmcli takes --offline from release-1.12 (asmcli/lib/parse.sh); 1.11's asmcli refuses it.
        @Test
        void offlineOnlyWhereAsmcliTakesIt() throws Exception {
            String v111 = Plans.BASE.replace("1.14.0-asm.0", "1.11.8-asm.4");
            String script = file(render(v111), CP + "install.sh");
            assertTrue(script.contains("\"$ASMCLI\" install"), script);
            assertFalse(script.contains("OFFLINE"), script);
            assertTrue(file(render(Plans.BASE), CP + "install.sh").contains("${OFFLINE:+--offline}"));
        }

        // Rule: ASM 1.10 ships no asmcli, only scripts/asm-installer/install_asm, which has --mode
        // install|migrate|upgrade and no --fleet_id, --platform or --offline (anthos-service-mesh-packages
        // release-1.10-asm); a canary beside a running ASM istiod is --mode upgrade, beside Istio --mode migrate.
        @Test
        void asm110IsInstalledByInstallAsm() throws Exception {
            String v110 = Plans.BASE.replace("1.14.0-asm.0", "1.10.6-asm.2").replace("      path: clusters/c1\n",
                    "      path: clusters/c1\n      project: proj-one\n      location: us-central1\n      fleetProject: fleet-host\n");
            String script = file(render(v110), CP + "install.sh");
            assertTrue(script.contains("$1 \"$INSTALL_ASM\" \\\n    --project_id 'proj-one' \\\n    --cluster_name 'c1' \\\n"
                    + "    --cluster_location 'us-central1' \\\n    --mode 'upgrade' \\\n"), script);
            for (String absent : List.of("ASMCLI", "asmcli install", "--fleet_id", "--platform", "--offline")) {
                assertFalse(script.contains(absent), absent + " in\n" + script);
            }
            String fromIstio = v110.replace("    revision: asm-1130-0\n", "    revision: default\n    version: 1.9.9\n");
            assertTrue(file(render(fromIstio), CP + "install.sh").contains("    --mode 'migrate' \\\n"));
        }
    }

    /** Item 8: plain Istio is installed by istioctl with the plan's cluster facts. */
    @Nested
    class PlainIstio {

        private static final String ISTIO = Plans.BASE
                .replace("    revision: asm-1130-0\n", "    revision: 1-21-5\n")
                .replace("    version: 1.14.0-asm.0\n", "    version: 1.22.3\n    revision: istio-1-22-3\n")
                .replace("      path: clusters/c1\n", "      path: clusters/c1\n      project: proj-one\n      location: us-central1\n"
                        + "      network: net-east\n      clusterName: east\n      meshID: mesh1\n");

        // Rule: a version without -asm. is open-source Istio, installed by `istioctl install -f … --revision`
        // (MESH-FACTS §7); asmcli and its Google-only flags (--platform, --fleet_id, --ca mesh_ca) do not apply.
        @Test
        void installShRunsIstioctlOnly() throws Exception {
            String script = file(render(ISTIO), CP + "install.sh");
            assertTrue(script.contains("case \"${1:-istioctl}\" in"), script);
            assertTrue(script.contains("  $1 \"$ISTIOCTL\" install -y \\\n    -f '00-revision.yaml' \\\n    -f '01-cluster-c1.yaml' \\\n"
                    + "    --revision 'istio-1-22-3'\n"), script);
            for (String absent : List.of("asmcli", "ASMCLI", "--fleet_id", "--platform", "mesh_ca", "--project_id", "ASM_BASE_OVERLAY")) {
                assertFalse(script.contains(absent), absent + " in\n" + script);
            }
        }

        // Rule: values.global.multiCluster.clusterName, values.global.network and values.global.meshID are what
        // istioctl gives istiod and its injector (/inject/cluster/<clusterName>/net/<network>, MESH-FACTS §4, §7);
        // the plan's clusterName and meshID override the Google-derived cn-<project>-<location>-<name> and
        // proj-<number>, and plain Istio gets no <project>- prefix on its network.
        @Test
        void clusterFactsComeFromThePlan() throws Exception {
            RenderedTree tree = render(ISTIO);
            String facts = file(tree, CP + "01-cluster-c1.yaml");
            assertTrue(facts.contains("meshID: \"mesh1\""), facts);
            assertTrue(facts.contains("clusterName: \"east\""), facts);
            assertTrue(facts.contains("network: \"net-east\""), facts);
            assertEquals(List.of("/inject/cluster/east/net/net-east"), injectPaths(tree));
        }
    }
}
