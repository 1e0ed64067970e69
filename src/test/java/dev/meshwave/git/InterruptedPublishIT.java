package dev.meshwave.git;

import static dev.meshwave.testing.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.GitCli;
import dev.meshwave.testing.GitopsRepository;
import dev.meshwave.testing.SyntheticPlans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code publish} killed with SIGKILL at random moments leaves every repository consistent ({@code git
 * fsck} clean, each branch either absent or at its one correct commit), and the next run finishes
 * the job with exactly the commits an uninterrupted run makes.
 */
class InterruptedPublishIT {

    static final int KILLS = 12;

    @TempDir
    Path tmp;

    @Test
    void aKilledPublishLeavesConsistentRepositoriesAndTheNextRunFinishes() throws Exception {
        Path plan = SyntheticPlans.write(tmp.resolve("plan"), 3, 150, 15, "1.14.0-asm.0");
        // Both remotes start from the same main commit, so both runs must make the very same commits.
        Path seed = GitopsRepository.create(tmp.resolve("seed/gitops.git"));
        long started = System.nanoTime();
        Map<String, String> reference = publishUninterrupted(plan, seed);
        // Kill anywhere in a run (rendering, committing, pushing, just after): a delay up to 1.1 times an uninterrupted one.
        int runMillis = (int) java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(17, reference.size(), "control plane, 15 waves, finalize");

        Path remote = copy(seed, "remote");
        Path cache = tmp.resolve("cache");
        Random random = new Random(7);
        int interrupted = 0;
        int withBranches = 0;
        for (int attempt = 0; attempt < KILLS; attempt++) {
            Process process = start(plan, remote, cache, tmp.resolve("log-" + attempt));
            // Every other kill lands in the first half of a run: later runs find branches already pushed and
            // finish sooner than the first, so a window of the first run's length alone mostly hits finished runs.
            Thread.sleep(100 + random.nextInt(Math.max(1, runMillis * (attempt % 2 == 0 ? 5 : 11) / 10)));
            process.destroyForcibly(); // SIGKILL on Linux
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            if (process.exitValue() != 0) {
                interrupted++;
            }
            assertConsistent(remote, cache, reference, "attempt " + attempt);
            if (!branches(remote).isEmpty()) {
                withBranches++;
            }
        }
        System.out.printf("InterruptedPublishIT: %d kills, %d interrupted a run, %d left branches pushed%n", KILLS, interrupted, withBranches);
        runToTheEnd(plan, remote, cache, "last");
        assertEquals(reference, branches(remote), "the next run completes the job with the same commits");
        assertConsistent(remote, cache, reference, "after the last run");
        assertTrue(interrupted >= KILLS / 3, "the kills must interrupt runs, not only finished ones (" + interrupted + " of " + KILLS + ")");
    }

    private Path copy(Path seed, String name) throws IOException {
        Path copy = Files.createDirectories(tmp.resolve(name)).resolve("gitops.git");
        git(tmp, "clone", "-q", "--bare", seed.toString(), copy.toString());
        return copy;
    }

    private Map<String, String> publishUninterrupted(Path plan, Path seed) throws Exception {
        Path remote = copy(seed, "reference");
        runToTheEnd(plan, remote, tmp.resolve("reference-cache"), "reference");
        return branches(remote);
    }

    /** A publish left to finish: it must exit 0; one that does not finish fails the test with its threads. */
    private void runToTheEnd(Path plan, Path remote, Path cache, String name) throws Exception {
        Path log = tmp.resolve("log-" + name);
        Process process = start(plan, remote, cache, log);
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            Process jstack = new ProcessBuilder("jstack", String.valueOf(process.pid())).redirectErrorStream(true).start();
            String threads = new String(jstack.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            process.destroyForcibly();
            throw new AssertionError("the " + name + " run hung:\n" + read(log) + "\n" + threads);
        }
        assertEquals(0, process.exitValue(), () -> read(log));
    }

