package dev.meshwave.inplace;

import static dev.meshwave.testing.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.cli.Environment;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitopsRepository;
import dev.meshwave.testing.Kustomize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/inplace end to end: the teams' repository (examples/inplace/repository: team folders with their own
 * namespace files in a base, two overlays, a label set by prod's overlay patch and one by a Component only prod
 * includes, Flux Kustomizations per cluster) upgraded without being restructured. Every expected label is written
 * here by hand from the plan: frontend moves in wave canary, payments in wave payments (both clusters), checkout
 * and orders in wave prod-apps (prod only).
 */
class InPlaceIT {

    private static final String PLAN = "examples/inplace/plan.yaml";
    private static final Path REPOSITORY = Path.of("examples/inplace/repository");
    /** The label line of each namespace on prod, as the repository writes it. */
    private static final Map<String, String> LINES = Map.of(
            "frontend", "apps/base/frontend/namespace.yaml",
            "payments", "apps/base/payments/namespace.yaml",
            "checkout", "apps/overlays/prod/checkout-mesh.yaml",
            "orders", "components/mesh-orders/kustomization.yaml");

    @TempDir
    Path tmp;

    @Test
    void eachStageRewritesOnlyTheLabelLinesAndTheTreesBuildWithThem() throws Exception {
        Path repo = copy();
        Map<String, List<String>> moved = Map.of(
                "00-control-plane", List.of(),
                "01-canary", List.of("frontend"),
                "02-payments", List.of("frontend", "payments"),
                "03-prod-apps", List.of("frontend", "payments", "checkout", "orders"));
        for (Map.Entry<String, List<String>> stage : new TreeMap<>(moved).entrySet()) {
            Cli.Result render = Cli.run("render", PLAN, "--out", repo.toString(), "--live", stage.getKey(), "--quiet");
            assertEquals(0, render.exitCode(), render::toString);
            int changed = 0;
            for (String file : List.copyOf(new java.util.TreeSet<>(LINES.values()))) {
                List<String> before = Files.readAllLines(REPOSITORY.resolve(file));
                List<String> after = Files.readAllLines(repo.resolve(file));
                assertEquals(before.size(), after.size(), file);
                for (int i = 0; i < before.size(); i++) {
                    if (!before.get(i).equals(after.get(i))) {
                        changed++;
                        assertEquals(before.get(i).replace("1-26-5", "1-27-3").replace("istio-injection: enabled", "istio.io/rev: 1-27-3"),
                                after.get(i), "only the label changes: " + file);
                    }
                }
            }
            assertEquals(stage.getValue().size(), changed, stage.getKey() + ": one line per moved namespace");
            assertUnchangedExcept(repo, LINES.values());
            List<Map<String, Object>> prod = Kustomize.build(repo.resolve("apps/overlays/prod"));
            for (String namespace : LINES.keySet()) {
                Map<String, Object> labels = new TreeMap<>(Kustomize.labels(Kustomize.find(prod, "Namespace", null, namespace).orElseThrow()));
                labels.keySet().retainAll(List.of("istio.io/rev", "istio-injection"));
                assertEquals(stage.getValue().contains(namespace) ? Map.of("istio.io/rev", "1-27-3")
                        : namespace.equals("frontend") ? Map.of("istio-injection", "enabled") : Map.of("istio.io/rev", "1-26-5"),
                        labels, stage.getKey() + " " + namespace);
            }
            Kustomize.build(repo.resolve("clusters/prod/mesh"));
        }
        Cli.Result check = Cli.run("render", PLAN, "--out", repo.toString(), "--check");
        assertEquals(0, check.exitCode(), check::toString);
        Cli.Result back = Cli.run("render", PLAN, "--out", repo.toString(), "--live", "00-control-plane", "--quiet");
        assertEquals(0, back.exitCode(), back::toString);
        for (String file : LINES.values()) {
            assertEquals(Files.readString(REPOSITORY.resolve(file)), Files.readString(repo.resolve(file)), "rolled back byte for byte: " + file);
        }
    }

