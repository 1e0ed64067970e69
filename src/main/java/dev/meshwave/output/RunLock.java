package dev.meshwave.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
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

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** {@code MESHWAVE_LOCK_TIMEOUT} seconds, else 30 s. */
    public static Duration waitFrom(Map<String, String> env) {
        try {
            String seconds = env.get("MESHWAVE_LOCK_TIMEOUT");
            return seconds == null ? DEFAULT_WAIT : Duration.ofSeconds(Long.parseLong(seconds.trim()));
        } catch (NumberFormatException e) {
            return DEFAULT_WAIT;
        }
    }

    /** Waits up to {@code wait} for the lock on {@code lockFile}; empty if another run still holds it then. */
    public static Optional<RunLock> acquire(Path lockFile, Duration wait) throws IOException, InterruptedException {
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
     * The lock of an output directory. It lives outside the directory (in {@code $XDG_RUNTIME_DIR} or
     * the temporary directory), so no lock file ever ends up in a GitOps repository.
     */
    public static RunLock forOutput(Path outputRoot, Map<String, String> env) throws IOException, UnsafeOutputException {
        Path root = outputRoot.toAbsolutePath().normalize();
        String base = Optional.ofNullable(env.get("XDG_RUNTIME_DIR")).filter(d -> Files.isDirectory(Path.of(d)))
                .orElse(System.getProperty("java.io.tmpdir"));
        Path locks = Files.createDirectories(Path.of(base, "meshwave-locks"));
        Duration wait = waitFrom(env);
        try {
            return acquire(locks.resolve(sha256(root.toString()) + ".lock"), wait).orElseThrow(() -> new UnsafeOutputException(
                    "another meshwave run is writing " + root + " (waited " + wait.toSeconds() + " s); try again when it has finished"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnsafeOutputException("interrupted while waiting for another meshwave run writing " + root);
        }
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
