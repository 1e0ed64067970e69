package dev.meshwave.plan;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Recognises secret material so that it never reaches the output or a commit (DESIGN: nothing secret
 * is written): private keys (PEM, PGP, base64-encoded PEM), the token shapes of the services a GitOps
 * pipeline talks to, AWS secret keys, literal {@code password:}-like values, and the very tokens the run
 * holds ({@link Redaction}) in any of their encodings.
 *
 * <p>The scan runs on every byte meshwave writes, so it stays linear: every pattern matches within one
 * line and runs only on the lines holding one of its literal anchors (found with {@code indexOf}; a
 * regular expression tried at every character of megabytes costs seconds), and a YAML file is also
 * decoded (to see through escapes such as {@code \u0020} and folded lines) only when it holds a
 * backslash or a PEM header, the only ways a decoded value can hold a secret its raw text does not.
 */
public final class Secrets {

    /** What was found and on which 1-based line; never the secret itself. */
    public record Finding(String kind, int line) {}

    /** A kind of secret, on one line; the regular expression runs only on the lines holding one of its literal anchors. */
    private record Shape(String kind, Pattern pattern, List<String> anchors) {

        /** The offset of the first match, or -1. */
        int firstIn(String text) {
            int first = -1;
            Matcher m = pattern.matcher(text);
            for (String anchor : anchors) {
                for (int at = text.indexOf(anchor); at >= 0 && (first < 0 || at < first); ) {
                    int lineStart = text.lastIndexOf('\n', at) + 1;
                    int lineEnd = text.indexOf('\n', at);
                    lineEnd = lineEnd < 0 ? text.length() : lineEnd;
                    if (m.region(lineStart, lineEnd).find()) {
                        first = first < 0 ? m.start() : Math.min(first, m.start());
                        break;
                    }
                    at = text.indexOf(anchor, lineEnd);
                }
            }
            return first;
        }
    }

    private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----");

    /**
     * A key named password, passwd, secret or token (or ending so: {@code db_password}, {@code clientSecret})
     * with a literal value on its line. Not literal: empty (the value is a nested mapping, as with a
     * Kubernetes {@code secretKeyRef}), a flow mapping or sequence, a block scalar, an alias or tag, a
     * {@code $VAR}, {@code ${…}} or {@code $(…)} placeholder, {@code ""}, and true/false/yes/no/null/~.
     */
    private static final Pattern LITERAL_VALUE = Pattern.compile("(?im)^[ \\t]*(?:-[ \\t]+)?[\"']?[A-Za-z0-9_.-]*?"
            + "(?:password|passwd|secret|token)[\"']?[ \\t]*:[ \\t]+"
            + "(?![\"']?\\$)(?![\"']{2})(?![\"']?(?:true|false|yes|no|null|~)[\"']?[ \\t]*(?:#.*)?$)"
            + "[^\\s#{\\[&*|>!%@`]");

    private static final List<Shape> SHAPES = List.of(
            new Shape("a PEM private key", Pattern.compile("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"), List.of("PRIVATE KEY-----")),
            new Shape("a PGP private key", Pattern.compile("-----BEGIN PGP PRIVATE KEY BLOCK-----"), List.of("PRIVATE KEY BLOCK-----")),
            new Shape("a GitHub token", Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})"),
                    List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
            new Shape("a GitLab token", Pattern.compile("\\bglpat-[A-Za-z0-9_-]{20,}"), List.of("glpat-")),
            new Shape("an AWS access key", Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"), List.of("AKIA", "ASIA")),
            new Shape("an AWS secret access key",
                    Pattern.compile("(?i)\\baws_?secret_?access_?key[\"']?[ \\t]*[:=][ \\t]*[\"']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
                    List.of("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", "awsSecretAccessKey", "AwsSecretAccessKey")),
            new Shape("a Google API key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}"), List.of("AIza")),
            new Shape("a Slack token", Pattern.compile("\\bxox[abposr]-[0-9A-Za-z-]{10,}"), List.of("xox")),
            new Shape("a password in a URL", Pattern.compile("\\b[a-z][a-z0-9+.-]*://[^/\\s:@\"']+:[^/\\s@\"']+@"), List.of("://")));

    /** Looked for only when nothing more telling is found: {@code imagePullToken: ghp_…} is a GitHub token first. */
    private static final Shape LITERAL = new Shape("a literal password, secret or token value", LITERAL_VALUE,
            List.of("assword", "ASSWORD", "asswd", "ASSWD", "ecret", "ECRET", "oken", "OKEN"));

    /**
     * The base64 of {@code -----BEGIN} at each of the three byte alignments, standard and URL-safe: a
     * Kubernetes Secret's {@code data} or a kubeconfig's {@code client-key-data} carries a PEM key so.
     */
    private static final List<String> BASE64_PEM = base64Anchors("-----BEGIN");

    private Secrets() {}

    /** The 1-based line of the first PEM or PGP private key block, or 0 when there is none. */
    public static int privateKeyLine(byte[] bytes) {
        return privateKeyLine(new String(bytes, StandardCharsets.UTF_8));
    }

