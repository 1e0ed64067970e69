package dev.meshwave.git;

import static dev.meshwave.testing.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.cli.Environment;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitopsRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code publish} given hostile options, environment and repositories (issue 15): each ends in exit 2 (bad input,
 * naming the flag or variable) or 3 (unsafe state), never 4, never a stack trace, and loses nothing.
 */
class HostilePublishIT {

    @TempDir
    Path tmp;

    Path remote;
    Map<String, String> env;

    @BeforeEach
    void gitopsRepository() throws IOException {
        remote = GitopsRepository.create(tmp.resolve("gitops.git"));
        env = GitopsRepository.publishEnvironment(tmp);
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
    }

    Cli.Result publish(String... extra) {
        List<String> args = new ArrayList<>(List.of("publish", PublishIT.PLAN, "--repo", remote.toUri().toString(), "--push"));
        args.addAll(List.of(extra));
        return Cli.run(new Environment(env, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)),
                args.toArray(String[]::new));
    }

    static void assertNoStackTrace(Cli.Result result) {
        assertFalse(result.err().contains("\tat ") || result.err().contains("Exception"), result::toString);
    }

    /** A --base that walks out of refs/heads was read as a loose ref: the first line of any file was printed. */
    @ParameterizedTest
    @ValueSource(strings = {"../../../../../../planted.txt", "main..x", "ma:in", "main.lock", "-x/../y", "main\u001b[31m"})
    void aBaseThatIsNoBranchNameIsRefusedBeforeAnyUse(String base) throws IOException {
        Files.writeString(tmp.resolve("planted.txt"), "PLANTED-FIRST-LINE\nsecond\n");
        Cli.Result result = publish("--base", base);
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("--base '") && result.err().contains("' is not a valid git branch name"), result::toString);
        assertFalse((result.out() + result.err()).contains("PLANTED-FIRST-LINE"), result::toString);
        assertFalse(result.err().contains("\u001b"), "no terminal escape is echoed: " + result);
        assertNoStackTrace(result);
        assertEquals("", git(remote, "for-each-ref", "refs/heads/meshwave/"));
    }

    @Test
    void aRollbackChecksItsBaseToo() {
        Cli.Result result = Cli.run(new Environment(env, Clock.systemUTC()), "rollback", PublishIT.PLAN, "--wave", "app",
                "--repo", remote.toUri().toString(), "--base", "../../../../../../planted.txt");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("--base '../../../../../../planted.txt' is not a valid git branch name"), result::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999", "-99999999999999999", "-1", "253402300800", "9223372036854775807", "1e9"})
    void aSourceDateEpochOutOfRangeIsExitTwoNamingTheVariable(String epoch) {
        env.put("SOURCE_DATE_EPOCH", epoch);
        Cli.Result result = publish();
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("SOURCE_DATE_EPOCH"), result::toString);
        assertNoStackTrace(result);
        assertEquals("", git(remote, "for-each-ref", "refs/heads/meshwave/"));
    }

    @Test
    void theLastSourceDateEpochGitAcceptsStillPublishes() {
        env.put("SOURCE_DATE_EPOCH", "253402300799");
        Cli.Result result = publish();
        assertEquals(0, result.exitCode(), result::toString);
        git(remote, "fsck", "--strict");
    }

    /** "Loopback only over http" was host.startsWith("127."): the token went to http://127.attacker.example/. */
    @ParameterizedTest
    @ValueSource(strings = {"http://127.attacker.example/", "http://localhost.attacker.example/api/v3", "http://10.1.2.3/",
        "http://127.0.0.1.nip.io/"})
    void aPullRequestApiOverPlainHttpToAnotherHostIsRefusedBeforeAnythingIsPushed(String api) {
        String token = "ghp_" + "PlantedToken0123456789abcdef";
        env.put("GITHUB_TOKEN", token);
        Cli.Result result = publish("--pr", "github", "--pr-repo", "platform/gitops", "--pr-api", api);
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("--pr-api " + api + ": a token or password goes only over https, or over http to this machine"),
                result::toString);
        assertFalse((result.out() + result.err()).contains(token), result::toString);
        assertEquals("", git(remote, "for-each-ref", "refs/heads/meshwave/"));
    }

    @Test
    void aPasswordInAnHttpRemoteUrlToAnotherHostIsRefused() {
        String password = "glpat-" + "Planted0123456789abcd";
        Cli.Result result = Cli.run(new Environment(env, Clock.systemUTC()), "publish", PublishIT.PLAN,
                "--repo", "http://bot:" + password + "@127.attacker.example/gitops.git", "--push");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("--repo http://***@127.attacker.example/gitops.git: a token or password goes only over https"),
                result::toString);
        assertFalse((result.out() + result.err()).contains(password), result::toString);
    }

    /** --workdir D deleted D/repo.git when it was a normal clone (no top-level HEAD), without asking. */
    @Test
    void aWorkdirMeshwaveDidNotMakeIsRefusedAndKeptWhole() throws IOException {
        Path workdir = tmp.resolve("mine");
        Files.createDirectories(workdir);
        git(workdir, "clone", "-q", remote.toString(), "repo.git");
        Files.writeString(workdir.resolve("repo.git/uncommitted.txt"), "work in progress\n");
        Files.writeString(workdir.resolve("notes.txt"), "mine\n");

        Cli.Result result = publish("--workdir", workdir.toString());

        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("--workdir " + workdir + " was not made by meshwave"), result::toString);
        assertNoStackTrace(result);
        assertEquals("work in progress\n", Files.readString(workdir.resolve("repo.git/uncommitted.txt")));
        git(workdir.resolve("repo.git"), "fsck");
        try (var entries = Files.list(workdir)) {
            assertEquals(List.of("notes.txt", "repo.git"), entries.map(p -> p.getFileName().toString()).sorted().toList(),
                    "not even a lock file is left in it");
        }
        assertEquals("", git(remote, "for-each-ref", "refs/heads/meshwave/"));
    }

    @Test
    void aWorkdirThatIsAFileIsRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x\n");
        Cli.Result result = publish("--workdir", file.toString());
        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("--workdir " + file + " exists and is not a directory"), result::toString);
        assertEquals("x\n", Files.readString(file));
    }

    @Test
    void aNewOrEmptyWorkdirIsTakenAndMarkedAndUsedAgain() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(0, publish("--workdir", empty.toString()).exitCode());
        assertTrue(Files.isRegularFile(empty.resolve(WorkRepository.MARKER)));
        Cli.Result again = publish("--workdir", empty.toString());
        assertEquals(0, again.exitCode(), again::toString);
        Path fresh = tmp.resolve("new/work");
        assertEquals(0, publish("--workdir", fresh.toString()).exitCode());
        assertTrue(Files.isRegularFile(fresh.resolve(WorkRepository.MARKER)));
    }

    /** A publish killed during JGit's background gc left gc.log.lock in the work repository for good. */
    @Test
    void theWorkRepositoryNeverGcsInTheBackgroundAndAStaleGcLockGoes() throws IOException {
        Path workdir = tmp.resolve("work");
        assertEquals(0, publish("--workdir", workdir.toString()).exitCode());
        Path gitDir = workdir.resolve("repo.git");
        assertEquals("false", git(gitDir, "config", "gc.autoDetach"));
        Files.writeString(gitDir.resolve("gc.log.lock"), "");

        Cli.Result again = publish("--workdir", workdir.toString());

        assertEquals(0, again.exitCode(), again::toString);
        assertFalse(Files.exists(gitDir.resolve("gc.log.lock")), "the stale lock of an older run is gone");
        git(gitDir, "gc", "--auto");
        git(gitDir, "fsck", "--strict");
    }

    /** file:// and bare-path remotes skipped the remote's hooks, so a push the server would refuse "succeeded". */
    @ParameterizedTest
    @ValueSource(strings = {"pre-receive", "update"})
    void aLocalRemotesHookThatRefusesIsExitThreeWithItsMessageRedacted(String hook) throws IOException {
        String token = "ghp_" + "PlantedHookToken0123456789abcd";
        env.put("MESHWAVE_GIT_TOKEN", token);
        Path script = remote.resolve("hooks/" + hook);
        Files.writeString(script, "#!/bin/sh\nprintf 'change freeze until Monday (" + token + ")\\033[2J\\n' >&2\nexit 1\n");
        assertTrue(script.toFile().setExecutable(true));

        for (String repo : List.of(remote.toUri().toString(), remote.toString())) {
            Cli.Result result = Cli.run(new Environment(env, Clock.systemUTC()), "publish", PublishIT.PLAN, "--repo", repo, "--push");

            assertEquals(3, result.exitCode(), result::toString);
            assertTrue(result.err().contains("rejected the push of " + PublishIT.BRANCHES.get(0)), result::toString);
            assertTrue(result.err().contains("change freeze until Monday"), result::toString);
            assertFalse((result.out() + result.err()).contains(token), result::toString);
            assertFalse(result.err().contains("\u001b"), "the hook's escape sequence is not passed to the terminal: " + result);
            assertNoStackTrace(result);
            assertEquals("", git(remote, "for-each-ref", "refs/heads/meshwave/"), "the hook refused every branch");
        }
        Files.delete(script);
        Cli.Result retry = publish();
        assertEquals(0, retry.exitCode(), retry::toString);
        assertEquals(4, retry.out().lines().filter(l -> l.endsWith(" (pushed)")).count(), retry::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0", "-5", "3601", "99999999999999999999", "1.5"})
    void aNetworkTimeoutThatIsNoNumberOfSecondsIsExitTwoNamingTheVariable(String value) {
        env.put("MESHWAVE_NETWORK_TIMEOUT", value);
        Cli.Result result = publish();
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("MESHWAVE_NETWORK_TIMEOUT '" + value + "' must be a whole number of seconds from 1 to 3600"),
                result::toString);
        assertEquals("", git(remote, "for-each-ref", "refs/heads/meshwave/"));
    }

    @Test
    void aWorkdirThatCannotBeADirectoryIsExitTwoNamingTheFlag() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x\n");
        Cli.Result result = publish("--workdir", file.resolve("sub").toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("cannot use --workdir " + file.resolve("sub")), result::toString);
        assertNoStackTrace(result);

        env.put("XDG_CACHE_HOME", file.toString());
        Cli.Result cache = publish();
        assertEquals(2, cache.exitCode(), cache::toString);
        assertTrue(cache.err().contains("set XDG_CACHE_HOME or pass --workdir"), cache::toString);
        assertEquals("x\n", Files.readString(file));
    }

    /** A local remote's hook that never ends is the remote timing out: exit 3 at the network timeout, no hang. */
    @Test
    void aLocalRemotesHookThatNeverEndsIsExitThreeAtTheTimeout() throws IOException {
        Path script = remote.resolve("hooks/pre-receive");
        Files.writeString(script, "#!/bin/sh\nsleep 300\n");
        assertTrue(script.toFile().setExecutable(true));
        env.put("MESHWAVE_NETWORK_TIMEOUT", "3");
        long started = System.nanoTime();
        Cli.Result result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(90), () -> publish());
        long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("push to " + remote.toUri()) || result.err().contains("the remote " + remote.toUri()), result::toString);
        assertTrue(seconds < 30, "gave up after " + seconds + " s");
        assertNoStackTrace(result);
        assertEquals("", git(remote, "for-each-ref", "refs/heads/meshwave/"));
    }
}
