package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitopsRepository;
import dev.meshwave.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** {@code --format json} for CI, and the CI examples in examples/ci run the way a pipeline runs them. */
class MachineReadableIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void validateReportsTheSummaryOrEveryProblem() throws IOException {
        Cli.Result valid = Cli.run("validate", "examples/ca-migration/plan.yaml", "--format", "json");
        assertEquals(0, valid.exitCode(), valid::toString);
        JsonNode report = JSON.readTree(valid.out());
        assertEquals("meshwave.validate/v1", report.path("format").asText());
        assertTrue(report.path("valid").asBoolean());
        assertEquals(List.of("asm-1233-2-distribute-root", "asm-1233-2-meshca-ca-migration"),
                JSON.convertValue(report.path("summary").path("revisions"), List.class));
        Cli.Result invalid = Cli.run("validate", "src/test/resources/invalid-plans/61-two-semantic-errors.yaml", "--format", "json");
        assertEquals(2, invalid.exitCode(), invalid::toString);
        assertEquals("", invalid.err(), "everything is in the report");
        JsonNode problems = JSON.readTree(invalid.out()).path("problems");
        assertEquals(2, problems.size(), invalid.out());
        assertTrue(problems.get(0).path("line").asInt() > 0 && problems.get(0).path("column").asInt() > 0, invalid.out());
        assertEquals("error", problems.get(0).path("severity").asText());
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        Cli.Result result = Cli.run("validate", "examples/asm-upgrade/plan.yaml", "--format", "xml");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("expected one of [text, json]"), result::toString);
    }

    @Test
    void renderCheckListsEveryChangedFileWithItsDiff() throws IOException {
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run("render", "examples/asm-upgrade/plan.yaml", "--out", out.toString()).exitCode());
        Cli.Result clean = Cli.run("render", "examples/asm-upgrade/plan.yaml", "--out", out.toString(), "--check", "--format", "json");
        assertEquals(0, clean.exitCode(), clean::toString);
        assertTrue(JSON.readTree(clean.out()).path("upToDate").asBoolean());
        Files.writeString(out.resolve("clusters/onprem/mesh/README.md"), "edited by hand\n");
        Files.delete(out.resolve("clusters/onprem/mesh/stages/02-app/namespaces.yaml"));
        Cli.Result drift = Cli.run("render", "examples/asm-upgrade/plan.yaml", "--out", out.toString(), "--check", "--format", "json");
        assertEquals(1, drift.exitCode(), drift::toString);
        JsonNode changes = JSON.readTree(drift.out()).path("changes");
        assertEquals(2, changes.size(), drift.out());
        assertEquals("clusters/onprem/mesh/README.md", changes.get(0).path("path").asText());
        assertEquals("modified", changes.get(0).path("change").asText());
        assertEquals("added", changes.get(1).path("change").asText(), "the render adds back what was deleted");
        assertTrue(changes.get(1).path("diff").asText().startsWith("--- /dev/null\n+++ b/clusters/onprem/mesh/stages/02-app/namespaces.yaml"));
    }

    @Test
    void renderWithoutCheckRefusesJsonAndWritesNothing() {
        Path out = tmp.resolve("out");
        Cli.Result result = Cli.run("render", "examples/asm-upgrade/plan.yaml", "--out", out.toString(), "--format", "json");
        assertEquals(2, result.exitCode(), result::toString);
        assertEquals("", result.out(), result::toString);
        assertTrue(result.err().startsWith("meshwave: --format json needs --check: it reports the drift of DIR;"), result::toString);
        assertTrue(result.err().contains("Try 'meshwave render --help' for usage."), result::toString);
        assertFalse(Files.exists(out), "nothing is written");
    }

    @Test
    void publishReportsEveryBranchAndPullRequest() throws IOException {
        Path remote = GitopsRepository.create(tmp.resolve("gitops.git"));
        Cli.Result result = Cli.run(new Environment(Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "HOME",
                tmp.resolve("home").toString(), "SOURCE_DATE_EPOCH", "1767225600"), Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"),
                ZoneOffset.UTC)), "publish", "examples/asm-upgrade/plan.yaml", "--repo", remote.toUri().toString(), "--push", "--format", "json");
        assertEquals(0, result.exitCode(), result::toString);
        JsonNode report = JSON.readTree(result.out());
        assertEquals("meshwave.publish/v1", report.path("format").asText());
        assertEquals(4, report.path("branches").size(), result.out());
        assertEquals("meshwave/asm-1140/00-control-plane", report.path("branches").get(0).path("branch").asText());
        assertEquals("created", report.path("branches").get(0).path("status").asText());
        assertEquals(40, report.path("branches").get(0).path("commit").asText().length());
        assertTrue(report.path("branches").get(0).path("pushed").asBoolean());
        assertEquals(4, report.path("pullRequests").size(), result.out());
    }

    /** The commands of the CI examples, run in a GitOps repository laid out as the examples expect. */
    @Test
    void theCiExamplesPassOnAMatchingRepositoryAndFailOnDrift() throws IOException {
        Path repo = Files.createDirectories(tmp.resolve("gitops"));
        Path mesh = Files.createDirectories(repo.resolve("mesh"));
        Files.copy(Path.of("examples/asm-upgrade/plan.yaml"), mesh.resolve("plan.yaml"));
        Files.createDirectories(mesh.resolve("overlays"));
        Files.copy(Path.of("examples/asm-upgrade/overlays/tuning.yaml"), mesh.resolve("overlays/tuning.yaml"));
        Files.createSymbolicLink(repo.resolve(".meshwave"), Path.of("").toAbsolutePath());
        assertEquals(0, Cli.run("render", mesh.resolve("plan.yaml").toString(), "--out", repo.toString()).exitCode());
        List<String> commands = ciCommands();
        assertEquals(6, commands.size(), commands.toString());
        for (String command : commands) {
            Cli.Result result = Processes.run(repo, Map.of(), List.of("bash", "-c", command));
            assertEquals(0, result.exitCode(), command + "\n" + result);
        }
        Files.writeString(repo.resolve("clusters/onprem/mesh/kustomization.yaml"), "resources: [stages/03-finalize]\n");
        Cli.Result drift = Processes.run(repo, Map.of(), List.of("bash", "-c", commands.get(1)));
        assertEquals(1, drift.exitCode(), drift::toString);
        assertTrue(drift.out().contains("+++ b/clusters/onprem/mesh/kustomization.yaml"), "the job log shows the diff: " + drift);
        // lint fails the job on a manifest with both injection labels, wherever it is in the repository.
        Files.createDirectories(repo.resolve("apps"));
        Files.writeString(repo.resolve("apps/ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n"
                + "    istio-injection: enabled\n    istio.io/rev: asm-1140-0\n");
        Cli.Result lint = Processes.run(repo, Map.of(), List.of("bash", "-c", commands.get(5)));
        assertEquals(1, lint.exitCode(), lint::toString);
        assertTrue(lint.out().startsWith("apps/ns.yaml:6:5: error: namespace 'shop' carries both"), lint::toString);
        Cli.Result sarif = Processes.run(repo, Map.of(), List.of("bash", "-c", commands.get(2)));
        assertEquals(1, sarif.exitCode(), sarif::toString);
        assertEquals("apps/ns.yaml", JSON.readTree(repo.resolve("meshwave-lint.sarif").toFile()).path("runs").get(0).path("results").get(0)
                .path("locations").get(0).path("physicalLocation").path("artifactLocation").path("uri").asText(),
                "paths relative to the checkout, as code scanning wants them");
    }

    /** The meshwave steps of both examples: GitHub's {@code run:} and GitLab's {@code script:} lines. */
    @SuppressWarnings("unchecked")
    private static List<String> ciCommands() throws IOException {
        Load load = new Load(LoadSettings.builder().build());
        List<String> commands = new ArrayList<>();
        Map<String, Object> github = (Map<String, Object>) load.loadFromString(Files.readString(Path.of("examples/ci/github-actions.yml")));
        Map<String, Object> job = (Map<String, Object>) ((Map<String, Object>) github.get("jobs")).get("check");
        for (Object step : (List<Object>) job.get("steps")) {
            Object run = ((Map<String, Object>) step).get("run");
            if (run != null) {
                commands.add((String) run);
            }
        }
        Map<String, Object> gitlab = (Map<String, Object>) load.loadFromString(Files.readString(Path.of("examples/ci/gitlab-ci.yml")));
        commands.addAll((List<String>) ((Map<String, Object>) gitlab.get("mesh")).get("script"));
        return commands;
    }
}
