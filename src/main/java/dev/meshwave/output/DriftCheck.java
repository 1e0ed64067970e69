package dev.meshwave.output;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.meshwave.render.RenderedTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code render --check}: compares what a render would write with what the output directory holds,
 * and describes every difference as a unified diff. Writes nothing.
 */
public final class DriftCheck {

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

    /** Every file that differs, in the order of the diff: files at the output root, then each cluster directory. */
    public List<Change> changes(RenderedTree tree) throws IOException, UnsafeOutputException {
        List<Change> changes = new ArrayList<>();
        for (Map.Entry<String, byte[]> file : tree.outsideRoots().entrySet()) {
            Path onDisk = paths.resolve(file.getKey());
            byte[] before = Files.isRegularFile(onDisk) ? Files.readAllBytes(onDisk) : null;
            if (before == null || !Arrays.equals(before, file.getValue())) {
                changes.add(change(file.getKey(), before, file.getValue()));
            }
        }
        for (String root : tree.roots()) {
            Path dir = paths.resolve(root);
            SortedMap<String, byte[]> onDisk = readTree(dir);
            SortedMap<String, byte[]> rendered = tree.under(root);
            TreeMap<String, Boolean> all = new TreeMap<>();
            onDisk.keySet().forEach(k -> all.put(k, true));
            rendered.keySet().forEach(k -> all.put(k, true));
            for (String file : all.keySet()) {
                byte[] before = onDisk.get(file);
                byte[] after = rendered.get(file);
                if (before != null && after != null && Arrays.equals(before, after)) {
                    continue;
                }
                changes.add(change(root + "/" + file, before, after));
            }
        }
        return changes;
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

    static SortedMap<String, byte[]> readTree(Path dir) throws IOException {
        SortedMap<String, byte[]> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> regular = new ArrayList<>(walk.filter(Files::isRegularFile).toList());
            for (Path file : regular) {
                files.put(dir.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        }
        return files;
    }

}
