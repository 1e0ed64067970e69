package dev.meshwave.testing;

import static dev.meshwave.testing.GitCli.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A platform team's GitOps repository for publish tests: bare, with one commit on main. */
public final class GitopsRepository {

    public static final String README = "the platform team's GitOps repository\n";

    private GitopsRepository() {}

    /** Creates {@code bare} with a main branch holding README.md and platform/ingress.yaml. */
    /**
     * The environment a test's {@code publish} runs with: meshwave's cache and the user's home under
     * {@code tmp} (nothing of the machine's but its PATH, where kubectl is for in-place plans), a fixed commit time,
     * and a short lock wait.
     */
    public static java.util.Map<String, String> publishEnvironment(Path tmp) {
        return new java.util.HashMap<>(java.util.Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "HOME",
                tmp.resolve("home").toString(), "SOURCE_DATE_EPOCH", "1767225600", "MESHWAVE_LOCK_TIMEOUT", "1",
                "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
    }

    public static Path create(Path bare) throws IOException {
        Files.createDirectories(bare.getParent());
        git(bare.getParent(), "init", "-q", "--bare", "-b", "main", bare.toString());
        Path seed = Files.createTempDirectory(bare.getParent(), "seed-");
        git(seed, "init", "-q", "-b", "main");
        Files.createDirectories(seed.resolve("platform"));
        Files.writeString(seed.resolve("README.md"), README);
        Files.writeString(seed.resolve("platform/ingress.yaml"), "kind: Namespace\n");
        git(seed, "add", "-A");
        git(seed, "commit", "-q", "-m", "initial");
        git(seed, "push", "-q", bare.toString(), "main");
        return bare;
    }
}
