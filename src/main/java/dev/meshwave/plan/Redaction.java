package dev.meshwave.plan;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The secrets a run holds (the tokens of {@link #TOKEN_VARIABLES}, a remote URL's password, what a
 * credential helper answered) and the one place that hides them: every character meshwave prints
 * passes through {@link #writer}, and {@link Secrets} asks {@link #firstHeld} so that none of them is
 * ever written or committed.
 *
 * <p>Exact matching is not enough: a server that refuses a token echoes it back, in part, as the
 * basic-auth header it received (base64 of {@code user:token}) or percent-encoded in a URL. So each
 * secret is held with its encodings (verbatim, percent-encoded, and the base64 characters that depend
 * on the secret alone at each of the three byte alignments, standard and URL-safe, which covers it
 * alone, padded or not, and after any {@code user:}), and any run of {@value #PIECE} characters of
 * any of them is hidden. Output can be megabytes, so those runs are precomputed and found in one pass
 * with a rolling hash over {@value #PIECE}-character windows, whatever the number of secrets.
 *
 * <p>Thread-safe: the git code may {@link #hold} a credential helper's answer while another thread prints.
 */
public final class Redaction {

    /** The environment variables whose tokens meshwave uses, in the order it prefers them. */
    public static final List<String> TOKEN_VARIABLES = List.of("MESHWAVE_GIT_TOKEN", "GITHUB_TOKEN", "GITLAB_TOKEN");

    /** Shorter values are not secrets (and hiding them would mangle ordinary words). */
    private static final int SHORTEST = 4;

    /** A run of this many characters of a held secret or of an encoding of it is hidden wherever it appears. */
    static final int PIECE = 8;

    private static final String HIDDEN = "***";

    /** Where a held secret (or an encoding of it) was found, and which one it was (never its value). */
    public record Hit(int offset, String what) {}

    private final Map<String, String> held = new LinkedHashMap<>();
    private volatile Index index = Index.EMPTY;

    /** Holds nothing yet. */
    public Redaction() {}

    public Redaction(Collection<String> secrets) {
        secrets.forEach(secret -> hold(secret, "a secret meshwave holds"));
    }

    /** Holds every token the environment offers to meshwave. */
    public static Redaction of(Map<String, String> environment) {
        Redaction redaction = new Redaction();
        for (String variable : TOKEN_VARIABLES) {
            redaction.hold(environment.get(variable), "the token in " + variable);
        }
        return redaction;
    }

    /**
     * Holds one more secret from now on; {@code origin} says where it came from in a refusal ("the
     * token in GITHUB_TOKEN"). Values shorter than four characters (after trimming) are ignored.
     */
    public synchronized void hold(String secret, String origin) {
        if (secret == null || secret.strip().length() < SHORTEST || held.containsKey(secret)) {
            return;
        }
        held.put(secret, origin);
        if (!secret.equals(secret.strip())) {
            // A token read from a file or a mounted Secret often ends in a newline the server never sees.
            held.putIfAbsent(secret.strip(), origin);
        }
        index = new Index(held);
    }

    /** Holds the password of a URL such as {@code https://user:password@host/repo.git}, if it has one (as written and decoded). */
    public void holdUrlPassword(String url) {
        if (url == null) {
            return;
        }
        Matcher m = Pattern.compile("://[^/@\\s:]*:([^/@\\s]+)@").matcher(url);
        if (m.find()) {
            hold(m.group(1), "the password in the repository URL");
            try {
                String userInfo = new URI(url).getUserInfo();
                if (userInfo != null && userInfo.indexOf(':') >= 0) {
                    hold(userInfo.substring(userInfo.indexOf(':') + 1), "the password in the repository URL");
                }
            } catch (URISyntaxException e) {
                // Held as written; nothing to decode.
            }
        }
    }

    /** {@code https://user:token@host/x} → {@code https://***@host/x}: for showing a URL, whatever its user-info. */
    public static String url(String url) {
        return url == null ? null : url.replaceAll("(?<=://)[^/@\\s]+@", HIDDEN + "@");
    }

    /**
     * A text with credentials in URLs and every held secret, its encodings and every run of
     * {@value #PIECE} characters of them replaced by {@code ***}.
     */
    public String text(String message) {
        if (message == null) {
            return null;
        }
        String text = withoutUrlCredentials(message);
        Index current = index;
        if (current.isEmpty()) {
            return text;
        }
        BitSet hidden = new BitSet();
        for (String secret : current.shortSecrets) {
            for (int at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) {
                hidden.set(at, at + secret.length());
            }
        }
        int n = text.length();
        if (n >= PIECE) {
            long h = Index.hash(text, 0);
            for (int i = 0; ; i++) {
                if (current.mayBePiece(h) && current.isPiece(text, i, h)) {
                    hidden.set(i, i + PIECE);
                }
                if (i + PIECE >= n) {
                    break;
                }
                h = Index.roll(h, text.charAt(i), text.charAt(i + PIECE));
            }
        }
        if (hidden.isEmpty()) {
            return text;
        }
        StringBuilder result = new StringBuilder(text.length());
        int shown = 0;
        for (int start = hidden.nextSetBit(0); start >= 0; start = hidden.nextSetBit(shown)) {
            result.append(text, shown, start).append(HIDDEN);
            shown = hidden.nextClearBit(start);
        }
        return result.append(text, shown, n).toString();
    }

    /**
     * Credentials in URLs: all user-info of http(s) URLs (a token may be the user name), a password
     * elsewhere ({@code ssh://git@host} stays). A scan from each {@code ://}, not a regular expression
     * with a look-behind, which would be tried at every character of megabytes of output.
     */
    private static String withoutUrlCredentials(String text) {
        StringBuilder result = null;
        int copied = 0;
        int n = text.length();
        for (int at = text.indexOf("://"); at >= 0; ) {
            int from = at + 3;
            int end = from;
            boolean password = false;
            while (end < n && text.charAt(end) != '@' && text.charAt(end) != '/' && !Character.isWhitespace(text.charAt(end))) {
                password |= text.charAt(end) == ':';
                end++;
            }
            if (end < n && end > from && text.charAt(end) == '@' && (password || isHttp(text, at))) {
                result = result == null ? new StringBuilder(n) : result;
                result.append(text, copied, from).append(HIDDEN);
                copied = end;
            }
            at = text.indexOf("://", Math.max(end, from));
        }
        return result == null ? text : result.append(text, copied, n).toString();
    }

    private static boolean isHttp(String text, int schemeEnd) {
        int start = schemeEnd;
        while (start > 0 && Character.isLetter(text.charAt(start - 1))) {
            start--;
        }
        String scheme = text.substring(start, schemeEnd).toLowerCase(Locale.ROOT);
        return scheme.equals("http") || scheme.equals("https");
    }

    /**
     * The first place a text holds a whole held secret of at least {@value #PIECE} characters or a
     * whole encoding of one; empty when there is none. Pieces are not looked for here: a file may
     * legitimately share eight characters with a token, a message about the token may not.
     */
    public Optional<Hit> firstHeld(String text) {
        Index current = index;
        int n = text.length();
        if (current.isEmpty() || n < PIECE) {
            return Optional.empty();
        }
        long h = Index.hash(text, 0);
        for (int i = 0; ; i++) {
            if (current.mayBePiece(h)) {
                for (Index.Needle needle : current.starts.getOrDefault(h, List.of())) {
                    if (text.startsWith(needle.text(), i)) {
                        return Optional.of(new Hit(i, needle.what()));
                    }
                }
            }
            if (i + PIECE >= n) {
                return Optional.empty();
            }
            h = Index.roll(h, text.charAt(i), text.charAt(i + PIECE));
        }
    }

    /**
     * A writer that hides held secrets from everything written through it. It passes text on a line
     * (or carriage-return progress line) at a time, so that a secret is seen whole, and whatever is
     * pending on {@code flush}.
     */
    public Writer writer(Writer out) {
        return new Writer() {
            private final StringBuilder pending = new StringBuilder();

            @Override
            public void write(char[] chars, int offset, int length) throws IOException {
                synchronized (lock) {
                    int from = pending.length();
                    pending.append(chars, offset, length);
                    passLines(from);
                }
            }

            @Override
            public void write(String text, int offset, int length) throws IOException {
                synchronized (lock) {
                    int from = pending.length();
                    pending.append(text, offset, offset + length);
                    passLines(from);
                }
            }

            /** Passes on everything up to the last line break, looking for it only in what was just appended. */
            private void passLines(int from) throws IOException {
                for (int i = pending.length() - 1; i >= from; i--) {
                    char c = pending.charAt(i);
                    if (c == '\n' || c == '\r') {
                        pass(i + 1);
                        return;
                    }
                }
            }

            private void pass(int end) throws IOException {
                if (end > 0) {
                    String chunk = pending.substring(0, end);
                    pending.delete(0, end);
                    out.write(text(chunk));
                }
            }

            @Override
            public void flush() throws IOException {
                synchronized (lock) {
                    pass(pending.length());
                    out.flush();
                }
            }

            @Override
            public void close() throws IOException {
                synchronized (lock) {
                    flush();
                    out.close();
                }
            }
        };
    }

    /**
     * The base64 characters that depend on {@code bytes} alone when {@code shift} other bytes precede
     * them (as {@code user:} precedes a token in a basic-auth header): the same whatever those bytes are,
     * whatever follows, padded or not.
     */
    static String base64Core(byte[] bytes, int shift) {
        byte[] shifted = new byte[shift + bytes.length];
        System.arraycopy(bytes, 0, shifted, shift, bytes.length);
        String encoded = Base64.getEncoder().withoutPadding().encodeToString(shifted);
        int first = (8 * shift + 5) / 6;
        int end = 8 * (shift + bytes.length) / 6;
        return encoded.substring(first, end);
    }

    /** What is looked for, precomputed once per held secret: pieces and the first piece of each whole encoding. */
    private static final class Index {

        static final Index EMPTY = new Index(Map.of());

        private static final long BASE = 1_000_003L;
        private static final long BASE_POW_PIECE;

        static {
            long p = 1;
            for (int i = 0; i < PIECE; i++) {
                p *= BASE;
            }
            BASE_POW_PIECE = p;
        }

        record Needle(String text, String what) {}

        /** Held secrets too short for pieces: hidden verbatim only. */
        final List<String> shortSecrets = new ArrayList<>();
        /** Hash of every {@value #PIECE}-character run of every encoding → those runs. */
        final Map<Long, List<String>> pieces = new HashMap<>();
        /** Hash of the first {@value #PIECE} characters of every whole encoding → the encodings. */
        final Map<Long, List<Needle>> starts = new HashMap<>();
        /** A 65,536-bit filter over the piece hashes, so that nearly every window costs no map look-up. */
        private final long[] filter = new long[1024];

        Index(Map<String, String> held) {
            held.forEach((secret, origin) -> {
                if (secret.length() < PIECE) {
                    shortSecrets.add(secret);
                    return;
                }
                encodings(secret, origin).forEach((text, what) -> {
                    if (text.length() < PIECE) {
                        return;
                    }
                    starts.computeIfAbsent(hash(text, 0), h -> new ArrayList<>()).add(new Needle(text, what));
                    for (int i = 0; i + PIECE <= text.length(); i++) {
                        long h = hash(text, i);
                        List<String> same = pieces.computeIfAbsent(h, k -> new ArrayList<>());
                        String piece = text.substring(i, i + PIECE);
                        if (!same.contains(piece)) {
                            same.add(piece);
                        }
                        filter[filterWord(h)] |= 1L << filterBit(h);
                    }
                });
            });
        }

        boolean isEmpty() {
            return shortSecrets.isEmpty() && pieces.isEmpty();
        }

        boolean mayBePiece(long h) {
            return (filter[filterWord(h)] & (1L << filterBit(h))) != 0;
        }

        boolean isPiece(String text, int at, long h) {
            for (String piece : pieces.getOrDefault(h, List.of())) {
                if (text.regionMatches(at, piece, 0, PIECE)) {
                    return true;
                }
            }
            return false;
        }

        private static int filterWord(long h) {
            return (int) ((h * 0x9E3779B97F4A7C15L) >>> 54);
        }

        private static int filterBit(long h) {
            return (int) ((h * 0x9E3779B97F4A7C15L) >>> 48) & 63;
        }

        static long hash(CharSequence text, int from) {
            long h = 0;
            for (int i = from; i < from + PIECE; i++) {
                h = h * BASE + text.charAt(i);
            }
            return h;
        }

        static long roll(long h, char out, char in) {
            return h * BASE + in - out * BASE_POW_PIECE;
        }

        /** The secret as it may appear: verbatim, percent-encoded, and its base64 cores. Keyed by text, first label wins. */
        private static Map<String, String> encodings(String secret, String origin) {
            Map<String, String> all = new LinkedHashMap<>();
            all.put(secret, origin);
            String percent = URLEncoder.encode(secret, StandardCharsets.UTF_8);
            all.putIfAbsent(percent, origin + " (percent-encoded)");
            all.putIfAbsent(percent.replace("+", "%20"), origin + " (percent-encoded)");
            all.putIfAbsent(lowerCaseEscapes(percent.replace("+", "%20")), origin + " (percent-encoded)");
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            for (int shift = 0; shift < 3; shift++) {
                String core = base64Core(bytes, shift);
                all.putIfAbsent(core, origin + " (base64-encoded)");
                all.putIfAbsent(core.replace('+', '-').replace('/', '_'), origin + " (base64-encoded)");
            }
            return all;
        }

        private static String lowerCaseEscapes(String percent) {
            Matcher m = Pattern.compile("%[0-9A-F]{2}").matcher(percent);
            return m.replaceAll(r -> r.group().toLowerCase(Locale.ROOT));
        }
    }
}
