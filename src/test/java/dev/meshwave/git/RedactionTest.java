package dev.meshwave.git;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactionTest {

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
}
