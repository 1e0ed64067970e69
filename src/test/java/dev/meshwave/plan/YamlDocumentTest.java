package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class YamlDocumentTest {

    private final List<Problem> problems = new ArrayList<>();

    private Optional<YamlDocument> read(String yaml) {
        return read(yaml.getBytes(StandardCharsets.UTF_8));
    }

    private Optional<YamlDocument> read(byte[] bytes) {
        return YamlDocument.read("p.yaml", bytes, problems);
    }

    private String only() {
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0).toString();
    }

    @Test
    void keepsThePositionOfEveryKeyAndValue() {
        YamlDocument doc = read("a:\n  b:\n    - x\n    - name: y\n").orElseThrow();
        YamlDocument.Location y = doc.locate("/a/b/1/name");
        assertEquals("a.b[1].name", y.displayPath());
        assertEquals("p.yaml:4:7", y.key().toString());
        assertEquals("p.yaml:4:13", y.value().toString());
        assertEquals("p.yaml:3:7", doc.locate("/a/b/0").value().toString());
        assertEquals("a.b[1]", doc.locate("/a/b/1/missing").displayPath(), "falls back to the nearest ancestor");
    }

    @Test
    void yamlCoreSchemaTypes() {
        YamlDocument doc = read("s: 1.14.0-asm.1\nn: 1.14\ni: 7\nb: true\ny: yes\nz: ~\n").orElseThrow();
        assertTrue(doc.root().get("s").isTextual());
        assertTrue(doc.root().get("n").isNumber());
        assertTrue(doc.root().get("i").isIntegralNumber());
        assertTrue(doc.root().get("b").isBoolean());
        assertTrue(doc.root().get("y").isTextual(), "YAML 1.2: yes is a string");
        assertTrue(doc.root().get("z").isNull());
    }

    /** The usual indentation mistakes are said as such, at the parser's position, not in the parser's terms. */
    @Nested
    class Indentation {

        @Test
        void aKeyBetweenTwoLevelsNamesBothIndentations() {
            assertTrue(read("spec:\n  to:\n      version: x\n    revision: y\n").isEmpty());
            assertEquals("p.yaml:4:5: not valid YAML: bad indentation: a key indented by 4 spaces, where the mapping starting at"
                    + " line 2 indents its keys by 2 spaces; line it up with the keys it belongs with", only());
        }

        @Test
        void aListItemOutOfLine() {
            assertTrue(read("a:\n  - x\n - y\n").isEmpty());
            assertEquals("p.yaml:3:2: not valid YAML: bad indentation: a list item indented by 1 space, where the mapping starting at"
                    + " line 1 indents its keys by 0 spaces; line it up with the keys it belongs with", only());
        }

        @Test
        void aKeyIndentedUnderAValue() {
            assertTrue(read("spec:\n  to: x\n    version: y\n").isEmpty());
            assertTrue(only().startsWith("p.yaml:3:12: not valid YAML: bad indentation: a 'key:' inside the value of the line above"),
                    problems.toString());
        }

        @Test
        void aTab() {
            assertTrue(read("spec:\n  to:\n\tversion: x\n").isEmpty());
            assertEquals("p.yaml:3:1: not valid YAML: bad indentation: a tab; YAML indents with spaces only", only());
        }

        @Test
        void aKeyWithoutItsColonIsWhereTheKeyStarts() {
            assertTrue(read("apiVersion: v1\nkind UpgradePlan\nmore: [\nmetadata:\n  name: x\n").isEmpty());
            assertEquals("p.yaml:2:1: not valid YAML: this key has no ':' after it (a missing ':', or bad indentation in the lines"
                    + " after it)", only());
        }

        @Test
        void otherSyntaxErrorsKeepTheParsersWords() {
            assertTrue(read("a: [1, 2\n").isEmpty());
            assertTrue(only().startsWith("p.yaml:2:1: not valid YAML: while parsing a flow sequence, expected ',' or ']'"), problems.toString());
        }
    }

    @Test
    void duplicateKeysAreErrorsAtTheSecondKey() {
        assertTrue(read("a: 1\nb: 2\na: 3\n").isEmpty());
        assertEquals("p.yaml:3:1: a: duplicate key 'a' (first at line 1)", only());
    }

    @Test
    void aliasesAndAnchorsAreRefused() {
        assertTrue(read("a: &x [1]\nb: *x\n").isEmpty());
        assertTrue(only().startsWith("p.yaml:1:4: anchors (&x) are not allowed"), problems.toString());
    }

    @Test
    void anAliasBombStopsAtItsFirstAnchor() {
        StringBuilder bomb = new StringBuilder("a: &a [x, x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            bomb.append(c).append(": &").append(c).append(" [*").append((char) (c - 1)).append(", *").append((char) (c - 1)).append("]\n");
        }
        assertTrue(read(bomb.toString()).isEmpty());
        assertTrue(only().startsWith("p.yaml:1:4: anchors"), problems.toString());
    }

    @Test
    void onlyOneDocument() {
        assertTrue(read("a: 1\n---\nb: 2\n").isEmpty());
        assertEquals("p.yaml:2:1: only one YAML document is allowed; found a second one ('---')", only());
    }

    @Test
    void theRootMustBeAMapping() {
        assertTrue(read("- a\n- b\n").isEmpty());
        assertEquals("p.yaml:1:1: the document must be a mapping (key: value pairs), not a list", only());
        problems.clear();
        assertTrue(read("").isEmpty());
        assertEquals("p.yaml:1:1: the file holds no YAML document", only());
    }

    @Test
    void syntaxErrorsCarryTheParsersPosition() {
        assertTrue(read("a:\n\tb: 1\n").isEmpty());
        assertTrue(only().startsWith("p.yaml:2:1: not valid YAML:"), problems.toString());
    }

    @Test
    void invalidUtf8IsReportedWhereItIs() {
        byte[] bytes = "a: 1\nb: \u00e9?".getBytes(StandardCharsets.UTF_8);
        bytes[bytes.length - 1] = (byte) 0xff;
        assertTrue(read(bytes).isEmpty());
        assertEquals("p.yaml:2:5: the file is not UTF-8 (invalid byte 0xFF)", only());
    }

    @Test
    void aByteOrderMarkIsAccepted() {
        assertTrue(read("\uFEFFa: 1\n").isPresent(), problems.toString());
    }

    @Test
    void tooLargeAndTooDeepAreRefused() {
        byte[] big = new byte[YamlDocument.MAX_BYTES + 1];
        java.util.Arrays.fill(big, (byte) 'a');
        assertTrue(read(big).isEmpty());
        assertTrue(only().contains("larger than 1048576 bytes"), problems.toString());
        problems.clear();
        assertTrue(read("a: " + "[".repeat(100) + "]".repeat(100) + "\n").isEmpty());
        assertTrue(only().contains("nesting deeper than 64 levels"), problems.toString());
    }

    @Test
    void customTagsAreRefused() {
        assertTrue(read("a: !secret x\n").isEmpty());
        assertEquals("p.yaml:1:4: a: the tag !secret is not allowed; plans use plain YAML values", only());
    }

    /** Issue 15: README and docs say merge keys are refused; a plan is read as written, never merged. */
    @Test
    void mergeKeysAreRefused() {
        assertTrue(read("a:\n  b: 1\n  <<: {c: 2}\n").isEmpty());
        assertEquals("p.yaml:3:3: merge keys (<<) are not allowed; write the keys out", only());
    }

    @Test
    void tagsOnMappingsAndListsAreRefused() {
        for (String tagged : List.of("a: !!map {b: 1}\n", "a: !secret {b: 1}\n", "a: !!seq [1]\n", "a: !secret\n  - 1\n")) {
            problems.clear();
            assertTrue(read(tagged).isEmpty(), tagged);
            String tag = tagged.substring(3, tagged.indexOf(' ', 3)).strip();
            assertEquals("p.yaml:1:4: a: the tag " + tag + " is not allowed; plans use plain YAML values", only());
        }
    }
}
