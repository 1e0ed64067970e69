package dev.meshwave.hostile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * One case of the hostile corpus, read from {@code <class>/<NNN-name>/case.yaml} and its {@code expected}
 * file. Fields (see {@link HostileCorpusTest} for what each means): {@code about}, {@code files},
 * {@code plant}, {@code remote}, {@code http}, {@code before}, {@code env}, {@code run}, {@code kept}, {@code mentions}, {@code never}.
 * A misspelt field fails the case rather than being ignored: a case that silently tests less is worse
 * than none.
 */
record HostileCase(Path dir, String name, String about, Map<String, Map<String, Object>> files, Map<String, Map<String, Object>> plant,
        Optional<Map<String, Object>> remote,
        Optional<Map<String, Object>> http, List<List<String>> before, Map<String, String> env, List<String> run, List<String> kept,
        List<String> mentions, List<String> never, Expected expected) {

    private static final List<String> FIELDS = List.of("about", "files", "plant", "remote", "http", "before", "env", "run", "kept", "mentions", "never");

    /** The approved outcome: the exit code (written by hand, from the contract) and, once approved, stderr's first line. */
    record Expected(Path file, int exit, Optional<String> first) {

        static Expected read(Path file) throws IOException {
            Integer exit = null;
            String first = null;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("exit: ")) {
                    exit = Integer.parseInt(line.substring("exit: ".length()).trim());
                } else if (line.startsWith("first: ")) {
                    first = line.substring("first: ".length());
                } else if (line.equals("first:")) {
                    first = "";
                }
            }
            if (exit == null) {
                throw new IllegalStateException(file + ": no 'exit: N' line");
            }
            return new Expected(file, exit, Optional.ofNullable(first));
        }

        /** Rewrites only the {@code first:} line (approval); the exit code stays as written by hand. */
        void approveFirst(String line) throws IOException {
            List<String> kept = new ArrayList<>();
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!l.startsWith("first:")) {
                    kept.add(l);
                }
            }
            kept.add("first: " + line);
            Files.write(file, kept, StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    static HostileCase read(Path dir) throws IOException {
        Object loaded = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build())
                .loadFromString(Files.readString(dir.resolve("case.yaml")));
        if (!(loaded instanceof Map<?, ?> map)) {
            throw new IllegalStateException(dir + "/case.yaml is not a mapping");
        }
        Map<String, Object> yaml = (Map<String, Object>) map;
        for (String key : yaml.keySet()) {
            if (!FIELDS.contains(key)) {
                throw new IllegalStateException(dir + "/case.yaml: unknown field " + key + " (expected one of " + FIELDS + ")");
            }
        }
        Map<String, Map<String, Object>> files = files(yaml.get("files"));
        Map<String, Map<String, Object>> plant = files(yaml.get("plant"));
        Map<String, String> env = new LinkedHashMap<>();
        ((Map<String, Object>) yaml.getOrDefault("env", Map.of())).forEach((k, v) -> env.put(k, v == null ? null : String.valueOf(v)));
        String about = (String) yaml.get("about");
        if (about == null || about.isBlank()) {
            throw new IllegalStateException(dir + "/case.yaml: every case says what it is about");
        }
        List<String> run = strings(yaml.get("run"));
        if (run.isEmpty()) {
            throw new IllegalStateException(dir + "/case.yaml: no 'run' command");
        }
        return new HostileCase(dir, dir.getParent().getFileName() + "/" + dir.getFileName(), about, files, plant,
                Optional.ofNullable((Map<String, Object>) yaml.get("remote")), Optional.ofNullable((Map<String, Object>) yaml.get("http")),
                commands(yaml.get("before")), env, run, strings(yaml.get("kept")), strings(yaml.get("mentions")),
                strings(yaml.get("never")),
                Expected.read(dir.resolve("expected")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> files(Object value) {
        Map<String, Map<String, Object>> files = new LinkedHashMap<>();
        if (value != null) {
            ((Map<String, Object>) value).forEach((path, spec) -> files.put(path, (Map<String, Object>) spec));
        }
        return files;
    }

    /** {@code before:} is one command (a list of words) or a list of commands. */
    private static List<List<String>> commands(Object value) {
        if (value == null) {
            return List.of();
        }
        List<?> list = (List<?>) value;
        if (!list.isEmpty() && list.get(0) instanceof List<?>) {
            return list.stream().map(HostileCase::strings).toList();
        }
        return List.of(strings(list));
    }

    private static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        return ((List<?>) value).stream().map(String::valueOf).toList();
    }
}