    @Test
    void checkReportsALabelEditedByHand() throws Exception {
        Path repo = copy();
        assertEquals(0, Cli.run("render", PLAN, "--out", repo.toString(), "--live", "01-canary", "--quiet").exitCode());
        Path frontend = repo.resolve(LINES.get("frontend"));
        Files.writeString(frontend, Files.readString(frontend).replace("istio.io/rev: 1-27-3", "istio.io/rev: 1-26-5"));
        Cli.Result check = Cli.run("render", PLAN, "--out", repo.toString(), "--check");
        assertEquals(1, check.exitCode(), check::toString);
        assertTrue(check.out().contains("+++ b/apps/base/frontend/namespace.yaml"), check::toString);
        assertTrue(check.out().contains("+    istio.io/rev: 1-27-3 # sidecars on"), check::toString);
    }

    /** A label the plan does not move from (here: another revision) is never rewritten: exit 2 at the line, nothing written. */
    @Test
    void aRepositoryThatDisagreesWithThePlanIsRefusedAtItsLineAndNothingIsWritten() throws Exception {
        Path repo = copy();
        Path payments = repo.resolve(LINES.get("payments"));
        Files.writeString(payments, Files.readString(payments).replace("'1-26-5'", "'1-25-2'"));
        Cli.Result render = Cli.run("render", PLAN, "--out", repo.toString(), "--live", "02-payments");
        assertEquals(2, render.exitCode(), render::toString);
        assertTrue(render.err().contains(repo + "/apps/base/payments/namespace.yaml:5:29: cluster prod: namespace payments is labelled"
                + " istio.io/rev=1-25-2 in the repository, but the plan moves it from istio.io/rev=1-26-5"), render::toString);
        assertFalse(Files.exists(repo.resolve("clusters/prod/mesh")), "nothing rendered");
        assertTrue(Files.readString(payments).contains("'1-25-2'"));
    }

    /**
     * An ambient namespace (istio.io/dataplane-mode=ambient) given istio.io/rev by a wave would get sidecars at its next
     * restart, since sidecar injection takes precedence over ztunnel capture (istio.io, ambient mode): refused at its label.
     */
    @Test
    void anAmbientNamespaceIsNeverRelabelledForSidecars() throws Exception {
        Path repo = copy();
        Path orders = repo.resolve("apps/base/orders/namespace.yaml");
        Files.writeString(orders, Files.readString(orders).replace("    team: orders\n", "    team: orders\n    istio.io/dataplane-mode: ambient\n"));
        Cli.Result render = Cli.run("render", PLAN, "--out", repo.toString());
        assertEquals(2, render.exitCode(), render::toString);
        assertTrue(render.err().contains(repo + "/apps/base/orders/namespace.yaml:6:5: cluster prod: namespace 'orders' is ambient"
                + " (istio.io/dataplane-mode=ambient in namespacesIn clusters/prod) and wave 'prod-apps' would label it istio.io/rev=1-27-3"),
                render::toString);
        assertFalse(Files.exists(repo.resolve("clusters/prod/mesh")), "nothing rendered");
    }

    /** A moved namespace's label put back by hand disagrees with the live stage: refused at the line, not overwritten. */
    @Test
    void aMovedLabelPutBackByHandIsRefusedRatherThanOverwritten() throws Exception {
        Path repo = copy();
        assertEquals(0, Cli.run("render", PLAN, "--out", repo.toString(), "--live", "01-canary", "--quiet").exitCode());
        Path frontend = repo.resolve(LINES.get("frontend"));
        Files.writeString(frontend, Files.readString(frontend).replace("istio.io/rev: 1-27-3", "istio-injection: enabled"));
        Cli.Result render = Cli.run("render", PLAN, "--out", repo.toString(), "--live", "02-payments");
        assertEquals(2, render.exitCode(), render::toString);
        assertTrue(render.err().contains(repo + "/apps/base/frontend/namespace.yaml:8:5: cluster prod: namespace frontend is labelled"
                + " istio-injection=enabled in the repository, but the plan's live stage has istio.io/rev=1-27-3"), render::toString);
        assertTrue(Files.readString(frontend).contains("istio-injection: enabled"), "left as the team wrote it");
    }

