package dev.meshwave.output;

import dev.meshwave.render.RenderedTree;
import dev.meshwave.render.TreeSink;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that writes rendered files to disk. Every cluster directory is first written
 * completely into a temporary sibling, and only when all of them are written are they swapped in by
 * rename, so a failed or interrupted render leaves the previous output as it was, and a failed write
 * (a name too long, a full disk, no permission) leaves nothing behind.
 */
public final class TreeWriter {

    /** Enough of a file to see meshwave's header in its first lines. */
    private static final int HEAD = 4096;
    /** The pid in {@code .<name>.meshwave-new-<pid>-<random>}: whose staging directory it is. */
    private static final Pattern OWNER = Pattern.compile("^(\\d+)-");
    /** How many files a refusal lists by name. */
    private static final int LISTED = 10;

    private final Path outputRoot;
    private final boolean deleteForeign;

    public TreeWriter(Path outputRoot) {
        this(outputRoot, false);
    }

    /**
     * @param deleteForeign whether files in a rendered cluster directory that meshwave did not write
     *     ({@code render --delete-foreign}) may go with the previous render; without it they stop the run
     */
    public TreeWriter(Path outputRoot, boolean deleteForeign) {
        this.outputRoot = outputRoot.toAbsolutePath().normalize();
        this.deleteForeign = deleteForeign;
    }

    Path root() {
        return outputRoot;
    }

    public void write(RenderedTree tree) throws UnsafeOutputException, IOException {
        write(tree, (root, files) -> { });
    }

    /**
     * Writes a tree, telling {@code written} about each cluster directory once it is in place: the tree
     * fed through {@link #sink()}, so that a whole tree and a streamed render are written one way.
     */
    public void write(RenderedTree tree, BiConsumer<String, Integer> written) throws UnsafeOutputException, IOException {
        try (Sink sink = sink()) {
            for (String root : tree.roots()) {
                // Paths under root/ sort between "root/" and "root0" ('0' follows '/'): a view, not a copy.
                sink.cluster(root, tree.files().subMap(root + "/", root + "0"));
            }
            SortedMap<String, byte[]> outside = new TreeMap<>(tree.outsideRoots());
            SortedMap<String, byte[]> edits = new TreeMap<>();
            tree.edits().forEach(path -> edits.put(path, outside.remove(path)));
            sink.fleet(outside);
            if (!edits.isEmpty()) {
                sink.edits(edits);
            }
            sink.finish();
            sink.swapIn(written);
        }
    }

    /** A sink that stages each cluster directory as it is rendered; see {@link Sink}. */
    public Sink sink() {
        return new Sink();
    }

    /**
     * A render written as it arrives ({@link TreeSink}): each cluster directory is checked and written
     * into its staging sibling as soon as its files come, and only its staging path and file count are
     * kept, so a fleet's bytes are never held together; the fleet's own files (a few, small) are checked
     * and kept. Nothing is visible until {@link #swapIn}, which a run calls only when everything else it
     * checks after rendering has passed; {@link #close} removes whatever a run that failed, was refused
     * or never swapped in left: its staging directories and the directories it made that stayed empty.
     *
     * <p>A refusal (a target that may not be rendered over, a link, a fleet file that is not meshwave's)
     * or a failed write is kept and thrown by {@link #swapIn}, not from the render: the render goes on
     * (staging nothing more), so a run reports what it always did first (a template error, a refused
     * plan), and among the writer's own refusals the same one as when every target was checked before
     * anything was staged. The checks stop at the first refusal, as they did then; after a failed write
     * the later targets are still checked, and a refusal among them is the one reported.
     *
     * <p>Nested in {@code TreeWriter} rather than a class beside it: it is the writer's own sequence
     * (recover, check, stage, swap, clean up) made of the writer's private steps, and {@link #write} is
     * this sink fed from a whole tree, so nothing else in the package can write a cluster directory
     * another way.
     */
    public final class Sink implements TreeSink, AutoCloseable {
        private record Staged(String root, Path target, Path staging, int files) {}

        private final List<String> roots = new ArrayList<>();
        private final List<Staged> staged = new ArrayList<>();
        private final List<Path> created = new ArrayList<>();
        private final TreeMap<String, byte[]> fleet = new TreeMap<>();
        /** Repository files rewritten on their label lines, written after the cluster directories. */
        private final TreeMap<String, byte[]> edits = new TreeMap<>();
        /** A target or fleet file that may not be written: nothing further is checked or staged. */
        private UnsafeOutputException refused;
        /** A cluster directory that could not be staged: nothing further is staged, later targets are still checked. */
        private UnsafeOutputException failed;
        private boolean finished;
        private boolean closed;

