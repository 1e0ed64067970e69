package dev.meshwave.plan;

/**
 * Text from a plan, a repository or a server made safe to print on a terminal. A hostile file name or
 * value could otherwise clear the screen or rewrite lines (ESC and the other C0 and C1 controls),
 * reorder what the reader sees (Unicode bidi controls, "Trojan Source"), or start a line of its own
 * that reads like one of meshwave's findings (a newline). Here in {@code plan}, the lowest layer,
 * so that every package escapes the same way; JSON output needs none of it (the JSON writer escapes).
 */
public final class TerminalText {

    private TerminalText() {}

    /**
     * {@code text} with every control character written as a visible escape: {@code \n}, {@code \r} and
     * {@code \t} by name, other C0 controls, DEL and C1 controls as {@code \x1b}, and the bidi controls
     * (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) and line and paragraph separators as
     * {@code \u202e}, as are the other invisible format characters (zero-width spaces and joiners, U+FEFF).
     * Everything else, backslashes included, is left as it is: a printed {@code \x1b} is
     * harmless whether it was escaped or written so.
     */
    public static String escape(String text) {
        int first = 0;
        while (first < text.length() && !needsEscape(text.charAt(first))) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                escaped.append(c);
            } else if (c == '\n') {
                escaped.append("\\n");
            } else if (c == '\r') {
                escaped.append("\\r");
            } else if (c == '\t') {
                escaped.append("\\t");
            } else if (c < 0x100) {
                escaped.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
            } else {
                escaped.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return escaped.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200e' || c == '\u200f' || c == '\u061c' || c == '\u2028' || c == '\u2029'
                || Character.getType(c) == Character.FORMAT; // the rest of the invisible ones: zero-width joiners, U+FEFF
    }
}
