package dev.meshwave.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.cli.Environment;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Processes;
import dev.meshwave.testing.SyntheticPlans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two renders into one output directory take turns: the second waits for a bounded time, then gives up with exit 3. */
class ConcurrentRendersIT {

    @TempDir
    Path tmp;

    private Environment environment(int lockTimeoutSeconds) {
        return new Environment(Map.of("XDG_RUNTIME_DIR", tmp.toString(), "MESHWAVE_LOCK_TIMEOUT", String.valueOf(lockTimeoutSeconds)),
                Clock.systemUTC());
    }

    /** The lock is the directory's, not the environment's nor the spelling's: a symlinked path and another XDG_RUNTIME_DIR wait too. */
    @Test
    void aSymlinkedPathOrAnotherRuntimeDirectoryWaitsForTheSameLock() throws Exception {
        Path plan = SyntheticPlans.write(tmp.resolve("plan"), 1, 4, 2, "1.14.0-asm.0");
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), out);
        Path otherRuntime = Files.createDirectories(tmp.resolve("run-b"));
        Environment other = new Environment(Map.of("XDG_RUNTIME_DIR", otherRuntime.toString(), "TMPDIR", otherRuntime.toString(),
                "MESHWAVE_LOCK_TIMEOUT", "1"), Clock.systemUTC());
        try (RunLock held = RunLock.forOutput(out, environment(1).variables())) {
            for (Path spelling : List.of(link, link.resolve("../out"), out.resolve("."))) {
                Cli.Result result = Cli.run(other, "render", plan.toString(), "--out", spelling.toString());
                assertEquals(3, result.exitCode(), result::toString);
                assertTrue(result.err().contains("another meshwave run is writing " + out.toRealPath()), result::toString);
            }
            assertTrue(Files.notExists(out.resolve("clusters")), "nothing written");
        }
        assertEquals(RunLock.lockName("Out"), RunLock.lockName("out"), "case-folded");
        assertEquals(RunLock.lockName("caf\u00e9"), RunLock.lockName("cafe\u0301"), "NFC");
    }

    /** A pull request cannot plant a link where the lock goes, nor where older versions kept theirs. */
    @Test
    void aPlantedSymbolicLinkIsNeverFollowedForTheLock() throws Exception {
        Path plan = SyntheticPlans.write(tmp.resolve("plan"), 1, 4, 2, "1.14.0-asm.0");
        Path victim = tmp.resolve("victim");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(tmp.resolve("meshwave-locks"), elsewhere);
        Path out = tmp.resolve("out");
        Files.createSymbolicLink(tmp.resolve(RunLock.lockName("out")), victim);
        Cli.Result result = Cli.run(environment(1), "render", plan.toString(), "--out", out.toString());
        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("symbolic link (not followed)") && result.err().contains("--out"), result::toString);
        assertTrue(Files.notExists(victim, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the link's target was not created");
        Files.delete(tmp.resolve(RunLock.lockName("out")));
        assertEquals(0, Cli.run(environment(1), "render", plan.toString(), "--out", out.toString()).exitCode());
        try (Stream<Path> files = Files.list(elsewhere)) {
            assertEquals(0, files.count(), "nothing in the planted lock directory");
        }
    }

    @Test
    void aLockTimeoutThatIsNoNumberOfSecondsIsABadVariable() {
        for (String value : List.of("soon", "-1", "1.5", "99999999999999999999", "9223372036854775807", "")) {
            Environment environment = new Environment(Map.of("MESHWAVE_LOCK_TIMEOUT", value), Clock.systemUTC());
            Cli.Result result = Cli.run(environment, "render", "examples/istio-to-asm/plan.yaml", "--out", tmp.resolve("out").toString());
            assertEquals(2, result.exitCode(), value + ": " + result);
            assertTrue(result.err().contains("MESHWAVE_LOCK_TIMEOUT"), result::toString);
            assertTrue(Files.notExists(tmp.resolve("out")));
        }
    }

    @Test
    void aRenderGivesUpWithExit3WhileAnotherHoldsTheOutput() throws Exception {
        Path plan = SyntheticPlans.write(tmp.resolve("plan"), 1, 4, 2, "1.14.0-asm.0");
        Path out = tmp.resolve("out");
        try (RunLock held = RunLock.forOutput(out, environment(1).variables())) {
            long start = System.nanoTime();
            Cli.Result result = Cli.run(environment(1), "render", plan.toString(), "--out", out.toString());
            assertEquals(3, result.exitCode(), result::toString);
            assertTrue(result.err().contains("another meshwave run is writing " + out.toAbsolutePath() + " (waited 1 s)"), result::toString);
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900), "it waited before giving up");
            assertTrue(Files.notExists(out.resolve("clusters")), "nothing written");
        }
        assertEquals(0, Cli.run(environment(1), "render", plan.toString(), "--out", out.toString()).exitCode());
    }

    @Test
    void aRenderWaitsForTheOtherToFinish() throws Exception {
        Path plan = SyntheticPlans.write(tmp.resolve("plan"), 1, 4, 2, "1.14.0-asm.0");
        Path out = tmp.resolve("out");
        CompletableFuture<Cli.Result> waiting;
        try (RunLock held = RunLock.forOutput(out, environment(30).variables())) {
            waiting = CompletableFuture.supplyAsync(() -> Cli.run(environment(30), "render", plan.toString(), "--out", out.toString()));
            Thread.sleep(1000);
            assertTrue(!waiting.isDone() && Files.notExists(out.resolve("clusters")), "the second render waits");
        }
        Cli.Result result = waiting.get(60, TimeUnit.SECONDS);
        assertEquals(0, result.exitCode(), result::toString);
    }

    /**
     * Real processes, started together on one directory, one through a symbolic link and with another
     * XDG_RUNTIME_DIR: both succeed one after the other, the result is one whole render, nothing is left over.
     */
    @Test
    void twoProcessesNeverInterleaveTheirOutput() throws Exception {
        Path planA = SyntheticPlans.write(tmp.resolve("a"), 2, 200, 20, "1.14.0-asm.0");
        Path planB = SyntheticPlans.write(tmp.resolve("b"), 2, 200, 20, "1.15.0-asm.1");
        Map<String, String> a = renderAlone(planA, tmp.resolve("alone-a"));
        Map<String, String> b = renderAlone(planB, tmp.resolve("alone-b"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), out);
        for (int round = 0; round < 2; round++) {
            List<Process> processes = new ArrayList<>();
            for (Path plan : List.of(planA, planB)) {
                int n = processes.size();
                ProcessBuilder builder = new ProcessBuilder(Processes.java("-jar", Path.of("target/meshwave.jar").toAbsolutePath().toString(),
                        "render", plan.toString(), "--out", (n == 0 ? out : link).toString()))
                        .redirectErrorStream(true).redirectOutput(tmp.resolve("log-" + round + "-" + n).toFile());
                builder.environment().put("XDG_RUNTIME_DIR", Files.createDirectories(tmp.resolve("run-" + round + "-" + n)).toString());
                processes.add(builder.start());
            }
            for (int n = 0; n < processes.size(); n++) {
                assertTrue(processes.get(n).waitFor(120, TimeUnit.SECONDS));
                Path log = tmp.resolve("log-" + round + "-" + n);
                assertEquals(0, processes.get(n).exitValue(), () -> readLog(log));
            }
            Map<String, String> now = read(out);
            assertTrue(now.equals(a) || now.equals(b), "round " + round + ": the output is one of the two renders, whole");
            try (Stream<Path> siblings = Files.list(out.resolve("clusters"))) {
                assertEquals(List.of("c1", "c2"), siblings.map(p -> p.getFileName().toString()).sorted().toList(),
                        "no staging directory left over");
            }
        }
    }

    private static String readLog(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static Map<String, String> renderAlone(Path plan, Path out) throws IOException {
        assertEquals(0, Cli.run("render", plan.toString(), "--out", out.toString()).exitCode());
        return read(out);
    }

    private static Map<String, String> read(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(file).toString(), Files.readString(file));
            }
        }
        return files;
    }
}
