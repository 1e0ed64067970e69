package dev.meshwave.testing;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The secrets tests plant where a user or a hostile file could put them, and the one check that they
 * never come out again: not verbatim, not base64 (standard or URL alphabet, any alignment, with or
 * without padding, as {@code user:token}), not percent-encoded, and not as any 8-character run of a
 * secret's random body (a 401 body echoing half a token is a leak too).
 *
 * <p>Every value is built by concatenation, so no test source holds a token shape a scanner (or
 * meshwave's own) would flag. The random bodies are the values' fingerprints: {@link #main} writes
 * them, one a line, for {@code .ci/run}, which greps the test reports for them after {@code mvn verify}.
 *
 * <p>{@link Cli#run} checks every captured stdout and stderr against these values, so every test in the
 * suite that prints one fails; tests that plant a secret of their own keep checking it themselves.
 */
public final class PlantedSecrets {

    /** A fingerprint is this many characters of a secret's body, or of one of its encodings. */
    public static final int RUN = 8;

    /** One planted secret: a name for messages (never the value), the whole value, and its random body. */
    public record Secret(String name, String value, List<String> bodies) {}

    /** The token meshwave holds (MESHWAVE_GIT_TOKEN): no known shape, so only "the token I hold" can catch it. */
    public static final Secret HELD_TOKEN = secret("held token", "mw" + "t-", "Xk7Qe2Lr9Vb4" + "Nd1Zp6Hs3Wc8Ty5Mu0Ja");
    /** A GitHub personal access token shape. */
    public static final Secret GITHUB_TOKEN = secret("GitHub token", "gh" + "p_", "Rt5Yh8Jk2Lp4" + "Qw7Ez1Xc9Vb3Nm6As0Df2Gh5Zq");
    /** An AWS access key id and its secret key (the secret key has no prefix: only "aws_secret_access_key" says what it is). */
    public static final Secret AWS_KEY_ID = secret("AWS access key id", "AK" + "IA", "QX4RZ7TB2WM9" + "KD3N");
    public static final Secret AWS_SECRET = secret("AWS secret key", "", "wJa7Rx/K2mQz9Vt" + "Lp3Hn8Yc5Bd1Fg6Eu4Ks0" + "Tr2O");
    /** A password value ({@code password: ...}). */
    public static final Secret PASSWORD = secret("password", "", "Pq9" + "Zt4Lm7Wx2Rk8Jv5");
    /** A bearer token in a kubeconfig. */
    public static final Secret KUBE_TOKEN = secret("kubeconfig token", "ey" + "J", "hbGci9Qm4Tz7" + "Wk2Rv6Lx1Np8Bs3Yd");
    /** A CI job token, as the runner's environment holds it. */
    public static final Secret CI_TOKEN = secret("CI job token", "", "Cj8Mn3Vb6Xz1" + "Qa5Ws9Ed2Rf");
    /** A fake RSA private key (not a key: random base64), whole with its PEM armour. */
    public static final Secret PEM = secret("PEM private key", "", """
            MIIEpQIBAAKCAQEAzQ7Lw3Hx9Vt2Rm5Kp8Ny4Bd1Fg6Eu0Js3Ho7Wi2Xq5Zc9Ta
            Lr4Mv8Pk1Yn6Gs3Df0Hj7Bx2Qe5Wu9Ro4Ti1Zl8Nc3Vb6Xm2Ka7Sd0Fh5Jg9Lp
            Qz3We8Rt1Yu6Io4Pa2Sd7Fg0Hj5Kl9Zx3Cv8Bn1Mq6Wn4Er7Ty2Ui0Op5As9Df""".lines().toArray(String[]::new));
    /** A fake PGP private key block (random base64). */
    public static final Secret PGP = secret("PGP private key", "", """
            lQOYBGXq3Z8BCADh5Kr2Nw9Lt4Pm7Qx1Vb6Yc3Zd8Ej0Fs5Gh2Ja7Kb4Lc9Md1Ne
            6Of3Pg8Qh0Ri5Sj2Tk7Ul4Vm9Wn1Xo6Yp3Zq8Ar0Bs5Ct2Du7Ev4Fw9Gx1Hy6Iz""".lines().toArray(String[]::new));

    public static final List<Secret> ALL = List.of(HELD_TOKEN, GITHUB_TOKEN, AWS_KEY_ID, AWS_SECRET, PASSWORD, KUBE_TOKEN, CI_TOKEN, PEM, PGP);

    private static final String DASHES = "-".repeat(5);
    /** Which secret each fingerprint (an 8-character run of a body or of an encoding) belongs to, and how. */
    private static final Map<String, String> FINGERPRINTS = fingerprints();

    private PlantedSecrets() {}

    private static Secret secret(String name, String prefix, String... bodyLines) {
        return new Secret(name, prefix + String.join("\n", bodyLines), List.of(bodyLines));
    }

    /** The PEM private key, armoured as a file holds it. */
    public static String pemFile() {
        return DASHES + "BEGIN RSA " + "PRIVATE KEY" + DASHES + "\n" + PEM.value() + "\n" + DASHES + "END RSA " + "PRIVATE KEY" + DASHES + "\n";
    }

    /** The PGP private key block, armoured. */
    public static String pgpFile() {
        return DASHES + "BEGIN PGP " + "PRIVATE KEY BLOCK" + DASHES + "\n\n" + PGP.value() + "\n=Xq7Z\n" + DASHES + "END PGP "
                + "PRIVATE KEY BLOCK" + DASHES + "\n";
    }

    /** A kubeconfig with the planted bearer token, as a user's ~/.kube/config holds it. */
    public static String kubeconfig() {
        return "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: " + KUBE_TOKEN.value() + "\n";
    }

    /** A CI runner's environment, one variable a line, the first line a secret. */
    public static String environ() {
        return "CI_JOB_TOKEN=" + CI_TOKEN.value() + "\nMESHWAVE_GIT_TOKEN=" + HELD_TOKEN.value() + "\nAWS_SECRET_ACCESS_KEY="
                + AWS_SECRET.value() + "\nGITHUB_TOKEN=" + GITHUB_TOKEN.value() + "\n";
    }

    /** The values test inputs name as placeholders ({@code {TOKEN}}, {@code {PEM}} …), with a few encodings of them. */
    public static Map<String, String> placeholders() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("TOKEN", HELD_TOKEN.value());
        values.put("TOKEN_B64", b64(HELD_TOKEN.value()));
        values.put("TOKEN_BASIC_B64", b64("x-access-token:" + HELD_TOKEN.value()));
        values.put("TOKEN_HALF", HELD_TOKEN.value().substring(HELD_TOKEN.value().length() / 2));
        values.put("GITHUB_TOKEN", GITHUB_TOKEN.value());
        values.put("AWS_KEY_ID", AWS_KEY_ID.value());
        values.put("AWS_SECRET", AWS_SECRET.value());
        values.put("PASSWORD", PASSWORD.value());
        values.put("KUBE_TOKEN", KUBE_TOKEN.value());
        values.put("PEM", pemFile());
        values.put("PEM_B64", b64(pemFile()));
        values.put("PGP", pgpFile());
        values.put("PEM_BEGIN", DASHES + "BEGIN RSA " + "PRIVATE KEY" + DASHES);
        values.put("PEM_END", DASHES + "END RSA " + "PRIVATE KEY" + DASHES);
        values.put("PEM_BODY", PEM.value());
        // The same values laid out for YAML and template files: block-scalar lines, escaped newlines, comment lines.
        values.put("PEM_BODY_INDENTED", PEM.value().lines().map(l -> "      " + l + "\n").collect(java.util.stream.Collectors.joining()));
        values.put("PEM_BODY_ESCAPED", PEM.value().replace("\n", "\\n"));
        values.put("PGP_INDENTED", pgpFile().lines().map(l -> "      " + l + "\n").collect(java.util.stream.Collectors.joining()));
        values.put("PGP_COMMENTED", String.join("\n# ", pgpFile().lines().toList()));
        values.put("GITHUB_BODY", GITHUB_TOKEN.value().substring(4));
        return values;
    }

    /** Writes the planted files into {@code dir}: {@code secret.env} (a runner's environment), {@code kubeconfig}, {@code keys/id_rsa}. */
    public static Path plantFiles(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("kubeconfig"), kubeconfig());
        Files.writeString(dir.resolve("keys/id_rsa"), pemFile());
        Files.writeString(dir.resolve("keys/token.txt"), GITHUB_TOKEN.value() + "\n");
        return Files.writeString(dir.resolve("secret.env"), environ());
    }

    /** Which planted secret {@code text} holds, and in what form (never the value), or empty. */
    public static Optional<String> leak(String text) {
        if (text == null || text.length() < RUN) {
            return Optional.empty();
        }
        for (int i = 0; i + RUN <= text.length(); i++) {
            String found = FINGERPRINTS.get(text.substring(i, i + RUN));
            if (found != null) {
                return Optional.of(found + " at offset " + i);
            }
        }
        return Optional.empty();
    }

    public static boolean leaks(String text) {
        return leak(text).isPresent();
    }

    /** {@code text} with every fingerprint's characters replaced, for failure messages that must not leak themselves. */
    public static String masked(String text) {
        if (text == null) {
            return null;
        }
        char[] chars = text.toCharArray();
        for (int i = 0; i + RUN <= text.length(); i++) {
            if (FINGERPRINTS.containsKey(text.substring(i, i + RUN))) {
                java.util.Arrays.fill(chars, i, i + RUN, '\u2588');
            }
        }
        return new String(chars);
    }

    /** Fails when stdout or stderr of a run holds a planted secret: every test that runs meshwave is checked. */
    public static void assertNotPrinted(String stream, String text) {
        leak(text).ifPresent(found -> {
            throw new AssertionError("meshwave printed a planted secret on " + stream + ": " + found + " (value not shown)");
        });
    }

    /** The random bodies, the fixed strings {@code .ci/run} greps the test reports for. */
    public static List<String> bodies() {
        List<String> bodies = new ArrayList<>();
        ALL.forEach(s -> bodies.addAll(s.bodies()));
        return bodies;
    }

    private static Map<String, String> fingerprints() {
        Map<String, String> byRun = new HashMap<>();
        for (Secret secret : ALL) {
            for (String body : secret.bodies()) {
                runs(byRun, body, secret.name());
                runs(byRun, URLEncoder.encode(body, StandardCharsets.UTF_8), secret.name() + " (percent-encoded)");
            }
            // Base64 at every alignment: the middle of an encoding does not depend on what precedes the value
            // beyond its length mod 3, so these runs catch "user:token", a whole file, a JSON string …
            for (String value : List.of(secret.value(), String.join("", secret.bodies()))) {
                for (int shift = 0; shift < 3; shift++) {
                    String encoded = b64("x".repeat(shift) + value);
                    // Drop the characters that mix the prefix or the padding in: 4 at each end is always enough.
                    if (encoded.length() > 8 + RUN) {
                        String middle = encoded.substring(4, encoded.length() - 4);
                        runs(byRun, middle, secret.name() + " (base64)");
                        runs(byRun, middle.replace('+', '-').replace('/', '_'), secret.name() + " (base64url)");
                    }
                }
            }
        }
        return Map.copyOf(byRun);
    }

    private static void runs(Map<String, String> byRun, String text, String what) {
        for (int i = 0; i + RUN <= text.length(); i++) {
            byRun.putIfAbsent(text.substring(i, i + RUN), what);
        }
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the bodies, one a line, to the file named by the only argument (for {@code .ci/run}; never to stdout, which CI logs keep). */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: PlantedSecrets FILE");
            System.exit(2);
        }
        Files.write(Path.of(args[0]), bodies(), StandardCharsets.UTF_8);
    }
}
