package dev.meshwave.lint;

import dev.meshwave.output.TreeWriter;
import dev.meshwave.plan.ProcessTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The temporary directory of one lint run (the wrapper kustomizations of its builds) and the kubectl
 * processes it started. A run that is stopped (SIGTERM, SIGINT: the JVM runs its shutdown hooks) destroys
 * its kubectl processes and deletes the directory; a run killed outright (SIGKILL) cannot, so every run
 * first removes what runs that are gone left: each directory records its owner's pid and start time, and a
 * kubectl still running on a dead run's directory (waiting on a server that never answers) is stopped.
 */
final class ScratchDirectory implements AutoCloseable {

    static final String PREFIX = "meshwave-lint-";
    private static final String OWNER = "owner";
    /** A directory of ours without an owner file is being created, or was left by an older meshwave: removed when this old. */
    private static final Duration UNOWNED_AGE = Duration.ofHours(1);

    private final Path dir;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private final Thread hook = new Thread(this::stop, "meshwave-lint-cleanup");
    private boolean stopped;

    private ScratchDirectory(Path dir) {
        this.dir = dir;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * A new run directory in the temporary directory: {@code TMPDIR} of {@code environment} when it names a
     * directory (the Unix convention, which the JVM ignores), else {@code java.io.tmpdir}.
     */
    static ScratchDirectory create(Map<String, String> environment) throws IOException {
        Path dir = Files.createTempDirectory(base(environment), PREFIX);
        ProcessHandle self = ProcessHandle.current();
        Files.writeString(dir.resolve(OWNER), self.pid() + " " + self.info().startInstant().map(Instant::toEpochMilli).orElse(0L) + "\n");
        return new ScratchDirectory(dir);
    }

    /** A fresh directory for one build. */
    Path newDirectory() throws IOException {
        synchronized (this) {
            if (stopped) {
                throw new IOException("lint is stopping");
            }
            return Files.createTempDirectory(dir, "build-");
        }
    }

    /** Starts a process this run will destroy if it is stopped first. */
    Process start(ProcessBuilder builder) throws IOException {
        synchronized (this) {
            if (stopped) {
                throw new IOException("lint is stopping");
            }
            Process process = builder.start();
            running.add(process);
            return process;
        }
    }

    /** A process that ended or was destroyed by its build. */
    void finished(Process process) {
        running.remove(process);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            return; // the JVM is shutting down: the hook does the same
        }
        stop();
    }

    private void stop() {
        synchronized (this) {
            stopped = true;
        }
        running.forEach(ProcessTree::kill);
        // A build that was between its kubectl and its next step may still add a file: try a few times.
        for (int attempt = 0; attempt < 5 && Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS); attempt++) {
            try {
                TreeWriter.deleteTree(dir);
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return; // the next run removes it
                }
            }
        }
    }

    private static Path base(Map<String, String> environment) {
        String tmpdir = environment.getOrDefault("TMPDIR", "");
        return !tmpdir.isEmpty() && Files.isDirectory(Path.of(tmpdir)) ? Path.of(tmpdir) : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Removes the directories of runs that are gone, and stops the kubectl processes still working in them:
     * every lint does this first, whether it builds anything or not.
     */
    static void removeLeftovers(Map<String, String> environment) {
        Path base = base(environment);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, PREFIX + "*")) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(entry) && ownerGone(entry)) {
                    String path = entry.toString();
                    ProcessHandle.allProcesses()
                            .filter(p -> p.pid() != ProcessHandle.current().pid() && p.info().user().equals(ProcessHandle.current().info().user()))
                            .filter(p -> p.info().arguments().map(args -> java.util.Arrays.stream(args).anyMatch(a -> a.startsWith(path + "/")))
                                    .orElse(false))
                            .forEach(ProcessHandle::destroyForcibly);
                    try {
                        TreeWriter.deleteTree(entry);
                    } catch (IOException e) {
                        // another run removes it at the same time, or it is not ours to remove
                    }
                }
            }
        } catch (IOException | SecurityException e) {
            // an unreadable temporary directory: nothing to clean up in it
        }
    }

    /**
     * Whether the run that made {@code dir} (as this user) is gone: its pid is no process, or a process started at
     * another time.
     */
    private static boolean ownerGone(Path dir) {
        try {
            if (!Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"))) {
                return false; // another user's run: not ours to judge
            }
            Path owner = dir.resolve(OWNER);
            if (!Files.isRegularFile(owner, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.size(owner) > 64) {
                return Files.getLastModifiedTime(dir).toInstant().isBefore(Instant.now().minus(UNOWNED_AGE));
            }
            String[] fields = new String(Files.readAllBytes(owner), StandardCharsets.UTF_8).trim().split(" ");
            long pid = Long.parseLong(fields[0]);
            long started = Long.parseLong(fields[1]);
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            return process.isEmpty() || process.get().info().startInstant().map(s -> started != 0 && s.toEpochMilli() != started).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false; // not what a run writes: leave it
        }
    }
}
