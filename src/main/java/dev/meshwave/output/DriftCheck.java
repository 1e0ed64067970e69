package dev.meshwave.output;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.meshwave.render.RenderedTree;
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
        List<Change> changes = new ArrayList<>();
        Set<Path> linksReported = new HashSet<>();
        for (Map.Entry<String, byte[]> file : tree.outsideRoots().entrySet()) {
            Path onDisk = paths.inside(file.getKey());
            Optional<Path> link = OnDisk.firstLink(paths.root(), onDisk);
            if (link.isPresent() && !link.get().equals(onDisk)) {
                linkOnTheWay(tree, link.get(), linksReported).ifPresent(changes::add);
                continue;
            }
            Optional<OnDisk.Entry> before = OnDisk.file(onDisk, COMPARED + 1).map(DriftCheck::bounded);
            if (before.isPresent() && !before.get().readable()) {
                changes.add(unread(file.getKey(), before.get().unread(), true));
            } else if (before.isEmpty() || !Arrays.equals(before.get().bytes(), file.getValue())) {
                changes.add(change(file.getKey(), before.map(OnDisk.Entry::bytes).orElse(null), file.getValue()));
            }
        }
        for (String root : tree.roots()) {
            Path dir = paths.inside(root);
            Optional<Path> link = OnDisk.firstLink(paths.root(), dir);
            if (link.isPresent()) {
                linkOnTheWay(tree, link.get(), linksReported).ifPresent(changes::add);
                continue;
            }
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                changes.add(unread(root, OnDisk.NOT_REGULAR + " where a directory is rendered", true));
                continue;
            }
            SortedMap<String, OnDisk.Entry> onDisk = new TreeMap<>();
            OnDisk.files(dir, COMPARED + 1).forEach((file, entry) -> onDisk.put(file, bounded(entry)));
            SortedMap<String, byte[]> rendered = tree.under(root);
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
        }
        return changes;
    }

    /** A file bigger than anything meshwave renders is drift by its size alone: never loaded whole (a hostile 3 GB file). */
    private static OnDisk.Entry bounded(OnDisk.Entry entry) {
        return entry.readable() && entry.bytes().length > COMPARED ? new OnDisk.Entry(null, TOO_LARGE) : entry;
    }

    /** A symbolic link above rendered files (a cluster directory, or one of its parents): said once. */
    private Optional<Change> linkOnTheWay(RenderedTree tree, Path link, Set<Path> reported) {
        if (!reported.add(link)) {
            return Optional.empty();
        }
        String path = paths.root().relativize(link).toString().replace('\\', '/');
        return Optional.of(unread(path, OnDisk.LINK, true));
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
