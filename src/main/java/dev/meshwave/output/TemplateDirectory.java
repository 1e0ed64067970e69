package dev.meshwave.output;

import dev.meshwave.plan.InputFile;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.YamlDocument;
import dev.meshwave.render.TemplateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads a {@code --templates DIR} of overrides: every {@code *.mustache} file directly or below it, by
 * file name. Templates are read like overlays: a symbolic link may point only inside the directory (a
 * template linked to a kubeconfig would be rendered into the output), and each file goes through
 * {@link InputFile} (regular files, at most 1 MiB, UTF-8).
 */
public final class TemplateDirectory {

    private TemplateDirectory() {}

    public static Map<String, String> read(Path dir) throws IOException, TemplateException {
        if (!Files.isDirectory(dir)) {
            throw new TemplateException("--templates " + dir + " is not a directory");
        }
        Path realDir = dir.toRealPath();
        Map<String, String> overrides = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(f -> f.getFileName().toString().endsWith(".mustache")).sorted().toList()) {
                String name = file.getFileName().toString();
                if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    // A directory named like a template would be skipped, and the user's override silently not used.
                    throw new TemplateException(file + ":1:1: a directory named like a template; a template override is a"
                            + " regular file");
                }
                if (Files.isSymbolicLink(file) && (!Files.exists(file) || !file.toRealPath().startsWith(realDir))) {
                    throw new TemplateException(file + ":1:1: the template is a symbolic link that leads outside --templates "
                            + dir + "; copy the file into the directory instead");
                }
                String text;
                try {
                    text = InputFile.read(file, YamlDocument.MAX_BYTES, "template");
                } catch (InvalidPlanException e) {
                    throw new TemplateException(e.getMessage());
                }
                if (overrides.put(name, text) != null) {
                    throw new TemplateException("--templates " + dir + " holds two templates named " + name);
                }
            }
        }
        return overrides;
    }
}
