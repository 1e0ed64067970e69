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

    /** Real processes, started together on one directory: both succeed one after the other, the result is one whole render. */
    @Test
    void twoProcessesNeverInterleaveTheirOutput() throws Exception {
        Path planA = SyntheticPlans.write(tmp.resolve("a"), 2, 200, 20, "1.14.0-asm.0");
        Path planB = SyntheticPlans.write(tmp.resolve("b"), 2, 200, 20, "1.15.0-asm.1");
        Path out = tmp.resolve("out");
        List<Process> processes = new ArrayList<>();
        for (Path plan : List.of(planA, planB)) {
            processes.add(new ProcessBuilder(Processes.java("-jar", Path.of("target/meshwave.jar").toAbsolutePath().toString(),
                    "render", plan.toString(), "--out", out.toString()))
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("log-" + processes.size()).toFile())
                    .start());
        }
        for (Process process : processes) {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), () -> readLog(tmp.resolve("log-" + processes.indexOf(process))));
        }
        Map<String, String> a = renderAlone(planA, tmp.resolve("alone-a"));
        Map<String, String> b = renderAlone(planB, tmp.resolve("alone-b"));
        Map<String, String> now = read(out);
        assertTrue(now.equals(a) || now.equals(b), "the output is one of the two renders, whole");
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
