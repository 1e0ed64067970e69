package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitCli;
import dev.meshwave.testing.GitopsRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code namespacesFrom} checked against the repository (issue 18): the kustomization is built with the real
 * {@code kubectl kustomize} before anything is written, and what it builds is what the checks and the README
 * reason about. Each test here failed before that check existed.
 */
class NamespacesFromRepositoryIT {

    private static final Path FIXTURE = Path.of("src/test/resources/namespaces-from");
    private static final Path PLAN = FIXTURE.resolve("plan.yaml");

    @TempDir
    Path out;

    private Path namespaces;

    @BeforeEach
    void copyTheRepository() throws IOException {
        copy(FIXTURE.resolve("root"), out);
        namespaces = out.resolve("platform/namespaces");
    }

    /** Defect (a): a wave namespace the kustomization does not hold rendered with exit 0 and broke the stage in Argo CD or Flux. */
    @Test
    void aWaveNamespaceTheKustomizationDoesNotHoldIsAnErrorAtItsWaveEntry() throws IOException {
        Path file = namespaces.resolve("namespaces.yaml");
        Files.writeString(file, Files.readString(file).replace("name: billing", "name: billing-v2"));
        String expected = PLAN + ":19:20: spec.waves[1].namespaces[0]: cluster edge: namespace 'billing' of wave 'second'"
                + " is not in namespacesFrom platform/namespaces (kubectl kustomize " + out + "/platform/namespaces builds no"
                + " Namespace of that name), so the wave's patch would fail with \"no resource matches strategic merge patch\"";

        Cli.Result validate = Cli.run("validate", PLAN.toString(), "--out", out.toString());
        assertEquals(2, validate.exitCode(), validate::toString);
        assertTrue(validate.err().contains(expected), validate::toString);

        Map<String, String> before = everything(out);
        Cli.Result render = Cli.run("render", PLAN.toString(), "--out", out.toString());
        assertEquals(2, render.exitCode(), render::toString);
        assertTrue(render.err().contains(expected), render::toString);
        assertEquals(before, everything(out), "nothing written");
    }

    /** Two Namespace objects of one name (kustomize keeps both when their apiVersions differ): the wave patches one of them. */
    @Test
    void aNamespaceBuiltTwiceIsAnErrorNamingBothPlaces() throws IOException {
        Files.writeString(namespaces.resolve("again.yaml"), "apiVersion: v1beta1\nkind: Namespace\nmetadata:\n  name: shop\n");
        Files.writeString(namespaces.resolve("kustomization.yaml"), Files.readString(namespaces.resolve("kustomization.yaml"))
                + "- again.yaml\n");
        Cli.Result result = Cli.run("validate", PLAN.toString(), "--out", out.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains(PLAN + ":17:20: spec.waves[0].namespaces[0]: cluster edge: namespace 'shop' of wave 'first'"
                + " is built twice by namespacesFrom platform/namespaces, at " + out + "/platform/namespaces/again.yaml:1:1 and at "
                + out + "/platform/namespaces/namespaces.yaml:1:1"), result::toString);
    }

