package dev.meshwave.output;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.meshwave.render.RenderedTree;
import dev.meshwave.render.TreeSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code render --check}: compares what a render would write with what the output directory holds,
 * and describes every difference as a unified diff. Writes nothing.
 */
public final class DriftCheck {

    /** Rendered files are a few KiB; a file on disk over this is not read further. */
    private static final int COMPARED = 16 << 20;
    private static final String TOO_LARGE = "larger than 16 MiB (not compared)";

    private final TreeWriter paths;

    public DriftCheck(Path outputRoot) {
        this.paths = new TreeWriter(outputRoot);
    }

    /** How a file on disk differs from the render. */
    public enum Kind { ADDED, MODIFIED, REMOVED }

    /** One file that differs, with its unified diff. */
    public record Change(String path, Kind kind, String diff) {}

    /** The unified diff from the directory's content to the render; empty when they are the same. */
    public String diff(RenderedTree tree) throws IOException, UnsafeOutputException {
        StringBuilder out = new StringBuilder();
        changes(tree).forEach(change -> out.append(change.diff()));
        return out.toString();
    }

    /**
     * Every file that differs, in the order of the diff: files at the output root, then each cluster directory.
     * A symbolic link or a file that is not regular is drift, said without its content (nothing is followed).
     */
    public List<Change> changes(RenderedTree tree) throws IOException, UnsafeOutputException {
        Sink sink = sink();
        for (String root : tree.roots()) {
            sink.cluster(root, tree.files().subMap(root + "/", root + "0"));
        }
        sink.fleet(tree.outsideRoots());
        sink.finish();
        return sink.changes();
    }

    /** A sink that compares a render with the directory as it arrives (see {@link Sink}). */
    public Sink sink() {
        return new Sink();
    }

    /**
     * {@code render --check} in bounded memory: each cluster directory is compared with the disk as it is rendered
     * and only its differences are kept, never the rendered bytes; the files outside the cluster directories
     * (the fleet overview, in-place edits: a few, whatever the fleet's size) are kept and compared at {@link
     * #finish()}, so the changes read in the same order as {@link #changes(RenderedTree)}'s. A directory that cannot
     * be read is kept and thrown by {@link #changes()}; nothing is compared after it.
     */
    public final class Sink implements TreeSink {
        /** A cluster directory's differences, or the symbolic link above it (reported once, after the root files). */
        private record Compared(List<Change> changes, Path link) {}

        private final List<Compared> clusters = new ArrayList<>();
        private final TreeMap<String, byte[]> outside = new TreeMap<>();
        private IOException unreadable;
        private UnsafeOutputException unsafe;
        private List<Change> changes;

        private Sink() {}

        @Override
        public void cluster(String root, SortedMap<String, byte[]> files) {
            if (unreadable != null || unsafe != null) {
                return;
            }
            try {
                Compared compared = compareCluster(root, files);
                if (compared.link() != null || !compared.changes().isEmpty()) {
                    clusters.add(compared);
                }
            } catch (IOException e) {
                unreadable = e;
            } catch (UnsafeOutputException e) {
                unsafe = e;
            }
        }

        @Override
        public void fleet(SortedMap<String, byte[]> files) {
            outside.putAll(files);
        }

        @Override
        public void edits(SortedMap<String, byte[]> files) {
            outside.putAll(files);
        }

        @Override
        public void finish() {
            changes = new ArrayList<>();
        }

        /** Every file that differs, as {@link DriftCheck#changes(RenderedTree)} lists them. */
        public List<Change> changes() throws IOException, UnsafeOutputException {
            if (changes == null) {
                throw new IllegalStateException("the render has not finished");
            }
            Set<Path> linksReported = new HashSet<>();
            List<Change> all = new ArrayList<>(compareOutside(outside, linksReported));
            if (unreadable != null) {
                throw unreadable;
            }
            if (unsafe != null) {
                throw unsafe;
            }
            for (Compared cluster : clusters) {
                if (cluster.link() == null) {
                    all.addAll(cluster.changes());
                } else if (linksReported.add(cluster.link())) {
                    all.add(linkChange(cluster.link()));
                }
            }
            return all;
        }
    }

