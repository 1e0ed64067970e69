package dev.meshwave.plan;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises secret material so that it never reaches the output or a commit (DESIGN: nothing secret
 * is written): PEM private keys and the token shapes of the services a GitOps pipeline talks to.
 */
public final class Secrets {

    /** What was found and on which 1-based line; never the secret itself. */
    public record Finding(String kind, int line) {}

    /** A kind of secret; the regular expression runs only on texts holding one of its literal anchors (the scan runs on every byte meshwave writes). */
    private record Shape(String kind, Pattern pattern, List<String> anchors) {
        boolean mayOccurIn(String text) {
            return anchors.stream().anyMatch(text::contains);
        }
    }

    private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----");

    private static final List<Shape> SHAPES = List.of(
            new Shape("a PEM private key", PRIVATE_KEY, List.of("PRIVATE KEY-----")),
            new Shape("a GitHub token", Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})"),
                    List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
            new Shape("a GitLab token", Pattern.compile("\\bglpat-[A-Za-z0-9_-]{20,}"), List.of("glpat-")),
            new Shape("an AWS access key", Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"), List.of("AKIA", "ASIA")),
            new Shape("a Google API key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}"), List.of("AIza")),
            new Shape("a Slack token", Pattern.compile("\\bxox[abposr]-[0-9A-Za-z-]{10,}"), List.of("xox")),
            new Shape("a password in a URL", Pattern.compile("\\b[a-z][a-z0-9+.-]*://[^/\\s:@\"']+:[^/\\s@\"']+@"), List.of("://")));

    private Secrets() {}

    /** The 1-based line of the first PEM private key block, or 0 when there is none. */
    public static int privateKeyLine(byte[] bytes) {
        return privateKeyLine(new String(bytes, StandardCharsets.UTF_8));
    }

    public static int privateKeyLine(String text) {
        Matcher m = PRIVATE_KEY.matcher(text);
        return m.find() ? lineOf(text, m.start()) : 0;
    }

    /** The first secret in a text, by position; empty when there is none. */
    public static Optional<Finding> find(String text) {
        Finding first = null;
        int firstAt = Integer.MAX_VALUE;
        for (Shape shape : SHAPES) {
            if (!shape.mayOccurIn(text)) {
                continue;
            }
            Matcher m = shape.pattern().matcher(text);
            if (m.find() && m.start() < firstAt) {
                firstAt = m.start();
                first = new Finding(shape.kind(), lineOf(text, m.start()));
            }
        }
        return Optional.ofNullable(first);
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
