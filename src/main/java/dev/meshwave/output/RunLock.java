package dev.meshwave.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An exclusive lock one meshwave run holds on what it writes (an output directory, a work
 * repository), so that two runs never interleave. The operating system releases it when the process
 * dies, so a killed run never leaves it held.
 */
public final class RunLock implements AutoCloseable {

    /** How long a run waits for another one; {@code MESHWAVE_LOCK_TIMEOUT} seconds. */
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    private static final Duration MAX_WAIT = Duration.ofDays(1);

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * {@code MESHWAVE_LOCK_TIMEOUT} seconds, else 30 s. Anything but a whole number from 0 to a day is refused
     * rather than replaced by the default: a CI job that set it wants its value.
     */
    public static Duration waitFrom(Map<String, String> env) {
        String seconds = env.get("MESHWAVE_LOCK_TIMEOUT");
        if (seconds == null) {
            return DEFAULT_WAIT;
        }
        try {
            long value = Long.parseLong(seconds.trim());
            if (value >= 0 && value <= MAX_WAIT.toSeconds()) {
                return Duration.ofSeconds(value);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        String shown = seconds.length() > 40 ? seconds.substring(0, 40) + "…" : seconds;
        throw new InvalidSettingException("environment variable MESHWAVE_LOCK_TIMEOUT=\"" + shown + "\" is not a number of seconds"
                + " from 0 to " + MAX_WAIT.toSeconds());
    }

    /**
     * Waits up to {@code wait} for the lock on {@code lockFile}; empty if another run still holds it then. The
     * file is never reached through a symbolic link, and only a regular file is opened (a FIFO would block).
     */
    public static Optional<RunLock> acquire(Path lockFile, Duration wait) throws IOException, InterruptedException {
        if (Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileSystemException(lockFile.toString(), null, "the lock file is " + (Files.isSymbolicLink(lockFile)
                    ? "a symbolic link (not followed)" : "not a regular file") + "; remove it if no meshwave run is using it");
        }
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    return Optional.of(new RunLock(channel, lock));
                }
                if (System.nanoTime() > deadline) {
                    channel.close();
                    return Optional.empty();
                }
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * The lock of an output directory: a file beside it, {@code .<name>.meshwave.lock} in its parent, so that
     * every run finds the same one whatever its environment says ({@code XDG_RUNTIME_DIR}, {@code TMPDIR}), and
     * no lock file ends up inside the output. The directory is named by its real path (links resolved; the
     * part that does not exist yet is created first), and the lock's name is case-folded and NFC-normalised,
     * so two spellings of one directory on a case-insensitive or normalising file system share one lock.
     */
    public static RunLock forOutput(Path outputRoot, Map<String, String> env) throws IOException, UnsafeOutputException {
        Duration wait = waitFrom(env);
        Path root = realPath(outputRoot);
        if (root.getParent() == null) {
            throw new UnsafeOutputException("--out " + outputRoot + " is the root of the file system; name a directory under it");
        }
        Path parent;
        try {
            Files.createDirectories(root.getParent());
            parent = root.getParent().toRealPath();
        } catch (IOException e) {
            throw new UnsafeOutputException("--out " + outputRoot + ": cannot create " + root.getParent() + " to hold the lock file ("
                    + e.getMessage() + ")");
        }
        Path lockFile = parent.resolve(lockName(root.getFileName().toString()));
        try {
            return acquire(lockFile, wait).orElseThrow(() -> new UnsafeOutputException(
                    "another meshwave run is writing " + root + " (waited " + wait.toSeconds() + " s); try again when it has finished"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnsafeOutputException("interrupted while waiting for another meshwave run writing " + root);
        } catch (FileSystemException e) {
            throw new UnsafeOutputException("--out " + outputRoot + ": cannot lock " + lockFile + ": "
                    + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()));
        }
    }

    /** The real path of the part of {@code path} that exists, followed by the rest of it, normalised. */
    public static Path realPath(Path path) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing.getParent() != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
    }

    /** {@code .<name>.meshwave.lock}, case-folded and NFC; a name too long for one gives its hash instead. */
    static String lockName(String directoryName) {
        String key = Normalizer.normalize(directoryName, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
        String name = "." + key + ".meshwave.lock";
        return name.getBytes(StandardCharsets.UTF_8).length <= 255 ? name : "." + sha256(key).substring(0, 32) + ".meshwave.lock";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by this JVM (another run in the same process)
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
