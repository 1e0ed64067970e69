package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PlanSchemaTest {

    /** A valid value for every pattern of the schema; a pattern added to the schema needs one here. */
    private static final Map<String, String> VALID = Map.ofEntries(
            Map.entry("^[a-z0-9]([a-z0-9._/:-]*[a-z0-9])?$", "gcr.io/gke-release/asm"),
            Map.entry("^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z0-9-]+/caPools/[A-Za-z0-9_-]+$",
                    "projects/my-project/locations/us-central1/caPools/pool"),
            Map.entry("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", "my-project"),
            Map.entry("^[a-z]+-[a-z]+[0-9]+(-[a-z])?$", "us-central1-a"),
            Map.entry("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", "proj-123"),
            Map.entry("^[0-9]{6,20}$", "1234567890"),
            Map.entry("^[^\\s'\"$`~][^\\s'\"$`]*$", "/home/me/.kube/config"),
            Map.entry("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "app"),
            Map.entry("^(https?://[^\\s'\"{}@/]+(/[^\\s'\"{}]*)?|ssh://([A-Za-z0-9._-]+@)?[^\\s'\"{}@/]+/[^\\s'\"{}]*"
                    + "|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\\s'\"{}]+)$", "git@github.com:acme/gitops.git"),
            Map.entry("^[A-Za-z0-9._/+@-]+$", "main"),
            Map.entry("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "default"),
            Map.entry("^[A-Za-z0-9._:/@+-]+$", "in-cluster"),
            Map.entry("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", "1m30s"),
            Map.entry("^([0-9]+(s|m|h))+$", "10m"),
            Map.entry("^(https://|oci://)[A-Za-z0-9._~:/@%+-]+$", "oci://registry.example.com/istio/charts"),
            Map.entry("^https://[A-Za-z0-9.:-]+(/[A-Za-z0-9._~/-]*)?$", "https://kubernetes.default.svc"),
            Map.entry("^[A-Za-z0-9_./${}-]+$", "${CA_DIR}/ca-key.pem"),
            Map.entry("^[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}(-asm\\.[0-9]{1,4})?$", "1.14.0-asm.1"));

    /**
     * Issue 15: Java's {@code $} matches before a final line break, JSON Schema's does not. Every pattern
     * of the schema, as the validator compiles it, takes a valid value and refuses it with one newline
     * (or any line break) after it.
     */
    @Test
    void everyPatternOfTheSchemaAnchorsTheWholeValue() throws Exception {
        Set<String> patterns = new TreeSet<>();
        collectPatterns(new ObjectMapper().readTree(PlanSchema.load().text()), patterns);
        assertEquals(new TreeSet<>(VALID.keySet()), patterns, "a valid sample for every pattern of the schema");
        for (String pattern : patterns) {
            String valid = VALID.get(pattern);
            assertTrue(PlanSchema.wholeValue(pattern).matches(valid), pattern + " takes " + valid);
            for (String end : new String[] {"\n", "\r\n", "\r", "\u2028", "\u0085"}) {
                assertFalse(PlanSchema.wholeValue(pattern).matches(valid + end), () -> pattern + " refuses its sample and a line break");
            }
        }
    }

    @Test
    void onlyADollarOutsideACharacterClassIsTheEnd() {
        assertEquals("^[A-Za-z0-9_./${}-]+\\z", PlanSchema.endAtEndOfInput("^[A-Za-z0-9_./${}-]+$"));
        assertEquals("^a\\$b\\z", PlanSchema.endAtEndOfInput("^a\\$b$"));
        assertEquals("^(a\\z|b\\z)", PlanSchema.endAtEndOfInput("^(a$|b$)"));
    }

    private static void collectPatterns(JsonNode node, Set<String> patterns) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if (field.getKey().equals("pattern") && field.getValue().isTextual()) {
                    patterns.add(field.getValue().asText());
                } else {
                    collectPatterns(field.getValue(), patterns);
                }
            });
        } else if (node.isArray()) {
            node.forEach(item -> collectPatterns(item, patterns));
        }
    }
}
