package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The lean start: --version answered without picocli, and a command line that names a command builds
 * only that one. Each must say exactly what the whole picocli model says.
 */
class MeshwaveCommandTest {

    private static final MeshwaveCommand.Factory FACTORY = new MeshwaveCommand.Factory(Environment.system());

    private static List<String> names() {
        return MeshwaveCommand.SUBCOMMANDS.stream().map(MeshwaveCommand.Subcommand::name).toList();
    }

    @Nested
    class Version {

        @ParameterizedTest
        @ValueSource(strings = {"--version", "-V"})
        void isWhatPicocliPrintsForTheWholeModel(String option) {
            StringWriter picocli = new StringWriter();
            CommandLine whole = MeshwaveCommand.commandLine(FACTORY);
            whole.printVersionHelp(new PrintWriter(picocli, true));
            Cli.Result result = Cli.run(option);
            assertEquals(new Cli.Result(0, picocli.toString(), ""), result);
            assertEquals(1, result.out().lines().count(), result::toString);
        }

        @Test
        void withAnotherArgumentPicocliAnswersAsBefore() {
            // Not the fast path (two arguments): picocli answers, as it always did.
            assertEquals(Cli.run("--version"), Cli.run("--stacktrace", "--version"));
            Cli.Result both = Cli.run("--version", "--help");
            assertEquals(0, both.exitCode(), both::toString);
            assertTrue(both.out().startsWith("Usage: meshwave [-hV]"), "help wins, as before: " + both);
        }
    }

    @Nested
    class Subcommands {

        @Test
        void eachNameIsItsCommandsOwnInTheOrderHelpListsThem() {
            for (MeshwaveCommand.Subcommand subcommand : MeshwaveCommand.SUBCOMMANDS) {
                assertEquals(subcommand.name(), subcommand.type().getAnnotation(CommandLine.Command.class).name());
            }
            assertEquals(names(), List.copyOf(MeshwaveCommand.commandLine(FACTORY).getSubcommands().keySet()));
        }

        @Test
        void aCommandLineNamingACommandBuildsOnlyThatOne() {
            assertEquals(List.of("render"), List.copyOf(MeshwaveCommand.commandLine(FACTORY, "render", "plan.yaml").getSubcommands().keySet()));
            assertEquals(List.of("lint"), List.copyOf(MeshwaveCommand.commandLine(FACTORY, "lint").getSubcommands().keySet()));
        }

        @Test
        void anythingElseBuildsThemAll() {
            for (String[] args : List.of(new String[] {}, new String[] {"--help"}, new String[] {"--stacktrace", "render"},
                    new String[] {"rendr"}, new String[] {"completion"}, new String[] {"Render"})) {
                assertEquals(names(), List.copyOf(MeshwaveCommand.commandLine(FACTORY, args).getSubcommands().keySet()), String.join(" ", args));
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"validate", "render", "publish", "rollback", "explain", "schema", "import", "lint", "completion"})
        void aCommandBuiltAloneHasTheSameHelpAndOptionsAsInTheWholeModel(String name) {
            CommandLine alone = MeshwaveCommand.commandLine(FACTORY, name).getSubcommands().get(name);
            CommandLine inWhole = MeshwaveCommand.commandLine(FACTORY).getSubcommands().get(name);
            assertEquals(inWhole.getUsageMessage(CommandLine.Help.Ansi.OFF), alone.getUsageMessage(CommandLine.Help.Ansi.OFF));
            assertEquals(optionNames(inWhole), optionNames(alone), "--stacktrace is inherited either way");
        }

        @Test
        void usageErrorsInACommandReadTheSame() {
            Cli.Result result = Cli.run("render", "examples/asm-upgrade/plan.yaml", "--out", "x", "--chek");
            assertEquals(2, result.exitCode(), result::toString);
            assertEquals("meshwave: Unknown option: '--chek'; did you mean --check?\nTry 'meshwave render --help' for usage.\n", result.err());
        }

        private static List<String> optionNames(CommandLine command) {
            return command.getCommandSpec().options().stream().map(o -> String.join(",", o.names())).sorted().toList();
        }
    }
}
