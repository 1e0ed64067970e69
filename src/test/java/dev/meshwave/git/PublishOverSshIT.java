package dev.meshwave.git;

import static dev.meshwave.testing.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.cli.Environment;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitopsRepository;
import dev.meshwave.testing.GitSshServer;
import dev.meshwave.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing to an in-process git-over-ssh server (Apache MINA sshd + JGit upload/receive-pack, 127.0.0.1), with a key
 * made by the real ssh-keygen in a temporary {@code $HOME/.ssh} and the server's host key in its {@code known_hosts}.
 *
 * <p>Both ECDSA and Ed25519 keys are tried: Apache sshd reads Ed25519 only through Bouncy Castle, which meshwave
 * therefore ships; without it a user's {@code id_ed25519} would be skipped silently ("publickey: no keys to try").
 */
class PublishOverSshIT {

    private static final String PLAN = PublishIT.PLAN;
    private static final List<String> BRANCHES = PublishIT.BRANCHES;

    @TempDir
    Path tmp;

    private Path ssh;
    private Path bare;
    private GitSshServer server;
    private Map<String, String> env;

    @BeforeEach
    void start() throws IOException {
        Path repositories = Files.createDirectories(tmp.resolve("srv"));
        bare = GitopsRepository.create(repositories.resolve("gitops.git"));

        Path home = tmp.resolve("home");
        ssh = Files.createDirectories(home.resolve(".ssh"));
        env = new HashMap<>(Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "HOME", home.toString(),
                "SOURCE_DATE_EPOCH", "1767225600", "GIT_CONFIG_GLOBAL", "/dev/null"));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A key pair from the real ssh-keygen, no passphrase: {@code <dir>/id_<type>} and its {@code .pub}, which is returned. */
    private static Path keygen(Path dir, String type) {
        Path file = dir.resolve("id_" + type);
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-t", type, "-N", "", "-C", "meshwave-test", "-f", file.toString(), "-q"));
        if (type.equals("ecdsa")) {
            command.addAll(List.of("-b", "256"));
        }
        Cli.Result result = Processes.run(dir, Map.of(), command);
        assertEquals(0, result.exitCode(), result::toString);
        return dir.resolve("id_" + type + ".pub");
    }

    private Cli.Result publish() {
        return Cli.run(new Environment(env, Clock.systemUTC()),
                "publish", PLAN, "--repo", server.url("gitops").toString(), "--push");
    }

    private List<String> waveBranches() {
        return git(bare, "for-each-ref", "--format=%(refname:short)", "refs/heads/meshwave/").lines().toList();
    }

    @Test
    void publishesWithTheUsersKeyAndKnownHosts() throws IOException {
        publishesAndRepublishesWith(keygen(ssh, "ecdsa"));
    }

    @Test
    void publishesWithAnEd25519Key() throws IOException {
        assertTrue(SecurityUtils.isEDDSACurveSupported(), "Ed25519 needs org.bouncycastle:bcprov-jdk18on on the class path");
        publishesAndRepublishesWith(keygen(ssh, "ed25519"));
    }

    private void publishesAndRepublishesWith(Path publicKey) throws IOException {
        server = GitSshServer.start(tmp.resolve("srv"), publicKey);
        Files.writeString(ssh.resolve("known_hosts"), server.knownHostsLine() + "\n");

        Cli.Result result = publish();

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(BRANCHES.size(), result.out().lines().filter(l -> l.endsWith("(pushed)")).count(), result::toString);
        assertEquals(BRANCHES, waveBranches());
        git(bare, "fsck");

        Cli.Result again = publish();
        assertEquals(0, again.exitCode(), again::toString);
        for (String branch : BRANCHES) {
            assertTrue(again.out().lines().anyMatch(l -> l.startsWith("unchanged " + branch + " ") && !l.endsWith("(pushed)")),
                    branch + " unchanged:\n" + again);
        }
    }

    /** The user of ssh://git@host/… was dropped, so publishing to GitHub or GitLab logged in as the local user. */
    @Test
    void theUserInTheUrlIsTheOneThatLogsIn() throws IOException {
        server = GitSshServer.start(tmp.resolve("srv"), keygen(ssh, "ecdsa"));
        Files.writeString(ssh.resolve("known_hosts"), server.knownHostsLine() + "\n");

        Cli.Result result = publish();

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(List.of("git", "git"), server.users(), "fetch and push log in as git");
    }

    /** git's scp-like form, user@host:path, through a Host alias in ~/.ssh/config (which gives the port). */
    @Test
    void theUserOfAnScpLikeUrlIsTheOneThatLogsIn() throws IOException {
        server = GitSshServer.start(tmp.resolve("srv"), keygen(ssh, "ecdsa"));
        Files.writeString(ssh.resolve("known_hosts"), server.knownHostsLine() + "\n");
        Files.writeString(ssh.resolve("config"), "Host gitserver\n  HostName 127.0.0.1\n  Port " + server.address().getPort() + "\n");

        Cli.Result result = Cli.run(new Environment(env, Clock.systemUTC()),
                "publish", PLAN, "--repo", "deploy@gitserver:gitops.git", "--push");

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(List.of("deploy", "deploy"), server.users());
        assertEquals(BRANCHES, waveBranches());
    }