        private Sink() {}

        @Override
        public void cluster(String root, SortedMap<String, byte[]> files) {
            open();
            roots.add(root);
            if (refused != null) {
                return;
            }
            Path target;
            try {
                target = resolve(root);
                recoverInterrupted(target);
                checkSafeTarget(target);
            } catch (UnsafeOutputException e) {
                refused = e;
                return;
            } catch (IOException e) {
                refused = cannotWrite(e);
                return;
            }
            if (failed != null) {
                return;
            }
            try {
                SortedMap<String, byte[]> relative = new TreeMap<>();
                for (Map.Entry<String, byte[]> file : files.entrySet()) {
                    if (!file.getKey().startsWith(root + "/")) {
                        throw new UnsafeOutputException("refusing to write " + file.getKey() + " outside " + target);
                    }
                    relative.put(file.getKey().substring(root.length() + 1), file.getValue());
                }
                staged.add(new Staged(root, target, stage(target, relative, created), relative.size()));
            } catch (UnsafeOutputException e) {
                failed = e;
            } catch (IOException e) {
                failed = cannotWrite(e);
            }
        }

        @Override
        public void fleet(SortedMap<String, byte[]> files) {
            open();
            if (refused != null) {
                return;
            }
            try {
                for (String path : files.keySet()) {
                    checkSafeFile(resolve(path));
                }
            } catch (UnsafeOutputException e) {
                refused = e;
                return;
            } catch (IOException e) {
                refused = cannotWrite(e);
                return;
            }
            fleet.putAll(files);
        }

        /**
         * A repository file meshwave edits in place must be there already, a regular file inside the output root (not
         * a link): an edit rewrites label lines, it never creates a manifest.
         */
        @Override
        public void edits(SortedMap<String, byte[]> files) {
            open();
            if (refused != null) {
                return;
            }
            try {
                for (String path : files.keySet()) {
                    Path file = resolve(path);
                    if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        throw new UnsafeOutputException(path + " is not a regular file in " + outputRoot
                                + ": meshwave edits the label lines of existing manifests only");
                    }
                }
            } catch (UnsafeOutputException e) {
                refused = e;
                return;
            }
            edits.putAll(files);
        }

        @Override
        public void finish() {
            open();
            finished = true;
        }

        /** The cluster directories of the render so far, in plan order: what a progress line counts. */
        public List<String> roots() {
            return List.copyOf(roots);
        }

        /**
         * Swaps every staged cluster directory in, in plan order, telling {@code written} about each once it
         * is in place, then writes the fleet's files; first throws what refused or failed while staging.
         */
        public void swapIn(BiConsumer<String, Integer> written) throws UnsafeOutputException {
            open();
            if (!finished) {
                throw new IllegalStateException("the render has not finished");
            }
            if (refused != null) {
                throw refused;
            }
            if (failed != null) {
                throw failed;
            }
            try {
                for (Staged cluster : staged) {
                    swap(cluster.staging(), cluster.target());
                    written.accept(cluster.root(), cluster.files());
                }
                for (Map.Entry<String, byte[]> file : fleet.entrySet()) {
                    AtomicFiles.write(resolve(file.getKey()), file.getValue());
                }
                for (Map.Entry<String, byte[]> file : edits.entrySet()) {
                    if (!Arrays.equals(Files.readAllBytes(resolve(file.getKey())), file.getValue())) {
                        AtomicFiles.write(resolve(file.getKey()), file.getValue());
                    }
                }
            } catch (IOException e) {
                throw cannotWrite(e);
            } finally {
                closed = true;
            }
        }

        /** Removes every staging directory still there and the directories this run made that stayed empty. */
        @Override
        public void close() {
            closed = true;
            for (Staged cluster : staged) {
                try {
                    deleteTree(cluster.staging()); // one that was swapped in is no longer there
                } catch (IOException e) {
                    // the next run removes it: nobody alive owns it then
                }
            }
            staged.clear();
            fleet.clear();
            edits.clear();
            removeIfEmpty(created);
            created.clear();
        }

