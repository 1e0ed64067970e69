package dev.meshwave.hostile;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.meshwave.cli.Environment;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Plans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The text of a user's template ({@code --templates DIR}) is hostile input like a plan: any bytes, in
 * the place of one of the built-in templates, go through the real command ({@code validate --templates},
 * which renders every stage in memory). The documented outcomes are a valid render (0), a refused
 * template (2: TemplateException, with template:line:column) or a refused result (3: a secret shape or
 * an unsafe path); an exit 4, a stack trace, a hang or a planted secret in the output is a finding.
 * The first byte picks the template, the rest is its text. {@code mvn verify} replays
 * {@code TemplatesFuzzTestInputs/}; {@code mvn -Pfuzz test -Dtest=TemplatesFuzzTest} fuzzes.
 */
class TemplatesFuzzTest {

    private static final List<String> NAMES = List.of("restart.yaml.mustache", "namespaces.yaml.mustache", "wave-kustomization.yaml.mustache",
            "kustomization.yaml.mustache", "README.md.mustache", "control-plane-kustomization.yaml.mustache", "commit-message.txt.mustache");
    private static final Path PLAN = Plans.scratchFile("plan.yaml");
    private static final Path TEMPLATES = PLAN.resolveSibling("templates");
    private static final Environment ENVIRONMENT = new Environment(Map.of("HOME", PLAN.getParent().toString(),
            "SOURCE_DATE_EPOCH", "1767225600"), Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    @FuzzTest(maxDuration = "2m")
    void anyTemplateText(byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            return;
        }
        Files.writeString(PLAN, Plans.BASE);
        Files.createDirectories(TEMPLATES);
        try (var old = Files.list(TEMPLATES)) {
            for (Path file : old.toList()) {
                Files.delete(file);
            }
        }
        Files.write(TEMPLATES.resolve(NAMES.get(Math.floorMod(bytes[0], NAMES.size()))), Arrays.copyOfRange(bytes, 1, bytes.length));
        Cli.Result result = Cli.run(ENVIRONMENT, "validate", PLAN.toString(), "--templates", TEMPLATES.toString());
        assertTrue(List.of(0, 2, 3).contains(result.exitCode()), result::toString);
        assertFalse(result.err().contains("Exception") || result.err().contains("\tat "), result::toString);
    }
}
