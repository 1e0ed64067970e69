package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwave.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The command-line contract: version, help, schema, validate's summary, usage errors. */
class CommandLineIT {

    @Test
    void versionNamesTheTool() {
        Cli.Result result = Cli.run("--version");
        assertEquals(0, result.exitCode());
        assertTrue(result.out().matches("meshwave \\d+\\.\\d+\\.\\d+.*\\n"), result::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"validate", "render", "publish", "rollback", "explain", "schema"})
    void everyCommandHasHelp(String command) {
        Cli.Result result = Cli.run(command, "--help");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().startsWith("Usage: meshwave " + command), result::toString);
    }

    @Test
    void topLevelHelpListsCommandsAndExitCodes() {
        Cli.Result result = Cli.run("--help");
        assertEquals(0, result.exitCode());
        assertTrue(result.out().contains("validate") && result.out().contains("render") && result.out().contains("schema"));
        assertTrue(result.out().contains("2 invalid plan or usage"), result::toString);
    }

    @Test
    void schemaPrintsTheShippedJsonSchema() throws Exception {
        Cli.Result result = Cli.run("schema");
        assertEquals(0, result.exitCode());
        JsonNode schema = new ObjectMapper().readTree(result.out());
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.path("$schema").asText());
        assertEquals(false, schema.path("additionalProperties").asBoolean(true));
        assertEquals(Files.readString(Path.of("src/main/resources/dev/meshwave/plan/plan.schema.json")), result.out());
    }

    @Test
    void validateSummarisesAValidPlanOnOneLine() {
        Cli.Result result = Cli.run("validate", "examples/asm-upgrade/plan.yaml");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("examples/asm-upgrade/plan.yaml: valid: plan asm-1140 moves 2 namespaces in 2 waves on 1 cluster"
                + " from asm-1130-0 to asm-1140-0 (1.14.0-asm.0)\n", result.out());
        assertEquals("", result.err());
    }

    @Test
    void missingFileIsAPlanError() {
        Cli.Result result = Cli.run("validate", "no/such/plan.yaml");
        assertEquals(2, result.exitCode());
        assertTrue(result.err().startsWith("no/such/plan.yaml:1:1: no such file"), result::toString);
    }

    @Test
    void aMistypedCommandSuggestsTheClosestOne() {
        Cli.Result result = Cli.run("rendr", "examples/asm-upgrade/plan.yaml");
        assertEquals(2, result.exitCode(), result::toString);
        assertEquals("meshwave: unknown command 'rendr'; did you mean render?\nTry 'meshwave --help' for usage.\n", result.err());
        Cli.Result far = Cli.run("bogus");
        assertEquals(2, far.exitCode(), far::toString);
        assertTrue(far.err().startsWith("meshwave: unknown command 'bogus' (expected one of: validate, render, publish, "), far::toString);
        Cli.Result option = Cli.run("render", "examples/asm-upgrade/plan.yaml", "--out", "x", "--chek");
        assertEquals(2, option.exitCode(), option::toString);
        assertTrue(option.err().startsWith("meshwave: Unknown option: '--chek'; did you mean --check?\n"), option::toString);
    }

    @Test
    void usageErrorsExitTwoWithoutStackTrace() {
        for (String[] args : new String[][] {{}, {"render", "examples/asm-upgrade/plan.yaml"}, {"bogus"}, {"render", "--frobnicate"}}) {
            Cli.Result result = Cli.run(args);
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().startsWith("meshwave: "), result::toString);
            assertTrue(!result.err().contains("\tat "), result::toString);
        }
    }
}
