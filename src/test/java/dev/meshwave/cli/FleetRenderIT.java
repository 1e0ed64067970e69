package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Kustomize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet plans rendered into a GitOps repository: the fleet README and the controller manifests of
 * --emit go under meshwave/<plan>/, never over the repository's own files.
 */
class FleetRenderIT {

    private static final String PLAN = "examples/multi-project/plan.yaml";
    private static final String OWN = "meshwave/multi-project";

    @TempDir
    Path out;

    @TempDir
    Path plans;

    /** The example with {@code spec.gitops} settings appended. */
    private String planWith(String gitops) throws IOException {
        return Files.writeString(plans.resolve("plan.yaml"), Files.readString(Path.of(PLAN)) + gitops).toString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void emitsOneApplicationSetOverEveryClusterDirectory() throws IOException {
        String plan = planWith("""
                  gitops:
                    argocd:
                      repoURL: https://github.com/acme/gitops.git
                      targetRevision: main
                """);
        assertEquals(0, Cli.run("render", plan, "--out", out.toString(), "--emit", "argocd").exitCode());
        List<Map<String, Object>> objects = Kustomize.build(kustomization("argocd", OWN + "/argocd/applicationset.yaml"));
        assertEquals(1, objects.size());
        Map<String, Object> set = objects.get(0);
        assertEquals("ApplicationSet", set.get("kind"));
        assertEquals(List.of("clusters/cluster-1/mesh", "clusters/cluster-2/mesh", "clusters/cluster-3/mesh"),
                ((List<Map<String, Object>>) Kustomize.at(set, "spec", "generators", 0, "list", "elements")).stream()
                        .map(e -> e.get("path")).toList());
        assertEquals("https://github.com/acme/gitops.git", Kustomize.at(set, "spec", "template", "spec", "source", "repoURL"));
        assertEquals("main", Kustomize.at(set, "spec", "template", "spec", "source", "targetRevision"));
        assertEquals(2, ((List<Object>) Kustomize.at(set, "spec", "template", "spec", "ignoreDifferences")).size());
        assertTrue(Files.readString(out.resolve(OWN + "/argocd/README.md")).contains("kubectl apply -n argocd -f " + OWN
                + "/argocd/applicationset.yaml"));
    }

    @Test
    void argocdWithoutARepositoryUrlIsAUsageErrorNamingThePlanField() {
        Cli.Result result = Cli.run("render", PLAN, "--out", out.toString(), "--emit", "argocd");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains(PLAN + ":") && result.err().contains("needs spec.gitops.argocd.repoURL"), result::toString);
        assertTrue(Files.notExists(out.resolve("clusters")), "nothing is written");
    }

    /**
     * Each cluster's Flux applies its own directory, listed from the kustomization.yaml of its bootstrap
     * path as the README says; the build of that bootstrap kustomization holds exactly that cluster's
     * Kustomization, with the source flux bootstrap made.
     */
    @Test
    void eachClustersBootstrapPathBuildsItsOwnFluxKustomization() throws IOException {
        assertEquals(0, Cli.run("render", PLAN, "--out", out.toString(), "--emit", "flux").exitCode());
        for (String cluster : List.of("cluster-1", "cluster-2", "cluster-3")) {
            Path bootstrap = out.resolve("clusters/" + cluster);
            Files.writeString(bootstrap.resolve("kustomization.yaml"),
                    "resources:\n- ../../" + OWN + "/flux/" + cluster + "\n");
            List<Map<String, Object>> objects = Kustomize.build(bootstrap);
            assertEquals(1, objects.size(), objects::toString);
            Map<String, Object> kustomization = objects.get(0);
            assertEquals("kustomize.toolkit.fluxcd.io/v1", kustomization.get("apiVersion"));
            assertEquals("mesh-" + cluster, Kustomize.at(kustomization, "metadata", "name"));
            assertEquals("flux-system", Kustomize.at(kustomization, "metadata", "namespace"));
            assertEquals("./clusters/" + cluster + "/mesh", Kustomize.at(kustomization, "spec", "path"));
            assertEquals(true, Kustomize.at(kustomization, "spec", "prune"));
            assertEquals(Map.of("kind", "GitRepository", "name", "flux-system"), Kustomize.at(kustomization, "spec", "sourceRef"));
        }
    }

