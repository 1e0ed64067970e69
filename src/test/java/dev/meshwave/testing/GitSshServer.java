package dev.meshwave.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.KeySetPublickeyAuthenticator;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;
import org.eclipse.jgit.util.FS;

/**
 * An in-process git-over-ssh server for tests: Apache MINA sshd on {@code 127.0.0.1} with an ephemeral port, serving
 * every bare repository under a root directory through JGit's {@link UploadPack} (fetch) and {@link ReceivePack}
 * (push).
 *
 * <p>Repository {@code <root>/<name>.git} is served at {@code ssh://git@127.0.0.1:<port>/<name>.git}. Only public-key
 * authentication is offered, and only the keys of one OpenSSH public key file ({@code id_*.pub} or
 * {@code authorized_keys} format) are accepted; the user name is ignored. The host key is generated in memory per
 * server (ECDSA P-256); {@link #knownHostsLine()} is what a client's {@code known_hosts} needs to trust it.
 */
public final class GitSshServer implements AutoCloseable {

    /** What git runs over ssh: the service and its (usually quoted) repository path. */
    private static final Pattern GIT_COMMAND = Pattern.compile("(git-upload-pack|git-receive-pack) +(.+)");

    private final Path root;
    private final SshServer server;
    private final PublicKey hostKey;
    private final int port;
    private final AtomicInteger commands = new AtomicInteger();
    private final List<String> users = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean refuseExec;

    private GitSshServer(Path root, List<PublicKey> authorized) throws IOException, GeneralSecurityException {
        this.root = root;

        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(); // no path: kept in memory
        hostKeys.setAlgorithm(KeyUtils.EC_ALGORITHM);
        hostKeys.setKeySize(256);
        List<KeyPair> generated = hostKeys.loadKeys(null);
        this.hostKey = generated.get(0).getPublic();

        this.server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(hostKeys);
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        server.setPublickeyAuthenticator(new KeySetPublickeyAuthenticator("authorized", authorized));
        server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        server.setShellFactory(null);
        server.setCommandFactory((channel, command) -> {
            commands.incrementAndGet();
            users.add(channel.getSession().getUsername());
            if (refuseExec) {
                throw new IOException("exec refused");
            }
            return gitCommand(command);
        });
        server.start();
        this.port = boundPort(server);
    }

    /**
     * Starts a server for the bare repositories under {@code repositoriesRoot} (looked up per command, so repositories
     * created after start are served too), accepting only the public key(s) in {@code authorizedPublicKeyFile}.
     */
    public static GitSshServer start(Path repositoriesRoot, Path authorizedPublicKeyFile) {
        Path root = repositoriesRoot.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("not a directory: " + root);
        }
        try {
            List<PublicKey> keys = readPublicKeys(Objects.requireNonNull(authorizedPublicKeyFile, "authorizedPublicKeyFile"));
            return new GitSshServer(root, keys);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot start the git ssh server", e);
        }
    }

    /** {@code ssh://git@127.0.0.1:<port>/<repoName>.git}; {@code repoName} may already end in {@code .git}. */
    public URI url(String repoName) {
        String name = repoName.endsWith(".git") ? repoName : repoName + ".git";
        return URI.create("ssh://git@127.0.0.1:" + port + "/" + name);
    }

    /** The address the server listens on (always 127.0.0.1). */
    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** {@code [127.0.0.1]:<port> <key type> <base64>}: the line a client's {@code known_hosts} needs. */
    public String knownHostsLine() {
        return "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(hostKey);
    }

    /** Commands (exec requests) received so far from authenticated clients, valid or not. */
    public int commandCount() {
        return commands.get();
    }

    /** From now on every exec request is refused (as a server that allows no commands does). */
    public void refuseExec() {
        refuseExec = true;
    }

    /** The user name each command's session logged in as, in order. */
    public List<String> users() {
        return List.copyOf(users);
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop the git ssh server", e);
        }
    }

    private static int boundPort(SshServer server) {
        for (SocketAddress address : server.getBoundAddresses()) {
            if (address instanceof InetSocketAddress inet && inet.getPort() != 0) {
                return inet.getPort();
            }
        }
        return server.getPort();
    }

    private static List<PublicKey> readPublicKeys(Path file) throws IOException, GeneralSecurityException {
        List<PublicKey> keys = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            keys.add(AuthorizedKeyEntry.parseAuthorizedKeyEntry(entry).resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no public key in " + file);
        }
        return keys;
    }

    private Command gitCommand(String command) {
        Matcher matcher = GIT_COMMAND.matcher(command.strip());
        if (!matcher.matches()) {
            return new GitCommand(command, (in, out, err) -> {
                throw new ServiceException("only git-upload-pack and git-receive-pack are served, not: " + command);
            });
        }
        String service = matcher.group(1);
        String path = unquote(matcher.group(2).strip());
        return new GitCommand(command, (in, out, err) -> {
            try (Repository repository = open(path)) {
                if (service.equals("git-upload-pack")) {
                    new UploadPack(repository).upload(in, out, err);
                } else {
                    ReceivePack receivePack = new ReceivePack(repository);
                    receivePack.setRefLogIdent(new PersonIdent("git", "git@git-ssh-server"));
                    receivePack.receive(in, out, err);
                }
            }
        });
    }

    private static String unquote(String path) {
        if (path.length() >= 2 && (path.startsWith("'") && path.endsWith("'") || path.startsWith("\"") && path.endsWith("\""))) {
            return path.substring(1, path.length() - 1);
        }
        return path;
    }

    /** {@code /<name>.git} or {@code <name>.git}, a bare repository inside the root. */
    private Repository open(String path) throws IOException, ServiceException {
        String name = path.startsWith("/") ? path.substring(1) : path;
        Path dir = root.resolve(name).normalize();
        if (name.isEmpty() || !name.endsWith(".git") || List.of(name.split("/")).contains("..") || !dir.startsWith(root)
                || dir.equals(root) || !RepositoryCache.FileKey.isGitRepository(dir.toFile(), FS.DETECTED)) {
            throw new ServiceException("repository not found: " + path);
        }
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().setMustExist(true).build();
    }

    @FunctionalInterface
    private interface Service {
        void run(InputStream in, OutputStream out, OutputStream err) throws Exception;
    }

    /** A refusal with a message for the client; exit status 1. */
    private static final class ServiceException extends Exception {
        ServiceException(String message) {
            super(message);
        }
    }

    /** One exec request: runs the service on its own thread, then reports exit 0, or 1 and the message on stderr. */
    private static final class GitCommand implements Command {

        private final String command;
        private final Service service;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Thread thread;

        GitCommand(String command, Service service) {
            this.command = command;
            this.service = service;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public synchronized void start(ChannelSession channel, Environment env) {
            thread = new Thread(this::run, "git-ssh-server " + command);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            int code = 0;
            String message = null;
            try {
                service.run(in, out, err);
                out.flush();
            } catch (Exception e) {
                code = 1;
                message = e instanceof ServiceException ? e.getMessage() : "git-ssh-server: " + command + " failed: " + e;
                try {
                    err.write((message + "\n").getBytes(StandardCharsets.UTF_8));
                    err.flush();
                } catch (IOException ignored) {
                    // the client has gone away
                }
            }
            if (message == null) {
                exit.onExit(code);
            } else {
                exit.onExit(code, message);
            }
        }

        @Override
        public synchronized void destroy(ChannelSession channel) {
            if (thread != null && thread.isAlive()) {
                thread.interrupt();
            }
        }
    }
}
