package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and careless input, one case per file in {@code src/test/resources/bad-input/}: malformed
 * YAML and encodings, bombs, wrong types and unknown fields at every level, empty strings, look-alike
 * characters, names Kubernetes refuses, paths that leave their directory, overlays that are not
 * IstioOperators, templates that break. A case is two files: {@code NNN-name.yaml} and
 * {@code NNN-name.expected} with its exit code and the first line of stderr (approved output:
 * {@code -Dmeshwave.approve=true} rewrites them, then review the diff), and optionally {@code args:}
 * for the command line. Every case must fail with that exit code, name a file:line:column, print no
 * stack trace, and write nothing.
 */
class BadInputTest {

    static final Path CORPUS = Path.of("src/test/resources/bad-input");
    private static final Pattern POSITION = Pattern.compile("\\S+:\\d+:\\d+: ");
    private static final boolean APPROVE = Boolean.getBoolean("meshwave.approve");

    @TempDir
    Path tmp;

    record Case(Path plan, Path expectedFile, Map<String, String> expected) {
        List<String> args(Path out) {
            List<String> args = new ArrayList<>(List.of("render", plan.toString(), "--out", out.toString()));
            String extra = expected.getOrDefault("args", "");
            if (!extra.isBlank()) {
                args.addAll(List.of(extra.trim().split(" +")));
            }
            return args;
        }
    }

