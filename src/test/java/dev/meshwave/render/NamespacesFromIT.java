package dev.meshwave.render;

import static dev.meshwave.testing.Kustomize.build;
import static dev.meshwave.testing.Kustomize.find;
import static dev.meshwave.testing.Kustomize.labels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code namespacesFrom}: the stages include the user's kustomization and patch its Namespaces. */
class NamespacesFromIT {

    private static final Path FIXTURE = Path.of("src/test/resources/namespaces-from");

    @TempDir
    Path out;

    private Path cluster;

    @BeforeEach
    void render() throws IOException {
        try (Stream<Path> files = Files.walk(FIXTURE.resolve("root"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = out.resolve(FIXTURE.resolve("root").relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
        Cli.Result result = Cli.run("render", FIXTURE.resolve("plan.yaml").toString(), "--out", out.toString());
        assertEquals(0, result.exitCode(), result::toString);
        cluster = out.resolve("clusters/edge/mesh");
    }

    @Test
    void controlPlaneStageIncludesTheExistingKustomizationAndGeneratesNoNamespaces() throws IOException {
        assertFalse(Files.exists(cluster.resolve("stages/00-control-plane/namespaces.yaml")));
        assertTrue(Files.readString(cluster.resolve("stages/00-control-plane/kustomization.yaml"))
                .contains("- ../../../../../platform/namespaces\n"));
        List<Map<String, Object>> objects = build(cluster.resolve("stages/00-control-plane"));
        assertEquals(Map.of("team", "storefront", "istio.io/rev", "asm-1130-0"), labelsOf(objects, "shop"));
        assertEquals(Map.of("team", "payments", "istio-injection", "enabled"), labelsOf(objects, "billing"));
        assertEquals(Map.of("team", "platform"), labelsOf(objects, "tools"));
    }

    /** The README promises Namespace delete protection only where meshwave renders the Namespaces. */
    @Test
    void readmePromisesNoProtectionTheStagesDoNotRender() throws IOException {
        List<Map<String, Object>> namespaces = build(cluster.resolve("stages/00-control-plane")).stream()
                .filter(o -> "Namespace".equals(o.get("kind"))).toList();
        assertTrue(namespaces.stream().noneMatch(ns -> ((Map<?, ?>) ns.get("metadata")).containsKey("annotations")),
                "the fixture's Namespaces carry no sync options");
        String readme = Files.readString(cluster.resolve("README.md"));
        assertFalse(readme.contains("Namespaces carry `argocd.argoproj.io/sync-options"), readme);
        assertTrue(readme.contains("The Namespace objects come from `platform/namespaces`, which meshwave does not render"), readme);
    }

    @Test
    void wavesPatchOnlyTheInjectionLabelsOfTheirNamespaces() {
        List<Map<String, Object>> first = build(cluster.resolve("stages/01-first"));
        assertEquals(Map.of("team", "storefront", "istio.io/rev", "asm-1140-0"), labelsOf(first, "shop"));
        assertEquals(Map.of("team", "payments", "istio-injection", "enabled"), labelsOf(first, "billing"));
        List<Map<String, Object>> second = build(cluster.resolve("stages/02-second"));
        assertEquals(Map.of("team", "payments", "istio.io/rev", "asm-1140-0"), labelsOf(second, "billing"));
        assertEquals(Map.of("team", "platform"), labelsOf(second, "tools"));
        List<Map<String, Object>> finalize = build(cluster.resolve("stages/03-finalize"));
        assertTrue(find(finalize, "Service", "istio-system", "istiod").isPresent());
    }

    @Test
    void theUsersFilesAreLeftAsTheyWere() throws IOException {
        assertEquals(Files.readString(FIXTURE.resolve("root/platform/namespaces/namespaces.yaml")),
                Files.readString(out.resolve("platform/namespaces/namespaces.yaml")));
    }

    /**
     * Rule: sidecar injection takes precedence over ztunnel capture, so a wave that labels an ambient
     * namespace istio.io/rev gives it sidecars at its next restart (MESH-FACTS §12;
     * istio.io/latest/docs/ambient/migrate/enable-ambient-mode/: "The sidecar takes precedence over ztunnel
     * for pods that have both"; istio/istio pkg/kube/inject does not read istio.io/dataplane-mode). render
     * builds the namespacesFrom kustomization and refuses, at the ambient label.
     */
    @Test
    void aWaveThatWouldTurnAnAmbientNamespaceSidecarIsRefused() throws IOException {
        Path namespaces = out.resolve("platform/namespaces/namespaces.yaml");
        Files.writeString(namespaces, Files.readString(namespaces).replace("    team: payments\n",
                "    team: payments\n    istio.io/dataplane-mode: ambient\n"));
        // A cluster directory the refused render would replace: the refusal comes after rendering (into staging
        // directories beside it) and before anything is swapped in.
        Files.writeString(cluster.resolve("README.md"), "edited since\n", java.nio.file.StandardOpenOption.APPEND);
        Map<String, String> before = everything(out);
        Cli.Result result = Cli.run("render", FIXTURE.resolve("plan.yaml").toString(), "--out", out.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertEquals(before, everything(out), "the output directory as it was, and no staging directory left");
        assertTrue(result.err().startsWith(out + "/platform/namespaces/namespaces.yaml:15:5: cluster edge: namespace 'billing' is ambient"
                + " (istio.io/dataplane-mode=ambient in namespacesFrom platform/namespaces) and wave 'second' would label it"
                + " istio.io/rev=asm-1140-0; sidecar injection takes precedence over ztunnel capture, so its next restart would"
                + " add sidecars"), result::toString);
        assertTrue(result.err().endsWith("1 error\n"), result::toString);
    }

    /** An ambient wave naming a namespace the repository already makes ambient has nothing to migrate: refused at the label. */
    @Test
    void anAmbientWaveOfANamespaceThatIsAmbientAlreadyIsRefused(@TempDir Path planDir) throws IOException {
        Path namespaces = out.resolve("platform/namespaces/namespaces.yaml");
        Files.writeString(namespaces, Files.readString(namespaces).replace("    team: payments\n",
                "    team: payments\n    istio.io/dataplane-mode: ambient\n"));
        Path plan = planDir.resolve("plan.yaml");
        Files.writeString(plan, """
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: ns-from
                spec:
                  from: {revision: 1-25-2}
                  to: {version: 1.26.1, revision: 1-26-1, install: istioctl}
                  clusters:
                    - {name: edge, path: clusters/edge/mesh, namespacesFrom: platform/namespaces}
                  waves:
                    - {name: first, namespaces: [shop]}
                    - {name: second, dataplane: ambient, namespaces: [billing]}
                """);
        Cli.Result result = Cli.run("validate", plan.toString(), "--out", out.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("namespace 'billing' is ambient (istio.io/dataplane-mode=ambient in namespacesFrom"
                + " platform/namespaces) already, so ambient wave 'second' has nothing to migrate"), result::toString);
    }

    /** kubectl is looked for on the PATH of the run's environment, not the JVM's: without it the check is skipped, and said. */
    @Test
    void kubectlIsLookedForOnTheRunsPath(@TempDir Path emptyBin) throws IOException {
        Path namespaces = out.resolve("platform/namespaces/namespaces.yaml");
        Files.writeString(namespaces, Files.readString(namespaces).replace("    team: payments\n",
                "    team: payments\n    istio.io/dataplane-mode: ambient\n"));
        Map<String, String> variables = new java.util.HashMap<>(System.getenv());
        variables.put("PATH", emptyBin.toString());
        Cli.Result result = Cli.run(new dev.meshwave.cli.Environment(variables, java.time.Clock.systemUTC()),
                "render", FIXTURE.resolve("plan.yaml").toString(), "--out", out.toString());
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.err().contains("namespacesFrom not checked against the repository: cannot run kubectl kustomize (not found on PATH)"),
                result::toString);
    }

    /** Every entry under {@code dir}, hidden ones too: a file's text, a directory's name. */
    private static Map<String, String> everything(Path dir) throws IOException {
        Map<String, String> entries = new java.util.TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                entries.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "(directory)" : Files.readString(p));
            }
        }
        return entries;
    }

    private static Map<String, Object> labelsOf(List<Map<String, Object>> objects, String namespace) {
        return labels(find(objects, "Namespace", null, namespace).orElseThrow());
    }
}
