package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Fleet plans: the fleet README at the output root and the GitOps controller manifests of --emit. */
class FleetRenderIT {

    private static final String PLAN = "examples/multi-project/plan.yaml";

    @TempDir
    Path out;

    @Test
    @SuppressWarnings("unchecked")
    void emitsOneApplicationSetOverEveryClusterDirectory() throws IOException {
        assertEquals(0, Cli.run("render", PLAN, "--out", out.toString(), "--emit", "argocd").exitCode());
        Map<String, Object> set = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(out.resolve("argocd/applicationset.yaml")));
        assertEquals("argoproj.io/v1alpha1", set.get("apiVersion"));
        assertEquals("ApplicationSet", set.get("kind"));
        Map<String, Object> spec = (Map<String, Object>) set.get("spec");
        assertEquals(true, spec.get("goTemplate"));
        Map<String, Object> git = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) spec.get("generators")).get(0)).get("git");
        assertEquals(List.of(Map.of("path", "clusters/cluster-1/mesh"), Map.of("path", "clusters/cluster-2/mesh"),
                Map.of("path", "clusters/cluster-3/mesh")), git.get("directories"));
        Map<String, Object> template = (Map<String, Object>) spec.get("template");
        Map<String, Object> appSpec = (Map<String, Object>) template.get("spec");
        assertEquals("{{ index .path.segments 1 }}", ((Map<String, Object>) appSpec.get("destination")).get("name"));
        assertEquals("{{ .path.path }}", ((Map<String, Object>) appSpec.get("source")).get("path"));
        assertEquals("mesh-{{ index .path.segments 1 }}", ((Map<String, Object>) template.get("metadata")).get("name"));
        assertEquals(2, ((List<Object>) appSpec.get("ignoreDifferences")).size());
    }

    @Test
    @SuppressWarnings("unchecked")
    void emitsAFluxKustomizationPerCluster() throws IOException {
        assertEquals(0, Cli.run("render", PLAN, "--out", out.toString(), "--emit", "flux").exitCode());
        for (String cluster : List.of("cluster-1", "cluster-2", "cluster-3")) {
            Map<String, Object> kustomization = (Map<String, Object>) new Load(LoadSettings.builder().build())
                    .loadFromString(Files.readString(out.resolve("flux/" + cluster + ".yaml")));
            assertEquals("kustomize.toolkit.fluxcd.io/v1", kustomization.get("apiVersion"));
            assertEquals("Kustomization", kustomization.get("kind"));
            Map<String, Object> spec = (Map<String, Object>) kustomization.get("spec");
            assertEquals("./clusters/" + cluster + "/mesh", spec.get("path"));
            assertEquals(true, spec.get("prune"));
            assertEquals("10m", spec.get("interval"));
            assertEquals(Map.of("kind", "GitRepository", "name", "gitops"), spec.get("sourceRef"));
        }
    }

    @Test
    void argocdNeedsTheClusterNameAtTheSamePlaceInEveryPath(@TempDir Path plans) throws IOException {
        Path plan = Files.writeString(plans.resolve("plan.yaml"), Files.readString(Path.of(PLAN))
                .replace("path: clusters/cluster-3/mesh", "path: fleet/eu/cluster-3"));
        Cli.Result result = Cli.run("render", plan.toString(), "--out", out.toString(), "--emit", "argocd");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("'fleet/eu/cluster-3' does not for cluster cluster-3"), result::toString);
    }

    @Test
    void theFleetReadmeNeverReplacesAReadmeMeshwaveDidNotWrite() throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve("README.md"), "# our GitOps repository\n");
        Cli.Result result = Cli.run("render", PLAN, "--out", out.toString());
        assertEquals(3, result.exitCode(), result::toString);
        assertEquals("# our GitOps repository\n", Files.readString(out.resolve("README.md")));
        assertTrue(Files.notExists(out.resolve("clusters")), "nothing is written when one file is unsafe");
    }

    @Test
    void theFleetReadmeHasTheWaveByClusterMatrix() throws IOException {
        assertEquals(0, Cli.run("render", PLAN, "--out", out.toString()).exitCode());
        String readme = Files.readString(out.resolve("README.md"));
        assertTrue(readme.contains("| `canary` | frontend, checkout | `01-canary` | — | — |"), readme);
        assertTrue(readme.contains("| `finalize` | | `02-finalize` | `02-finalize` | `02-finalize` |"), readme);
        assertTrue(readme.contains("| `fleet` | frontend, checkout | — | `01-fleet` | `01-fleet` |"), readme);
        assertEquals(0, Cli.run("render", PLAN, "--out", out.toString(), "--check").exitCode());
    }
}
