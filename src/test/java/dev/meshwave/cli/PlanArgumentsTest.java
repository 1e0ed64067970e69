package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshwave.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared PLAN and --templates arguments keep the place each command always gave them. */
class PlanArgumentsTest {

    @Test
    void aCommandRunWithoutArgumentsAsksForThePlanFirst() {
        for (String command : List.of("validate", "render", "publish", "rollback", "explain")) {
            Cli.Result result = Cli.run(command);
            assertEquals(2, result.exitCode(), result::toString);
            assertEquals("meshwave: Missing required parameter: 'PLAN'", result.err().lines().findFirst().orElse(""), command);
        }
    }

    @TempDir
    Path tmp;

    @Test
    void templatesStandWhereTheyAlwaysStoodAmongTheOptions() throws IOException {
        assertEquals(0, Cli.run("completion", "--generate", tmp.toString()).exitCode());
        assertEquals(List.of("--out", "--check", "--live", "--templates", "--delete-foreign", "--quiet", "--format", "--emit",
                "--clusters", "--shard"),
                options(tmp.resolve("man1/meshwave-render.1")));
        assertEquals(List.of("--namespace", "--stage", "--templates", "--out"), options(tmp.resolve("man1/meshwave-explain.1")));
        assertEquals(List.of("--wave", "--repo", "--base", "--push", "--pr", "--pr-api", "--pr-repo", "--dry-run", "--workdir",
                "--author", "--templates", "--format", "--quiet", "--shard"), options(tmp.resolve("man1/meshwave-rollback.1")));
    }

    /** The long options of a man page in the order it lists them, without the standard ones at its end. */
    private static List<String> options(Path manPage) throws IOException {
        return Files.readString(manPage).lines().filter(l -> l.startsWith(".B \\-\\-"))
                .map(l -> l.substring(3).split(" ")[0].replace("\\-", "-"))
                .filter(o -> !o.equals("--stacktrace")).toList();
    }
}
