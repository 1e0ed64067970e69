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

/** Finds which stage a previously rendered cluster directory points its live entry point at. */
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
}
