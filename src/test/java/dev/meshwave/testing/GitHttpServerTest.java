package dev.meshwave.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitHttpServerTest {

    private static final String USER = "meshwave";
    private static final String PASSWORD = "s3cret";

    @TempDir
    Path tmp;

    private Path repos;
    private Path work;
    private GitHttpServer server;

    @BeforeEach
    void setUp() throws Exception {
        repos = Files.createDirectories(tmp.resolve("repos"));
        work = Files.createDirectories(tmp.resolve("work"));
        try (Git bare = Git.init().setBare(true).setInitialBranch("main").setDirectory(repos.resolve("r.git").toFile()).call()) {
            assertTrue(bare.getRepository().isBare());
        }
        server = GitHttpServer.start(repos, USER, PASSWORD);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void listensOnLoopbackWithEphemeralPort() {
        URI url = server.url("r");
        assertEquals("127.0.0.1", url.getHost());
        assertNotEquals(0, url.getPort());
        assertEquals("/git/r.git", url.getPath());
        assertEquals(url, server.url("r.git"));
    }

    @Test
    void cloneCommitPushAndCloneAgainWithGitCli() throws IOException {
        Path first = work.resolve("first");
        Result clone = git(work, "clone", authUrl("r", PASSWORD), first.toString());
        assertEquals(0, clone.exit, clone::toString);

        commit(first, "hello.txt", "hello\n", "first commit");
        Result push = git(first, "push", "origin", "HEAD:refs/heads/main");
        assertEquals(0, push.exit, push::toString);

        Path second = work.resolve("second");
        Result again = git(work, "clone", "--branch", "main", authUrl("r", PASSWORD), second.toString());
        assertEquals(0, again.exit, again::toString);
        assertEquals("hello\n", Files.readString(second.resolve("hello.txt")));
        assertEquals("first commit", git(second, "log", "-1", "--format=%s").out.strip());

        try (Git bare = Git.open(repos.resolve("r.git").toFile())) {
            assertNotNull(bare.getRepository().exactRef("refs/heads/main"));
        }
    }

    @Test
    void wrongPasswordFailsWithGitCli() {
        int before = server.requestCount();
        Result clone = git(work, "clone", authUrl("r", "wrong"), work.resolve("nope").toString());
        assertNotEquals(0, clone.exit, clone::toString);
        assertTrue(clone.err.contains("Authentication failed"), clone::toString);
        assertTrue(server.requestCount() > before);
    }

    @Test
    void missingCredentialsFailWithoutPrompting() {
        Result clone = git(work, "clone", server.url("r").toString(), work.resolve("nope").toString());
        assertNotEquals(0, clone.exit, clone::toString);
        assertTrue(clone.err.contains("could not read Username"), clone::toString);
    }

    @Test
    void answers401WithBasicChallenge() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI infoRefs = URI.create(server.url("r") + "/info/refs?service=git-upload-pack");

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(infoRefs).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        assertEquals("Basic realm=\"git\"", anonymous.headers().firstValue("WWW-Authenticate").orElse(null));

        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(infoRefs).header("Authorization", basic(USER, "x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode());

        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(infoRefs).header("Authorization", basic(USER, PASSWORD)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode());
        assertEquals("application/x-git-upload-pack-advertisement", ok.headers().firstValue("Content-Type").orElse(null));

        HttpResponse<String> missing = http.send(
                HttpRequest.newBuilder(URI.create(server.url("missing") + "/info/refs?service=git-upload-pack"))
                        .header("Authorization", basic(USER, PASSWORD)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());

        HttpResponse<String> escape = http.send(
                HttpRequest.newBuilder(URI.create(server.url("r").resolve("/git/%2e%2e/repos/r.git") + "/info/refs?service=git-upload-pack"))
                        .header("Authorization", basic(USER, PASSWORD)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertNotEquals(200, escape.statusCode());
    }

    @Test
    void rejectedPushShowsTheHookMessage() throws IOException {
        Path clone = cloneWithOneCommit();
        commit(clone, "second.txt", "2\n", "second");

        server.rejectPushesWith("no pushes today");
        Result push = git(clone, "push", "origin", "HEAD:refs/heads/main");
        assertNotEquals(0, push.exit, push::toString);
        assertTrue(push.err.contains("no pushes today"), push::toString);
        assertTrue(push.err.contains("[remote rejected]"), push::toString);

        server.reset();
        Result retry = git(clone, "push", "origin", "HEAD:refs/heads/main");
        assertEquals(0, retry.exit, retry::toString);
    }

    @Test
    void someoneElsePushingFirstRejectsNonFastForward() throws IOException {
        Path clone = cloneWithOneCommit();
        commit(clone, "mine.txt", "mine\n", "my change");

        ObjectId[] theirs = new ObjectId[1];
        server.beforeNextReceive(repository -> theirs[0] = commitOnServer(repository, "main", "their change"));
        Result push = git(clone, "push", "origin", "HEAD:refs/heads/main");
        assertNotEquals(0, push.exit, push::toString);
        assertTrue(push.err.contains("[rejected]"), push::toString);
        assertTrue(push.err.contains("fetch first") || push.err.contains("non-fast-forward"), push::toString);

        assertNotNull(theirs[0], "the action ran");
        try (Git bare = Git.open(repos.resolve("r.git").toFile())) {
            assertEquals(theirs[0], bare.getRepository().exactRef("refs/heads/main").getObjectId());
        }

        // One-shot: after a rebase onto their change the push goes through.
        assertEquals(0, git(clone, "pull", "--rebase", "origin", "main").exit);
        Result retry = git(clone, "push", "origin", "HEAD:refs/heads/main");
        assertEquals(0, retry.exit, retry::toString);
    }

    @Test
    void jgitClientClonesWithCredentialsAndFailsWithWrongPassword() throws Exception {
        cloneWithOneCommit();

        Path jgitClone = work.resolve("jgit");
        try (Git git = Git.cloneRepository()
                .setURI(server.url("r").toString())
                .setDirectory(jgitClone.toFile())
                .setCredentialsProvider(new UsernamePasswordCredentialsProvider(USER, PASSWORD))
                .call()) {
            assertEquals("first commit", git.log().call().iterator().next().getFullMessage().strip());
        }

        int before = server.requestCount();
        assertThrows(TransportException.class, () -> Git.cloneRepository()
                .setURI(server.url("r").toString())
                .setDirectory(work.resolve("jgit-wrong").toFile())
                .setCredentialsProvider(new UsernamePasswordCredentialsProvider(USER, "wrong"))
                .call()
                .close());
        assertTrue(server.requestCount() > before);
    }

    @Test
    void countsEveryRequestAndResetKeepsTheCount() throws IOException {
        assertEquals(0, server.requestCount());
        Path clone = cloneWithOneCommit();
        int afterPush = server.requestCount();
        assertTrue(afterPush > 0);

        server.reset();
        assertEquals(afterPush, server.requestCount(), "reset() clears hooks, not the count");

        Result lsRemote = git(clone, "ls-remote", "origin");
        assertEquals(0, lsRemote.exit, lsRemote::toString);
        assertTrue(server.requestCount() > afterPush);
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** Clones r.git with the git CLI and pushes one commit to main. */
    private Path cloneWithOneCommit() throws IOException {
        Path clone = work.resolve("clone");
        Result result = git(work, "clone", authUrl("r", PASSWORD), clone.toString());
        assertEquals(0, result.exit, result::toString);
        commit(clone, "hello.txt", "hello\n", "first commit");
        Result push = git(clone, "push", "origin", "HEAD:refs/heads/main");
        assertEquals(0, push.exit, push::toString);
        return clone;
    }

    /** Server side: a new commit on {@code branch} with the same tree, as if another client had pushed it. */
    private static ObjectId commitOnServer(Repository repository, String branch, String message) {
        try (ObjectInserter inserter = repository.newObjectInserter(); RevWalk walk = new RevWalk(repository)) {
            ObjectId tip = repository.resolve(Constants.R_HEADS + branch);
            RevCommit parent = walk.parseCommit(tip);
            PersonIdent someone = new PersonIdent("Someone Else", "someone@example.com");
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(parent.getTree());
            commit.setParentId(parent);
            commit.setAuthor(someone);
            commit.setCommitter(someone);
            commit.setMessage(message + "\n");
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = repository.updateRef(Constants.R_HEADS + branch);
            update.setExpectedOldObjectId(tip);
            update.setNewObjectId(id);
            RefUpdate.Result result = update.update(walk);
            assertEquals(RefUpdate.Result.FAST_FORWARD, result);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void commit(Path dir, String file, String content, String message) throws IOException {
        Files.writeString(dir.resolve(file), content);
        assertEquals(0, git(dir, "add", file).exit);
        Result commit = git(dir, "commit", "-q", "-m", message);
        assertEquals(0, commit.exit, commit::toString);
    }

    private String authUrl(String repo, String password) {
        URI url = server.url(repo);
        return "http://" + USER + ":" + password + "@" + url.getHost() + ":" + url.getPort() + url.getPath();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs the real git CLI, isolated from the user's and system's git configuration, never prompting. */
    private Result git(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(tmp, "git", ".out");
            Path err = Files.createTempFile(tmp, "git", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            Map<String, String> env = builder.environment();
            env.put("GIT_TERMINAL_PROMPT", "0");
            env.put("GIT_CONFIG_GLOBAL", "/dev/null");
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("GIT_ASKPASS", "");
            env.put("SSH_ASKPASS", "");
            env.put("LC_ALL", "C");
            env.put("GIT_AUTHOR_NAME", "Test");
            env.put("GIT_AUTHOR_EMAIL", "test@example.com");
            env.put("GIT_COMMITTER_NAME", "Test");
            env.put("GIT_COMMITTER_EMAIL", "test@example.com");
            env.remove("http_proxy");
            env.remove("HTTP_PROXY");
            env.remove("all_proxy");
            env.remove("ALL_PROXY");
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " timed out");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
