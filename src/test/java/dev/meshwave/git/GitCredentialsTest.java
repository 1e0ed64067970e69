package dev.meshwave.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.Redaction;
import java.util.Map;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

class GitCredentialsTest {

    private static final Map<String, String> ENV = Map.of("MESHWAVE_GIT_TOKEN", "tok-secret-1234");

    private static boolean answers(CredentialsProvider provider, String url) throws Exception {
        return provider.get(new URIish(url), new CredentialItem.Username(), new CredentialItem.Password());
    }

    @Test
    void aTokenGoesOnlyOverHttpsOrToThisMachine() throws Exception {
        CredentialsProvider provider = GitCredentials.provider(ENV, "https://git.example.com/a.git");
        assertTrue(answers(provider, "https://git.example.com/a.git"));
        assertFalse(answers(provider, "http://git.example.com/a.git"), "never over plain http to another host");
        assertTrue(answers(provider, "http://127.0.0.1:8080/a.git"));
    }

    @Test
    void credentialsInTheUrlAreUsedAndNeverStored() throws Exception {
        CredentialsProvider provider = GitCredentials.provider(Map.of(), "https://bot:pass-in-url@git.example.com/a.git");
        CredentialItem.Username user = new CredentialItem.Username();
        CredentialItem.Password password = new CredentialItem.Password();
        assertTrue(provider.get(new URIish("https://git.example.com/a.git"), user, password));
        assertEquals("bot", user.getValue());
        assertEquals("pass-in-url", new String(password.getValue()));
        assertEquals("https://git.example.com/a.git", GitCredentials.withoutCredentials("https://bot:pass-in-url@git.example.com/a.git"));
    }

    @Test
    void aPasswordInTheUrlIsHeldByTheRunsRedaction() {
        Redaction redaction = new Redaction();
        String password = "pass-in-" + "url-7c3d9e";
        GitCredentials.provider(Map.of(), "https://bot:" + password + "@git.example.com/a.git", redaction);
        assertEquals("refused: ***", redaction.text("refused: " + password));
    }
}