    private List<Change> compareOutside(SortedMap<String, byte[]> outside, Set<Path> linksReported)
            throws IOException, UnsafeOutputException {
        List<Change> changes = new ArrayList<>();
        for (Map.Entry<String, byte[]> file : outside.entrySet()) {
            Path onDisk = paths.inside(file.getKey());
            Optional<Path> link = OnDisk.firstLink(paths.root(), onDisk);
            if (link.isPresent() && !link.get().equals(onDisk)) {
                if (linksReported.add(link.get())) {
                    changes.add(linkChange(link.get()));
                }
                continue;
            }
            Optional<OnDisk.Entry> before = OnDisk.file(onDisk, COMPARED + 1).map(DriftCheck::bounded);
            if (before.isPresent() && !before.get().readable()) {
                changes.add(unread(file.getKey(), before.get().unread(), true));
            } else if (before.isEmpty() || !Arrays.equals(before.get().bytes(), file.getValue())) {
                changes.add(change(file.getKey(), before.map(OnDisk.Entry::bytes).orElse(null), file.getValue()));
            }
        }
        return changes;
    }

    /** One cluster directory's files (keyed by their path from the output root) against the disk. */
    private Sink.Compared compareCluster(String root, SortedMap<String, byte[]> files) throws IOException, UnsafeOutputException {
        Path dir = paths.inside(root);
        Optional<Path> link = OnDisk.firstLink(paths.root(), dir);
        if (link.isPresent()) {
            return new Sink.Compared(List.of(), link.get());
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return new Sink.Compared(List.of(unread(root, OnDisk.NOT_REGULAR + " where a directory is rendered", true)), null);
        }
        List<Change> changes = new ArrayList<>();
        SortedMap<String, OnDisk.Entry> onDisk = new TreeMap<>();
        OnDisk.files(dir, COMPARED + 1).forEach((file, entry) -> onDisk.put(file, bounded(entry)));
        SortedMap<String, byte[]> rendered = new TreeMap<>();
        files.forEach((path, bytes) -> rendered.put(path.substring(root.length() + 1), bytes));
        TreeMap<String, Boolean> all = new TreeMap<>();
        onDisk.keySet().forEach(k -> all.put(k, true));
        rendered.keySet().forEach(k -> all.put(k, true));
        for (String file : all.keySet()) {
            OnDisk.Entry before = onDisk.get(file);
            byte[] after = rendered.get(file);
            if (before != null && !before.readable()) {
                changes.add(unread(root + "/" + file, before.unread(), after != null));
            } else if (before == null || after == null || !Arrays.equals(before.bytes(), after)) {
                changes.add(change(root + "/" + file, before == null ? null : before.bytes(), after));
            }
        }
        return new Sink.Compared(changes, null);
    }

    /** A file bigger than anything meshwave renders is drift by its size alone: never loaded whole (a hostile 3 GB file). */
    private static OnDisk.Entry bounded(OnDisk.Entry entry) {
        return entry.readable() && entry.bytes().length > COMPARED ? new OnDisk.Entry(null, TOO_LARGE) : entry;
    }

    /** A symbolic link above rendered files (a cluster directory, or one of its parents): said once. */
    private Change linkChange(Path link) {
        String path = paths.root().relativize(link).toString().replace('\\', '/');
        return unread(path, OnDisk.LINK, true);
    }

    /** A file whose content is not read: the diff says why, and holds nothing of it. */
    private static Change unread(String path, String why, boolean rendered) {
        String diff = "--- a/" + path + "\n+++ " + (rendered ? "b/" + path : "/dev/null") + "\n@@ " + why + " @@\n";
        return new Change(path, rendered ? Kind.MODIFIED : Kind.REMOVED, diff);
    }

    private static Change change(String path, byte[] before, byte[] after) {
        Kind kind = before == null ? Kind.ADDED : after == null ? Kind.REMOVED : Kind.MODIFIED;
        return new Change(path, kind, unified(before == null ? "/dev/null" : "a/" + path, after == null ? "/dev/null" : "b/" + path,
                lines(before), lines(after)));
    }

    private static String unified(String from, String to, List<String> before, List<String> after) {
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff(from, to, before, DiffUtils.diff(before, after), 3);
        StringBuilder text = new StringBuilder();
        if (diff.isEmpty()) {
            // Same lines, different bytes (line endings, final newline).
            text.append("--- ").append(from).append("\n+++ ").append(to).append("\n@@ bytes differ (line endings or final newline) @@\n");
        }
        diff.forEach(line -> text.append(line).append('\n'));
        return text.toString();
    }

    private static List<String> lines(byte[] bytes) {
        if (bytes == null) {
            return List.of();
        }
        return Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n", -1));
    }

}