    /** An ssh server that takes the connection and never says a word held the run forever. */
    @Test
    void aServerThatNeverAnswersIsExitThreeAtTheConnectTimeout() throws Exception {
        keygen(ssh, "ecdsa");
        env.put("MESHWAVE_NETWORK_TIMEOUT", "2");
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread accepting = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            accepting.setDaemon(true);
            accepting.start();
            long started = System.nanoTime();
            Cli.Result result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                    () -> Cli.run(new Environment(env, Clock.systemUTC()), "publish", PLAN, "--repo",
                            "ssh://git@127.0.0.1:" + silent.getLocalPort() + "/gitops.git", "--push"));
            long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertEquals(3, result.exitCode(), result::toString);
            assertTrue(result.err().contains("cannot fetch from ssh://"), result::toString);
            assertTrue(seconds < 20, "gave up after " + seconds + " s");
            for (java.net.Socket socket : held) {
                socket.close();
            }
        }
    }

    /**
     * An unreachable host (SYNs dropped) is exit 3 at the connect timeout, not after the kernel's two minutes of
     * retries: a listening socket whose accept queue is full drops new connections the way a firewall does.
     */
    @Test
    void anUnreachableHostIsExitThreeAtTheConnectTimeout() throws Exception {
        keygen(ssh, "ecdsa");
        env.put("MESHWAVE_NETWORK_TIMEOUT", "2");
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    java.net.Socket socket = new java.net.Socket();
                    socket.connect(full.getLocalSocketAddress(), 300);
                    queued.add(socket);
                }
            } catch (java.net.SocketTimeoutException e) {
                // the queue is full: the next connection hangs as to an unreachable host
            }
            long started = System.nanoTime();
            Cli.Result result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                    () -> Cli.run(new Environment(env, Clock.systemUTC()), "publish", PLAN, "--repo",
                            "ssh://git@127.0.0.1:" + full.getLocalPort() + "/gitops.git", "--push"));
            long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertEquals(3, result.exitCode(), result::toString);
            assertTrue(result.err().contains("cannot fetch from ssh://"), result::toString);
            assertTrue(seconds < 20, "gave up after " + seconds + " s");
            for (java.net.Socket socket : queued) {
                socket.close();
            }
        }
    }

    /** A server that logs the key in but allows no command is the remote's refusal: exit 3, not 4, and no hang. */
    @Test
    void aServerThatRefusesExecIsExitThree() throws Exception {
        server = GitSshServer.start(tmp.resolve("srv"), keygen(ssh, "ecdsa"));
        Files.writeString(ssh.resolve("known_hosts"), server.knownHostsLine() + "\n");
        server.refuseExec();
        env.put("MESHWAVE_NETWORK_TIMEOUT", "5");

        Cli.Result result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), this::publish);

        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("cannot fetch from ssh://"), result::toString);
        assertEquals(List.of(), waveBranches());
    }

    @Test
    void anUnknownHostKeyIsExitThreeAndNothingIsPushed() throws IOException {
        server = GitSshServer.start(tmp.resolve("srv"), keygen(ssh, "ecdsa"));
        Files.writeString(ssh.resolve("known_hosts"), "");

        Cli.Result result = publish();

        assertEquals(3, result.exitCode(), result::toString);
        String err = result.err().toLowerCase();
        assertTrue(err.contains("cannot fetch from ssh://"), result::toString);
        assertTrue(err.contains("server key") || err.contains("host key") || err.contains("known_hosts"), result::toString);
        assertEquals(List.of(), waveBranches());
        assertEquals(0, server.commandCount(), "the client never got as far as running git on the server");
        assertEquals("", Files.readString(ssh.resolve("known_hosts")), "the unknown key is not added to known_hosts");
    }

    @Test
    void aKeyTheServerDoesNotKnowIsExitThreeAndNothingIsPushed() throws IOException {
        keygen(ssh, "ecdsa");
        Path other = keygen(Files.createDirectories(tmp.resolve("other")), "ecdsa");
        server = GitSshServer.start(tmp.resolve("srv"), other);
        Files.writeString(ssh.resolve("known_hosts"), server.knownHostsLine() + "\n");

        Cli.Result result = publish();

        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("cannot fetch from ssh://"), result::toString);
        assertTrue(result.err().contains("Cannot log in") && result.err().contains("server refused"), result::toString);
        assertEquals(List.of(), waveBranches());
        assertEquals(0, server.commandCount(), "authentication failed before any git command");
    }
}
