package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshwave.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example's render must equal its approved tree under {@code golden/}, compared whole with
 * {@code render --check} (the same check users run in CI). To approve a changed render, run
 * {@code mvn verify -Dmeshwave.approve=true} and review the golden diff like code.
 */
class GoldenIT {

    static List<String> examples() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of("examples"))) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("plan.yaml")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void everyExampleHasAGolden() throws IOException {
        List<String> examples = examples();
        assertEquals(List.of("ambient-migration", "asm-tags", "asm-upgrade", "ca-migration", "helm-ambient", "helm-argocd", "helm-flux", "helm-gateway", "inplace",
                "inventory", "istio-to-asm", "multi-project", "sail", "sail-ambient"), examples);
        try (Stream<Path> golden = Files.list(Path.of("golden"))) {
            // Approving renders into golden/, which leaves each directory's render lock (.<name>.meshwave.lock) beside it.
            assertEquals(examples, golden.map(d -> d.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList());
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void renderMatchesTheApprovedTree(String example) throws IOException {
        String plan = "examples/" + example + "/plan.yaml";
        Path golden = Path.of("golden", example);
        if (Boolean.getBoolean("meshwave.approve")) {
            deleteTree(golden);
            List<String> args = new java.util.ArrayList<>(List.of("render", plan, "--out", golden.toString()));
            Path repository = Path.of("examples", example, "repository");
            if (Files.isDirectory(repository)) {
                // An in-place example renders into the team's repository, its last wave live so that the golden shows
                // the edited label lines (examples/<example>/golden-live names that stage).
                copyTree(repository, golden);
                args.addAll(List.of("--live", Files.readString(Path.of("examples", example, "golden-live")).strip()));
            }
            Cli.Result approved = Cli.run(args.toArray(String[]::new));
            assertEquals(0, approved.exitCode(), approved::toString);
        }
        Cli.Result result = Cli.run("render", plan, "--out", golden.toString(), "--check");
        assertEquals(0, result.exitCode(), () -> "golden/" + example + " differs from the render (approve with"
                + " -Dmeshwave.approve=true after reviewing):\n" + result.out());
    }

    /**
     * Separate JVMs too: Map.of/Set.of iterate in an order seeded per JVM, so a render that leaked it
     * would pass in-process and still differ from run to run.
     */
    @ParameterizedTest
    @MethodSource("examples")
    void aFreshJvmRendersTheSameBytes(String example) {
        Cli.Result result = dev.meshwave.testing.Processes.run(Path.of("."), java.util.Map.of(), dev.meshwave.testing.Processes.java("-jar",
                "target/meshwave.jar", "render", "examples/" + example + "/plan.yaml", "--out", "golden/" + example, "--check"));
        assertEquals(0, result.exitCode(), result::toString);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
