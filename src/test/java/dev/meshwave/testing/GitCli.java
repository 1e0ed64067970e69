package dev.meshwave.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real {@code git} command line, isolated from the machine's configuration, to check what meshwave did. */
public final class GitCli {

    private static final Map<String, String> ISOLATED = Map.of(
            "GIT_CONFIG_GLOBAL", "/dev/null",
            "GIT_CONFIG_NOSYSTEM", "1",
            "GIT_TERMINAL_PROMPT", "0",
            "GIT_AUTHOR_NAME", "Someone Else",
            "GIT_AUTHOR_EMAIL", "someone@example.com",
            "GIT_COMMITTER_NAME", "Someone Else",
            "GIT_COMMITTER_EMAIL", "someone@example.com",
            "LC_ALL", "C");

    private GitCli() {}

    /** Runs git in a directory; fails the test unless it exits 0. Returns stdout, trimmed. */
    public static String git(Path dir, String... args) {
        Cli.Result result = run(dir, args);
        if (result.exitCode() != 0) {
            throw new AssertionError("git " + String.join(" ", args) + " failed in " + dir + ":\n" + result);
        }
        return result.out().strip();
    }

    /** Runs git and returns whatever happened. */
    public static Cli.Result run(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        return Processes.run(dir, ISOLATED, command);
    }
}
