package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shell completion and man pages, as a user installs them with {@code ./meshwave completion}. */
class CompletionIT {

    private static final List<String> COMMANDS = List.of("validate", "render", "publish", "rollback", "explain", "schema", "import", "completion");

    @TempDir
    Path tmp;

    @Test
    void bashLoadsTheScriptAndCompletesCommandsAndOptions() {
        Cli.Result result = Processes.run(Path.of("."), Map.of(), List.of("bash", "-c",
                "source <(./meshwave completion) && complete -p meshwave && COMP_WORDS=(meshwave ren) COMP_CWORD=1 COMP_LINE='meshwave ren'"
                        + " COMP_POINT=12 && _complete_meshwave meshwave ren meshwave && printf '%s\\n' \"${COMPREPLY[@]}\""
                        + " && COMP_WORDS=(meshwave render --ch) COMP_CWORD=2 && _complete_meshwave meshwave --ch render"
                        + " && printf '%s\\n' \"${COMPREPLY[@]}\""));
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().contains("complete") && result.out().contains(" meshwave"), result::toString);
        assertTrue(result.out().lines().anyMatch("render"::equals), "completes the command: " + result);
        assertTrue(result.out().lines().anyMatch("--check"::equals), "completes render's options: " + result);
    }

    @Test
    void installWritesTheScriptAndOneManPagePerCommand() throws IOException {
        Cli.Result result = Cli.run(new Environment(Map.of("XDG_DATA_HOME", tmp.toString()), Clock.systemUTC()), "completion", "--install");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(Files.readString(tmp.resolve("bash-completion/completions/meshwave")).contains("_complete_meshwave"));
        String main = Files.readString(tmp.resolve("man/man1/meshwave.1"));
        assertTrue(main.startsWith(".TH MESHWAVE 1 "), main);
        for (String command : COMMANDS) {
            assertTrue(main.contains(".B " + command + "\n"), "meshwave.1 lists " + command);
            String page = Files.readString(tmp.resolve("man/man1/meshwave-" + command + ".1"));
            assertTrue(page.startsWith(".TH MESHWAVE-" + command.toUpperCase(java.util.Locale.ROOT) + " 1 "), page);
        }
        assertTrue(Files.readString(tmp.resolve("man/man1/meshwave-render.1")).contains(".B \\-\\-check\n"), "every option is on its page");
        assertTrue(Files.readString(tmp.resolve("man/man1/meshwave-import.1")).contains(".B \\-\\-out \\fIPLAN\\fR\n"), "import's --out PLAN too");
    }

    @Test
    void theBuildGeneratedTheSameFiles() throws IOException {
        Path built = Path.of("target/completion");
        assertTrue(Files.isRegularFile(built.resolve("meshwave.bash")), "mvn package writes target/completion");
        assertEquals(Cli.run("completion").out(), Files.readString(built.resolve("meshwave.bash")));
    }
}
