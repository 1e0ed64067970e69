package dev.meshwave.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.SyntheticPlans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A render killed with SIGKILL at random moments never leaves a mix of two renders: the cluster
 * directory holds the previous render or the new one whole (or, inside the rename swap, the previous
 * one parked beside it), and the next run cleans up every leftover.
 */
class InterruptedRenderIT {

    static final int KILLS = 12;

    @TempDir
    Path tmp;

    @Test
    void aKilledRenderLeavesThePreviousOrTheNewRenderWhole() throws Exception {
        Path planA = writePlan("a", "1.14.0-asm.0");
        Path planB = writePlan("b", "1.15.0-asm.1");
        Map<String, String> renderA = renderInto(planA, tmp.resolve("expected-a"));
        Map<String, String> renderB = renderInto(planB, tmp.resolve("expected-b"));
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run("render", planA.toString(), "--out", out.toString()).exitCode());
        Random random = new Random(42);
        int killed = 0;
        for (int attempt = 0; attempt < KILLS; attempt++) {
            Path plan = attempt % 2 == 0 ? planB : planA;
            Process process = new ProcessBuilder("java", "-jar", Path.of("target/meshwave.jar").toAbsolutePath().toString(),
                    "render", plan.toString(), "--out", out.toString()).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("log-" + attempt).toFile()).start();
            // The whole run takes about two seconds, the writing its last part: kill anywhere in it.
            Thread.sleep(300 + random.nextInt(2200));
            process.destroyForcibly(); // SIGKILL on Linux
            process.waitFor(30, TimeUnit.SECONDS);
            if (process.exitValue() != 0) {
                killed++;
            }
            Path cluster = out.resolve("clusters/c1");
            Map<String, String> now = read(cluster);
            boolean whole = now.equals(renderA) || now.equals(renderB);
            boolean parked = now.isEmpty() && parkedRender(out.resolve("clusters"), renderA, renderB);
            assertTrue(whole || parked, "attempt " + attempt + ": the cluster directory is a mix of two renders");
        }
        assertEquals(0, Cli.run("render", planB.toString(), "--out", out.toString()).exitCode());
        assertEquals(renderB, read(out.resolve("clusters/c1")));
        try (Stream<Path> siblings = Files.list(out.resolve("clusters"))) {
            assertEquals(List.of("c1"), siblings.map(p -> p.getFileName().toString()).toList(), "no leftovers after the next run");
        }
        assertTrue(killed >= 2, "the kills must interrupt runs, not only finished ones (" + killed + " of " + KILLS + ")");
    }

    /** Between the two renames the previous render waits beside the target; it must be complete. */
    private static boolean parkedRender(Path parent, Map<String, String> a, Map<String, String> b) throws IOException {
        try (Stream<Path> siblings = Files.list(parent)) {
            for (Path sibling : siblings.filter(p -> p.getFileName().toString().startsWith(".c1.meshwave-old-")).toList()) {
                Map<String, String> parked = read(sibling);
                if (parked.equals(a) || parked.equals(b)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** 400 namespaces in 40 waves on one cluster: a render long enough to be killed in the middle. */
    private Path writePlan(String name, String version) throws IOException {
        return SyntheticPlans.write(tmp.resolve("plan-" + name), 1, 400, 40, version);
    }

    private static Map<String, String> renderInto(Path plan, Path out) throws IOException {
        Cli.Result result = Cli.run("render", plan.toString(), "--out", out.toString());
        assertEquals(0, result.exitCode(), result::toString);
        return read(out.resolve("clusters/c1"));
    }

    private static Map<String, String> read(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(file).toString(), Files.readString(file));
            }
        }
        return files;
    }
}
