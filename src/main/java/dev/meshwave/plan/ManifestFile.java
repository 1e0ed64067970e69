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
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
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

    /**
     * One document of a file as plain values (maps, lists, strings, null), with the position of every node and the
     * pointers of its {@linkplain #typed typed scalars}.
     *
     * @param typed the JSON pointers of the plain scalars YAML's core schema resolves to a number or a boolean: they
     *     are read as strings like every scalar, and this says which ones a copy written back out must not quote
     */
    public record Document(Object value, Map<String, SourcePosition> positions, SourcePosition start, java.util.Set<String> typed) {}

    private ManifestFile() {}

    /** The objects of a file's bytes, which may be at most {@code maxBytes}; {@code label} is the path printed in positions. */
    public static List<Manifest> read(String label, byte[] bytes, int maxBytes) throws UnreadableException {
        List<Manifest> manifests = new ArrayList<>();
        for (Document document : documents(label, bytes, maxBytes)) {
            if (document.value() instanceof Map<?, ?>) {
                add(manifests, document);
            }
        }
        return manifests;
    }

    /**
     * Every document of a file, whatever it holds. Nesting is checked on the parser's events before
     * any tree is built (a deep file would overflow the composer's stack), and aliases may expand to
     * no more values than a few times the file's size (an alias bomb is a small file).
     */
    public static List<Document> documents(String label, byte[] bytes, int maxBytes) throws UnreadableException {
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
        List<Document> documents = new ArrayList<>();
        try {
            int depth = 0;
            for (Event event : new Parse(settings).parseString(text)) {
                if (event.getEventId() == Event.ID.MappingStart || event.getEventId() == Event.ID.SequenceStart) {
                    if (++depth > MAX_DEPTH) {
                        throw new UnreadableException(position(label, event.getStartMark()), "nested deeper than " + MAX_DEPTH + " levels");
                    }
                } else if (event.getEventId() == Event.ID.MappingEnd || event.getEventId() == Event.ID.SequenceEnd) {
                    depth--;
                }
            }
            Converter converter = new Converter(label, 4L * bytes.length + 10_000);
            for (Node node : new Compose(settings).composeAllFromString(text)) {
                Map<String, SourcePosition> positions = new HashMap<>();
                java.util.Set<String> typed = new java.util.HashSet<>();
                Object value = converter.convert(node, "", 0, positions, typed);
                documents.add(new Document(value, positions, position(label, node.getStartMark()), typed));
            }
        } catch (MarkedYamlEngineException e) {
            throw new UnreadableException(position(label, e.getProblemMark().or(e::getContextMark)),
                    "not valid YAML (" + String.valueOf(e.getProblem()).replaceAll("\\s+", " ").trim() + ")");
        } catch (YamlEngineException | IllegalArgumentException e) {
            // snakeyaml-engine signals some malformed tags with IllegalArgumentException (found by fuzzing plans).
            throw new UnreadableException(new SourcePosition(label, 1, 1), "not valid YAML");
        } catch (LimitException e) {
            throw new UnreadableException(e.position, e.getMessage());
        }
        return documents;
    }

    /**
     * A deep copy of {@code value}, read at {@code pointer} of a document whose typed scalars are {@code typed}, with
     * each of those scalars resolved again as YAML's core schema resolves it (so {@code 2} is a number and
     * {@code "2"} stays a string when the copy is written out). Mappings keep their order.
     */
    static Object typed(Object value, String pointer, java.util.Set<String> typed) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), typed(v, pointer + "/" + String.valueOf(k).replace("~", "~0")
                    .replace("/", "~1"), typed)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                copy.add(typed(list.get(i), pointer + "/" + i, typed));
            }
            return copy;
        }
        if (value instanceof String text && typed.contains(pointer)) {
            // The scalar alone, as the core schema resolves a plain scalar: what it meant where it was written.
            return new org.snakeyaml.engine.v2.api.Load(LoadSettings.builder().setSchema(new CoreSchema()).build()).loadFromString(text);
        }
        return value;
    }

    /** A document that is an object becomes one manifest; a {@code List} (what kubectl exports) one per item. */
    @SuppressWarnings("unchecked")
    private static void add(List<Manifest> manifests, Document document) {
        Map<String, Object> object = (Map<String, Object>) document.value();
        if (object.get("items") instanceof List<?> items && String.valueOf(object.get("kind")).endsWith("List")) {
            // Positions by item in one pass: exports hold thousands of objects.
            Map<Integer, Map<String, SourcePosition>> byItem = new HashMap<>();
            document.positions().forEach((pointer, position) -> {
                if (pointer.startsWith("/items/")) {
                    int slash = pointer.indexOf('/', "/items/".length());
                    if (slash > 0) {
                        byItem.computeIfAbsent(Integer.parseInt(pointer.substring("/items/".length(), slash)), i -> new HashMap<>())
                                .put(pointer.substring(slash), position);
                    }
                }
            });
            Map<Integer, java.util.Set<String>> typedByItem = new HashMap<>();
            for (String pointer : document.typed()) {
                int slash = pointer.startsWith("/items/") ? pointer.indexOf('/', "/items/".length()) : -1;
                if (slash > 0) {
                    typedByItem.computeIfAbsent(Integer.parseInt(pointer.substring("/items/".length(), slash)), i -> new java.util.HashSet<>())
                            .add(pointer.substring(slash));
                }
            }
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i) instanceof Map<?, ?> item && isObject(item)) {
                    manifests.add(new Manifest((Map<String, Object>) item, byItem.getOrDefault(i, Map.of()),
                            document.positions().getOrDefault("/items/" + i, document.start()), typedByItem.getOrDefault(i, java.util.Set.of())));
                }
            }
        } else if (isObject(object)) {
            manifests.add(new Manifest(object, document.positions(), document.start(), document.typed()));
        }
    }

    private static boolean isObject(Map<?, ?> map) {
        return map.get("kind") instanceof String && map.get("apiVersion") instanceof String && map.get("metadata") instanceof Map;
    }

    private static SourcePosition position(String label, Optional<Mark> mark) {
        return mark.map(m -> new SourcePosition(label, m.getLine() + 1, m.getColumn() + 1)).orElse(new SourcePosition(label, 1, 1));
    }

    /** Input lint and import will not expand: too deep, or aliases that multiply the file. */
    private static final class LimitException extends RuntimeException {
        private final transient SourcePosition position;

        LimitException(SourcePosition position, String message) {
            super(message, null, false, false);
            this.position = position;
        }
    }

    /** Nodes to maps, lists, strings and null, recording each key's or item's position under its JSON pointer. */
    private static final class Converter {
        private final String label;
        private long budget;

        Converter(String label, long budget) {
            this.label = label;
            this.budget = budget;
        }

        Object convert(Node node, String pointer, int depth, Map<String, SourcePosition> positions, java.util.Set<String> typed) {
            if (--budget < 0) {
                throw new LimitException(position(label, node.getStartMark()), "aliases expand to more values than a file this size holds");
            }
            if (depth > MAX_DEPTH) {
                // Aliases can nest what the events did not: an alias to an enclosing node.
                throw new LimitException(position(label, node.getStartMark()), "nested deeper than " + MAX_DEPTH + " levels");
            }
            if (node instanceof MappingNode mapping) {
                Map<String, Object> map = new LinkedHashMap<>();
                for (NodeTuple tuple : mapping.getValue()) {
                    if (tuple.getKeyNode() instanceof ScalarNode key) {
                        String child = pointer + "/" + key.getValue().replace("~", "~0").replace("/", "~1");
                        positions.put(child, position(label, key.getStartMark()));
                        map.put(key.getValue(), convert(tuple.getValueNode(), child, depth + 1, positions, typed));
                    }
                }
                return map;
            }
            if (node instanceof SequenceNode sequence) {
                List<Object> list = new ArrayList<>();
                for (Node item : sequence.getValue()) {
                    String child = pointer + "/" + list.size();
                    positions.put(child, position(label, item.getStartMark()));
                    list.add(convert(item, child, depth + 1, positions, typed));
                }
                return list;
            }
            ScalarNode scalar = (ScalarNode) node;
            if (scalar.getTag().equals(Tag.INT) || scalar.getTag().equals(Tag.FLOAT) || scalar.getTag().equals(Tag.BOOL)) {
                typed.add(pointer);
            }
            return scalar.getTag().equals(Tag.NULL) ? null : scalar.getValue();
        }
    }
}
