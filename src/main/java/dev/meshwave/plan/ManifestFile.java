package dev.meshwave.plan;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads the Kubernetes objects of a YAML file that is not meshwave's (a kubectl export, a file in a
 * GitOps repository), keeping where each node was written. Unlike a plan, such files are not meshwave's
 * to judge: several documents, anchors and {@code List}s are all read as kubectl would; documents that
 * are not objects are passed over. Import and lint both read through here.
 */
public final class ManifestFile {

    /** A file that cannot be read as YAML objects, with where and why. */
    public static final class UnreadableException extends Exception {
        private final SourcePosition position;

        UnreadableException(SourcePosition position, String message) {
            super(message);
            this.position = position;
        }

        public SourcePosition position() {
            return position;
        }
    }

    private static final int MAX_DEPTH = 100;

    private ManifestFile() {}

    /** The objects of a file's bytes, which may be at most {@code maxBytes}; {@code label} is the path printed in positions. */
    public static List<Manifest> read(String label, byte[] bytes, int maxBytes) throws UnreadableException {
        if (bytes.length > maxBytes) {
            throw new UnreadableException(new SourcePosition(label, 1, 1), "larger than " + (maxBytes >> 20) + " MiB");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UnreadableException(new SourcePosition(label, 1, 1), "not UTF-8");
        }
        LoadSettings settings = LoadSettings.builder().setLabel(label).setSchema(new CoreSchema())
                .setAllowDuplicateKeys(true).setMaxAliasesForCollections(100).setCodePointLimit(maxBytes).build();
        List<Manifest> manifests = new ArrayList<>();
        try {
            for (Node document : new Compose(settings).composeAllFromString(text)) {
                if (document instanceof MappingNode) {
                    Map<String, SourcePosition> positions = new HashMap<>();
                    Object value = new Converter(label, positions).convert(document, "", 0);
                    add(manifests, label, document, value, positions);
                }
            }
        } catch (MarkedYamlEngineException e) {
            throw new UnreadableException(position(label, e.getProblemMark().or(e::getContextMark)),
                    "not valid YAML (" + String.valueOf(e.getProblem()).replaceAll("\\s+", " ").trim() + ")");
        } catch (YamlEngineException | IllegalArgumentException e) {
            // snakeyaml-engine signals some malformed tags with IllegalArgumentException (found by fuzzing plans).
            throw new UnreadableException(new SourcePosition(label, 1, 1), "not valid YAML");
        } catch (TooDeepException e) {
            throw new UnreadableException(e.position, "nested deeper than " + MAX_DEPTH + " levels");
        }
        return manifests;
    }

    /** A document that is an object becomes one manifest; a {@code List} (what kubectl exports) one per item. */
    @SuppressWarnings("unchecked")
    private static void add(List<Manifest> manifests, String label, Node document, Object value, Map<String, SourcePosition> positions) {
        Map<String, Object> object = (Map<String, Object>) value;
        SourcePosition start = position(label, document.getStartMark());
        if (object.get("items") instanceof List<?> items && String.valueOf(object.get("kind")).endsWith("List")) {
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i) instanceof Map<?, ?> item && isObject(item)) {
                    String prefix = "/items/" + i;
                    Map<String, SourcePosition> itemPositions = new HashMap<>();
                    positions.forEach((pointer, position) -> {
                        if (pointer.startsWith(prefix + "/")) {
                            itemPositions.put(pointer.substring(prefix.length()), position);
                        }
                    });
                    manifests.add(new Manifest((Map<String, Object>) item, itemPositions, positions.getOrDefault(prefix, start)));
                }
            }
        } else if (isObject(object)) {
            manifests.add(new Manifest(object, positions, start));
        }
    }

    private static boolean isObject(Map<?, ?> map) {
        return map.get("kind") instanceof String && map.get("apiVersion") instanceof String && map.get("metadata") instanceof Map;
    }

    private static SourcePosition position(String label, Optional<Mark> mark) {
        return mark.map(m -> new SourcePosition(label, m.getLine() + 1, m.getColumn() + 1)).orElse(new SourcePosition(label, 1, 1));
    }

    private static final class TooDeepException extends RuntimeException {
        private final transient SourcePosition position;

        TooDeepException(SourcePosition position) {
            super(null, null, false, false);
            this.position = position;
        }
    }

    /** Nodes to maps, lists, strings and null, recording each key's or item's position under its JSON pointer. */
    private record Converter(String label, Map<String, SourcePosition> positions) {

        Object convert(Node node, String pointer, int depth) {
            if (depth > MAX_DEPTH) {
                // Also stops aliases that refer to an enclosing node.
                throw new TooDeepException(position(label, node.getStartMark()));
            }
            if (node instanceof MappingNode mapping) {
                Map<String, Object> map = new LinkedHashMap<>();
                for (NodeTuple tuple : mapping.getValue()) {
                    if (tuple.getKeyNode() instanceof ScalarNode key) {
                        String child = pointer + "/" + key.getValue().replace("~", "~0").replace("/", "~1");
                        positions.put(child, position(label, key.getStartMark()));
                        map.put(key.getValue(), convert(tuple.getValueNode(), child, depth + 1));
                    }
                }
                return map;
            }
            if (node instanceof SequenceNode sequence) {
                List<Object> list = new ArrayList<>();
                for (Node item : sequence.getValue()) {
                    String child = pointer + "/" + list.size();
                    positions.put(child, position(label, item.getStartMark()));
                    list.add(convert(item, child, depth + 1));
                }
                return list;
            }
            ScalarNode scalar = (ScalarNode) node;
            return scalar.getTag().equals(Tag.NULL) ? null : scalar.getValue();
        }
    }
}
