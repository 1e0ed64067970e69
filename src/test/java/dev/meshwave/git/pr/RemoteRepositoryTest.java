package dev.meshwave.git.pr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RemoteRepositoryTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "https://github.com/o/r.git",
            "https://github.com/o/r",
            "https://github.com/o/r/",
            "git@github.com:o/r.git",
            "git@github.com:o/r",
            "github.com:o/r.git",
            "ssh://git@github.com/o/r.git",
            "ssh://git@github.com:22/o/r.git",
            "https://x-access-token:secret@github.com/o/r.git",
    })
    void readsGitHubOwnerAndRepository(String url) {
        RemoteRepository remote = RemoteRepository.parse(url);
        assertEquals(new RemoteRepository("github.com", "o/r"), remote);
        assertEquals("o", remote.owner());
        assertEquals("r", remote.name());
        assertEquals(URI.create("https://api.github.com"), remote.gitHubApiBase());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://gitlab.example.com/group/sub/repo.git",
            "git@gitlab.example.com:group/sub/repo.git",
            "ssh://git@gitlab.example.com:2222/group/sub/repo.git",
    })
    void readsAGitLabProjectPathWithSubgroups(String url) {
        RemoteRepository remote = RemoteRepository.parse(url);
        assertEquals("gitlab.example.com", remote.host());
        assertEquals("group/sub/repo", remote.projectPath());
        assertEquals(URI.create("https://gitlab.example.com/api/v4"), remote.gitLabApiBase());
    }

    @Test
    void anHttpsPortStaysWithTheHostBecauseTheApiListensThereToo() {
        RemoteRepository remote = RemoteRepository.parse("https://ghe.example.com:8443/o/r.git");
        assertEquals("ghe.example.com:8443", remote.host());
        assertEquals(URI.create("https://ghe.example.com:8443/api/v3"), remote.gitHubApiBase());
    }

    @Test
    void aGitHubRepositoryHasExactlyOwnerAndName() {
        RemoteRepository remote = RemoteRepository.parse("https://gitlab.example.com/group/sub/repo.git");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, remote::owner);
        assertTrue(e.getMessage().contains("group/sub/repo"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "file:///srv/git/r.git",
            "/srv/git/r.git",
            "./r",
            "../o/r.git",
            "C:\\repos\\r",
            "c:/repos/r",
            "https://github.com/r.git",
            "https://github.com/",
            "ftp://example.com/o/r.git",
            "git@github.com:r.git",
            "",
    })
    void refusesWhatNamesNoHostedRepository(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RemoteRepository.parse(url));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void theRefusalExplainsTheFormsAndHidesCredentials() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RemoteRepository.parse("https://x-access-token:ghp_secret123@github.com/"));
        assertFalse(e.getMessage().contains("ghp_secret123"), e.getMessage());
        assertTrue(e.getMessage().contains("https://github.com/"), e.getMessage());
        assertTrue(e.getMessage().contains("git@host:owner/repo.git"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> RemoteRepository.parse("file:///srv/git/r.git"));
        assertEquals("cannot tell the hosted repository from the remote URL 'file:///srv/git/r.git'; expected "
                + "https://host/owner/repo.git, ssh://git@host/owner/repo.git or git@host:owner/repo.git", e.getMessage());
    }
}
