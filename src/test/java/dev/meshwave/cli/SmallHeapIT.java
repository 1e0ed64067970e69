package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Processes;
import dev.meshwave.testing.SyntheticPlans;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory that does not grow with the fleet: {@code render --out}, {@code render --check} and {@code publish} of a
 * fleet of 150 clusters (28 MB of files) in a 40 MiB heap. Each streams a cluster at a time; holding the fleet's
 * files whole, as {@code --check} and {@code publish} did before, ends in an OutOfMemoryError (exit 4) at this heap.
 */
class SmallHeapIT {

    /** Far below the fleet's bytes; the work in flight is a window of clusters, held steady by the processor count. */
    private static final String HEAP = "-Xmx40m";

    @TempDir
    Path tmp;

    @Test
    void aFleetLargerThanTheHeapIsRenderedCheckedAndPublished() throws Exception {
        Path plan = SyntheticPlans.write(tmp.resolve("plan"), 150, 100, 2, "1.14.0-asm.0");
        Path out = tmp.resolve("out");

        Cli.Result render = meshwave("render", plan.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, render.exitCode(), render::toString);
        assertTrue(Files.isRegularFile(out.resolve("clusters/c150/kustomization.yaml")), render::toString);
        long bytes;
        try (var files = Files.walk(out)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
        // Held whole, with their paths and maps, the files and the JVM's own needs do not fit in 40 MiB.
        assertTrue(bytes > 25_000_000, "the fleet is " + bytes + " bytes");

        Cli.Result check = meshwave("render", plan.toString(), "--out", out.toString(), "--check");
        assertEquals(0, check.exitCode(), check::toString);
        assertTrue(check.err().contains("is up to date"), check::toString);

        // Drift in one cluster is still found and shown, and only there.
        Path edited = out.resolve("clusters/c137/kustomization.yaml");
        Files.writeString(edited, Files.readString(edited) + "# edited by hand\n");
        Cli.Result drift = meshwave("render", plan.toString(), "--out", out.toString(), "--check");
        assertEquals(1, drift.exitCode(), drift::toString);
        assertTrue(drift.out().startsWith("--- a/clusters/c137/kustomization.yaml\n+++ b/clusters/c137/kustomization.yaml\n"),
                drift::toString);
        assertTrue(drift.out().contains("-# edited by hand\n"), drift::toString);
        assertEquals(1, drift.out().split("\n--- ", -1).length, "one file differs: " + drift.out());

        Path repo = tmp.resolve("repo.git");
        assertEquals(0, new ProcessBuilder("git", "init", "-q", "--bare", "-b", "main", repo.toString()).start().waitFor());
        Cli.Result publish = meshwave("publish", plan.toString(), "--repo", "file://" + repo, "--push", "--quiet",
                "--workdir", tmp.resolve("work").toString());
        assertEquals(0, publish.exitCode(), publish::toString);
        Cli.Result branches = Processes.run(tmp, Map.of(), List.of("git", "--git-dir", repo.toString(), "for-each-ref",
                "--format=%(refname:short)"));
        assertEquals("meshwave/synthetic/00-control-plane\nmeshwave/synthetic/01-w0\nmeshwave/synthetic/02-w1\n"
                + "meshwave/synthetic/03-finalize\n", branches.out());
        Cli.Result finalize = Processes.run(tmp, Map.of(), List.of("git", "--git-dir", repo.toString(), "show",
                "meshwave/synthetic/03-finalize:clusters/c150/kustomization.yaml"));
        assertTrue(finalize.out().contains("- stages/03-finalize\n"), finalize::toString);
    }

    private Cli.Result meshwave(String... args) {
        List<String> command = new ArrayList<>(List.of(HEAP, "-XX:ActiveProcessorCount=2", "-jar",
                Path.of("target/meshwave.jar").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        return Processes.run(tmp, Map.of(), Processes.java(command.toArray(String[]::new)));
    }
}
