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

    /** "Loopback" was a prefix test on the host name, so http://127.attacker.example/ got the token. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"http://127.attacker.example/a.git", "http://127.0.0.1.nip.io/a.git",
        "http://localhost.attacker.example/a.git", "http://127.0.0.256/a.git", "http://[::2]/a.git", "http://10.0.0.1/a.git",
        "http://0x7f.1/a.git", "http://2130706433/a.git"})
    void noTokenOverHttpToANameThatOnlyLooksLikeThisMachine(String url) throws Exception {
        assertFalse(answers(GitCredentials.provider(ENV, url), url), url);
        assertFalse(GitCredentials.mayCarryCredentials("http", new URIish(url).getHost()), url);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"http://127.0.0.1/a.git", "http://127.3.2.1:8080/a.git",
        "http://localhost:8080/a.git", "http://LOCALHOST/a.git", "http://[::1]:8080/a.git"})
    void aTokenGoesOverHttpToTrueLoopbackAddresses(String url) throws Exception {
        assertTrue(answers(GitCredentials.provider(ENV, url), url), url);
        assertTrue(GitCredentials.mayCarryCredentials("http", java.net.URI.create(url).getHost()), url);
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
        GitCredentials.provider(Map.of(), "https://bot:" + password + "@git.example.com/a.git", redaction, NetworkTimeout.DEFAULT.connect());
        assertEquals("refused: ***", redaction.text("refused: " + password));
    }

    /** An ssh user is the login (git@github.com), not a secret: it stays; a password never does. */
    @Test
    void theSshUserIsKeptAndOnlyPasswordsGo() {
        assertEquals("ssh://git@github.com/o/r.git", GitCredentials.withoutCredentials("ssh://git@github.com/o/r.git"));
        assertEquals("ssh://git@github.com/o/r.git", GitCredentials.withoutCredentials("ssh://git:secret-pw@github.com/o/r.git"));
        assertEquals("git@gitlab.com:group/r.git", GitCredentials.withoutCredentials("git@gitlab.com:group/r.git"));
        assertEquals("https://git.example.com/a.git", GitCredentials.withoutCredentials("https://bot@git.example.com/a.git"));
        assertEquals("ssh://github.com/o/r.git", GitCredentials.withoutUser("ssh://git@github.com/o/r.git"));
    }

    /** A `git credential` helper that sleeps held the run forever (stdout was read before any timeout). */
    @Test
    void aCredentialHelperThatNeverAnswersIsKilledAtTheTimeout(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path config = java.nio.file.Files.writeString(tmp.resolve("gitconfig"),
                "[credential]\n\thelper = \"!f() { sleep 60; }; f\"\n");
        Map<String, String> env = Map.of("GIT_CONFIG_GLOBAL", config.toString(), "GIT_CONFIG_NOSYSTEM", "1", "HOME", tmp.toString());
        CredentialsProvider provider = GitCredentials.provider(env, "https://git.example.com/a.git", new Redaction(), java.time.Duration.ofSeconds(1));
        long started = System.nanoTime();
        boolean answered = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> answers(provider, "https://git.example.com/a.git"));
        long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertFalse(answered);
        assertTrue(seconds < 10, "gave up after " + seconds + " s");
        assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.info().commandLine().orElse("").contains("sleep 60")),
                "the helper is killed, not left behind");
    }

    /** The run's environment chooses the helpers (HOME, GIT_CONFIG_GLOBAL), as it does everything else. */
    @Test
    void theCredentialHelperOfTheRunsEnvironmentAnswers(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path config = java.nio.file.Files.writeString(tmp.resolve("gitconfig"),
                "[credential]\n\thelper = \"!f() { echo username=bot; echo password=from-helper; }; f\"\n");
        Map<String, String> env = Map.of("GIT_CONFIG_GLOBAL", config.toString(), "GIT_CONFIG_NOSYSTEM", "1", "HOME", tmp.toString());
        CredentialItem.Username user = new CredentialItem.Username();
        CredentialItem.Password password = new CredentialItem.Password();
        Redaction redaction = new Redaction();
        assertTrue(GitCredentials.provider(env, "https://git.example.com/a.git", redaction, NetworkTimeout.DEFAULT.connect())
                .get(new URIish("https://git.example.com/a.git"), user, password));
        assertEquals("bot", user.getValue());
        assertEquals("from-helper", new String(password.getValue()));
        // What the helper answered is held by the run's redaction before JGit sends it anywhere.
        assertEquals("refused: ***", redaction.text("refused: from-helper"));
    }
}