    @Test
    void aPlanNamespaceTheClustersTreeDoesNotBuildIsRefused() throws Exception {
        Path repo = copy();
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), Files.readString(Path.of(PLAN))
                .replace("namespaces: [frontend]", "namespaces: [frontend, billing]"));
        Cli.Result render = Cli.run("render", plan.toString(), "--out", repo.toString());
        assertEquals(2, render.exitCode(), render::toString);
        assertTrue(render.err().contains("clusters/prod:1:1: cluster prod: namespace billing is not built by clusters/prod"), render::toString);
    }

    /**
     * Publishing stacks one branch per stage, each the previous one plus its wave's label lines; the rollback of a
     * merged wave is the inverse edit. Checked with the real git CLI.
     */
    @Test
    void publishedWavesAreLabelLineEditsAndTheRollbackIsTheirInverse() throws Exception {
        Path remote = GitopsRepository.create(tmp.resolve("gitops.git"));
        Map<String, String> env = GitopsRepository.publishEnvironment(tmp);
        Path work = tmp.resolve("seed");
        git(tmp, "clone", "-q", remote.toString(), work.toString());
        dev.meshwave.cli.GoldenITAccess.copyTree(REPOSITORY, work);
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "the teams' manifests");
        git(work, "push", "-q", "origin", "HEAD:main");
        Environment environment = new Environment(env, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        Cli.Result published = Cli.run(environment, "publish", PLAN, "--repo", remote.toUri().toString(), "--push");
        assertEquals(0, published.exitCode(), published::toString);

        String prefix = "meshwave/inplace/";
        assertEquals(List.of(), teamLinesChanged(remote, "main", prefix + "00-control-plane"));
        assertEquals(List.of("-    istio-injection: enabled # sidecars on", "+    istio.io/rev: 1-27-3 # sidecars on"),
                teamLinesChanged(remote, prefix + "00-control-plane", prefix + "01-canary"));
        assertEquals(List.of("-  labels: {team: payments, \"istio.io/rev\": '1-26-5', tier: critical}",
                        "+  labels: {team: payments, \"istio.io/rev\": '1-27-3', tier: critical}"),
                teamLinesChanged(remote, prefix + "01-canary", prefix + "02-payments"));
        assertEquals(4, teamLinesChanged(remote, prefix + "02-payments", prefix + "03-prod-apps").size(), "checkout's and orders' lines");
        assertEquals(List.of(), teamLinesChanged(remote, prefix + "03-prod-apps", prefix + "05-cleanup"));
        // Every branch builds as Flux would apply it: the teams' overlays and meshwave's directory of each cluster.
        Path clone = tmp.resolve("branches");
        git(tmp, "clone", "-q", remote.toString(), clone.toString());
        for (String stage : List.of("00-control-plane", "01-canary", "02-payments", "03-prod-apps", "04-finalize", "05-cleanup")) {
            git(clone, "checkout", "-q", prefix + stage);
            for (String dir : List.of("apps/overlays/prod", "apps/overlays/staging", "clusters/prod/mesh", "clusters/staging/mesh")) {
                assertFalse(Kustomize.build(clone.resolve(dir)).isEmpty(), stage + ": " + dir);
            }
        }

        git(remote, "update-ref", "refs/heads/main", "refs/heads/" + prefix + "01-canary"); // wave canary merged
        Cli.Result rollback = Cli.run(environment, "rollback", PLAN, "--wave", "canary", "--repo", remote.toUri().toString(), "--push");
        assertEquals(0, rollback.exitCode(), rollback::toString);
        assertEquals(List.of("-    istio.io/rev: 1-27-3 # sidecars on", "+    istio-injection: enabled # sidecars on"),
                teamLinesChanged(remote, "main", prefix + "rollback-canary"));
        assertEquals("", git(remote, "diff", prefix + "00-control-plane", prefix + "rollback-canary", "--", "apps", "components"),
                "the rollback's manifests are stage 00's");
    }

    /** The lines a commit range changes outside meshwave's directories, as git shows them (no context). */
    private static List<String> teamLinesChanged(Path repo, String from, String to) {
        List<String> lines = new ArrayList<>();
        for (String line : git(repo, "diff", "-U0", from, to, "--", "apps", "components").lines().toList()) {
            if ((line.startsWith("+") || line.startsWith("-")) && !line.startsWith("+++") && !line.startsWith("---")) {
                lines.add(line);
            }
        }
        return lines;
    }

    private void assertUnchangedExcept(Path repo, java.util.Collection<String> edited) throws Exception {
        try (Stream<Path> files = Files.walk(REPOSITORY)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = REPOSITORY.relativize(file).toString();
                if (!edited.contains(relative)) {
                    assertEquals(Files.readString(file), Files.readString(repo.resolve(relative)), relative);
                }
            }
        }
    }

    private Path copy() throws Exception {
        Path repo = tmp.resolve("repo");
        dev.meshwave.cli.GoldenITAccess.copyTree(REPOSITORY, repo);
        return repo;
    }
}
