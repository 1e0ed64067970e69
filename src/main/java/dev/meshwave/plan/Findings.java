package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The problems the semantic rules find, each placed at a JSON pointer of the plan document, so that
 * every rule class reports the same way ({@code file:line:col} and YAML path) into one list, in the
 * order the rules run.
 */
final class Findings {

    private final YamlDocument document;
    private final List<Problem> problems = new ArrayList<>();

    Findings(YamlDocument document) {
        this.document = document;
    }

    List<Problem> problems() {
        return problems;
    }

    void error(String pointer, String message) {
        YamlDocument.Location at = document.locate(pointer);
        problems.add(Problem.error(at.value(), at.displayPath(), message));
    }

    /** An error about a mapping key itself (a tag's name), reported at the key. */
    void errorAtKey(String pointer, String message) {
        YamlDocument.Location at = document.locate(pointer);
        problems.add(Problem.error(at.key(), at.displayPath(), message));
    }

    void warning(String pointer, String message) {
        YamlDocument.Location at = document.locate(pointer);
        problems.add(Problem.warning(at.value(), at.displayPath(), message));
    }

    /** A mapping's keys, in document order. */
    static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A mapping's entries, in document order. */
    static Iterable<Map.Entry<String, JsonNode>> entries(JsonNode object) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        object.fields().forEachRemaining(entries::add);
        return entries;
    }
}