    static List<Case> cases() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            List<Case> cases = new ArrayList<>();
            for (Path plan : files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList()) {
                Path expected = plan.resolveSibling(plan.getFileName().toString().replaceAll("\\.yaml$", ".expected"));
                Map<String, String> fields = new LinkedHashMap<>();
                if (Files.exists(expected)) {
                    for (String line : Files.readAllLines(expected, StandardCharsets.UTF_8)) {
                        int colon = line.indexOf(": ");
                        if (colon > 0) {
                            fields.put(line.substring(0, colon), line.substring(colon + 2));
                        }
                    }
                }
                cases.add(new Case(plan, expected, fields));
            }
            return cases;
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaseFailsCleanlyWithItsApprovedMessage() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.plan().getFileName().toString(), () -> check(c)));
    }

    private void check(Case c) throws IOException {
        Path out = Files.createTempDirectory(tmp, "out").resolve("out");
        Cli.Result result = Cli.run(c.args(out).toArray(String[]::new));
        String first = result.err().lines().findFirst().orElse("");
        if (APPROVE) {
            StringBuilder text = new StringBuilder();
            if (c.expected().containsKey("args")) {
                text.append("args: ").append(c.expected().get("args")).append('\n');
            }
            text.append("exit: ").append(result.exitCode()).append('\n').append("first: ").append(first).append('\n');
            Files.writeString(c.expectedFile(), text.toString());
        }
        assertTrue(Files.exists(c.expectedFile()), "every case has its .expected file: " + c.expectedFile());
        assertEquals(c.expected().get("exit"), String.valueOf(result.exitCode()), result::toString);
        assertEquals(c.expected().get("first"), first, result::toString);
        assertTrue(POSITION.matcher(first).find(), () -> "the first line names file:line:column: " + first);
        assertEquals("", result.out(), "nothing on stdout");
        assertFalse(result.err().contains("Exception") || result.err().contains("\tat "), result::toString);
        assertFalse(Files.exists(out), "nothing is written");
        if (c.expected().getOrDefault("args", "").contains("--templates")) {
            // validate --templates finds what render would: a user's template is checked before anything is written.
            List<String> validate = new ArrayList<>(List.of("validate", c.plan().toString()));
            validate.addAll(List.of(c.expected().get("args").trim().split(" +")));
            Cli.Result validated = Cli.run(validate.toArray(String[]::new));
            assertEquals(c.expected().get("exit"), String.valueOf(validated.exitCode()), validated::toString);
            assertEquals(c.expected().get("first"), validated.err().lines().findFirst().orElse(""), validated::toString);
        }
    }

    @Test
    void theCorpusHasAtLeastSixtyCases() throws IOException {
        assertTrue(cases().size() >= 60, "only " + cases().size() + " cases in " + CORPUS);
    }

    /** Too big to commit as a case: a plan just over the 1 MiB limit, made here. */
    @Test
    void aPlanOverTheSizeLimitIsRefusedBeforeItIsParsed() throws IOException {
        Path plan = tmp.resolve("huge.yaml");
        Files.writeString(plan, Files.readString(CORPUS.resolve("001-yaml-unclosed-flow-sequence.yaml"))
                + ("# " + "x".repeat(1022) + "\n").repeat(1025));
        Path out = tmp.resolve("out");
        Cli.Result result = Cli.run("render", plan.toString(), "--out", out.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().matches("(?s)" + Pattern.quote(plan.toString()) + ":\\d+:\\d+: the file is larger than 1048576 bytes.*"),
                result::toString);
        assertFalse(Files.exists(out));
    }

    /**
     * Issue 15: every input file is a regular file, checked before it is opened, so a FIFO never blocks and
     * {@code /dev/zero} never fills memory (it ran 25 s into an OutOfMemoryError); a directory is named too.
     */
    @Test
    void aPlanThatIsNoRegularFileIsRefusedBeforeItIsOpened() throws IOException {
        Path fifo = fifo(tmp.resolve("plan.yaml"));
        for (Path plan : List.of(Path.of("/dev/zero"), fifo, tmp)) {
            Cli.Result result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run("validate", plan.toString()));
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().startsWith(plan + ":1:1: the plan is not a regular file"), result::toString);
        }
    }

    @Test
    void anOverlayThatIsAFifoIsRefusedAtItsFile() throws IOException {
        Path plan = tmp.resolve("plan.yaml");
        Files.writeString(plan, Files.readString(CORPUS.resolve("095-templates-includes-a-file.yaml"))
                .replace("    version: 1.14.0-asm.1\n", "    version: 1.14.0-asm.1\n    overlays: [tuning.yaml]\n"));
        fifo(tmp.resolve("tuning.yaml"));
        Cli.Result result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run("validate", plan.toString()));
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().startsWith(tmp.resolve("tuning.yaml") + ":1:1: the overlay is not a regular file"), result::toString);
    }

    /** The kubectl exports import reads: a FIFO blocked it, /dev/zero was read up to memory's end. */
    @Test
    void importRefusesAnExportThatIsNoRegularFile() throws IOException {
        for (Path export : List.of(fifo(tmp.resolve("ns.yaml")), Path.of("/dev/zero"))) {
            Cli.Result result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run("import", "--namespaces", export.toString(),
                    "--to-version", "1.23.3-asm.2"));
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().startsWith(export + ":1:1: the kubectl export is not a regular file"), result::toString);
            assertEquals("", result.out());
        }
    }

    /** A template that is a FIFO was skipped without a word, one of 200 MB read whole; both are refused unopened. */
    @Test
    void aTemplateThatIsAFifoOrHugeIsRefusedUnread() throws IOException {
        Path fifoDir = Files.createDirectories(tmp.resolve("fifo"));
        Path fifo = fifo(fifoDir.resolve("kustomization.yaml.mustache"));
        Path hugeDir = Files.createDirectories(tmp.resolve("huge"));
        Path huge = hugeDir.resolve("kustomization.yaml.mustache");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(200L << 20); // sparse: nothing is written to the disk
        }
        Path plan = CORPUS.resolve("095-templates-includes-a-file.yaml");
        for (Map.Entry<Path, String> template : Map.of(fifoDir, fifo + ":1:1: the template is not a regular file",
                hugeDir, huge + ":1:1: the file is larger than 1048576 bytes").entrySet()) {
            Cli.Result result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run("render", plan.toString(),
                    "--out", tmp.resolve("out").toString(), "--templates", template.getKey().toString()));
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().startsWith("meshwave: " + template.getValue()), result::toString);
            assertFalse(Files.exists(tmp.resolve("out")));
        }
    }

    /** 20,000 nested sections overflowed Mustache's stack (exit 4); too big to commit as a case. */
    @Test
    void deeplyNestedTemplateSectionsAreRefusedAtTheirPosition() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("deep"));
        Files.writeString(dir.resolve("kustomization.yaml.mustache"), "kind: Kustomization\n"
                + "{{#revision}}".repeat(20_000) + "x" + "{{/revision}}".repeat(20_000) + "\n");
        Cli.Result result = Cli.run("render", CORPUS.resolve("095-templates-includes-a-file.yaml").toString(),
                "--out", tmp.resolve("out").toString(), "--templates", dir.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertEquals("meshwave: " + dir + "/kustomization.yaml.mustache:2:" + (1 + 64 * "{{#revision}}".length())
                + ": sections nested deeper than 64 levels; a template that deep is not meant to be read\n", result.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    /** What a template renders is parsed back as YAML: deep flow nesting there must not overflow the parser's stack either. */
    @Test
    void aTemplateThatRendersDeeplyNestedYamlIsRefusedAtItsPosition() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("deep-yaml"));
        Files.writeString(dir.resolve("kustomization.yaml.mustache"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                + "x: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n");
        Cli.Result result = Cli.run("render", CORPUS.resolve("095-templates-includes-a-file.yaml").toString(),
                "--out", tmp.resolve("out").toString(), "--templates", dir.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertEquals("meshwave: " + dir + "/kustomization.yaml.mustache:1:1: renders YAML nested deeper than 64 levels"
                + " (line 3, column 67 of what it renders)\n", result.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    /** Issue 15: a version import cannot read is the flag's error (exit 2), whatever it holds; it was exit 4. */
    @Test
    void importNamesTheFlagOfAVersionItCannotRead() {
        for (String garbage : List.of("garbage", "1.2.3\n", "1.2", "", "1.2.3-asm.x", "99999999999.0.0",
                "1.2.3 --name x", "\u0661.2.3")) {
            Cli.Result result = Cli.run("import", "--namespaces", "examples/inventory/ns.yaml", "--to-version", garbage);
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().startsWith("meshwave: --to-version: "), result::toString);
            assertEquals("", result.out());
        }
    }

    private static Path fifo(Path path) {
        Cli.Result made = Processes.run(path.getParent(), Map.of(), List.of("mkfifo", path.toString()));
        assertEquals(0, made.exitCode(), made::toString);
        return path;
    }
}
