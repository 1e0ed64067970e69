package dev.meshwave.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.meshwave.plan.Problem;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --format json}: one JSON object on stdout per run, for CI. Every report has {@code format}
 * ({@code meshwave.<command>/v1}); fields are only ever added (README, "Machine-readable output").
 */
final class JsonReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Object> fields = new LinkedHashMap<>();

    JsonReport(String command) {
        fields.put("format", "meshwave." + command + "/v1");
    }

    private JsonReport() {}

    /** A report in someone else's format (SARIF), without meshwave's {@code format} field. */
    static JsonReport raw() {
        return new JsonReport();
    }

    JsonReport with(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    void print(PrintWriter out) {
        try {
            out.println(JSON.writeValueAsString(fields));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    /** An object with its keys in this order (key, value, key, value, …): reports never depend on hash order. */
    static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            object.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return object;
    }

    /** Problems as objects: severity, file, line, column, path, message. */
    static List<Map<String, Object>> problems(List<Problem> problems) {
        return problems.stream().map(p -> {
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("severity", p.severity().name().toLowerCase(Locale.ROOT));
            problem.put("file", p.position().file());
            problem.put("line", p.position().line());
            problem.put("column", p.position().column());
            problem.put("path", p.yamlPath());
            problem.put("message", p.message());
            return problem;
        }).toList();
    }

    /** The values of {@code --format}; picocli refuses any other as a usage error (exit 2). */
    enum Format { text, json }
}
