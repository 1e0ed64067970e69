package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.lint.Rule;
import dev.meshwave.testing.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The README and {@code docs/} are what users read, and what meshwave writes and prints must make
 * sense to someone who has only those: every plan they show validates, every link they follow
 * exists, and nothing a user sees cites the project's internal notes.
 */
class DocsTest {

    static final Path README = Path.of("README.md");
    static final Path DOCS = Path.of("docs");
    static final int README_LIMIT = 20_000;

    /** Internal project documents users do not have: the design notes, the mesh facts, the numbered seeds. */
    static final Pattern INTERNAL_REFERENCE =
            Pattern.compile("MESH-FACTS|DESIGN\\.md|\\bDESIGN\\b|\\bseeds? 0\\d\\d", Pattern.CASE_INSENSITIVE);

    private static final Pattern FENCE = Pattern.compile("^```(\\S*)\\s*$");
    /** {@code [text](target)}, not images' alt text inside code; good enough for these pages. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern DOCS_MENTION = Pattern.compile("docs/[a-z0-9-]+\\.md");

    record Block(Path file, int line, String language, String text) {
        String name() {
            return file + ":" + line;
        }
    }

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(README));
        try (Stream<Path> docs = Files.list(DOCS)) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    static List<Block> blocks(Path page) throws IOException {
        List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int start = i + 1;
            StringBuilder text = new StringBuilder();
            for (i = start; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                text.append(lines.get(i)).append('\n');
            }
            blocks.add(new Block(page, start, open.group(1), text.toString()));
        }
        return blocks;
    }

    /** Page text outside fenced blocks, where links are links and not code. */
    static String prose(Path page) throws IOException {
        StringBuilder prose = new StringBuilder();
        boolean inBlock = false;
        for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
            } else if (!inBlock) {
                prose.append(line).append('\n');
            }
        }
        return prose.toString();
    }

    @Nested
    class Plans {

        @TempDir
        Path tmp;

        @TestFactory
        Stream<DynamicTest> everyUpgradePlanShownValidates() throws IOException {
            List<Block> plans = new ArrayList<>();
            for (Path page : pages()) {
                blocks(page).stream()
                        .filter(b -> b.language().equals("yaml") && b.text().contains("kind: UpgradePlan"))
                        .forEach(plans::add);
            }
            assertTrue(plans.stream().anyMatch(b -> b.file().equals(README)), "the README walks through a plan");
            assertTrue(plans.stream().anyMatch(b -> b.file().equals(DOCS.resolve("plan.md"))), "the plan reference shows one");
            return plans.stream().map(b -> DynamicTest.dynamicTest(b.name(), () -> validates(b)));
        }

        private void validates(Block block) throws IOException {
            Path dir = Files.createTempDirectory(tmp, "plan");
            Path plan = Files.writeString(dir.resolve("plan.yaml"), block.text());
            // The overlays a plan names are the reader's own files: stand in for them with the smallest valid one.
            for (String overlay : overlays(block.text())) {
                Path file = dir.resolve(overlay);
                Files.createDirectories(file.getParent());
                Files.writeString(file, "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig: {}\n");
            }
            Cli.Result result = Cli.run("validate", plan.toString());
            assertEquals(0, result.exitCode(), () -> block.name() + " does not validate:\n" + result);
        }

        @SuppressWarnings("unchecked")
        private List<String> overlays(String yaml) {
            Object document = new Load(LoadSettings.builder().build()).loadFromString(yaml);
            if (document instanceof Map<?, ?> root && root.get("spec") instanceof Map<?, ?> spec
                    && spec.get("to") instanceof Map<?, ?> to && to.get("overlays") instanceof List<?> overlays) {
                return (List<String>) overlays;
            }
            return List.of();
        }
    }

    @Test
    void theReadmeIsAGuideOfAtMost20KB() throws IOException {
        long size = Files.size(README);
        assertTrue(size <= README_LIMIT, "README.md is " + size + " bytes; reference material belongs in docs/");
    }

    @Test
    void everyRelativeLinkPointsAtAFileOfTheRepository() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            Matcher link = LINK.matcher(prose(page));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z][a-z0-9+.-]*:.*") || target.startsWith("#")) {
                    continue; // https:, mailto:, an anchor on the same page
                }
                String path = target.replaceFirst("#.*$", "");
                if (!Files.exists(page.getParent() == null ? Path.of(path) : page.getParent().resolve(path))) {
                    broken.add(page + ": " + target);
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void everyDocsPageThatMeshwaveMentionsExists() throws IOException {
        TreeSet<String> mentioned = new TreeSet<>();
        for (Path root : List.of(Path.of("templates"), Path.of("src/main"), Path.of("examples"))) {
            for (Path file : files(root)) {
                Matcher mention = DOCS_MENTION.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (mention.find()) {
                    mentioned.add(mention.group());
                }
            }
        }
        assertFalse(mentioned.isEmpty(), "templates and messages point users at docs/");
        for (String page : mentioned) {
            assertTrue(Files.isRegularFile(Path.of(page)), page + " is mentioned but not there");
        }
    }

    @Nested
    class NothingCitesInternalNotes {

        @Test
        void noTemplateNorExampleNorGoldenFile() throws IOException {
            List<String> hits = new ArrayList<>();
            for (Path root : List.of(Path.of("templates"), Path.of("golden"), Path.of("examples"), DOCS, README)) {
                for (Path file : files(root)) {
                    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                    for (int i = 0; i < lines.size(); i++) {
                        if (INTERNAL_REFERENCE.matcher(lines.get(i)).find()) {
                            hits.add(file + ":" + (i + 1) + ": " + lines.get(i).strip());
                        }
                    }
                }
            }
            assertEquals(List.of(), hits);
        }

        @Test
        void noHelpTextNorTheSchema() {
            List<String> outputs = new ArrayList<>();
            outputs.add(Cli.run("--help").out());
            for (String command : List.of("validate", "render", "publish", "rollback", "explain", "schema", "import", "lint", "completion")) {
                outputs.add(Cli.run(command, "--help").out());
            }
            outputs.add(Cli.run("schema").out());
            for (String output : outputs) {
                assertFalse(INTERNAL_REFERENCE.matcher(output).find(), output);
            }
        }

        @Test
        void noLintRule() {
            for (Rule rule : Rule.values()) {
                assertFalse(INTERNAL_REFERENCE.matcher(rule.title() + " " + rule.help()).find(), rule.id());
            }
        }
    }

    private static List<Path> files(Path root) throws IOException {
        if (Files.isRegularFile(root)) {
            return List.of(root);
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
