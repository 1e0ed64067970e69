package dev.meshwave.cli;

import static dev.meshwave.testing.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitopsRepository;
import dev.meshwave.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshwave import}: from kubectl exports to a plan validate accepts, and on through render and publish. */
class ImportIT {

    private static final String INVENTORY = "examples/inventory/";

    @TempDir
    Path tmp;

    private static String withoutComments(String text) {
        return text.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void theNamespacesAndAVersionAloneMakeAValidPlan() throws IOException {
        Cli.Result imported = Cli.run("import", "--namespaces", INVENTORY + "ns.yaml", "--to-version", "1.23.3-asm.2");
        assertEquals(0, imported.exitCode(), imported::toString);
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), imported.out());
        Cli.Result validated = Cli.run("validate", plan.toString());
        assertEquals(0, validated.exitCode(), validated::toString);
        assertTrue(imported.out().contains("  from:\n    revision: asm-1229-3\n"), imported.out());
        assertTrue(imported.out().contains("    - name: cluster\n      path: clusters/cluster/mesh\n"), "default cluster and path");
    }

    @Test
    void theFullInventoryGivesTheExamplePlanAndListsWhatItLeftOut() throws IOException {
        Cli.Result imported = Cli.run("import", "--namespaces", INVENTORY + "ns.yaml", "--deployments", INVENTORY + "deploy.yaml",
                "--webhooks", INVENTORY + "webhooks.yaml", "--to-version", "1.23.3-asm.2", "--cluster", "prod-eu", "--name", "inventory");
        assertEquals(0, imported.exitCode(), imported::toString);
        assertEquals(withoutComments(Files.readString(Path.of(INVENTORY + "plan.yaml"))), withoutComments(imported.out()));
        List<String> warnings = imported.err().lines().toList();
        assertEquals(2, warnings.size(), imported::toString);
        // Each left-out namespace is named at its injection label in the export, as lint names it.
        assertTrue(warnings.get(0).startsWith(INVENTORY + "ns.yaml:199:7: warning: namespace 'legacy-billing' carries both"
                + " istio-injection=enabled and istio.io/rev"), imported::toString);
        assertTrue(warnings.get(1).startsWith(INVENTORY + "ns.yaml:244:7: warning: namespace 'old-team' is labelled istio.io/rev=asm-1180-1,"
                + " which no webhook serves"), imported::toString);
        String plan = imported.out();
        assertTrue(plan.contains("    - name: canary\n      namespaces:\n        - istio-ingress\n"), "the gateway namespace goes first: " + plan);
        assertTrue(plan.contains("        - name: shared-tools\n          tag: default\n"), "a namespace on a tag follows the tag: " + plan);
        for (String leftOut : List.of("kube-system", "istio-system", "batch", "monitoring", "default\n", "legacy-billing", "old-team")) {
            assertFalse(plan.contains("- " + leftOut), leftOut + " is not in the plan");
        }
    }

    @Test
    void wavesSplitTheRestByWorkloadCount() throws IOException {
        Cli.Result three = Cli.run("import", "--namespaces", INVENTORY + "ns.yaml", "--deployments", INVENTORY + "deploy.yaml",
                "--to-version", "1.23.3-asm.2", "--waves", "3");
        assertEquals(0, three.exitCode(), three::toString);
        assertTrue(three.out().contains("- name: wave-3"), three.out());
        assertFalse(three.out().contains("- name: wave-4"), three.out());
    }

    /**
     * Rule: sidecar injection takes precedence over ztunnel capture, so a namespace labelled
     * istio.io/dataplane-mode=ambient that also has istio.io/rev or istio-injection gets sidecars at its
     * next restart (MESH-FACTS §12; istio.io/latest/docs/ambient/migrate/enable-ambient-mode/: "The sidecar
     * takes precedence over ztunnel for pods that have both").
     * import leaves such a namespace out of the sidecar waves and says so.
     */
    @Test
    void anAmbientNamespaceIsLeftOutOfTheSidecarWaves() throws IOException {
        Path ns = Files.writeString(tmp.resolve("ns.yaml"), "apiVersion: v1\nkind: List\nitems:\n"
                + "- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: shop\n    labels:\n      istio.io/rev: asm-1220-1\n"
                + "- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: ledger\n    labels:\n"
                + "      istio.io/dataplane-mode: ambient\n      istio.io/rev: asm-1220-1\n");
        Cli.Result imported = Cli.run("import", "--namespaces", ns.toString(), "--to-version", "1.23.3-asm.2");
        assertEquals(0, imported.exitCode(), imported::toString);
        assertFalse(imported.out().contains("ledger"), imported::toString);
        assertTrue(imported.out().contains("- shop"), imported::toString);
        assertTrue(imported.err().startsWith(ns + ":15:7: warning: namespace 'ledger' is ambient (istio.io/dataplane-mode=ambient) but"
                + " labelled istio.io/rev=asm-1220-1; sidecar injection takes precedence over ztunnel capture"), imported::toString);
    }

    private static final String AMBIENT_EXPORT = "apiVersion: v1\nkind: List\nitems:\n"
            + "- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: shop\n    labels:\n      istio.io/rev: 1-26-3\n"
            + "- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: ledger\n    labels:\n      istio.io/dataplane-mode: ambient\n"
            + "- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: reports\n    labels:\n      istio.io/dataplane-mode: ambient\n"
            + "      istio-injection: disabled\n";

    /** The DaemonSets of an ambient mesh as kubectl get ds -A -o yaml exports them (images as the charts name them). */
    private static final String DAEMON_SETS = "apiVersion: v1\nkind: List\nitems:\n"
            + "- apiVersion: apps/v1\n  kind: DaemonSet\n  metadata:\n    name: ztunnel\n    namespace: istio-system\n  spec:\n"
            + "    updateStrategy:\n      type: RollingUpdate\n    template:\n      spec:\n        containers:\n        - name: istio-proxy\n"
            + "          image: docker.io/istio/ztunnel:1.26.3-distroless\n";

    /**
     * Issue 19 item 2 from kubectl exports: ambient namespaces (istio.io/dataplane-mode=ambient; istio-injection=disabled injects
     * nobody) stay out of the sidecar waves and the plan's comment names them; the exported ztunnel DaemonSet is reported, not
     * planned, since the script's delivery has no stage for it (spec.ambient needs helm or sail).
     */
    @Test
    void ambientNamespacesOfAnExportAreNamedInThePlanAndItsZtunnelIsLeftToTheUser() throws IOException {
        Path ns = Files.writeString(tmp.resolve("ns.yaml"), AMBIENT_EXPORT);
        Path ds = Files.writeString(tmp.resolve("ds.yaml"), DAEMON_SETS);
        Cli.Result imported = Cli.run("import", "--namespaces", ns.toString(), "--deployments", ds.toString(), "--to-version", "1.27.1");
        assertEquals(0, imported.exitCode(), imported::toString);
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), imported.out());
        assertEquals(0, Cli.run("validate", plan.toString()).exitCode());
        assertTrue(imported.out().contains("# Ambient namespaces (istio.io/dataplane-mode=ambient; spec.ambient.namespaces), left out of"
                + " the sidecar waves:\n# ledger, reports. ztunnel captures their traffic"), imported::toString);
        assertTrue(imported.out().contains("  ambient:\n    namespaces:\n      - ledger\n      - reports\n"), imported::toString);
        assertTrue(imported.out().contains("The plan upgrades no ztunnel (spec.ambient):"), imported::toString);
        assertFalse(imported.out().contains("ztunnel:"), imported::toString);
        String waves = imported.out().substring(imported.out().indexOf("  waves:"));
        assertFalse(waves.contains("- ledger") || waves.contains("- reports"), imported::toString);
        assertEquals(List.of(ds + ":4:3: warning: DaemonSet istio-system/ztunnel runs ztunnel 1.26.3, which the plan cannot upgrade:"
                + " spec.ambient needs a control plane delivered in Git (to.install: helm or sail, as a repository's istiod shows it), and"
                + " this plan's comes from kubectl exports alone. Upgrade ztunnel yourself after the new control plane serves and before"
                + " the first wave (a ztunnel of 1.x works with control planes 1.x and 1.x+1)"),
                imported.err().lines().toList());
    }

    /**
     * With a repository whose istiod is delivered through Flux with the ambient profile and installs no ztunnel, the cluster's
     * ztunnel goes into spec.ambient at its image's version (stage 00 takes it into Git).
     */
    @Test
    void theExportedZtunnelOfAHelmMeshIsPlannedAtItsImagesVersion() throws IOException {
        Path repository = tmp.resolve("repo");
        Files.createDirectories(repository);
        Files.copy(Path.of("src/test/resources/import/ambient-flux/clusters/edge/istio/istiod.yaml"), repository.resolve("istiod.yaml"));
        Path ns = Files.writeString(tmp.resolve("ns.yaml"), AMBIENT_EXPORT);
        Path ds = Files.writeString(tmp.resolve("ds.yaml"), DAEMON_SETS);
        Path planFile = tmp.resolve("plan.yaml");
        Cli.Result imported = Cli.run("import", "--repository", repository.toString(), "--namespaces", ns.toString(),
                "--deployments", ds.toString(), "--to-version", "1.27.1", "--out", planFile.toString());
        assertEquals(0, imported.exitCode(), imported::toString);
        String plan = Files.readString(planFile);
        assertTrue(plan.contains("  ambient:\n    namespaces:\n      - ledger\n      - reports\n    ztunnel:\n      version: 1.26.3\n"
                + "  clusters:\n"), plan);
        assertTrue(plan.contains("The stage of spec.ambient.ztunnel upgrades"), plan);
        Cli.Result validated = Cli.run("validate", planFile.toString());
        assertEquals(0, validated.exitCode(), validated::toString);
    }

    @Test
    void anExportWhoseNamespacesAreAllAmbientSaysSo() throws IOException {
        Path ns = Files.writeString(tmp.resolve("ns.yaml"), AMBIENT_EXPORT.replace("      istio.io/rev: 1-26-3\n", ""));
        Cli.Result result = Cli.run("import", "--namespaces", ns.toString(), "--to-version", "1.27.1");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().startsWith(ns + ":1:1: no namespace is injected (istio-injection=enabled or istio.io/rev); 2 namespaces are"
                + " ambient (istio.io/dataplane-mode=ambient), which no sidecar wave moves, and a plan needs at least one wave of sidecar"
                + " namespaces"), result::toString);
    }

    @Test
    void anExportWithoutInjectedNamespacesIsAnError() throws IOException {
        Path ns = Files.writeString(tmp.resolve("ns.yaml"), "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n"
                + "  metadata:\n    name: plain\n");
        Cli.Result result = Cli.run("import", "--namespaces", ns.toString(), "--to-version", "1.23.3-asm.2");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().startsWith(ns + ":1:1: no namespace is injected"), result::toString);
        Path broken = Files.writeString(tmp.resolve("broken.yaml"), "items: [\n");
        Cli.Result invalid = Cli.run("import", "--namespaces", broken.toString(), "--to-version", "1.23.3-asm.2");
        assertEquals(2, invalid.exitCode(), invalid::toString);
        assertTrue(invalid.err().matches("(?s)" + java.util.regex.Pattern.quote(broken.toString()) + ":\\d+:\\d+: not valid YAML.*"), invalid::toString);
    }

    @Test
    void flagsThatWouldMakeAnInvalidPlanAreRefusedBeforeAnythingIsPrinted() {
        Cli.Result result = Cli.run("import", "--namespaces", INVENTORY + "ns.yaml", "--to-version", "1.23.3-asm.2", "--to-revision", "default");
        assertEquals(2, result.exitCode(), result::toString);
        assertEquals("", result.out(), "no plan is printed");
        assertTrue(result.err().startsWith("meshwave: --to-revision: 'default' cannot be installed as a revision: "), result::toString);
        assertFalse(result.err().contains("meshwave-import-"), "no temporary file: " + result);
    }

    /**
     * Revisions named the Istio way ({@code 1-21-0}) are kept as installed, and the new revision may be
     * named that way too. Rule (issue 14 item 7): a revision is a lower-case DNS-1123 label such that
     * {@code istiod-<rev>} is a DNS-1035 name, so at most 56 characters (istio/istio master
     * operator/pkg/apis/validation/validation.go validateRevision uses IsDNS1123Label). Before, a new
     * revision had to start with a letter and a plain Istio plan defaulted to {@code istio-1-23-3}.
     */
    @Test
    void installedRevisionNamesAreKeptAndIstiosOwnFormIsTheDefault() throws IOException {
        Path namespaces = Files.writeString(tmp.resolve("ns.yaml"), """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Namespace
                  metadata:
                    name: shop
                    labels:
                      istio.io/rev: 1-21-0
                """);
        Cli.Result derived = Cli.run("import", "--namespaces", namespaces.toString(), "--to-version", "1.23.3");
        assertEquals(0, derived.exitCode(), derived::toString);
        assertTrue(derived.out().contains("  from:\n    revision: 1-21-0\n"), derived.out());
        assertTrue(derived.out().contains("  to:\n    version: 1.23.3\n    revision: 1-23-3\n"), derived.out());
        Cli.Result named = Cli.run("import", "--namespaces", namespaces.toString(), "--to-version", "1.23.3", "--to-revision", "1-23-3-canary");
        assertEquals(0, named.exitCode(), named::toString);
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), named.out());
        Cli.Result validated = Cli.run("validate", plan.toString());
        assertEquals(0, validated.exitCode(), validated::toString);
    }

    /** A version validate refuses is refused with validate's message for spec.to.version, naming the flag. */
    @ParameterizedTest
    @ValueSource(strings = {"1.23", "v1.23.3", "latest", "1.23.3-asm", "12345.1.1"})
    void aVersionValidateRefusesIsAUsageErrorInValidatesWords(String version) throws IOException {
        Cli.Result result = Cli.run("import", "--namespaces", INVENTORY + "ns.yaml", "--to-version", version);
        assertEquals(2, result.exitCode(), result::toString);
        assertEquals("", result.out(), "no plan is printed");
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), Files.readString(Path.of("examples/asm-upgrade/plan.yaml"))
                .replace("version: 1.14.0-asm.0", "version: '" + version + "'"));
        Cli.Result validated = Cli.run("validate", plan.toString());
        assertEquals(2, validated.exitCode(), validated::toString);
        String message = validated.err().lines().filter(l -> l.contains(": spec.to.version: ")).findFirst().orElseThrow();
        assertEquals("meshwave: --to-version: " + message.substring(message.indexOf(": spec.to.version: ") + ": spec.to.version: ".length())
                + "\n", result.err());
    }

    /** The walk a new user takes: import, validate, render, publish; and the same import through the launcher. */
    @Test
    void importThenValidateRenderAndPublish() throws IOException {
        Cli.Result imported = Cli.run("import", "--namespaces", INVENTORY + "ns.yaml", "--deployments", INVENTORY + "deploy.yaml",
                "--webhooks", INVENTORY + "webhooks.yaml", "--to-version", "1.23.3-asm.2", "--cluster", "prod-eu");
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), imported.out());
        assertEquals(0, Cli.run("validate", plan.toString()).exitCode());
        Path out = tmp.resolve("out");
        Cli.Result rendered = Cli.run("render", plan.toString(), "--out", out.toString());
        assertEquals(0, rendered.exitCode(), rendered::toString);
        assertTrue(Files.isRegularFile(out.resolve("clusters/prod-eu/mesh/stages/01-canary/namespaces.yaml")));
        Path remote = GitopsRepository.create(tmp.resolve("gitops.git"));
        Cli.Result published = Cli.run(new Environment(Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(),
                "HOME", tmp.resolve("home").toString(), "SOURCE_DATE_EPOCH", "1767225600"),
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)),
                "publish", plan.toString(), "--repo", remote.toUri().toString(), "--push");
        assertEquals(0, published.exitCode(), published::toString);
        assertTrue(git(remote, "for-each-ref", "--format=%(refname:short)").contains("meshwave/mesh-upgrade/04-tag-default"));

        Cli.Result launched = Processes.run(Path.of("."), Map.of(), List.of("./meshwave", "import", "--namespaces",
                INVENTORY + "ns.yaml", "--deployments", INVENTORY + "deploy.yaml", "--webhooks", INVENTORY + "webhooks.yaml",
                "--to-version", "1.23.3-asm.2", "--cluster", "prod-eu"));
        assertEquals(0, launched.exitCode(), launched::toString);
        assertEquals(imported.out(), launched.out(), "the launcher prints the same plan");
    }
}
