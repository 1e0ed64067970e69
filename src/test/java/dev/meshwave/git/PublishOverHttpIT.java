package dev.meshwave.git;

import static dev.meshwave.testing.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.cli.Environment;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitopsRepository;
import dev.meshwave.testing.GitHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishing to an in-process smart-HTTP git server (JGit GitServlet on Jetty, 127.0.0.1, basic auth). */
class PublishOverHttpIT {

    private static final String USER = "platform-bot";
    private static final String TOKEN = "tok-4f9a8c2e-very-secret";
    private static final String PLAN = PublishIT.PLAN;
    private static final List<String> BRANCHES = PublishIT.BRANCHES;

    @TempDir
    Path tmp;

    private GitHttpServer server;
    private Path bare;
    private Map<String, String> env;

    @BeforeEach
    void start() throws IOException {
        Path repositories = Files.createDirectories(tmp.resolve("srv"));
        bare = GitopsRepository.create(repositories.resolve("gitops.git"));
        server = GitHttpServer.start(repositories, USER, TOKEN);
        env = new HashMap<>(Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "HOME", tmp.resolve("home").toString(),
                "SOURCE_DATE_EPOCH", "1767225600", "MESHWAVE_GIT_USER", USER, "MESHWAVE_GIT_TOKEN", TOKEN,
                "GIT_CONFIG_GLOBAL", "/dev/null"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Cli.Result publish() {
        return Cli.run(new Environment(env, Clock.systemUTC()),
                "publish", PLAN, "--repo", server.url("gitops").toString(), "--push");
    }

    @Test
    void publishesWithATokenAndNeverShowsIt() throws IOException {
        Cli.Result result = publish();
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(BRANCHES.size(), result.out().lines().filter(l -> l.endsWith("(pushed)")).count(), result::toString);
        assertFalse((result.out() + result.err()).contains(TOKEN));
        assertEquals(BRANCHES, git(bare, "for-each-ref", "--format=%(refname:short)", "refs/heads/meshwave/").lines().toList());
        git(bare, "fsck");
        assertFalse(git(bare, "log", "-p", "--all").contains(TOKEN), "no token in commit data");
        try (Stream<Path> files = Files.walk(tmp.resolve("cache"))) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".md")).toList()) {
                assertFalse(Files.readString(file).contains(TOKEN), file + " holds the token");
            }
        }
        int requests = server.requestCount();
        Cli.Result again = publish();
        assertEquals(0, again.exitCode(), again::toString);
        assertFalse(again.out().contains("(pushed)"), again::toString);
        assertTrue(server.requestCount() - requests <= 3, "a re-run only fetches");
    }

    @Test
    void aWrongPasswordIsExitThreeWithoutTheSecret() {
        env.put("MESHWAVE_GIT_TOKEN", "wrong-" + TOKEN);
        Cli.Result result = publish();
        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("cannot fetch from http://127.0.0.1:"), result::toString);
        assertTrue(result.err().toLowerCase().contains("not authorized") || result.err().contains("401"), result::toString);
        assertFalse((result.out() + result.err()).contains(TOKEN), result::toString);
        assertEquals("", git(bare, "for-each-ref", "refs/heads/meshwave/"));
    }

    @Test
    void aHookThatRefusesIsExitThreeAndTheCommitsStayInTheWorkDirectory() throws IOException {
        server.rejectPushesWith("change freeze until Monday");
        Cli.Result result = publish();
        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("rejected the push of " + BRANCHES.get(0)) && result.err().contains("change freeze until Monday"),
                result::toString);
        assertEquals("", git(bare, "for-each-ref", "refs/heads/meshwave/"));
        Path workRepo;
        try (Stream<Path> dirs = Files.list(tmp.resolve("cache/meshwave/repos"))) {
            workRepo = dirs.findFirst().orElseThrow().resolve("repo.git");
        }
        assertEquals(BRANCHES, git(workRepo, "for-each-ref", "--format=%(refname:short)", "refs/heads/meshwave/").lines().toList(),
                "nothing local is lost");

        server.reset();
        Cli.Result retry = publish();
        assertEquals(0, retry.exitCode(), retry::toString);
        assertEquals(4, retry.out().lines().filter(l -> l.endsWith("(pushed)")).count(), retry::toString);
    }

    @Test
    void someonePushingFirstIsARejectedPushNamingTheBranch() throws IOException {
        assertEquals(0, publish().exitCode());
        String branch = BRANCHES.get(1);
        // Between meshwave's fetch and its push, someone else adds a commit to the wave branch.
        server.beforeNextReceive(repository -> {
            try {
                ObjectId tip = repository.resolve("refs/heads/" + branch);
                RevCommit parent = repository.parseCommit(tip);
                org.eclipse.jgit.lib.CommitBuilder commit = new org.eclipse.jgit.lib.CommitBuilder();
                commit.setTreeId(parent.getTree());
                commit.setParentId(tip);
                org.eclipse.jgit.lib.PersonIdent someone = new org.eclipse.jgit.lib.PersonIdent("Someone", "someone@example.com");
                commit.setAuthor(someone);
                commit.setCommitter(someone);
                commit.setMessage("concurrent change\n");
                ObjectId id;
                try (var inserter = repository.newObjectInserter()) {
                    id = inserter.insert(commit);
                    inserter.flush();
                }
                RefUpdate update = repository.updateRef("refs/heads/" + branch);
                update.setNewObjectId(id);
                update.update();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Path changed = Files.createDirectories(tmp.resolve("plan"));
        Files.createDirectories(changed.resolve("overlays"));
        Files.copy(Path.of("examples/asm-upgrade/overlays/tuning.yaml"), changed.resolve("overlays/tuning.yaml"));
        Files.writeString(changed.resolve("plan.yaml"), Files.readString(Path.of(PLAN)).replace("[app]", "[app, shop]"));

        Cli.Result result = Cli.run(new Environment(env, Clock.systemUTC()),
                "publish", changed.resolve("plan.yaml").toString(), "--repo", server.url("gitops").toString(), "--push");

        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains(branch), result::toString);
        assertTrue(result.err().contains("Nothing was forced"), result::toString);
        assertEquals("concurrent change", git(bare, "log", "-1", "--format=%s", "refs/heads/" + branch));
    }
}
