package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.regex.RegularExpression;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The plan's JSON Schema (draft 2020-12), shipped in the jar and printed by {@code meshwave schema}.
 * Validation messages are rewritten for people: positions from the YAML, the offending field's path,
 * what would be valid, and a "did you mean" for misspelled keys and values.
 */
public final class PlanSchema {

    private static final String RESOURCE = "plan.schema.json";

    private final String text;
    private final JsonNode schemaTree;
    private final JsonSchema schema;

    private PlanSchema(String text) {
        this.text = text;
        try {
            this.schemaTree = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .regularExpressionFactory(PlanSchema::wholeValue)
                .pathType(PathType.JSON_POINTER)
                .locale(Locale.ROOT)
                .build();
        this.schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaTree, config);
    }

    /**
     * A schema pattern as JSON Schema means it (ECMA-262, no multiline flag): {@code $} matches only at the
     * very end of the value. Java's {@code $} also matches before a final line break, so
     * {@code "demo\n"} passed {@code ^[a-z0-9]…$} and reached install.sh and branch names; every {@code $}
     * outside a character class becomes {@code \z} before the pattern is compiled.
     */
    static RegularExpression wholeValue(String pattern) {
        // \s as ECMA-262 has it, Unicode white space and line separators included (no pattern uses \w, \d or \b).
        Pattern compiled = Pattern.compile(endAtEndOfInput(pattern), Pattern.UNICODE_CHARACTER_CLASS);
        return value -> compiled.matcher(value).find();
    }