    /**
     * Defect (b): the simulation assumed {@code istio.io/rev=<from>} for every namespace; with the repository it
     * starts from the labels the kustomization builds.
     */
    @Test
    void explainStartsFromTheLabelsTheKustomizationBuilds() throws IOException {
        Path file = namespaces.resolve("namespaces.yaml");
        Files.writeString(file, Files.readString(file).replace("istio-injection: enabled", "istio-injection: disabled"));
        Cli.Result result = Cli.run("explain", PLAN.toString(), "--namespace", "billing", "--stage", "0", "--out", out.toString());
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().contains("stage 00-control-plane: namespace labels {istio-injection=disabled};"),
                result::toString);
    }

    /**
     * Defect (b), through the safety check: a namespace the repository labels both {@code istio-injection} and
     * {@code istio.io/rev} is injected by the default injector whatever its revision says (MESH-FACTS §2), which
     * validate must report until its wave removes {@code istio-injection}; it assumed {@code istio.io/rev} alone.
     */
    @Test
    void validateJudgesTheLabelsTheKustomizationBuilds() throws IOException {
        Path file = namespaces.resolve("namespaces.yaml");
        Files.writeString(file, Files.readString(file).replace("    istio-injection: enabled\n",
                "    istio-injection: enabled\n    istio.io/rev: asm-1130-0\n"));
        Cli.Result assumed = Cli.run("validate", PLAN.toString());
        assertEquals(0, assumed.exitCode(), assumed::toString);
        Cli.Result withRepository = Cli.run("validate", PLAN.toString(), "--out", out.toString());
        assertEquals(2, withRepository.exitCode(), withRepository::toString);
        assertTrue(withRepository.err().contains(PLAN + ":19:20: spec.waves[1].namespaces[0]: stages 00-control-plane, 01-first:"
                + " namespace 'billing' carries both istio-injection and istio.io/rev"), withRepository::toString);
    }

    /**
     * Defect (c): the README said the Namespaces "carry Delete=false and Flux prune: disabled too" although
     * meshwave does not render them; it now says which built Namespaces carry the protection and which do not.
     * Argo CD: argoproj/argo-cd@v3.5.1:docs/user-guide/sync-options.md ("No Resource Deletion", Delete=false);
     * Flux: fluxcd/kustomize-controller@v1.9.4:docs/spec/v1/kustomizations.md (prune: disabled, label or annotation).
     */
    @Test
    void readmeSaysWhichNamespacesCarryDeleteProtection() throws IOException {
        Path file = namespaces.resolve("namespaces.yaml");
        Files.writeString(file, Files.readString(file).replace("  name: shop\n", "  name: shop\n  annotations:\n"
                + "    argocd.argoproj.io/sync-options: Prune=false,Delete=false\n    kustomize.toolkit.fluxcd.io/prune: disabled\n"));
        Cli.Result result = Cli.run("render", PLAN.toString(), "--out", out.toString());
        assertEquals(0, result.exitCode(), result::toString);
        String readme = Files.readString(out.resolve("clusters/edge/mesh/README.md"));
        assertFalse(readme.contains("carry `Delete=false` and Flux `prune: disabled` too"), readme);
        assertTrue(readme.contains("Namespace `shop` carries both."), readme);
        assertTrue(readme.contains("Namespace `billing` carries neither: removing the mesh application may delete it."), readme);
    }

    /** Defect (d): a kustomization that also builds workloads makes the mesh stages a second owner of them. */
    @Test
    void aKustomizationThatBuildsMoreThanNamespacesIsRefused() throws IOException {
        Files.writeString(namespaces.resolve("web.yaml"), "# the storefront's own workload\napiVersion: apps/v1\nkind: Deployment\n"
                + "metadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n"
                + "    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: web:1\n");
        Files.writeString(namespaces.resolve("kustomization.yaml"), Files.readString(namespaces.resolve("kustomization.yaml"))
                + "- web.yaml\n");
        Map<String, String> before = everything(out);
        Cli.Result result = Cli.run("render", PLAN.toString(), "--out", out.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains(PLAN + ":14:23: spec.clusters[0].namespacesFrom: cluster edge: namespacesFrom"
                + " platform/namespaces builds Deployment shop/web (" + out + "/platform/namespaces/web.yaml:2:1), which is not"
                + " a Namespace: every stage would apply it too, and two applications would own it"), result::toString);
        assertEquals(before, everything(out), "nothing written");
    }

    /**
     * publish builds namespacesFrom from the base branch the waves are committed on (not the working tree) and
     * refuses before any branch is made.
     */
    @Test
    void publishChecksTheBaseBranchBeforeMakingBranches(@TempDir Path tmp) throws IOException {
        Path file = namespaces.resolve("namespaces.yaml");
        String fixed = Files.readString(file);
        Files.writeString(file, fixed.replace("name: billing", "name: billing-v2"));
        GitCli.git(out, "init", "-q", "-b", "main");
        GitCli.git(out, "add", "-A");
        GitCli.git(out, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "namespaces");
        Files.writeString(file, fixed); // fixed in the working tree only: the branches would build on main
        Map<String, String> variables = GitopsRepository.publishEnvironment(tmp);
        variables.put("PATH", System.getenv("PATH"));
        Cli.Result result = Cli.run(new dev.meshwave.cli.Environment(variables, java.time.Clock.systemUTC()),
                "publish", PLAN.toString(), "--repo", out.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains(PLAN + ":19:20: spec.waves[1].namespaces[0]: cluster edge: namespace 'billing' of wave 'second'"
                + " is not in namespacesFrom platform/namespaces (kubectl kustomize " + out + "@main/platform/namespaces builds no"
                + " Namespace of that name)"), result::toString);
        assertEquals("", GitCli.git(out, "branch", "--list", "meshwave/*"), "no branch made");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
    }

    /** Every entry under {@code dir}: a file's text, a directory's name. */
    private static Map<String, String> everything(Path dir) throws IOException {
        Map<String, String> entries = new java.util.TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                entries.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "(directory)" : Files.readString(p));
            }
        }
        return entries;
    }
}
