package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.TerminalText;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Plans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a hostile plan controls never reaches the terminal raw: control and bidi characters are printed
 * as visible escapes, and a newline in a value cannot start a line that reads like one of meshwave's.
 */
class TerminalSafeOutputTest {

    /** Clear screen, right-to-left override, and a newline followed by a forged problem line. */
    static final String HOSTILE = "a\u001b[2J\u202eevil\nplan.yaml:1:1: forged";

    @TempDir
    Path tmp;

    /** No raw control character but the line breaks, and no bidi control, in {@code text}. */
    static void assertPrintable(String text) {
        for (char c : text.toCharArray()) {
            assertTrue(c == '\n' || !(c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= '\u202a' && c <= '\u202e')
                    || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f' || c == '\u061c'),
                    () -> "raw U+" + Integer.toHexString(c) + " in: " + text);
        }
    }

    @Test
    void aPlanValueIsEchoedEscapedOnItsOwnLine() throws IOException {
        // YAML's double-quoted escapes put the characters in the value; the file itself holds none.
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), Plans.BASE.replace("namespaces: [a]",
                "namespaces: [\"a\\e[2J\\u202eevil\\nplan.yaml:1:1: forged\"]"));
        Cli.Result result = Cli.run("validate", plan.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertPrintable(result.err());
        List<String> lines = result.err().lines().toList();
        assertEquals(2, lines.size(), "one problem line and the count: " + result);
        assertTrue(lines.get(0).startsWith(plan + ":15:20: spec.waves[0].namespaces[0]: 'a\\x1b[2J\\u202eevil\\nplan.yaml:1:1: forged'"
                + " is not valid"), result::toString);
        assertEquals("1 error", lines.get(1));
    }

    @Test
    void anExplainedNamespaceIsEchoedEscaped() throws IOException {
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), Plans.BASE);
        Cli.Result result = Cli.run("explain", plan.toString(), "--namespace", HOSTILE);
        assertEquals(2, result.exitCode(), result::toString);
        assertPrintable(result.err());
        // A message that is not a plan problem keeps its line breaks, but what follows one is indented: no forged first line.
        List<String> lines = result.err().lines().toList();
        assertEquals(2, lines.size(), result::toString);
        assertEquals("meshwave: namespace 'a\\x1b[2J\\u202eevil", lines.get(0));
        assertTrue(lines.get(1).startsWith("  plan.yaml:1:1: forged' is in no wave"), result::toString);
    }

    /** import reads kubectl exports: a namespace name it warns about is echoed escaped. */
    @Test
    void anImportWarningEchoesANamespaceNameEscaped() throws IOException {
        Path ns = Files.writeString(tmp.resolve("ns.yaml"), "apiVersion: v1\nkind: List\nitems:\n"
                + "- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: shop\n    labels:\n      istio.io/rev: asm-1220-1\n"
                + "- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: \"a\\e[2J\\u202eevil\\nplan.yaml:1:1: forged\"\n    labels:\n"
                + "      istio.io/dataplane-mode: ambient\n      istio.io/rev: asm-1220-1\n");
        Cli.Result imported = Cli.run("import", "--namespaces", ns.toString(), "--to-version", "1.23.3-asm.2");
        assertEquals(0, imported.exitCode(), imported::toString);
        assertPrintable(imported.err());
        assertEquals(1, imported.err().lines().count(), imported::toString);
        assertTrue(imported.err().startsWith(ns + ":15:7: warning: namespace 'a\\x1b[2J\\u202eevil\\nplan.yaml:1:1: forged' is ambient"),
                imported::toString);
    }

    /** A command line can be built from what a pull request holds: a bad value is echoed escaped. */
    @Test
    void aBadArgumentIsEchoedEscaped() {
        Cli.Result result = Cli.run("lint", ".", "--format", HOSTILE);
        assertEquals(2, result.exitCode(), result::toString);
        assertPrintable(result.err());
        assertTrue(result.err().contains("'a\\x1b[2J\\u202eevil"), result::toString);
        assertTrue(result.err().lines().skip(1).allMatch(l -> l.startsWith("  ") || l.startsWith("Try 'meshwave lint --help'")), result::toString);
    }

    @Test
    void aMessageKeepsItsOwnLineBreaksWithEveryLineAfterTheFirstIndented() {
        assertEquals("first\n  second \\x1b[2J\n  third \\r\\u202e", Failures.printable("first\nsecond \u001b[2J\nthird \r\u202e\n"));
        assertEquals("one line", Failures.printable("one line"));
    }

    @Test
    void everyControlAndBidiCharacterHasAVisibleEscape() {
        assertEquals("\\x00 \\x07 \\t \\n \\r \\x1b \\x7f \\x85 \\x9b", TerminalText.escape("\u0000 \u0007 \t \n \r \u001b \u007f \u0085 \u009b"));
        assertEquals("\\u202a\\u202b\\u202c\\u202d\\u202e \\u2066\\u2067\\u2068\\u2069 \\u200e\\u200f \\u061c \\u2028\\u2029",
                TerminalText.escape("\u202a\u202b\u202c\u202d\u202e \u2066\u2067\u2068\u2069 \u200e\u200f \u061c \u2028\u2029"));
        String plain = "plan.yaml:3:4: caf\u00e9 \u2192 \\ ok";
        assertTrue(plain == TerminalText.escape(plain), "printable text is returned as it is");
        assertFalse(TerminalText.escape(HOSTILE).contains("\n"));
    }
}
