package dev.meshwave.plan;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Kubernetes objects exported with {@code kubectl get … -o yaml}: one or more documents, each an
 * object or a {@code List} of them. Exports of real clusters are large and machine-written, so the
 * limits are those of a data file, not of a hand-written plan.
 */
public final class Inventory {

    /** A Kubernetes object of an export: its kind, namespace, name and labels, and the file it came from. */
    public record KubeObject(String file, int index, String kind, String namespace, String name, Map<String, String> labels,
            Map<String, Object> raw) {}

    private static final int MAX_CODE_POINTS = 256 * 1024 * 1024;

    private Inventory() {}

    /** Reads every object of an export; a file that is not such an export is an {@link InvalidPlanException} at its position. */
    public static List<KubeObject> read(Path file) throws InvalidPlanException {
        String label = file.toString();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw invalid(label, 1, 1, "the file is not UTF-8");
        } catch (IOException e) {
            throw invalid(label, 1, 1, "cannot read it: " + e.getMessage());
        }
        List<KubeObject> objects = new ArrayList<>();
        LoadSettings settings = LoadSettings.builder().setLabel(label).setCodePointLimit(MAX_CODE_POINTS)
                .setMaxAliasesForCollections(0).setAllowDuplicateKeys(false).build();
        try {
            for (Object document : new Load(settings).loadAllFromString(text)) {
                if (document == null) {
                    continue;
                }
                if (!(document instanceof Map<?, ?> map)) {
                    throw invalid(label, 1, 1, "expected the output of kubectl get … -o yaml (objects or a List), found a "
                            + document.getClass().getSimpleName());
                }
                if ("List".equals(map.get("kind")) || map.get("items") instanceof List) {
                    for (Object item : (List<?>) Optional.ofNullable(map.get("items")).orElse(List.of())) {
                        add(objects, label, item);
                    }
                } else {
                    add(objects, label, document);
                }
            }
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(1);
            int column = e.getProblemMark().map(m -> m.getColumn() + 1).orElse(1);
            throw invalid(label, line, column, "not valid YAML: " + e.getProblem());
        } catch (YamlEngineException | IllegalArgumentException e) {
            throw invalid(label, 1, 1, "not valid YAML: " + e.getMessage());
        }
        return objects;
    }

    @SuppressWarnings("unchecked")
    private static void add(List<KubeObject> objects, String label, Object item) {
        if (!(item instanceof Map<?, ?> map) || !(map.get("metadata") instanceof Map<?, ?> metadata)) {
            return; // not an object: nothing an inventory can use
        }
        Map<String, String> labels = new java.util.TreeMap<>();
        if (metadata.get("labels") instanceof Map<?, ?> l) {
            l.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
        }
        objects.add(new KubeObject(label, objects.size(), String.valueOf(map.get("kind")),
                metadata.get("namespace") == null ? "" : String.valueOf(metadata.get("namespace")),
                String.valueOf(metadata.get("name")), labels, (Map<String, Object>) map));
    }

    private static InvalidPlanException invalid(String file, int line, int column, String message) {
        return new InvalidPlanException(List.of(Problem.error(new SourcePosition(file, line, column), "", message)));
    }
}
