package dev.meshwave.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The real {@code kubectl kustomize}, and the objects it builds. */
public final class Kustomize {

    private Kustomize() {}

    /** Builds a kustomization directory; fails the test with kustomize's own message if it does not build. */
    public static List<Map<String, Object>> build(Path dir) {
        return objects(buildText(dir));
    }

    /** The objects of a build's output, each document a new map. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> objects(String yaml) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
            if (document != null) {
                objects.add((Map<String, Object>) document);
            }
        }
        return objects;
    }

    public static String buildText(Path dir) {
        try {
            Process process = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " timed out");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed: " + new String(err, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("kubectl is required for these tests (the stages are built with the real kustomize): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The object of a kind and name (and namespace, when given) in a build. */
    @SuppressWarnings("unchecked")
    public static Optional<Map<String, Object>> find(List<Map<String, Object>> objects, String kind, String namespace, String name) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).filter(o -> {
            Map<String, Object> metadata = (Map<String, Object>) o.get("metadata");
            return name.equals(metadata.get("name")) && (namespace == null || namespace.equals(metadata.get("namespace")));
        }).findFirst();
    }

    /** metadata.labels of an object, empty when it has none. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> labels(Map<String, Object> object) {
        Map<String, Object> metadata = (Map<String, Object>) object.get("metadata");
        Object labels = metadata.get("labels");
        return labels == null ? Map.of() : (Map<String, Object>) labels;
    }

    /** Follows a path of map keys and list indexes. */
    @SuppressWarnings("unchecked")
    public static Object at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            current = step instanceof Integer i ? ((List<Object>) current).get(i) : ((Map<String, Object>) current).get(step);
        }
        return current;
    }
}