    @Test
    void aRepositorysOwnReadmeStaysByteIdentical() throws IOException {
        byte[] own = "# our GitOps repository\r\n\nKept as it is.".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(out.resolve("README.md"), own);
        Cli.Result result = Cli.run("render", PLAN, "--out", out.toString(), "--emit", "flux");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(java.util.Arrays.equals(own, Files.readAllBytes(out.resolve("README.md"))));
        assertTrue(Files.readString(out.resolve(OWN + "/README.md")).startsWith("<!-- Generated by meshwave"));
        assertEquals(0, Cli.run("render", PLAN, "--out", out.toString(), "--emit", "flux", "--check").exitCode());
        assertTrue(java.util.Arrays.equals(own, Files.readAllBytes(out.resolve("README.md"))));
    }

    @Test
    void aFileMeshwaveDidNotWriteUnderItsDirectoryIsNeverReplaced() throws IOException {
        Files.createDirectories(out.resolve(OWN));
        Files.writeString(out.resolve(OWN + "/README.md"), "notes of ours\n");
        Cli.Result result = Cli.run("render", PLAN, "--out", out.toString());
        assertEquals(3, result.exitCode(), result::toString);
        assertEquals("notes of ours\n", Files.readString(out.resolve(OWN + "/README.md")));
        assertTrue(Files.notExists(out.resolve("clusters")), "nothing is written when one file is unsafe");
    }

    /** The plan holds the user's choices, so --check with the same --emit matches; without --emit it ignores the files. */
    @Test
    void checkComparesEmittedFilesOnlyWhenAskedToEmitThem() throws IOException {
        String plan = planWith("""
                  gitops:
                    argocd: {repoURL: "ssh://git@git.acme.internal/platform/gitops.git", project: mesh}
                    flux: {interval: 5m, sourceRef: {name: platform}}
                """);
        assertEquals(0, Cli.run("render", plan, "--out", out.toString(), "--emit", "argocd,flux").exitCode());
        assertEquals(0, Cli.run("render", plan, "--out", out.toString(), "--emit", "argocd,flux", "--check").exitCode());
        assertEquals(0, Cli.run("render", plan, "--out", out.toString(), "--check").exitCode());
        Path emitted = out.resolve(OWN + "/flux/cluster-2/mesh-cluster-2.yaml");
        Files.writeString(emitted, Files.readString(emitted).replace("interval: 5m", "interval: 1m"));
        Cli.Result drift = Cli.run("render", plan, "--out", out.toString(), "--emit", "flux", "--check");
        assertEquals(1, drift.exitCode(), drift::toString);
        assertTrue(drift.out().contains("-  interval: 1m\n+  interval: 5m\n"), drift::toString);
        assertEquals(0, Cli.run("render", plan, "--out", out.toString(), "--check").exitCode());
    }

    @Test
    void theFleetReadmeHasTheWaveByClusterMatrix() throws IOException {
        assertEquals(0, Cli.run("render", PLAN, "--out", out.toString()).exitCode());
        String readme = Files.readString(out.resolve(OWN + "/README.md"));
        assertTrue(readme.contains("| `canary` | frontend, checkout | `01-canary` | — | — |"), readme);
        assertTrue(readme.contains("| `finalize` | | `02-finalize` | `02-finalize` | `02-finalize` |"), readme);
        assertTrue(readme.contains("| `fleet` | frontend, checkout | — | `01-fleet` | `01-fleet` |"), readme);
        assertFalse(Files.exists(out.resolve("README.md")), "nothing at the output root");
        assertEquals(0, Cli.run("render", PLAN, "--out", out.toString(), "--check").exitCode());
    }

    /** A kustomization in a scratch directory that lists one rendered file, so kubectl kustomize parses it. */
    private Path kustomization(String name, String file) throws IOException {
        Path dir = plans.resolve(name);
        Files.createDirectories(dir);
        Files.copy(out.resolve(file), dir.resolve("object.yaml"));
        Files.writeString(dir.resolve("kustomization.yaml"), "resources:\n- object.yaml\n");
        return dir;
    }
}
