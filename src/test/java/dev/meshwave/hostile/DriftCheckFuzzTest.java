package dev.meshwave.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.meshwave.cli.Environment;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.PlantedSecrets;
import dev.meshwave.testing.Plans;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * {@code render --check} reads an output tree that a pull request controls. The fuzzer edits a real
 * render: each line of its input is one edit, {@code OP PATH<TAB>ARG}, so that committed inputs are
 * readable and the fuzzer's mutations stay meaningful:
 * <pre>
 * w PATH&lt;TAB&gt;TEXT      write a file (\n in TEXT is a newline)
 * l PATH&lt;TAB&gt;TARGET    a symbolic link; TARGET "SECRET" / "SECRETS" is a planted secret file / directory outside the tree
 * d PATH               delete a file or an empty directory
 * m PATH               make a directory
 * </pre>
 * Paths are relative to the output root; edits that would leave it are skipped. Whatever the tree,
 * {@code render --check} (text or {@code --format json}, the first line's choice: {@code json}) exits
 * 0, 1, 2 or 3, shows no stack trace and prints no planted secret ({@link Cli#run} checks every run);
 * the tree is not changed. {@code mvn verify} replays {@code DriftCheckFuzzTestInputs/};
 * {@code mvn -Pfuzz test -Dtest=DriftCheckFuzzTest} fuzzes.
 */
class DriftCheckFuzzTest {

    private static final Path PLAN = Plans.scratchFile("plan.yaml");
    private static final Path DIR = PLAN.getParent();
    private static final Path RENDERED = DIR.resolve("rendered");
    private static final Path OUT = DIR.resolve("out");
    private static final Path SECRETS = DIR.resolve("planted");
    private static final Environment ENVIRONMENT = new Environment(Map.of("HOME", DIR.toString(), "XDG_RUNTIME_DIR", DIR.toString(),
            "SOURCE_DATE_EPOCH", "1767225600"), Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    @FuzzTest(maxDuration = "2m")
    void anyOutputTree(byte[] bytes) throws IOException {
        prepare();
        List<String> edits = new String(bytes, StandardCharsets.UTF_8).lines().toList();
        for (String edit : edits) {
            apply(edit);
        }
        Snapshot before = Snapshot.of(OUT);
        boolean json = !edits.isEmpty() && edits.get(0).equals("json");
        Cli.Result result = json ? Cli.run(ENVIRONMENT, "render", PLAN.toString(), "--out", OUT.toString(), "--check", "--format", "json")
                : Cli.run(ENVIRONMENT, "render", PLAN.toString(), "--out", OUT.toString(), "--check");
        assertTrue(List.of(0, 1, 2, 3).contains(result.exitCode()), () -> PlantedSecrets.masked(result.toString()));
        assertFalse(result.err().contains("Exception") || result.err().contains("\tat "), () -> PlantedSecrets.masked(result.toString()));
        assertEquals(before, Snapshot.of(OUT), "render --check writes nothing");
    }

    /** A fresh copy of one real render, and the planted secrets beside (not inside) it. */
    private static void prepare() throws IOException {
        if (!Files.isDirectory(RENDERED)) {
            Files.writeString(PLAN, dev.meshwave.testing.Plans.BASE);
            Cli.Result rendered = Cli.run(ENVIRONMENT, "render", PLAN.toString(), "--out", RENDERED.toString(), "--quiet");
            assertEquals(0, rendered.exitCode(), rendered::toString);
            PlantedSecrets.plantFiles(SECRETS);
        }
        delete(OUT);
        Files.walkFileTree(RENDERED, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(OUT.resolve(RENDERED.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, OUT.resolve(RENDERED.relativize(file)), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void apply(String edit) {
        if (edit.length() < 3 || edit.charAt(1) != ' ' || edit.indexOf('\0') >= 0) {
            return;
        }
        int tab = edit.indexOf('\t');
        String name = tab < 0 ? edit.substring(2) : edit.substring(2, tab);
        String arg = tab < 0 ? "" : edit.substring(tab + 1);
        Path path;
        try {
            path = OUT.resolve(name).normalize();
        } catch (RuntimeException e) {
            return;
        }
        if (!path.startsWith(OUT) || path.equals(OUT)) {
            return;
        }
        try {
            Files.createDirectories(path.getParent());
            switch (edit.charAt(0)) {
                case 'w' -> {
                    delete(path);
                    Files.writeString(path, arg.replace("\\n", "\n"));
                }
                case 'l' -> {
                    delete(path);
                    String target = switch (arg) {
                        case "SECRET" -> SECRETS.resolve("secret.env").toString();
                        case "SECRETS" -> SECRETS.resolve("keys").toString();
                        default -> arg;
                    };
                    Files.createSymbolicLink(path, Path.of(target));
                }
                case 'd' -> Files.deleteIfExists(path);
                case 'm' -> Files.createDirectories(path);
                default -> { }
            }
        } catch (IOException | RuntimeException e) {
            // An edit the file system refuses (a name too long, a file where a directory is): the tree stays as it was.
        }
    }

    private static void delete(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (var children = Files.list(path)) {
                for (Path child : children.toList()) {
                    delete(child);
                }
            }
        }
        Files.delete(path);
    }
}
