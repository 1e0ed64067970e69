package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitopsRepository;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress of fleet runs: plain lines in logs, one rewritten line on a terminal, nothing with --quiet. */
class ProgressIT {

    private static final String FLEET = "examples/multi-project/plan.yaml";

    @TempDir
    Path tmp;

    private Environment environment(String progress) {
        Map<String, String> variables = new HashMap<>(Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(),
                "HOME", tmp.resolve("home").toString(), "SOURCE_DATE_EPOCH", "1767225600"));
        if (progress != null) {
            variables.put("MESHWAVE_PROGRESS", progress);
        }
        return new Environment(variables, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    @Test
    void renderPrintsAPlainLinePerClusterInALog() {
        Cli.Result result = Cli.run(environment(null), "render", FLEET, "--out", tmp.resolve("out").toString());
        assertEquals(0, result.exitCode(), result::toString);
        List<String> lines = result.err().lines().toList();
        assertEquals(3, lines.size(), result::toString);
        assertTrue(lines.get(0).startsWith("[1/3] rendered ") && lines.get(0).endsWith("clusters/cluster-1/mesh (20 files)"), result::toString);
        assertTrue(lines.get(2).startsWith("[3/3] rendered "), result::toString);
    }

    @Test
    void onATerminalOneLineIsRewrittenInPlace() {
        Cli.Result result = Cli.run(environment("tty"), "render", FLEET, "--out", tmp.resolve("out").toString());
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(3, result.err().split("\r\033\\[K", -1).length - 1, "three rewrites: " + result);
        assertEquals(1, result.err().chars().filter(c -> c == '\n').count(), "one line in the end: " + result);
    }

    @Test
    void quietRunsPrintNoProgress() throws IOException {
        Cli.Result render = Cli.run(environment(null), "render", FLEET, "--out", tmp.resolve("out").toString(), "--quiet");
        assertEquals(0, render.exitCode(), render::toString);
        assertEquals("", render.err());
        Path remote = GitopsRepository.create(tmp.resolve("gitops.git"));
        Cli.Result loud = Cli.run(environment(null), "publish", FLEET, "--repo", remote.toUri().toString(), "--dry-run");
        assertEquals(0, loud.exitCode(), loud::toString);
        assertTrue(loud.err().contains("[1/4] committed meshwave/multi-project/00-control-plane (created)"), loud::toString);
        Cli.Result quiet = Cli.run(environment(null), "publish", FLEET, "--repo", remote.toUri().toString(), "--dry-run", "--quiet");
        assertEquals(0, quiet.exitCode(), quiet::toString);
        assertEquals("", quiet.err(), quiet::toString);
    }
}
