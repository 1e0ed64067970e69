package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the scan behind every written byte recognises, as written and as YAML decodes it, and what it
 * leaves alone. Secret shapes are built by concatenation so that this source holds none.
 */
class SecretsTest {

    private static final String BEGIN = "-----" + "BEGIN";
    private static final String RSA_HEADER = BEGIN + " RSA PRIVATE KEY-----";
    private static final String GITHUB = "ghp_" + "Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7j";
    /** Held through MESHWAVE_GIT_TOKEN; not the shape of any service's token, so only holding it finds it. */
    private static final String HELD = "mwHeld" + "Tok3n-9q8w7e6r5t4y";
    private static final Redaction HOLDS = Redaction.of(Map.of("MESHWAVE_GIT_TOKEN", HELD));

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(String.format(java.util.Locale.ROOT, "\\u%04x", c)));
        return out.toString();
    }

    static Stream<Arguments> secrets() {
        String pemKey = RSA_HEADER + "\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";
        String wrapped = base64(pemKey + "x".repeat(80)).replaceAll("(.{40})", "$1\n    ");
        return Stream.of(
                Arguments.of("a PGP private key", "k: |\n  " + BEGIN + " PGP PRIVATE KEY BLOCK-----\n  lQOYBF\n"),
                Arguments.of("a base64-encoded private key", "data:\n  tls.key: " + base64(pemKey) + "\n"),
                Arguments.of("a base64-encoded private key", "data:\n  client-key-data: " + base64("\n\n" + pemKey) + "\n"),
                Arguments.of("a base64-encoded private key", "key: |\n    " + wrapped + "\n"),
                Arguments.of("a base64-encoded private key", "data:\n  key: " + Base64.getUrlEncoder().encodeToString(
                        (BEGIN + " EC PRIVATE KEY-----\n??>>").getBytes(StandardCharsets.UTF_8)) + "\n"),
                Arguments.of("a PEM private key", "a: 1\nk: \"" + BEGIN + "\\u0020RSA PRIVATE KEY-----\"\n"),
                Arguments.of("a PEM private key", "a: 1\nk: \"" + BEGIN + " RSA\\x20PRIVATE KEY-----\"\n"),
                Arguments.of("a PEM private key", "a: 1\nk: >\n  " + BEGIN + " RSA\n  PRIVATE KEY-----\n  MIIE\n"),
                Arguments.of("a PEM private key", "a: 1\nk: " + BEGIN + " OPENSSH\n  PRIVATE KEY-----\n"),
                Arguments.of("a PEM private key", "a: 1\nk: \"" + BEGIN + " RSA PRIVATE \\\n  KEY-----\"\n"),
                Arguments.of("a GitHub token", "a: 1\nk: \"gh\\u0070_" + GITHUB.substring(4) + "\"\n"),
                Arguments.of("a GitHub token", "a: 1\nk: \"" + escaped(GITHUB) + "\"\n"),
                Arguments.of("a GitHub token", "a: 1\nk: \"" + GITHUB.substring(0, 20) + "\\\n    " + GITHUB.substring(20) + "\"\n"),
                Arguments.of("an AWS secret access key", "a: 1\naws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY\n"),
                Arguments.of("an AWS secret access key", "a: 1\nexport AWS_SECRET_ACCESS_KEY=\"wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY\"\n"),
                Arguments.of("a literal password, secret or token value", "a: 1\npassword: hunter2\n"),
                Arguments.of("a literal password, secret or token value", "a: 1\n  db_password: \"s3cr3t\"\n"),
                Arguments.of("a literal password, secret or token value", "a: 1\nclientSecret: abc123\n"),
                Arguments.of("a literal password, secret or token value", "a: 1\n- token: 'xyz'\n"),
                Arguments.of("a literal password, secret or token value", "a: 1\n  \"passwd\": \"x\",\n"),
                Arguments.of("a literal password, secret or token value", "a: 1\nSECRET: 12345 # rotated\n"),
                Arguments.of("the token in MESHWAVE_GIT_TOKEN", "a: 1\nk: " + HELD + "\n"),
                Arguments.of("the token in MESHWAVE_GIT_TOKEN (base64-encoded)", "a: 1\nk: " + base64(HELD) + "\n"),
                Arguments.of("the token in MESHWAVE_GIT_TOKEN (base64-encoded)", "a: 1\nauth: Basic " + base64("x-access-token:" + HELD) + "\n"),
                Arguments.of("the token in MESHWAVE_GIT_TOKEN (base64-encoded)", "a: 1\nauth: " + base64("u:" + HELD) + "\n"),
                Arguments.of("the token in MESHWAVE_GIT_TOKEN (base64-encoded)", "a: 1\nauth: " + Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(("ab:" + HELD).getBytes(StandardCharsets.UTF_8)) + "\n"),
                Arguments.of("the token in MESHWAVE_GIT_TOKEN", "a: 1\nk: \"" + escaped(HELD) + "\"\n"),
                Arguments.of("a password in a URL", "a: 1\nrepo: https://bot:" + URLEncoder.encode(HELD + "/", StandardCharsets.UTF_8) + "@h/x\n"));
    }

    @ParameterizedTest
    @MethodSource("secrets")
    void foundOnItsLineAndNamedButNeverShown(String kind, String text) {
        Optional<Secrets.Finding> finding = Secrets.findInFile("clusters/prod/leak.yaml", text, HOLDS);
        assertTrue(finding.isPresent(), "not found: " + text);
        assertEquals(kind, finding.get().kind(), text);
        assertEquals(2, finding.get().line(), text);
    }

    @Test
    void theHeldTokenPercentEncodedIsFound() {
        Redaction odd = Redaction.of(Map.of("GITLAB_TOKEN", "odd/" + "token+with=chars"));
        Optional<Secrets.Finding> finding = Secrets.find("url: https://h/x?t=" + URLEncoder.encode("odd/token+with=chars", StandardCharsets.UTF_8), odd);
        assertEquals("the token in GITLAB_TOKEN (percent-encoded)", finding.orElseThrow().kind());
    }

    @ParameterizedTest
    @MethodSource("benign")
    void benignTextsPass(String text) {
        assertEquals(Optional.empty(), Secrets.findInFile("clusters/prod/ok.yaml", text, HOLDS), text);
    }

    static Stream<String> benign() {
        String certificate = BEGIN + " CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
        return Stream.of(
                "password: \"\"\ntoken: ''\n",
                "password: ${DB_PASSWORD}\ntoken: \"$(TOKEN)\"\nsecret: $SECRET\n",
                "env:\n- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db\n      key: password\n",
                "password:\n  secretKeyRef: {name: db, key: password}\npassword: {secretKeyRef: {name: db, key: password}}\n",
                "automountServiceAccountToken: false\nsecret: null\nsecret: ~\ntoken: true # default\n",
                "volumes:\n- name: istio-token\n  secret:\n    secretName: istio-ca-secret\n  projected:\n    sources:\n    - serviceAccountToken:\n        path: istio-token\n",
                "password: |\n  see the vault\n",
                "# the token: never commit it\n",
                "webhooks:\n- clientConfig:\n    caBundle: " + base64(certificate) + "\n",
                "ca.crt: |\n  " + certificate.replace("\n", "\n  "),
                "k: \"\\u00e9t\\u00e9 \\\\ \\\"quoted\\\"\"\nmatch: \"^/api\\\\.v1\"\n",
                "k: " + HELD.substring(0, 12) + " is only a piece\n",
                "k: \"" + BEGIN + " CERTIFICATE-----\"\nother: [unclosed\n",
                "not yaml: { [ \\u0067hp_ " + "x".repeat(40) + "\n");
    }

    @Test
    void onlyYamlAndJsonFilesAreDecodedAsYaml() {
        String escaped = "k: \"gh\\u0070_" + GITHUB.substring(4) + "\"\n";
        assertEquals("a GitHub token", Secrets.findInFile("a/b.JSON", escaped, HOLDS).orElseThrow().kind());
        assertEquals(Optional.empty(), Secrets.findInFile("a/install.sh", escaped, HOLDS), "a shell script's escapes are not YAML's");
        assertEquals(Optional.empty(), Secrets.find(escaped, HOLDS), "nor a pull-request text's");
    }

    /** A user's template renders anything; whatever the YAML parser makes of it, the scan answers (no exit 4). */
    @Test
    void anyTextIsScannedWithoutAnException() {
        String alphabet = "ab:- \n\t\"'\\u0{}[]|>&*!%@#,?";
        java.util.Random random = new java.util.Random(15);
        for (int n = 0; n < 5000; n++) {
            StringBuilder text = new StringBuilder("k: \"\\");
            for (int i = random.nextInt(80); i > 0; i--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            Secrets.findInFile("f.yaml", text.toString(), HOLDS);
            Secrets.findInFile("f.yaml", BEGIN + text, HOLDS);
        }
    }

    @Test
    void privateKeyLineSeesPgpBlocksToo() {
        assertEquals(3, Secrets.privateKeyLine("a\nb\n" + BEGIN + " PGP PRIVATE KEY BLOCK-----\n"));
        assertEquals(0, Secrets.privateKeyLine(BEGIN + " PGP PUBLIC KEY BLOCK-----\n"));
    }
}
