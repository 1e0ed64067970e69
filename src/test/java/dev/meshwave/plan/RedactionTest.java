package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactionTest {

    /** Built by concatenation so that this source holds no token shape. */
    private static final String TOKEN = "ghp_" + "Rk2pQ9sLm4Xv7Tz1Nb8Hc3Wd6Jf0Ya5Ue2Gi";
    /** A token with characters that percent-encoding and URL-safe base64 change. */
    private static final String ODD_TOKEN = "mw+tok/" + "en?=&Z9x y~Q4r!";

    private static final Redaction HOLDS = Redaction.of(Map.of("GITHUB_TOKEN", TOKEN, "MESHWAVE_GIT_TOKEN", ODD_TOKEN));

    @Test
    void urlCredentialsAreHidden() {
        assertEquals("https://***@git.example.com/a.git", Redaction.url("https://bot:s3cret@git.example.com/a.git"));
        assertEquals("ssh://***@host/a.git", Redaction.url("ssh://git@host/a.git"));
        assertEquals("file:///tmp/a.git", Redaction.url("file:///tmp/a.git"));
    }

    @Test
    void knownSecretsAreHiddenAnywhereInAMessage() {
        Redaction redaction = new Redaction(List.of("tok-123456", "ab"));
        assertEquals("push failed: *** was refused at https://***@h/x (ab stays: too short to be a secret)",
                redaction.text("push failed: tok-123456 was refused at https://u:tok-123456@h/x (ab stays: too short to be a secret)"));
    }

    @Test
    void textsWithoutSecretsAreUnchanged() {
        String text = "created meshwave/asm-1140/01-wave-apps 0123456789ab (pushed) from ssh://git@host/gitops.git\n";
        assertEquals(text, HOLDS.text(text));
        assertEquals(text, new Redaction().text(text));
    }

    private static String base64(String text, Base64.Encoder encoder) {
        return encoder.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Every encoding a server could echo: verbatim, pieces, base64 of every kind alone and as basic auth, percent-encoded. */
    private static List<String> echoes(String token) {
        return List.of(token,
                token.substring(0, 8), token.substring(token.length() - 8), token.substring(3, 15),
                base64(token, Base64.getEncoder()), base64(token, Base64.getEncoder().withoutPadding()),
                base64(token, Base64.getUrlEncoder()), base64(token, Base64.getUrlEncoder().withoutPadding()),
                base64("x-access-token:" + token, Base64.getEncoder()), base64("bot:" + token, Base64.getEncoder()),
                base64("ci:" + token, Base64.getUrlEncoder().withoutPadding()), base64("u:" + token, Base64.getEncoder()),
                URLEncoder.encode(token, StandardCharsets.UTF_8),
                URLEncoder.encode(token, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "%2f"));
    }

    @Test
    void aTokenIsHiddenInEveryEncodingAndEveryPieceOfEightCharacters() {
        for (String token : List.of(TOKEN, ODD_TOKEN)) {
            for (String echo : echoes(token)) {
                String message = "401 Bad credentials: '" + echo + "' (Authorization: Basic " + echo + ")";
                String redacted = HOLDS.text(message);
                assertFalse(redacted.contains(echo), "shown: " + echo + " in " + redacted);
                assertTrue(redacted.startsWith("401 Bad credentials: '"), redacted);
                assertTrue(redacted.contains("***"), redacted);
            }
        }
    }

    @Test
    void piecesShorterThanEightCharactersAndOtherTextStay() {
        String text = "ghp_ and " + TOKEN.substring(5, 12) + " stay";
        assertEquals(text, HOLDS.text(text));
    }

    @Test
    void secretsHeldLaterAreHiddenToo() {
        Redaction redaction = Redaction.of(Map.of());
        String answer = "helper-" + "answered-9f8e7d6c";
        assertEquals("x " + answer, redaction.text("x " + answer));
        redaction.hold(answer, "the password a git credential helper answered");
        assertEquals("x ***", redaction.text("x " + answer));
        redaction.holdUrlPassword("https://bot:p%40ss-" + "word-in-url@git.example.com/a.git");
        assertEquals("*** and ***", redaction.text("p@ss-word-in-url and p%40ss-word-in-url"));
    }

    @Test
    void theWriterHidesSecretsSplitAcrossWritesAndKeepsEverythingElse() throws IOException {
        StringWriter sink = new StringWriter();
        Writer writer = HOLDS.writer(sink);
        writer.write("progress 1/4\r");
        writer.write("token " + TOKEN.substring(0, 10));
        writer.write(TOKEN.substring(10) + " refused\n");
        writer.write("{\"basic\": \"" + base64("x-access-token:" + TOKEN, Base64.getEncoder()) + "\"}");
        assertEquals("progress 1/4\rtoken *** refused\n", sink.toString(), "a line is passed on once it is complete");
        writer.flush();
        assertTrue(sink.toString().startsWith("progress 1/4\rtoken *** refused\n{\"basic\": \""), sink::toString);
        assertFalse(sink.toString().contains(base64(TOKEN, Base64.getEncoder()).substring(8, 40)), sink::toString);
    }

    @Test
    void aTokenReadWithItsTrailingNewlineIsHiddenWithoutIt() {
        String token = "glpat-" + "Xy7Wv2Ut9Sr4Qp1On6Ml";
        assertEquals("echo: ***.", Redaction.of(Map.of("GITLAB_TOKEN", token + "\n")).text("echo: " + token + "."));
        assertTrue(Redaction.of(Map.of("GITLAB_TOKEN", token + "\n")).firstHeld("k: " + token).isPresent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "abc"})
    void blankAndShortValuesAreNotSecrets(String value) {
        assertEquals("abc def", Redaction.of(Map.of("GITHUB_TOKEN", value)).text("abc def"));
    }

    @Test
    void firstHeldFindsWholeEncodingsButNotPieces() {
        assertTrue(HOLDS.firstHeld("a: " + base64("x-access-token:" + ODD_TOKEN, Base64.getUrlEncoder())).isPresent());
        assertEquals("the token in GITHUB_TOKEN", HOLDS.firstHeld("x\ny: " + TOKEN).orElseThrow().what());
        assertEquals(5, HOLDS.firstHeld("x\ny: " + TOKEN).orElseThrow().offset());
        assertTrue(HOLDS.firstHeld("y: " + TOKEN.substring(0, 20)).isEmpty(), "a piece in a file is not refused");
    }
}