    private static Process start(Path plan, Path remote, Path cache, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("java", "-jar", Path.of("target/meshwave.jar").toAbsolutePath().toString(),
                "publish", plan.toString(), "--repo", remote.toUri().toString(), "--push")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of("XDG_CACHE_HOME", cache.toString(), "SOURCE_DATE_EPOCH", "1767225600",
                "MESHWAVE_LOCK_TIMEOUT", "20", "GIT_CONFIG_GLOBAL", "/dev/null", "GIT_CONFIG_NOSYSTEM", "1"));
        return builder.start();
    }

    /** fsck is clean in the remote and the work repository; every branch that exists is at its final commit. */
    private static void assertConsistent(Path remote, Path cache, Map<String, String> reference, String when) throws IOException {
        fsck(remote, when);
        for (Path work : workRepositories(cache)) {
            fsck(work, when);
            // A branch the run moved locally must also be one of the commits an uninterrupted run makes.
            branches(work).forEach((branch, commit) -> assertEquals(reference.get(branch), commit, when + ": " + work + " " + branch));
        }
        branches(remote).forEach((branch, commit) -> assertEquals(reference.get(branch), commit, when + ": remote " + branch));
    }

    private static void fsck(Path repository, String when) {
        var result = GitCli.run(repository, "fsck", "--strict", "--no-progress");
        assertEquals(0, result.exitCode(), () -> when + ": git fsck in " + repository + "\n" + result);
    }

    private static List<Path> workRepositories(Path cache) throws IOException {
        Path repos = cache.resolve("meshwave/repos");
        if (!Files.isDirectory(repos)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(repos)) {
            return dirs.map(d -> d.resolve("repo.git")).filter(Files::isDirectory).toList();
        }
    }

    /** meshwave's branches → commit ids. */
    private static Map<String, String> branches(Path repository) {
        Map<String, String> branches = new TreeMap<>();
        String refs = git(repository, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/meshwave/");
        refs.lines().filter(l -> !l.isBlank()).forEach(line -> branches.put(line.split(" ")[0], line.split(" ")[1]));
        return branches;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** What a kill in the middle of a ref update leaves: the ref's lock file. The next run must still move the branch. */
    @Test
    void aLockFileLeftByAKilledRunDoesNotBlockTheNext() throws Exception {
        Path plan = SyntheticPlans.write(tmp.resolve("plan"), 1, 4, 2, "1.14.0-asm.0");
        Path remote = GitopsRepository.create(tmp.resolve("remote/gitops.git"));
        Path cache = tmp.resolve("cache");
        runToTheEnd(plan, remote, cache, "first");
        Path work = workRepositories(cache).get(0);
        Files.writeString(work.resolve("refs/heads/meshwave/synthetic/01-w0.lock"), "");
        // With a file:// remote the killed process was also the receiving side: its lock is in the remote too.
        Files.writeString(remote.resolve("refs/heads/meshwave/synthetic/01-w0.lock"), "");
        Path changed = SyntheticPlans.write(tmp.resolve("plan"), 1, 4, 2, "1.15.0-asm.1");
        runToTheEnd(changed, remote, cache, "second");
        assertTrue(read(tmp.resolve("log-second")).contains("updated meshwave/synthetic/01-w0"), () -> read(tmp.resolve("log-second")));
    }

    /**
     * What a run killed in its first fetch leaves: the work repository, no tracking ref for main, and
     * that ref's lock file. JGit's fetch then could not create the tracking ref and did not say so: main
     * looked absent, the repository new, and every branch was committed without main's history (all 17
     * branches of the kill test differed from the uninterrupted run's). The next run must build on main.
     */
    @Test
    void aTrackingRefLockLeftByAKilledFirstFetchDoesNotLoseTheBase() throws Exception {
        Path plan = SyntheticPlans.write(tmp.resolve("plan"), 1, 4, 2, "1.14.0-asm.0");
        Path seed = GitopsRepository.create(tmp.resolve("seed/gitops.git"));
        Map<String, String> reference = publishUninterrupted(plan, seed);
        Path remote = copy(seed, "remote");
        Path cache = tmp.resolve("cache");
        Path workdir = WorkRepository.defaultWorkdir(remote.toUri().toString(), Map.of("XDG_CACHE_HOME", cache.toString()));
        Files.createDirectories(workdir);
        git(workdir, "init", "-q", "--bare", "-b", "main", "repo.git");
        Files.createDirectories(workdir.resolve("repo.git/refs/remotes/origin"));
        Files.writeString(workdir.resolve("repo.git/refs/remotes/origin/main.lock"), "");
        runToTheEnd(plan, remote, cache, "after-the-kill");
        assertEquals(List.of(workdir.resolve("repo.git")), workRepositories(cache), "the planted repository is the one used");
        assertEquals(reference, branches(remote), "the run builds on main, as an uninterrupted one does");
        assertConsistent(remote, cache, reference, "after the run");
        assertEquals(git(remote, "rev-parse", "main").strip(),
                git(remote, "rev-parse", "meshwave/synthetic/00-control-plane^").strip(), "the first branch stacks on main");
    }

    /**
     * In a user's working copy a tracking ref's lock is not meshwave's to delete (their git may hold it):
     * a fetch that cannot move origin/main stops the publish, rather than building on what main was.
     */
    @Test
    void aTrackingRefTheFetchCannotMoveStopsThePublish() throws Exception {
        Path plan = SyntheticPlans.write(tmp.resolve("plan"), 1, 4, 2, "1.14.0-asm.0");
        Path remote = GitopsRepository.create(tmp.resolve("remote/gitops.git"));
        Path clone = tmp.resolve("clone");
        git(tmp, "clone", "-q", remote.toString(), clone.toString());
        Path other = tmp.resolve("other");
        git(tmp, "clone", "-q", remote.toString(), other.toString());
        Files.writeString(other.resolve("README.md"), "moved on\n");
        git(other, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "main moves on");
        git(other, "push", "-q", "origin", "main");
        Files.writeString(clone.resolve(".git/refs/remotes/origin/main.lock"), "");
        Path log = tmp.resolve("log-working-copy");
        ProcessBuilder builder = new ProcessBuilder("java", "-jar", Path.of("target/meshwave.jar").toAbsolutePath().toString(),
                "publish", plan.toString(), "--repo", clone.toString(), "--push")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "SOURCE_DATE_EPOCH", "1767225600",
                "MESHWAVE_LOCK_TIMEOUT", "20", "GIT_CONFIG_GLOBAL", "/dev/null", "GIT_CONFIG_NOSYSTEM", "1"));
        Process process = builder.start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertTrue(process.exitValue() != 0, () -> read(log));
        assertTrue(read(log).contains("could not update refs/remotes/origin/main (lock failure)"), () -> read(log));
        assertEquals(Map.of(), branches(remote), "nothing was published");
        assertEquals(Map.of(), branches(clone.resolve(".git")), "no branch was made");
    }

    /** A run killed while creating its work repository leaves a directory without HEAD, or a temporary one: the next run starts clean. */
    @Test
    void aHalfMadeWorkRepositoryDoesNotBlockTheNextRun() throws Exception {
        Path plan = SyntheticPlans.write(tmp.resolve("plan"), 1, 4, 2, "1.14.0-asm.0");
        Path remote = GitopsRepository.create(tmp.resolve("remote/gitops.git"));
        Path cache = tmp.resolve("cache");
        runToTheEnd(plan, remote, cache, "first");
        Path work = workRepositories(cache).get(0);
        Path workdir = work.getParent();
        // What a kill during creation leaves: an empty repo.git, and a temporary directory beside it.
        try (java.util.stream.Stream<Path> walk = Files.walk(work)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        Files.createDirectories(work.resolve("objects"));
        Files.createDirectories(workdir.resolve("repo.git.new-12345/refs"));
        runToTheEnd(plan, remote, cache, "second");
        fsck(work, "after the run");
        assertTrue(Files.notExists(workdir.resolve("repo.git.new-12345")), "the leftover is gone");
    }
}
