package dev.meshwave.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import dev.meshwave.render.TemplateException;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads a {@code --templates DIR} of overrides: every {@code *.mustache} file directly or below it, by file name. */
public final class TemplateDirectory {

    private TemplateDirectory() {}

    public static Map<String, String> read(Path dir) throws IOException, TemplateException {
        if (!Files.isDirectory(dir)) {
            throw new TemplateException("--templates " + dir + " is not a directory");
        }
        Map<String, String> overrides = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".mustache")) {
                    continue;
                }
                if (overrides.put(name, Files.readString(file, StandardCharsets.UTF_8)) != null) {
                    throw new TemplateException("--templates " + dir + " holds two templates named " + name);
                }
            }
        }
        return overrides;
    }
}
