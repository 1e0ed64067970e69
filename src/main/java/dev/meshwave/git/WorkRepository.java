package dev.meshwave.git;

import dev.meshwave.output.RunLock;
import dev.meshwave.output.TreeWriter;
import dev.meshwave.plan.Redaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.URIish;

/**
 * The repository meshwave commits into, locked for the duration of a run: the user's working copy,
 * or meshwave's own bare clone of a remote in the work directory.
 */
final class WorkRepository implements AutoCloseable {

    static final String REMOTE = "origin";
    private final RepositoryLocation location;
    private final Repository repository;
    private final Path workdir;
    private final boolean hasRemote;
    private final RunLock lock;

    private WorkRepository(RepositoryLocation location, Repository repository, Path workdir, boolean hasRemote, RunLock lock) {
        this.location = location;
        this.repository = repository;
        this.workdir = workdir;
        this.hasRemote = hasRemote;
        this.lock = lock;
    }

    /** The default work directory for a remote: a cache folder named after the URL, never the cwd. */
    static Path defaultWorkdir(String url, Map<String, String> env) {
        String cache = env.get("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(env.getOrDefault("HOME", "."), ".cache");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(GitCredentials.withoutUser(url).getBytes(StandardCharsets.UTF_8));
            return base.resolve("meshwave").resolve("repos").resolve(HexFormat.of().formatHex(digest, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static WorkRepository open(RepositoryLocation location, Path workdirOption, Map<String, String> env)
            throws IOException, UnsafeRepositoryException, InvalidRepositoryException {
        if (location.kind() == RepositoryLocation.Kind.WORKING_COPY) {
            Repository repository = new FileRepositoryBuilder().setWorkTree(location.workingCopy().toFile())
                    .setMustExist(true).build();
            // PR texts go inside .git so the working copy stays clean.
            Path workdir = workdirOption != null ? workdirOption : repository.getDirectory().toPath();
            boolean hasRemote = repository.getConfig().getString("remote", REMOTE, "url") != null;
            noBackgroundGc(repository.getConfig()); // in memory only: the user's config is not meshwave's to change
            return locked(location, repository, repository.getDirectory().toPath().resolve("meshwave.lock"), workdir, hasRemote,
                    RunLock.waitFrom(env));
        }
        Path workdir = workdirOption != null ? workdirOption : defaultWorkdir(location.url(), env);
        if (workdirOption != null) {
            requireOwnWorkdir(workdir);
        }
        RunLock lock;
        try {
            Files.createDirectories(workdir);
            // The lock comes first: creating the repository and writing its config are changes too.
            lock = acquire(workdir.resolve(LOCK), RunLock.waitFrom(env));
        } catch (IOException e) {
            // A path the user chose (or HOME, XDG_CACHE_HOME) that cannot be a directory is bad input, not a bug.
            throw new InvalidRepositoryException("cannot use " + (workdirOption != null ? "--workdir " : "the work directory ")
                    + workdir + " (" + (e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileAlreadyExistsException ? "a file is in the way" : e.getMessage()) + ")"
                    + (workdirOption != null ? "" : "; set XDG_CACHE_HOME or pass --workdir"));
        }
        Repository repository = null;
        try {
            if (!Files.isRegularFile(workdir.resolve(MARKER))) {
                Files.writeString(workdir.resolve(MARKER), "meshwave's work directory: meshwave may delete and recreate what is in it.\n");
            }
            Path gitDir = workdir.resolve("repo.git");
            if (!Files.isRegularFile(gitDir.resolve("HEAD"))) {
                createWorkRepository(workdir, gitDir);
            }
            // The work repository is meshwave's alone and this run holds its lock: any lock file in it is a killed run's.
            // gc.log.lock is what a run killed during JGit's background gc left (git gc --auto then dies on it).
            for (String stale : List.of("config.lock", "HEAD.lock", "FETCH_HEAD.lock", "packed-refs.lock", "gc.log.lock")) {
                Files.deleteIfExists(gitDir.resolve(stale));
            }
            repository = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setBare().setMustExist(true).build();
            StoredConfig config = repository.getConfig();
            String configured = config.getString("remote", REMOTE, "url");
            // Credentials in a URL go to the credentials provider, never into the clone's config.
            String url = GitCredentials.withoutCredentials(location.url());
            // The same repository whoever logs in: earlier versions stored ssh URLs without their user.
            if (configured != null && !GitCredentials.withoutUser(configured).equals(GitCredentials.withoutUser(url))) {
                throw new InvalidRepositoryException("the work directory " + workdir + " belongs to " + Redaction.url(configured)
                        + ", not " + location.displayUrl() + "; choose another --workdir");
            }
            config.setString("remote", REMOTE, "url", url);
            config.setString("remote", REMOTE, "fetch", "+refs/heads/*:refs/remotes/" + REMOTE + "/*");
            noBackgroundGc(config);
            config.save();
            // All of refs/, not only meshwave's branches: a run killed in its first fetch left the base branch's
            // tracking ref as refs/remotes/origin/main.lock, and every later fetch failed to create it.
            clearStaleRefLocks(gitDir, List.of("refs"));
            return new WorkRepository(location, repository, workdir, true, lock);
        } catch (IOException | InvalidRepositoryException | RuntimeException e) {
            if (repository != null) {
                repository.close();
            }
            lock.close();
            throw e;
        }
    }

    /**
     * JGit's fetch ends with an automatic gc that, by default, runs on a background thread of this process;
     * a run killed meanwhile (or exiting) left {@code gc.log.lock} behind for good. In the foreground it
     * is bounded by the run and cleans up after itself.
     */
    private static void noBackgroundGc(StoredConfig config) {
        config.setBoolean("gc", null, "autoDetach", false);
    }

    private static final String LOCK = ".meshwave.lock";
    /** Written into every work directory meshwave makes or takes (empty); without it, meshwave touches nothing there. */
    static final String MARKER = ".meshwave-workdir";

    /**
     * A {@code --workdir} must be meshwave's (the marker), new, or empty (but perhaps for the lock file of
     * a run that found it so): meshwave deletes a half-made {@code repo.git} in it, and once deleted a
     * user's clone there. Default work directories live under meshwave's own cache folder and are taken.
     */
    private static void requireOwnWorkdir(Path workdir) throws IOException, UnsafeRepositoryException {
        if (!Files.exists(workdir, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(workdir.resolve(MARKER))) {
            return;
        }
        if (!Files.isDirectory(workdir)) {
            throw new UnsafeRepositoryException("--workdir " + workdir + " exists and is not a directory; choose a new or empty directory");
        }
        try (java.util.stream.Stream<Path> entries = Files.list(workdir)) {
            if (entries.anyMatch(e -> !e.getFileName().toString().equals(LOCK))) {
                throw new UnsafeRepositoryException("--workdir " + workdir + " was not made by meshwave (it has files and no " + MARKER
                        + "); meshwave changes nothing in it. Choose a new or empty directory (or, if an earlier meshwave made it,"
                        + " create an empty " + MARKER + " in it)");
            }
        }
    }

    private static RunLock acquire(Path lockFile, Duration wait) throws IOException, UnsafeRepositoryException {
        try {
            return RunLock.acquire(lockFile, wait).orElseThrow(() -> new UnsafeRepositoryException("another meshwave run holds "
                    + lockFile + " (waited " + wait.toSeconds() + " s); try again when it has finished"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnsafeRepositoryException("interrupted while waiting for " + lockFile);
        }
    }

    /**
     * Creates the bare work repository beside its place and moves it in whole: a run killed while
     * creating it leaves no half-made repository (found by the publish kill test), only a temporary
     * directory the next run removes.
     */
    private static void createWorkRepository(Path workdir, Path gitDir) throws IOException {
        try (java.util.stream.Stream<Path> leftovers = Files.list(workdir)) {
            for (Path leftover : leftovers.filter(p -> p.getFileName().toString().startsWith("repo.git.new-")).toList()) {
                TreeWriter.deleteTree(leftover);
            }
        }
        if (Files.exists(gitDir)) {
            TreeWriter.deleteTree(gitDir); // made by an older version, or by hand: without HEAD it is no repository
        }
        Path fresh = Files.createTempDirectory(workdir, "repo.git.new-");
        try {
            Git.init().setBare(true).setGitDir(fresh.toFile()).setInitialBranch("main").call().close();
            Files.move(fresh, gitDir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (GitAPIException e) {
            throw new IOException("cannot create the work repository " + gitDir + ": " + e.getMessage(), e);
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            // Another run made it first: use that one.
        } finally {
            if (Files.exists(fresh)) {
                TreeWriter.deleteTree(fresh);
            }
        }
    }

    private static WorkRepository locked(RepositoryLocation location, Repository repository, Path lockFile, Path workdir,
            boolean hasRemote, Duration wait) throws IOException, UnsafeRepositoryException {
        try {
            RunLock lock = acquire(lockFile, wait);
            try {
                clearStaleRefLocks(repository);
                return new WorkRepository(location, repository, workdir, hasRemote, lock);
            } catch (IOException | RuntimeException e) {
                lock.close();
                throw e;
            }
        } catch (UnsafeRepositoryException | IOException | RuntimeException e) {
            repository.close();
            throw e;
        }
    }

    /**
     * A meshwave run killed while moving a branch leaves that ref's {@code .lock} file behind, and every
     * later update of the branch would fail. Holding the run lock, no other meshwave run is moving
     * meshwave's branches, so their lock files are stale: they go (found by the publish kill test).
     * In a working copy only meshwave's namespaces are meshwave's to clear: the user's git may hold the others.
     */
    private static void clearStaleRefLocks(Repository repository) throws IOException {
        clearStaleRefLocks(repository.getDirectory().toPath(), MESHWAVE_REF_NAMESPACES);
    }

    /** Where meshwave moves refs in a repository that is not its own: its branches and their tracking refs. */
    private static final List<String> MESHWAVE_REF_NAMESPACES = List.of("refs/heads/meshwave", "refs/remotes/" + REMOTE + "/meshwave");

    /**
     * A {@code file://} remote is written by the receive-pack a meshwave run starts (JGit's own, before
     * hooks had to run), so a killed run can leave the same lock files there; they go before a push
     * (found by the publish kill test).
     */
    void clearStaleRemoteRefLocks() throws IOException {
        URIish uri = remoteUri();
        if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
            return;
        }
        Path remote = Path.of(uri.getPath());
        Path gitDir = Files.isDirectory(remote.resolve(".git")) ? remote.resolve(".git") : remote;
        if (Files.isDirectory(gitDir.resolve("refs"))) {
            clearStaleRefLocks(gitDir, MESHWAVE_REF_NAMESPACES);
        }
    }

    private static void clearStaleRefLocks(Path gitDir, List<String> namespaces) throws IOException {
        for (String namespace : namespaces) {
            Path dir = gitDir.resolve(namespace);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                for (Path lock : files.filter(f -> f.getFileName().toString().endsWith(".lock") && Files.isRegularFile(f)).toList()) {
                    Files.deleteIfExists(lock);
                }
            }
        }
    }

    Repository repository() {
        return repository;
    }

    Path workdir() {
        return workdir;
    }

    boolean isWorkingCopy() {
        return location.kind() == RepositoryLocation.Kind.WORKING_COPY;
    }

    boolean hasRemote() {
        return hasRemote;
    }

    /** Fetches every branch of the remote into {@code refs/remotes/origin/*}. */
    void fetch(CredentialsProvider credentials, TransportConfigCallback transport, Redaction redaction, NetworkTimeout timeout)
            throws UnsafeRepositoryException {
        FetchResult result;
        try (Git git = Git.wrap(repository)) {
            result = git.fetch().setRemote(REMOTE).setTimeout(timeout.requestSeconds())
                    .setRefSpecs(new RefSpec("+refs/heads/*:refs/remotes/" + REMOTE + "/*"))
                    .setCredentialsProvider(credentials)
                    .setTransportConfigCallback(transport)
                    .setRemoveDeletedRefs(true)
                    .call();
        } catch (TransportException e) {
            // JGit's messages start with the URL again; say it once.
            String message = redaction.text(e.getMessage());
            String prefix = remoteDisplay() + ": ";
            throw new UnsafeRepositoryException("cannot fetch from " + remoteDisplay() + ": "
                    + (message.startsWith(prefix) ? message.substring(prefix.length()) : message));
        } catch (GitAPIException | org.eclipse.jgit.api.errors.JGitInternalException e) {
            // A transport failure is the remote's, never an internal error.
            throw new UnsafeRepositoryException("fetching from " + remoteDisplay() + " failed: " + redaction.text(e.getMessage()));
        }
        requireTrackingRefsUpdated(result);
    }

    /**
     * JGit's fetch does not fail when it cannot move a tracking ref (a lock file left by a killed run or
     * held by another git): it reports it and goes on. Publishing from such a fetch would build on what
     * the remote had before, or, when the base branch's tracking ref was never created, on no base at
     * all: branches without the repository's history (found by the publish kill test).
     */
    private void requireTrackingRefsUpdated(FetchResult result) throws UnsafeRepositoryException {
        List<String> failed = result.getTrackingRefUpdates().stream()
                .filter(u -> switch (u.getResult()) {
                    case NEW, FAST_FORWARD, FORCED, NO_CHANGE, RENAMED -> false;
                    default -> true;
                })
                .map(u -> u.getLocalName() + " (" + u.getResult().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")")
                .sorted().toList();
        if (!failed.isEmpty()) {
            throw new UnsafeRepositoryException("fetching from " + remoteDisplay() + " could not update "
                    + String.join(", ", failed.subList(0, Math.min(5, failed.size())))
                    + (failed.size() > 5 ? " and " + (failed.size() - 5) + " more" : "") + " in " + repository.getDirectory()
                    + "; if no git is running there, delete the ref's .lock file and publish again");
        }
    }

    /** A {@code file://} URL or a path: pushed to by a receive-pack on this machine. */
    boolean remoteIsLocal() throws IOException {
        URIish uri = remoteUri();
        return uri.getHost() == null && (uri.getScheme() == null || uri.getScheme().equals("file"));
    }

    String remoteDisplay() {
        return Redaction.url(repository.getConfig().getString("remote", REMOTE, "url"));
    }

    Optional<ObjectId> local(String branch) throws IOException {
        return Optional.ofNullable(repository.exactRef(Constants.R_HEADS + branch)).map(Ref::getObjectId);
    }

    Optional<ObjectId> remote(String branch) throws IOException {
        if (!hasRemote) {
            return Optional.empty();
        }
        return Optional.ofNullable(repository.exactRef(Constants.R_REMOTES + REMOTE + "/" + branch)).map(Ref::getObjectId);
    }

    /**
     * True when the repository has no branch but meshwave's own (a freshly initialized remote, perhaps
     * already holding a previous publish).
     */
    boolean hasOnlyBranchesUnder(String prefix) throws IOException {
        return repository.getRefDatabase().getRefsByPrefix(Constants.R_HEADS).stream()
                        .allMatch(r -> r.getName().startsWith(Constants.R_HEADS + prefix))
                && repository.getRefDatabase().getRefsByPrefix(Constants.R_REMOTES).stream()
                        .allMatch(r -> r.getName().startsWith(Constants.R_REMOTES + REMOTE + "/" + prefix));
    }

    URIish remoteUri() throws IOException {
        try {
            return new URIish(repository.getConfig().getString("remote", REMOTE, "url"));
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.close();
        } finally {
            repository.close();
        }
    }
}
