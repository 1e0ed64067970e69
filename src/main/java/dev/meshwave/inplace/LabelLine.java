package dev.meshwave.inplace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sidecar injection label written on one line of a repository file ({@code istio-injection: enabled},
 * {@code "istio.io/rev": '1-26-5'}, an entry of a flow mapping, a line of an inline patch): where its key and value
 * are, so that a wave can rewrite exactly those characters and leave everything else of the file byte for byte
 * as it was (comments, key order, quoting, the other entries of the line). Whether such a line really sets a
 * Namespace's label is not decided here: {@link LabelSites} proves it with a build.
 */
public record LabelLine(String file, int line, String key, String value, int keyStart, int keyEnd, int valueStart, int valueEnd,
        char keyQuote, char valueQuote) {

    /** The two labels that select a namespace's injector (istio.io, "Installing the sidecar"). */
    public static final List<String> KEYS = List.of("istio-injection", "istio.io/rev");

    /**
     * A key where a YAML key may start (line start, indentation, a flow mapping's brace or comma), optionally quoted,
     * a colon and blanks, then a value of label characters, optionally quoted the same way on both sides.
     */
    private static final Pattern LABEL = Pattern.compile(
            "(?:^|(?<=[\\s{,]))(?<kq>[\"']?)(?<key>istio-injection|istio\\.io/rev)\\k<kq>[ \\t]*:[ \\t]+(?<vq>[\"']?)(?<value>[-A-Za-z0-9_.]*)\\k<vq>(?=$|[\\s,}#])");

    /** Every injection label written in {@code text} (a file named {@code file}), in order; lines count from 1. */
    public static List<LabelLine> scan(String file, String text) {
        List<LabelLine> found = new ArrayList<>();
        int lineStart = 0;
        int number = 1;
        while (lineStart <= text.length()) {
            int end = text.indexOf('\n', lineStart);
            int lineEnd = end < 0 ? text.length() : end;
            String line = text.substring(lineStart, lineEnd);
            if (line.contains("istio")) {
                Matcher m = LABEL.matcher(line);
                while (m.find()) {
                    found.add(new LabelLine(file, number, m.group("key"), m.group("value"),
                            lineStart + m.start("key"), lineStart + m.end("key"), lineStart + m.start("value"), lineStart + m.end("value"),
                            quote(m.group("kq")), quote(m.group("vq"))));
                }
            }
            if (end < 0) {
                break;
            }
            lineStart = end + 1;
            number++;
        }
        return found;
    }

    private static char quote(String group) {
        return group.isEmpty() ? 0 : group.charAt(0);
    }

    /** One rewrite of a label line: its key and value become these, in the quotes the line used. */
    public record Rewrite(LabelLine at, String key, String value) {}

    /**
     * {@code text} with each rewrite applied to its own characters only. Rewrites must come from {@link #scan} of this
     * same text; two of one label line are refused.
     */
    public static String apply(String text, List<Rewrite> rewrites) {
        List<Rewrite> ordered = new ArrayList<>(rewrites);
        ordered.sort((a, b) -> Integer.compare(b.at().keyStart(), a.at().keyStart()));
        StringBuilder out = new StringBuilder(text);
        int previousStart = Integer.MAX_VALUE;
        for (Rewrite rewrite : ordered) {
            LabelLine at = rewrite.at();
            if (at.valueEnd() > previousStart) {
                throw new IllegalArgumentException("two rewrites of " + at.file() + ":" + at.line());
            }
            if (!text.startsWith(at.key(), at.keyStart()) || !text.startsWith(at.value(), at.valueStart())) {
                throw new IllegalArgumentException(at.file() + ":" + at.line() + " is not the line it was scanned as");
            }
            out.replace(at.valueStart(), at.valueEnd(), rewrite.value());
            out.replace(at.keyStart(), at.keyEnd(), rewrite.key());
            previousStart = at.keyStart();
        }
        return out.toString();
    }

    /** The rewrites that give a namespace {@code target} (its injection labels) where {@code written} holds them now. */
    public static List<Rewrite> toward(Map<String, LabelLine> written, Map<String, String> target) throws CannotEditException {
        List<Rewrite> rewrites = new ArrayList<>();
        List<LabelLine> spare = new ArrayList<>();
        for (Map.Entry<String, LabelLine> entry : written.entrySet()) {
            if (!target.containsKey(entry.getKey())) {
                spare.add(entry.getValue());
            }
        }
        for (Map.Entry<String, String> want : target.entrySet()) {
            LabelLine at = written.get(want.getKey());
            if (at == null) {
                if (spare.isEmpty()) {
                    throw new CannotEditException("no line sets " + String.join(" or ", KEYS) + " to write " + want.getKey() + "="
                            + want.getValue() + " on");
                }
                at = spare.remove(0); // istio-injection: enabled becomes istio.io/rev: <revision> on its own line, and back
            }
            if (!at.key().equals(want.getKey()) || !at.value().equals(want.getValue())) {
                rewrites.add(new Rewrite(at, want.getKey(), want.getValue()));
            }
        }
        if (!spare.isEmpty()) {
            LabelLine left = spare.get(0);
            throw new CannotEditException(left.file() + ":" + left.line() + " also sets " + left.key() + "=" + left.value()
                    + ", which the stage does not keep; remove that line first");
        }
        return rewrites;
    }

    /** A namespace's labels cannot reach a stage by rewriting the lines that set them. */
    public static final class CannotEditException extends Exception {
        public CannotEditException(String message) {
            super(message);
        }
    }
}
