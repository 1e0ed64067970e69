package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
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
 * One YAML document read strictly, as a JSON tree plus the source position of every node.
 *
 * <p>Plans and overlays are small hand-written files, so anything that makes them hard to review is
 * refused rather than interpreted: more than one document, anchors and aliases (also the defence
 * against alias bombs), duplicate keys, custom tags, non-string keys, deep nesting, huge files.
 * Positions are kept so that every later check can say {@code file:line:column}.
 */
public final class YamlDocument {

    public static final int MAX_BYTES = 1 << 20;
    public static final int MAX_DEPTH = 64;

    /** Where a node sits: the key that names it (or its sequence dash) and its value. */
    public record Location(String displayPath, SourcePosition key, SourcePosition value) {}

    private final String file;
    private final JsonNode root;
    private final Map<String, Location> locations;

    private YamlDocument(String file, JsonNode root, Map<String, Location> locations) {
        this.file = file;
        this.root = root;
        this.locations = Map.copyOf(locations);
    }

    public String file() {
        return file;
    }

    public JsonNode root() {
        return root;
    }

    /** The location of the node at a JSON pointer, or of its nearest ancestor that exists. */
    public Location locate(String pointer) {
        String p = pointer;
        while (true) {
            Location location = locations.get(p);
            if (location != null) {
                return location;
            }
            if (p.isEmpty()) {
                return new Location("", new SourcePosition(file, 1, 1), new SourcePosition(file, 1, 1));
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    /** The index of the first C0/C1 control character other than tab, line feed, carriage return and NEL (what YAML calls non-printable); -1 if none. */
    private static int firstControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F && c != 0x85)) {
                return i;
            }
        }
        return -1;
    }

    private static SourcePosition positionOfChar(String file, String text, int index) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new SourcePosition(file, line, column);
    }

    /**
     * Reads {@code bytes} as one YAML document whose root is a mapping. Problems go to
     * {@code problems}; the result is empty when there was at least one.
     */
    public static Optional<YamlDocument> read(String file, byte[] bytes, List<Problem> problems) {
        int before = problems.size();
        if (bytes.length > MAX_BYTES) {
            problems.add(Problem.error(InputFile.positionOfByte(file, bytes, MAX_BYTES), "",
                    "the file is larger than " + MAX_BYTES + " bytes; a plan or overlay that large is not hand-written"));
            return Optional.empty();
        }
        Optional<String> text = decodeUtf8(file, bytes, problems);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String source = text.get().startsWith("\uFEFF") ? text.get().substring(1) : text.get();
        int control = firstControlCharacter(source);
        if (control >= 0) {
            // YAML refuses these too, but only as "special characters" at the file's start.
            problems.add(Problem.error(positionOfChar(file, source, control), "", String.format(java.util.Locale.ROOT,
                    "control character U+%04X is not allowed in YAML", (int) source.charAt(control))));
            return Optional.empty();
        }
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file)
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(false)
                .setMaxAliasesForCollections(0)
                .setCodePointLimit(MAX_BYTES)
                .build();
        try {
            if (!checkEvents(file, source, settings, problems)) {
                return Optional.empty();
            }
            Node node = new Compose(settings).composeString(source).orElse(null);
            if (node == null) {
                problems.add(Problem.error(new SourcePosition(file, 1, 1), "", "the file holds no YAML document"));
                return Optional.empty();
            }
            if (!(node instanceof MappingNode)) {
                problems.add(Problem.error(position(file, node.getStartMark()), "",
                        "the document must be a mapping (key: value pairs), not a " + describe(node)));
                return Optional.empty();
            }
            Map<String, Location> locations = new HashMap<>();
            SourcePosition start = position(file, node.getStartMark());
            locations.put("", new Location("", start, start));
            JsonNode root = new Converter(file, locations, problems).convert(node, "", "");
            if (problems.size() > before) {
                return Optional.empty();
            }
            return Optional.of(new YamlDocument(file, root, locations));
        } catch (MarkedYamlEngineException e) {
            problems.add(syntaxProblem(file, source, e));
            return Optional.empty();
        } catch (YamlEngineException | IllegalArgumentException e) {
            // snakeyaml-engine signals some malformed input with IllegalArgumentException, without a position.
            problems.add(Problem.error(new SourcePosition(file, 1, 1), "", "not valid YAML: " + e.getMessage()));
            return Optional.empty();
        }
    }

    /** Streams the parser's events (no tree yet) to refuse aliases, anchors, deep nesting and extra documents. */
    private static boolean checkEvents(String file, String source, LoadSettings settings, List<Problem> problems) {
        int documents = 0;
        int depth = 0;
        // Per open collection: -1 for a list, else the nodes seen so far in a mapping (even: the next one is a key).
        java.util.Deque<int[]> open = new java.util.ArrayDeque<>();
        for (Event event : new Parse(settings).parseString(source)) {
            if (event instanceof NodeEvent && !open.isEmpty() && open.peek()[0] >= 0 && open.peek()[0]++ % 2 == 0
                    && event instanceof org.snakeyaml.engine.v2.events.ScalarEvent key && key.isPlain() && key.getValue().equals("<<")) {
                // The composer merges these silently: a plan is read as written.
                problems.add(Problem.error(position(file, event.getStartMark()), "", "merge keys (<<) are not allowed; write the keys out"));
                return false;
            }
            switch (event.getEventId()) {
                case MappingStart -> open.push(new int[] {0});
                case SequenceStart -> open.push(new int[] {-1});
                case MappingEnd, SequenceEnd -> open.pop();
                default -> { }
            }
            switch (event.getEventId()) {
                case DocumentStart -> {
                    documents++;
                    if (documents == 2) {
                        problems.add(Problem.error(position(file, event.getStartMark()), "",
                                "only one YAML document is allowed; found a second one ('---')"));
                        return false;
                    }
                }
                case Alias -> {
                    String alias = ((AliasEvent) event).getAlias().getValue();
                    problems.add(Problem.error(position(file, event.getStartMark()), "",
                            "aliases (*" + alias + ") are not allowed; write the value out"));
                    return false;
                }
                case MappingStart, SequenceStart -> {
                    depth++;
                    if (depth > MAX_DEPTH) {
                        problems.add(Problem.error(position(file, event.getStartMark()), "",
                                "nesting deeper than " + MAX_DEPTH + " levels"));
                        return false;
                    }
                }
                case MappingEnd, SequenceEnd -> depth--;
                default -> { }
            }
            Optional<String> tag = event instanceof org.snakeyaml.engine.v2.events.ScalarEvent scalar ? scalar.getTag()
                    : event instanceof org.snakeyaml.engine.v2.events.CollectionStartEvent collection ? collection.getTag() : Optional.empty();
            if (tag.isPresent() && (tag.get().isBlank() || !tag.get().equals(tag.get().trim()) || tag.get().contains("%"))) {
                // The composer decodes %-escapes and throws on what they decode to; found by fuzzing ("!%A", "!%E").
                problems.add(Problem.error(position(file, event.getStartMark()), "", "not valid YAML: a malformed tag"));
                return false;
            }
            if (event instanceof NodeEvent nodeEvent && nodeEvent.getAnchor().isPresent()) {
                problems.add(Problem.error(position(file, event.getStartMark()), "",
                        "anchors (&" + nodeEvent.getAnchor().get().getValue() + ") are not allowed; write the value out"));
                return false;
            }
        }
        return true;
    }

    /**
     * The position of the first collection nested deeper than {@code max}, found on the parser's events
     * before any tree is built (composers recurse once per level, so a deep file overflows the stack);
     * empty when there is none or when the text is not YAML, which the caller's own parser then reports.
     */
    public static Optional<SourcePosition> tooDeep(String file, String text, int max) {
        int depth = 0;
        try {
            for (Event event : new Parse(LoadSettings.builder().setLabel(file).build()).parseString(text)) {
                switch (event.getEventId()) {
                    case MappingStart, SequenceStart -> {
                        if (++depth > max) {
                            return Optional.of(position(file, event.getStartMark()));
                        }
                    }
                    case MappingEnd, SequenceEnd -> depth--;
                    default -> { }
                }
            }
        } catch (YamlEngineException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static final class Converter {
        private final String file;
        private final Map<String, Location> locations;
        private final List<Problem> problems;

        Converter(String file, Map<String, Location> locations, List<Problem> problems) {
            this.file = file;
            this.locations = locations;
            this.problems = problems;
        }

        JsonNode convert(Node node, String pointer, String display) {
            if (!(node instanceof ScalarNode) && !node.isResolved()) {
                // An explicit tag on a mapping or list (!!map, !!seq, !custom): plans say what they mean without one.
                problems.add(Problem.error(position(file, node.getStartMark()), display,
                        "the tag " + node.getTag().getValue().replace(Tag.PREFIX, "!!") + " is not allowed; plans use plain YAML values"));
            }
            if (node instanceof MappingNode mapping) {
                ObjectNode object = JsonNodeFactory.instance.objectNode();
                Map<String, SourcePosition> seen = new HashMap<>();
                for (NodeTuple tuple : mapping.getValue()) {
                    SourcePosition keyPosition = position(file, tuple.getKeyNode().getStartMark());
                    if (!(tuple.getKeyNode() instanceof ScalarNode keyNode) || keyNode.getTag().equals(Tag.NULL)) {
                        problems.add(Problem.error(keyPosition, display, "keys must be plain strings"));
                        continue;
                    }
                    String key = keyNode.getValue();
                    String childDisplay = display.isEmpty() ? key : display + "." + key;
                    SourcePosition first = seen.putIfAbsent(key, keyPosition);
                    if (first != null) {
                        problems.add(Problem.error(keyPosition, childDisplay,
                                "duplicate key '" + key + "' (first at line " + first.line() + ")"));
                        continue;
                    }
                    String childPointer = pointer + "/" + escape(key);
                    locations.put(childPointer, new Location(childDisplay, keyPosition,
                            position(file, tuple.getValueNode().getStartMark())));
                    object.set(key, convert(tuple.getValueNode(), childPointer, childDisplay));
                }
                return object;
            }
            if (node instanceof SequenceNode sequence) {
                ArrayNode array = JsonNodeFactory.instance.arrayNode();
                List<Node> items = sequence.getValue();
                for (int i = 0; i < items.size(); i++) {
                    String childPointer = pointer + "/" + i;
                    String childDisplay = display + "[" + i + "]";
                    SourcePosition at = position(file, items.get(i).getStartMark());
                    locations.put(childPointer, new Location(childDisplay, at, at));
                    array.add(convert(items.get(i), childPointer, childDisplay));
                }
                return array;
            }
            return scalar((ScalarNode) node, display);
        }

        private JsonNode scalar(ScalarNode node, String display) {
            String value = node.getValue();
            Tag tag = node.getTag();
            if (tag.equals(Tag.STR)) {
                return JsonNodeFactory.instance.textNode(value);
            }
            if (tag.equals(Tag.NULL)) {
                return JsonNodeFactory.instance.nullNode();
            }
            if (tag.equals(Tag.BOOL)) {
                return JsonNodeFactory.instance.booleanNode(value.equalsIgnoreCase("true"));
            }
            if (tag.equals(Tag.INT)) {
                try {
                    return JsonNodeFactory.instance.numberNode(parseInteger(value));
                } catch (NumberFormatException e) {
                    return JsonNodeFactory.instance.textNode(value);
                }
            }
            if (tag.equals(Tag.FLOAT)) {
                try {
                    return JsonNodeFactory.instance.numberNode(Double.parseDouble(value));
                } catch (NumberFormatException e) {
                    return JsonNodeFactory.instance.textNode(value);
                }
            }
            problems.add(Problem.error(position(file, node.getStartMark()), display,
                    "the tag " + tag.getValue() + " is not allowed; plans use plain YAML values"));
            return JsonNodeFactory.instance.textNode(value);
        }

        private static BigInteger parseInteger(String text) {
            String t = text.startsWith("+") ? text.substring(1) : text;
            if (t.startsWith("0x")) {
                return new BigInteger(t.substring(2), 16);
            }
            if (t.startsWith("0o")) {
                return new BigInteger(t.substring(2), 8);
            }
            return new BigInteger(t);
        }
    }

    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static String describe(Node node) {
        if (node instanceof SequenceNode) {
            return "list";
        }
        return "scalar";
    }

    /**
     * A YAML syntax error at the parser's position. Most of them in a hand-written plan are indentation
     * mistakes, which the parser reports in its own terms ("mapping values are not allowed here",
     * "expected <block end>, but found '<block mapping start>'"): those are said as indentation, with
     * the columns involved. Anything else keeps the parser's words.
     */
    static Problem syntaxProblem(String file, String source, MarkedYamlEngineException e) {
        String problem = e.getProblem() == null ? "" : e.getProblem();
        String context = e.getContext() == null ? "" : e.getContext();
        Optional<Mark> at = e.getProblemMark().or(e::getContextMark);
        // A stray byte order mark or no-break space looks like indentation and is not: it is named, not the indentation.
        Optional<Problem> invisible = at.flatMap(mark -> invisibleCharacter(file, source, mark.getLine()));
        if (invisible.isPresent()) {
            return invisible.get();
        }
        Optional<Mark> start = e.getContextMark();
        Matcher found = BLOCK_END.matcher(problem);
        String message;
        if (problem.contains("(TAB)") || problem.contains("tab character")) {
            message = "bad indentation: a tab; YAML indents with spaces only";
        } else if (problem.startsWith("mapping values are not allowed")) {
            message = "bad indentation: a 'key:' inside the value of the line above (indented deeper than the keys it belongs"
                    + " with, or the line above lacks its ':'); line it up with its sibling keys";
        } else if (found.matches() && start.isPresent() && at.isPresent()
                && (context.contains("block mapping") || context.contains("block collection"))) {
            boolean mapping = context.contains("block mapping");
            String what = switch (found.group(1)) {
                case "<block mapping start>", "?" -> "a key";
                case "<block sequence start>", "-" -> "a list item";
                case "<scalar>" -> "a value";
                default -> "'" + found.group(1) + "'";
            };
            message = String.format(Locale.ROOT, "bad indentation: %s indented by %s, where the %s starting at line %d indents its %s"
                    + " by %s; line it up with the %s it belongs with", what, spaces(at.get().getColumn()),
                    mapping ? "mapping" : "list", start.get().getLine() + 1, mapping ? "keys" : "items", spaces(start.get().getColumn()),
                    mapping ? "keys" : "items");
        } else if (problem.contains("could not find expected ':'") && start.isPresent()) {
            // The parser notices at the next line; the key without its ':' is where the context mark is.
            at = start;
            message = "this key has no ':' after it (a missing ':', or bad indentation in the lines after it)";
        } else {
            String text = context.isEmpty() ? problem : context + ", " + problem;
            message = text.replace("\n", " ").replaceAll("\\s+", " ").trim();
        }
        return Problem.error(position(file, at), "", "not valid YAML: " + message);
    }

    private static final String INVISIBLE = "\uFEFF\u00A0\u200B\u2007\u202F\u2060\u3000";

    /** The first invisible character on the error's line or the two before it, where such a character confuses the parser. */
    private static Optional<Problem> invisibleCharacter(String file, String source, int line) {
        String[] lines = source.split("\n", -1);
        for (int l = Math.max(0, line - 2); l <= line && l < lines.length; l++) {
            for (int c = 0; c < lines[l].length(); c++) {
                if (INVISIBLE.indexOf(lines[l].charAt(c)) >= 0) {
                    return Optional.of(Problem.error(new SourcePosition(file, l + 1, c + 1), "", String.format(Locale.ROOT,
                            "not valid YAML: an invisible character U+%04X here (%s); delete it", (int) lines[l].charAt(c),
                            lines[l].charAt(c) == '\uFEFF' ? "a byte order mark" : "not a plain space")));
                }
            }
        }
        return Optional.empty();
    }

    private static final Pattern BLOCK_END = Pattern.compile("expected <block end>, but found '(.*)'");

    private static String spaces(int count) {
        return count == 1 ? "1 space" : count + " spaces";
    }

    static SourcePosition position(String file, Optional<Mark> mark) {
        return mark.map(m -> new SourcePosition(file, m.getLine() + 1, m.getColumn() + 1))
                .orElse(new SourcePosition(file, 1, 1));
    }

    private static Optional<String> decodeUtf8(String file, byte[] bytes, List<Problem> problems) {
        try {
            return Optional.of(InputFile.decode(file, bytes));
        } catch (InvalidPlanException e) {
            problems.addAll(e.problems());
            return Optional.empty();
        }
    }

    /** Display path → position of its value, for every node (what {@link Plan#position} answers from). */
    Map<String, SourcePosition> positionsByPath() {
        Map<String, SourcePosition> positions = new HashMap<>();
        locations.values().forEach(l -> positions.put(l.displayPath(), l.value()));
        return positions;
    }
}
