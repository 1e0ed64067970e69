package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.meshwave.git.InvalidRepositoryException;
import org.junit.jupiter.api.Test;

/** {@code --pr} as a kind, with its refusals in the order a run has always said them. */
class ProviderChoiceTest {

    private Publishing.Options options(String pr, boolean push) {
        Publishing.Options options = new Publishing.Options();
        options.pr = pr;
        options.push = push;
        return options;
    }

    @Test
    void namesEachProvider() throws InvalidRepositoryException {
        assertEquals(ProviderChoice.Kind.NONE, ProviderChoice.kind(options("none", false)));
        assertEquals(ProviderChoice.Kind.GITHUB, ProviderChoice.kind(options("github", true)));
        assertEquals(ProviderChoice.Kind.GITLAB, ProviderChoice.kind(options("gitlab", true)));
    }

    @Test
    void aMissingPushIsSaidBeforeAnUnknownProvider() {
        assertEquals("--pr bogus needs --push: a pull request needs its branch on the remote",
                assertThrows(InvalidRepositoryException.class, () -> ProviderChoice.kind(options("bogus", false))).getMessage());
        assertEquals("--pr bogus is not a provider (expected github, gitlab or none)",
                assertThrows(InvalidRepositoryException.class, () -> ProviderChoice.kind(options("bogus", true))).getMessage());
    }
}