        private void open() {
            if (closed) {
                throw new IllegalStateException("the sink was swapped in or closed");
            }
        }
    }

    private static UnsafeOutputException cannotWrite(IOException e) {
        return new UnsafeOutputException("cannot write " + describe(e) + "; every cluster directory is left whole"
                + " and no temporary directory remains");
    }

    /** Resolves a '/'-separated path under the output root, refusing anything that leaves it. */
    Path inside(String relative) throws UnsafeOutputException {
        Path target = outputRoot.resolve(relative).normalize();
        if (!target.startsWith(outputRoot) || target.equals(outputRoot)) {
            throw new UnsafeOutputException("refusing to write " + relative + ": it is not inside " + outputRoot);
        }
        return target;
    }

    /** {@link #inside}, and no symbolic link on the way: it could lead out of the output root. */
    Path resolve(String relative) throws UnsafeOutputException {
        Path target = inside(relative);
        Optional<Path> link = OnDisk.firstLink(outputRoot, target);
        if (link.isPresent()) {
            throw new UnsafeOutputException("refusing to write through the symbolic link " + link.get() + " (" + OnDisk.LINK + ")");
        }
        return target;
    }

    /** A single file at the output root may replace only a file meshwave generated. */
    private static void checkSafeFile(Path file) throws UnsafeOutputException, IOException {
        Optional<OnDisk.Entry> existing = OnDisk.file(file, HEAD);
        if (existing.isPresent() && !existing.get().readable()) {
            throw new UnsafeOutputException(file + ": " + existing.get().unread() + "; not overwriting it");
        }
        if (existing.isPresent() && !RenderedTree.writtenByMeshwave(existing.get().bytes())) {
            throw new UnsafeOutputException(file + " exists and was not generated by meshwave; not overwriting it");
        }
    }

    /**
     * Only a directory meshwave rendered before (or an empty one) may be replaced, and only when every
     * file in it is meshwave's (its header says so), unless {@link #deleteForeign}. A symbolic link or
     * anything else that is not a regular file is never read and never rendered over.
     */
    private void checkSafeTarget(Path dir) throws UnsafeOutputException, IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafeOutputException(dir + " exists and is not a directory; not overwriting it");
        }
        SortedMap<String, OnDisk.Entry> files = OnDisk.files(dir, HEAD);
        if (files.isEmpty()) {
            return;
        }
        for (Map.Entry<String, OnDisk.Entry> file : files.entrySet()) {
            if (!file.getValue().readable()) {
                throw new UnsafeOutputException(dir.resolve(file.getKey()) + ": " + file.getValue().unread()
                        + "; meshwave does not render over it. Remove it, then render again.");
            }
        }
        OnDisk.Entry live = files.get("kustomization.yaml");
        if (live == null || !RenderedTree.writtenByMeshwave(live.bytes())) {
            throw new UnsafeOutputException(dir + " holds files meshwave did not render (no generated kustomization.yaml);"
                    + " not overwriting it. Render into an empty directory or move the files away.");
        }
        List<String> foreign = files.entrySet().stream().filter(f -> !RenderedTree.writtenByMeshwave(f.getValue().bytes()))
                .map(Map.Entry::getKey).toList();
        if (!foreign.isEmpty() && !deleteForeign) {
            throw new UnsafeOutputException(dir + " holds " + foreign.size() + (foreign.size() == 1 ? " file" : " files")
                    + " meshwave did not generate (no \"" + RenderedTree.GENERATED_MARK + "\" header): "
                    + String.join(", ", foreign.subList(0, Math.min(LISTED, foreign.size())))
                    + (foreign.size() > LISTED ? ", …" : "") + "; a render would delete or overwrite them, so nothing was changed."
                    + " Move them out of the directory, or render with --delete-foreign to delete them.");
        }
    }

    /** Writes one cluster directory into a new sibling of {@code target}; returns it, complete and checked. */
    private static Path stage(Path target, Map<String, byte[]> files, List<Path> created) throws UnsafeOutputException, IOException {
        createDirectories(target.getParent(), created);
        Path staging = newSibling(target, "new");
        // Made by createDirectory, not createTempDirectory (which makes it 0700): the umask decides, as for any directory.
        Files.createDirectory(staging);
        try {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path path = staging.resolve(file.getKey()).normalize();
                if (!path.startsWith(staging) || path.equals(staging)) {
                    throw new UnsafeOutputException("refusing to write " + file.getKey() + " outside " + target);
                }
                try {
                    Files.createDirectories(path.getParent());
                    Files.write(path, file.getValue());
                    if (file.getKey().endsWith(".sh")) {
                        setExecutable(path);
                    }
                } catch (IOException e) {
                    throw new UnsafeOutputException("cannot write " + target.resolve(file.getKey()) + ": " + reason(e)
                            + "; nothing was changed and no temporary directory is left");
                }
            }
            checkComplete(staging, target, files);
            return staging;
        } catch (UnsafeOutputException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
    }

    /**
     * A staging directory is swapped in only with every file it should hold, as written: if anything
     * removed or changed it meanwhile (another process not holding the lock), the render stops.
     */
    private static void checkComplete(Path staging, Path target, Map<String, byte[]> files) throws UnsafeOutputException {
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(staging.resolve(file.getKey()), BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (attributes.isRegularFile() && attributes.size() == file.getValue().length) {
                    continue;
                }
            } catch (IOException e) {
                // missing: said below
            }
            throw new UnsafeOutputException("the render of " + target + " was changed while it was written (" + file.getKey()
                    + " is not as written; another process?); not swapping it in");
        }
    }

    /** Moves the previous render aside, the new one in, then drops the previous one; puts it back if the move fails. */
    private static void swap(Path staging, Path target) throws IOException {
        Path retired = null;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            retired = newSibling(target, "old");
            move(target, retired);
        }
        try {
            move(staging, target);
        } catch (IOException | RuntimeException e) {
            if (retired != null && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                move(retired, target);
            }
            throw e;
        }
        if (retired != null) {
            deleteTree(retired);
        }
    }

    /** {@code .<name>.meshwave-<kind>-<pid>-<random>}: the pid says which run it belongs to. */
    private static Path newSibling(Path target, String kind) {
        return target.resolveSibling("." + target.getFileName() + ".meshwave-" + kind + "-" + ProcessHandle.current().pid() + "-"
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
    }

    /** Creates a directory and its missing parents, remembering each one it made so that a failed render removes them again. */
    private static void createDirectories(Path dir, List<Path> created) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                created.add(p);
            } catch (FileAlreadyExistsException e) {
                // made meanwhile: not ours to remove
            }
        }
    }

    /** Removes the directories a failed render made, deepest first, as long as they are empty. */
    private static void removeIfEmpty(List<Path> created) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (DirectoryNotEmptyException e) {
                // in use: the render succeeded there, or something else is in it
            } catch (IOException e) {
                // left behind, empty
            }
        }
    }

    /**
     * Cleans up after a run that was killed: a half-written staging directory is dropped; a retired
     * previous render is put back if the swap never happened, else dropped. What a run that is still
     * alive made is left alone: only its owner may remove it.
     */
    private static void recoverInterrupted(Path target) throws IOException {
        Path parent = target.getParent();
        if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        String name = target.getFileName().toString();
        String fresh = "." + name + ".meshwave-new-";
        String retired = "." + name + ".meshwave-old-";
        try (var siblings = Files.list(parent)) {
            for (Path sibling : siblings.sorted().toList()) {
                String s = sibling.getFileName().toString();
                if (s.startsWith(fresh) && !ownedByALiveRun(sibling, s.substring(fresh.length()))) {
                    deleteTree(sibling);
                } else if (s.startsWith(retired) && !ownedByALiveRun(sibling, s.substring(retired.length()))) {
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        deleteTree(sibling);
                    } else {
                        move(sibling, target);
                    }
                }
            }
        }
    }

    /**
     * Whether the process named in a leftover's name still runs, and started before the leftover was last
     * changed (else its pid was reused). Names without a pid come from older versions: nobody's.
     */
    private static boolean ownedByALiveRun(Path leftover, String suffix) throws IOException {
        Matcher owner = OWNER.matcher(suffix);
        if (!owner.find()) {
            return false;
        }
        Optional<ProcessHandle> process;
        try {
            process = ProcessHandle.of(Long.parseLong(owner.group(1)));
        } catch (NumberFormatException e) {
            return false;
        }
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        Optional<Instant> started = process.get().info().startInstant();
        Instant changed = Files.getLastModifiedTime(leftover, LinkOption.NOFOLLOW_LINKS).toInstant();
        return started.isEmpty() || !started.get().isAfter(changed.plusSeconds(2));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** {@code chmod +x} as the shell does it: execute wherever the umask left read. */
    private static void setExecutable(Path path) throws IOException {
        try {
            Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
            permissions.addAll(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
            if (permissions.contains(PosixFilePermission.OWNER_READ)) {
                permissions.add(PosixFilePermission.OWNER_EXECUTE);
            }
            if (permissions.contains(PosixFilePermission.GROUP_READ)) {
                permissions.add(PosixFilePermission.GROUP_EXECUTE);
            }
            if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
                permissions.add(PosixFilePermission.OTHERS_EXECUTE);
            }
            Files.setPosixFilePermissions(path, permissions);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: git records the mode, nothing to do here.
        }
    }

    /** The path and the reason of a failed file operation, as a person reads them. */
    private static String describe(IOException e) {
        return e instanceof FileSystemException f && f.getFile() != null ? f.getFile() + ": " + reason(e) : reason(e);
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way";
        }
        if (e instanceof FileSystemException f) {
            return f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
        }
        return e.getMessage();
    }

    /** Deletes a directory and everything in it, without following symbolic links; nothing when it is not there. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

}