    public static int privateKeyLine(String text) {
        Matcher m = PRIVATE_KEY.matcher(text);
        return m.find() ? lineOf(text, m.start()) : 0;
    }

    /** The first secret in a text, by position; empty when there is none. */
    public static Optional<Finding> find(String text) {
        return find(text, new Redaction());
    }

    /** The first secret in a text as written (a commit message, a pull-request text), counting the secrets the run {@code holds}. */
    public static Optional<Finding> find(String text, Redaction holds) {
        return first(text, holds).map(hit -> new Finding(hit.what(), lineOf(text, hit.offset())));
    }

    /** The first secret in a file: as written, and for YAML and JSON files also as YAML decodes its values. */
    public static Optional<Finding> findInFile(String path, String text, Redaction holds) {
        Optional<Finding> raw = find(text, holds);
        return raw.isPresent() || !path.matches("(?i).*\\.(ya?ml|json)") ? raw : inYamlValues(text, holds);
    }

    /** The first secret in a text as written: its offset and kind. */
    private static Optional<Redaction.Hit> first(String text, Redaction holds) {
        Redaction.Hit first = holds.firstHeld(text).orElse(null);
        for (Shape shape : SHAPES) {
            int at = shape.firstIn(text);
            if (at >= 0 && (first == null || at < first.offset())) {
                first = new Redaction.Hit(at, shape.kind());
            }
        }
        int encodedKey = base64PrivateKey(text);
        if (encodedKey >= 0 && (first == null || encodedKey < first.offset())) {
            first = new Redaction.Hit(encodedKey, "a base64-encoded private key");
        }
        int literal = first == null ? LITERAL.firstIn(text) : -1;
        if (literal >= 0) {
            first = new Redaction.Hit(literal, LITERAL.kind());
        }
        return Optional.ofNullable(first);
    }

    /**
     * A secret that only the YAML-decoded value of a scalar shows: {@code "-----BEGIN\u0020RSA PRIVATE KEY-----"},
     * {@code "gh\u0070_…"}, a header folded over two lines. Texts that are not YAML are left to the raw scan.
     */
    private static Optional<Finding> inYamlValues(String text, Redaction holds) {
        if (text.indexOf('\\') < 0 && !text.contains("-----BEGIN")) {
            return Optional.empty();
        }
        LoadSettings settings = LoadSettings.builder().setCodePointLimit(Integer.MAX_VALUE).build();
        try {
            for (Event event : new Parse(settings).parseString(text)) {
                if (event instanceof ScalarEvent scalar && !scalar.getValue().isEmpty()) {
                    Optional<Redaction.Hit> hit = first(scalar.getValue(), holds);
                    if (hit.isPresent()) {
                        int line = scalar.getStartMark().map(mark -> mark.getLine() + 1).orElse(1);
                        return Optional.of(new Finding(hit.get().what(), line));
                    }
                }
            }
        } catch (YamlEngineException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException e) {
            // Not YAML, or not from here on (a user's template renders anything): what was parsed has
            // been looked at, the raw scan saw the rest.
        }
        return Optional.empty();
    }

    /** The offset of base64 text that decodes to a private key header, or -1. */
    private static int base64PrivateKey(String text) {
        int found = -1;
        for (String anchor : BASE64_PEM) {
            for (int at = text.indexOf(anchor); at >= 0 && (found < 0 || at < found); at = text.indexOf(anchor, at + 1)) {
                // The anchor starts 0 to 3 characters into a 4-character group; one of the four starts decodes cleanly.
                for (int back = 0; back < 4 && back <= at; back++) {
                    String window = text.substring(at - back, Math.min(text.length(), at - back + 160)).replace('-', '+').replace('_', '/');
                    String decoded = decodeLeniently(window);
                    if (PRIVATE_KEY.matcher(decoded).find()) {
                        found = at - back;
                        break;
                    }
                }
            }
        }
        return found;
    }

    /** Base64 that may be wrapped and indented (the MIME decoder skips what is not base64), cut to whole groups. */
    private static String decodeLeniently(String window) {
        StringBuilder clean = new StringBuilder(window.length());
        for (int i = 0; i < window.length(); i++) {
            char c = window.charAt(i);
            if (Character.isLetterOrDigit(c) && c < 128 || c == '+' || c == '/') {
                clean.append(c);
            } else if (!Character.isWhitespace(c)) {
                break;
            }
        }
        clean.setLength(clean.length() / 4 * 4);
        return new String(Base64.getDecoder().decode(clean.toString()), StandardCharsets.ISO_8859_1);
    }

    private static List<String> base64Anchors(String plain) {
        byte[] bytes = plain.getBytes(StandardCharsets.US_ASCII);
        java.util.LinkedHashSet<String> anchors = new java.util.LinkedHashSet<>();
        for (int shift = 0; shift < 3; shift++) {
            String core = Redaction.base64Core(bytes, shift);
            anchors.add(core);
            anchors.add(core.replace('+', '-').replace('/', '_'));
        }
        return List.copyOf(anchors);
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
