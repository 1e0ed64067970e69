package dev.meshwave.testing;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.util.FS;

/**
 * An in-process smart-HTTP git server for tests: Jetty 12 (ee10) on {@code 127.0.0.1} with an ephemeral port, serving
 * every bare repository under a root directory through JGit's {@link GitServlet}, fetch and push, behind HTTP Basic
 * auth.
 *
 * <p>Repository {@code <root>/<name>.git} is served at {@code http://127.0.0.1:<port>/git/<name>.git}. Tests can make
 * the server refuse pushes ({@link #rejectPushesWith}) or change a repository just before a push sees its refs
 * ({@link #beforeNextReceive}), and count the HTTP requests it answered ({@link #requestCount}).
 */
public final class GitHttpServer implements AutoCloseable {

    private static final String CONTEXT = "/git";
    private static final String REALM = "git";

    private final Path root;
    private final Server server;
    private final int port;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicReference<String> rejectMessage = new AtomicReference<>();
    private final AtomicReference<Consumer<Repository>> beforeReceive = new AtomicReference<>();

    private GitHttpServer(Path root, String user, String password) throws Exception {
        this.root = root;

        GitServlet git = new GitServlet();
        git.setRepositoryResolver((request, name) -> open(name));
        git.setReceivePackFactory((request, repository) -> receivePack(request, repository));

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addFilter(new FilterHolder(new BasicAuthFilter(user, password)), "/*", EnumSet.allOf(DispatcherType.class));
        context.addServlet(new ServletHolder("git", git), CONTEXT + "/*");

        QueuedThreadPool threads = new QueuedThreadPool(32, 2);
        threads.setName("git-http-server");
        threads.setDaemon(true);
        this.server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(context);
        server.setStopTimeout(0);
        server.start();
        this.port = connector.getLocalPort();
    }

    /**
     * Starts a server for the bare repositories under {@code repositoriesRoot} (looked up on every request, so
     * repositories created after start are served too), accepting only {@code user}/{@code password}.
     */
    public static GitHttpServer start(Path repositoriesRoot, String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.contains(":")) {
            throw new IllegalArgumentException("HTTP Basic user names cannot contain ':'");
        }
        Path root = repositoriesRoot.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("not a directory: " + root);
        }
        try {
            return new GitHttpServer(root, user, password);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the git HTTP server", e);
        }
    }

    /** {@code http://127.0.0.1:<port>/git/<repoName>.git}; {@code repoName} may already end in {@code .git}. */
    public URI url(String repoName) {
        String name = repoName.endsWith(".git") ? repoName : repoName + ".git";
        return URI.create("http://127.0.0.1:" + port + CONTEXT + "/" + name);
    }

    /** The address the server listens on (always 127.0.0.1). */
    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** Makes every later push fail: each ref update is refused with {@code message}, as a pre-receive hook would. */
    public void rejectPushesWith(String message) {
        rejectMessage.set(Objects.requireNonNull(message, "message"));
    }

    /**
     * Runs {@code action} once, against the server-side repository, when the next push asks for the refs (before
     * receive-pack advertises them): e.g. move a branch to simulate someone else pushing first, so the client's push
     * is rejected as non-fast-forward. The repository is closed by the server afterwards; do not keep it.
     */
    public void beforeNextReceive(Consumer<Repository> action) {
        beforeReceive.set(Objects.requireNonNull(action, "action"));
    }

    /** Clears {@link #rejectPushesWith} and a pending {@link #beforeNextReceive}. The request count is kept. */
    public void reset() {
        rejectMessage.set(null);
        beforeReceive.set(null);
    }

    /** HTTP requests received so far, including ones refused for missing or wrong credentials. */
    public int requestCount() {
        return requests.get();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the git HTTP server", e);
        }
    }

    /** Opens a fresh (uncached) repository per request; the GitServlet closes it when the request ends. */
    private Repository open(String name) throws RepositoryNotFoundException {
        Path dir = root.resolve(name).normalize();
        if (!name.endsWith(".git") || !dir.startsWith(root) || dir.equals(root)
                || !RepositoryCache.FileKey.isGitRepository(dir.toFile(), FS.DETECTED)) {
            throw new RepositoryNotFoundException(name);
        }
        try {
            return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
        } catch (IOException e) {
            RepositoryNotFoundException notFound = new RepositoryNotFoundException(name);
            notFound.initCause(e);
            throw notFound;
        }
    }

    /**
     * Called for both halves of a smart-HTTP push: GET info/refs?service=git-receive-pack (the ref advertisement)
     * and the POST that carries the commands and the pack.
     */
    private ReceivePack receivePack(HttpServletRequest request, Repository repository) {
        if ("GET".equals(request.getMethod())) {
            Consumer<Repository> action = beforeReceive.getAndSet(null);
            if (action != null) {
                action.accept(repository);
            }
        }
        ReceivePack receivePack = new ReceivePack(repository);
        String user = request.getRemoteUser();
        receivePack.setRefLogIdent(new PersonIdent(user, user + "@git-http-server"));
        receivePack.setPreReceiveHook((rp, commands) -> {
            String message = rejectMessage.get();
            if (message == null) {
                return;
            }
            for (ReceiveCommand command : commands) {
                if (command.getResult() == ReceiveCommand.Result.NOT_ATTEMPTED) {
                    command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, message);
                }
            }
        });
        return receivePack;
    }

    /** HTTP Basic on every request; also counts requests and exposes the user as the servlet remote user. */
    private final class BasicAuthFilter implements Filter {

        private final byte[] expected;
        private final String user;

        BasicAuthFilter(String user, String password) {
            this.user = user;
            this.expected = (user + ":" + password).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            HttpServletResponse response = (HttpServletResponse) res;
            requests.incrementAndGet();
            if (!authorized(request.getHeader("Authorization"))) {
                response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
                response.setContentType("text/plain;charset=utf-8");
                response.getWriter().println("Authentication required");
                return;
            }
            chain.doFilter(new Authenticated(request, user), response);
        }

        private boolean authorized(String header) {
            if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
                return false;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(header.substring(6).trim());
            } catch (IllegalArgumentException e) {
                return false;
            }
            return MessageDigest.isEqual(given, expected);
        }
    }

    private static final class Authenticated extends HttpServletRequestWrapper {

        private final String user;

        Authenticated(HttpServletRequest request, String user) {
            super(request);
            this.user = user;
        }

        @Override
        public String getRemoteUser() {
            return user;
        }

        @Override
        public Principal getUserPrincipal() {
            return () -> user;
        }

        @Override
        public String getAuthType() {
            return HttpServletRequest.BASIC_AUTH;
        }
    }
}
