package dev.meshwave.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * What a previously rendered cluster directory holds: which stage its live entry point points at, and
 * which stage directories it carries (a published branch carries the stages up to its own).
 */
public final class LiveStageReader {

    private LiveStageReader() {}

    /** The stage directory ({@code 01-ingress}) named by {@code <clusterDir>/kustomization.yaml}, if any. */
    public static Optional<String> read(Path clusterDir) throws IOException {
        Path live = clusterDir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(live)) {
            return Optional.empty();
        }
        try {
            Object document = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(live, StandardCharsets.UTF_8));
            if (document instanceof Map<?, ?> map && map.get("resources") instanceof List<?> resources) {
                return resources.stream()
                        .map(String::valueOf)
                        .filter(r -> r.startsWith("stages/"))
                        .map(r -> r.substring("stages/".length()).replaceAll("/+$", ""))
                        .findFirst();
            }
        } catch (YamlEngineException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The names of the directories under {@code <clusterDir>/stages/}, sorted; none when it is not there. */
    public static List<String> stageDirectories(Path clusterDir) throws IOException {
        Path stages = clusterDir.resolve("stages");
        if (!Files.isDirectory(stages, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (var entries = Files.list(stages)) {
            return entries.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