    static String endAtEndOfInput(String pattern) {
        StringBuilder out = new StringBuilder(pattern.length() + 4);
        int classDepth = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                out.append(c).append(pattern.charAt(++i));
                continue;
            }
            if (c == '[') {
                classDepth++;
            } else if (c == ']' && classDepth > 0) {
                classDepth--;
            } else if (c == '$' && classDepth == 0) {
                out.append("\\z");
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    public static PlanSchema load() {
        try (InputStream in = PlanSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return new PlanSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema document as shipped. */
    public String text() {
        return text;
    }

    /** Every schema violation of a document, in source order. */
    public List<Problem> validate(YamlDocument document) {
        List<Problem> problems = new ArrayList<>();
        for (ValidationMessage message : schema.validate(document.root())) {
            problems.add(toProblem(document, message));
        }
        problems.sort(Comparator.comparingInt((Problem p) -> p.position().line())
                .thenComparingInt(p -> p.position().column())
                .thenComparing(Problem::message));
        return problems.stream().distinct().collect(Collectors.toList());
    }

    private Problem toProblem(YamlDocument document, ValidationMessage message) {
        String pointer = pointer(message.getInstanceLocation());
        JsonNode owner = schemaObject(message);
        String type = message.getType();
        switch (type) {
            case "additionalProperties": {
                String property = message.getProperty();
                YamlDocument.Location at = document.locate(pointer + "/" + YamlDocument.escape(property));
                List<String> allowed = names(owner.path("properties"));
                return Problem.error(at.key(), at.displayPath(),
                        "unknown field '" + property + "'" + didYouMean(property, allowed)
                                + " (expected one of: " + String.join(", ", allowed) + ")");
            }
            case "required": {
                String property = message.getProperty();
                YamlDocument.Location parent = document.locate(pointer);
                String path = parent.displayPath().isEmpty() ? property : parent.displayPath() + "." + property;
                return Problem.error(parent.key(), path, "is required" + describe(owner.path("properties").path(property)));
            }
            default:
                break;
        }
        if (message.getSchemaLocation().getFragment().toString().contains("propertyNames")) {
            return badKey(document, message, pointer, owner);
        }
        YamlDocument.Location at = document.locate(pointer);
        JsonNode value = message.getInstanceNode();
        String text = switch (type) {
            case "type" -> "must be " + expectedTypes(owner.path("type")) + ", not " + article(jsonType(value))
                    + (jsonType(value).equals("number") && owner.path("type").asText().equals("string")
                            ? " (quote it: \"" + value.asText() + "\")" : "")
                    + (owner.has("$comment") ? "; expected " + owner.path("$comment").asText() : "");
            case "enum" -> {
                List<String> allowed = StreamSupport.stream(owner.path("enum").spliterator(), false)
                        .map(JsonNode::asText).toList();
                yield "'" + value.asText() + "' is not allowed" + didYouMean(value.asText(), allowed)
                        + " (expected one of: " + String.join(", ", allowed) + ")";
            }
            case "const" -> "must be '" + owner.path("const").asText() + "', not '" + value.asText() + "'";
            case "pattern", "maxLength", "minLength" -> {
                String comment = owner.path("$comment").asText(owner.path("description").asText(""));
                if (type.equals("minLength") && value.asText().isEmpty()) {
                    yield "must not be empty";
                }
                yield "'" + shown(value.asText()) + "' is not valid" + (comment.isEmpty() ? "" : "; expected " + comment);
            }
            case "minItems" -> "must list at least " + owner.path("minItems").asInt() + " item(s)"
                    + (owner.has("$comment") ? " (" + owner.path("$comment").asText() + ")" : "");
            case "uniqueItems" -> "must not list the same item twice";
            default -> stripLocation(message.getMessage());
        };
        return Problem.error(at.value(), at.displayPath(), text);
    }

    /** A mapping key that breaks {@code propertyNames} (a tag name): reported at the key itself. */
    private Problem badKey(YamlDocument document, ValidationMessage message, String pointer, JsonNode owner) {
        String key = message.getProperty();
        if (key == null) {
            java.util.regex.Matcher quoted = java.util.regex.Pattern.compile("'([^']*)'").matcher(message.getMessage());
            key = quoted.find() ? quoted.group(1) : "";
        }
        YamlDocument.Location at = document.locate(pointer + "/" + YamlDocument.escape(key));
        // The failing keyword is propertyNames itself; what a name must look like is in the schema it refers to.
        JsonNode names = owner.path("propertyNames");
        if (names.has("$ref")) {
            names = schemaTree.at(names.path("$ref").asText().substring(1));
        }
        String comment = names.path("$comment").asText("");
        return Problem.error(at.key(), at.displayPath(), "the name '" + key + "' is not valid"
                + (comment.isEmpty() ? "" : "; expected " + comment));
    }

    /** The schema object that holds the failing keyword (the keyword's parent in the schema). */
    private JsonNode schemaObject(ValidationMessage message) {
        JsonNodePath fragment = message.getSchemaLocation().getFragment();
        JsonNode node = schemaTree;
        for (int i = 0; i < fragment.getNameCount() - 1; i++) {
            Object element = fragment.getElement(i);
            node = element instanceof Integer index ? node.path(index) : node.path(element.toString());
        }
        return node;
    }

    /** A value as a message quotes it: escaped as every echoed value is ({@link TerminalText}), so the message stays one line and says what is there. */
    static String shown(String value) {
        return TerminalText.escape(value);
    }

    private static String pointer(JsonNodePath path) {
        StringBuilder pointer = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            pointer.append('/').append(YamlDocument.escape(String.valueOf(path.getElement(i))));
        }
        return pointer.toString();
    }

    private static List<String> names(JsonNode properties) {
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private String describe(JsonNode property) {
        if (property.has("$ref")) {
            JsonNode target = schemaTree.at(property.path("$ref").asText().substring(1));
            if (target.has("$comment")) {
                return " (" + target.get("$comment").asText() + ")";
            }
        }
        if (property.has("$comment")) {
            return " (" + property.get("$comment").asText() + ")";
        }
        if (property.has("description")) {
            return " (" + property.get("description").asText() + ")";
        }
        return "";
    }

    private static String expectedTypes(JsonNode type) {
        if (type.isArray()) {
            List<String> names = new ArrayList<>();
            type.forEach(t -> names.add(article(t.asText())));
            return String.join(" or ", names);
        }
        return article(type.asText());
    }

    private static String jsonType(JsonNode node) {
        if (node == null || node.isNull()) {
            return "null";
        }
        if (node.isTextual()) {
            return "string";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "boolean";
        }
        if (node.isArray()) {
            return "array";
        }
        return "object";
    }

    private static String article(String jsonType) {
        return switch (jsonType) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "string" -> "a string";
            case "number", "integer" -> "a number";
            case "boolean" -> "true or false";
            case "null" -> "empty (null)";
            default -> jsonType;
        };
    }

    private static String stripLocation(String message) {
        int colon = message.indexOf(": ");
        return colon >= 0 && message.startsWith("/") ? message.substring(colon + 2) : message;
    }

    /** "; did you mean 'x'?" when one allowed word is close to what was written, else nothing. */
    static String didYouMean(String written, List<String> allowed) {
        return closest(written, Set.copyOf(allowed)).map(s -> "; did you mean '" + s + "'?").orElse("");
    }

    static Optional<String> closest(String written, Set<String> candidates) {
        String lower = written.toLowerCase(Locale.ROOT);
        return candidates.stream()
                .filter(c -> {
                    int distance = levenshtein(lower, c.toLowerCase(Locale.ROOT));
                    return distance <= Math.max(1, Math.min(3, c.length() / 3));
                })
                .min(Comparator.comparingInt((String c) -> levenshtein(lower, c.toLowerCase(Locale.ROOT)))
                        .thenComparing(c -> c));
    }

    static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
