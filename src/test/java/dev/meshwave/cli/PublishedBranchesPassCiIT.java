package dev.meshwave.cli;

import static dev.meshwave.testing.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitopsRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The documented workflows agree: a GitOps repository keeps its plan in {@code mesh/plan.yaml} and the
 * rendered output at its root; every branch that {@code publish} and {@code rollback} create passes the
 * commands the CI examples ({@code examples/ci/}) run on a pull request, as written there, and a hand
 * edit of a rendered file on a branch still fails them with the diff.
 */
class PublishedBranchesPassCiIT {

    @TempDir
    Path tmp;

    Path remote;
    Map<String, String> env;

    @BeforeEach
    void gitopsRepository() throws IOException {
        remote = GitopsRepository.create(tmp.resolve("gitops.git"));
        env = new HashMap<>(System.getenv());
        env.putAll(GitopsRepository.publishEnvironment(tmp));
    }

    Cli.Result meshwave(List<String> args) {
        return Cli.run(new Environment(env, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)),
                args.toArray(String[]::new));
    }

    /** The meshwave commands of one CI example, in order, as their argument lists (output redirections dropped). */
    static List<List<String>> commands(Path ciFile) throws IOException {
        Pattern command = Pattern.compile("^\\s*(?:-\\s+|run:\\s+)\\.meshwave/meshwave\\s+([^>#]+)");
        List<List<String>> commands = new ArrayList<>();
        for (String line : Files.readAllLines(ciFile)) {
            Matcher m = command.matcher(line);
            if (m.find()) {
                commands.add(List.of(m.group(1).strip().split("\\s+")));
            }
        }
        return commands;
    }

    static List<List<String>> ciCommands() throws IOException {
        List<List<String>> github = commands(Path.of("examples/ci/github-actions.yml"));
        List<List<String>> gitlab = commands(Path.of("examples/ci/gitlab-ci.yml"));
        assertEquals(List.of("validate", "render", "lint"), github.stream().map(c -> c.get(0)).toList(), github.toString());
        assertEquals(List.of("validate", "render", "lint"), gitlab.stream().map(c -> c.get(0)).toList(), gitlab.toString());
        assertEquals(github.get(1), gitlab.get(1), "both examples check the rendered output the same way");
        return github;
    }

    static List<String> examples() throws IOException {
        return GoldenIT.examples();
    }

    /** The example's plan and the files it names, committed on main as {@code mesh/}. */
    Path commitPlan(String example) throws IOException {
        Path work = tmp.resolve("work");
        git(tmp, "clone", "-q", remote.toString(), work.toString());
        Path source = Path.of("examples", example);
        if (Files.isDirectory(source.resolve("repository"))) {
            GoldenIT.copyTree(source.resolve("repository"), work); // the teams' manifests an in-place plan edits
        }
        Files.createDirectories(work.resolve("mesh"));
        // The plan and the chart values file it names beside it (not the inventory example's kubectl exports).
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(f -> f.getFileName().toString().equals("plan.yaml")
                    || f.getFileName().toString().endsWith("values.yaml")).toList()) {
                Files.copy(file, work.resolve("mesh").resolve(file.getFileName()));
            }
        }
        if (Files.isDirectory(source.resolve("overlays"))) {
            Files.createDirectories(work.resolve("mesh/overlays"));
            try (Stream<Path> overlays = Files.list(source.resolve("overlays"))) {
                for (Path overlay : overlays.toList()) {
                    Files.copy(overlay, work.resolve("mesh/overlays").resolve(overlay.getFileName()));
                }
            }
        }
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "mesh: the upgrade plan");
        git(work, "push", "-q", "origin", "main");
        return work.resolve("mesh/plan.yaml");
    }

    /** Runs one CI command as if from the repository root: its relative paths resolved against {@code root}. */
    Cli.Result runInRoot(Path root, List<String> command) {
        List<String> args = new ArrayList<>();
        for (String arg : command) {
            args.add(arg.startsWith("-") || !(arg.equals(".") || arg.contains("/")) ? arg : root.resolve(arg).normalize().toString());
        }
        return meshwave(args);
    }

    List<String> branches(String prefix) {
        return git(remote, "for-each-ref", "--format=%(refname:short)", "refs/heads/" + prefix).lines().sorted().toList();
    }

    void assertEveryBranchPassesCi(Path clone, List<String> branches) throws IOException {
        for (String branch : branches) {
            git(clone, "checkout", "-q", branch);
            for (List<String> command : ciCommands()) {
                // lint reads the whole repository with kubectl: once per plan (below), not once per branch.
                if (!command.get(0).equals("lint")) {
                    Cli.Result result = runInRoot(clone, command);
                    assertEquals(0, result.exitCode(), () -> branch + ": " + String.join(" ", command) + "\n" + result);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyPublishedBranchPassesTheCiChecksAndAHandEditFailsThem(String example) throws IOException {
        Path plan = commitPlan(example);
        Cli.Result published = meshwave(List.of("publish", plan.toString(), "--repo", remote.toUri().toString(), "--push"));
        assertEquals(0, published.exitCode(), published::toString);
        Path clone = tmp.resolve("clone");
        git(tmp, "clone", "-q", remote.toString(), clone.toString());
        List<String> branches = branches("meshwave/");
        assertTrue(branches.size() >= 3, branches.toString());
        assertEveryBranchPassesCi(clone, branches);

        // The last branch (the whole upgrade) also passes lint, as the CI examples run it.
        List<String> lint = ciCommands().get(2);
        Cli.Result linted = runInRoot(clone, lint);
        assertEquals(0, linted.exitCode(), () -> String.join(" ", lint) + "\n" + linted);

        // A hand edit of a rendered file, on a wave branch, is drift: exit 1 with the diff.
        git(clone, "checkout", "-q", branches.get(1));
        Path edited;
        try (Stream<Path> files = Files.walk(clone.resolve("clusters"))) {
            edited = files.filter(p -> p.toString().contains("/stages/") && p.toString().endsWith(".yaml")).sorted().findFirst().orElseThrow();
        }
        Files.writeString(edited, Files.readString(edited) + "# edited by hand\n");
        Cli.Result drift = runInRoot(clone, ciCommands().get(1));
        assertEquals(1, drift.exitCode(), drift::toString);
        assertTrue(drift.out().contains("-# edited by hand"), drift::toString);
        assertTrue(drift.out().contains(clone.relativize(edited).toString()), drift::toString);
    }

    @Test
    void aRollbackBranchPassesTheCiChecks() throws IOException {
        Path plan = commitPlan("multi-project");
        assertEquals(0, meshwave(List.of("publish", plan.toString(), "--repo", remote.toUri().toString(), "--push")).exitCode());
        Path clone = tmp.resolve("clone");
        git(tmp, "clone", "-q", remote.toString(), clone.toString());
        git(clone, "merge", "-q", "--ff-only", "origin/meshwave/multi-project/02-fleet");
        git(clone, "push", "-q", "origin", "HEAD:main");
        Cli.Result rollback = meshwave(List.of("rollback", plan.toString(), "--wave", "fleet", "--repo", remote.toUri().toString(),
                "--push"));
        assertEquals(0, rollback.exitCode(), rollback::toString);
        git(clone, "fetch", "-q");
        assertEveryBranchPassesCi(clone, List.of("origin/meshwave/multi-project/rollback-fleet"));
        assertFalse(git(clone, "diff", "--name-only", "origin/main", "origin/meshwave/multi-project/rollback-fleet").isBlank());
    }
}
