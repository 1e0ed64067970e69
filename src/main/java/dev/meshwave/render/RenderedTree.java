package dev.meshwave.render;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The result of a render: file paths (relative to the output root, '/'-separated) → bytes, sorted,
 * plus the directories the render owns completely. The filesystem writer and the git publisher both
 * consume this, so the two can never disagree.
 */
public final class RenderedTree {

    private final SortedMap<String, byte[]> files;
    private final List<String> roots;

    public RenderedTree(Map<String, byte[]> files, List<String> roots) {
        this(copyOf(files), roots, true);
    }

    private RenderedTree(TreeMap<String, byte[]> files, List<String> roots, boolean owned) {
        this.files = Collections.unmodifiableSortedMap(files);
        this.roots = List.copyOf(roots);
    }

    /** A tree over a map the caller hands over and never touches again: no copy of a fleet's bytes. */
    static RenderedTree owning(TreeMap<String, byte[]> files, List<String> roots) {
        return new RenderedTree(files, roots, true);
    }

    private static TreeMap<String, byte[]> copyOf(Map<String, byte[]> files) {
        TreeMap<String, byte[]> copy = new TreeMap<>();
        files.forEach((path, bytes) -> copy.put(path, bytes.clone()));
        return copy;
    }

    public SortedMap<String, byte[]> files() {
        return files;
    }

    /** Directories (one per cluster) whose whole content this tree defines. */
    public List<String> roots() {
        return roots;
    }

    /** Files outside every root (fleet README, controller manifests), keyed by their full path. */
    public SortedMap<String, byte[]> outsideRoots() {
        SortedMap<String, byte[]> result = new TreeMap<>(files);
        roots.forEach(root -> result.subMap(root + "/", root + "0").clear());
        return result;
    }

    public String text(String path) {
        byte[] bytes = files.get(path);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Files under one root, with paths relative to it. */
    public SortedMap<String, byte[]> under(String root) {
        SortedMap<String, byte[]> result = new TreeMap<>();
        // Paths under root/ sort between "root/" and "root0" ('0' follows '/'): no scan of the whole fleet.
        files.subMap(root + "/", root + "0").forEach((path, bytes) -> result.put(path.substring(root.length() + 1), bytes));
        return result;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof RenderedTree that) || !roots.equals(that.roots) || !files.keySet().equals(that.files.keySet())) {
            return false;
        }
        return files.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), that.files.get(e.getKey())));
    }

    @Override
    public int hashCode() {
        return files.keySet().hashCode();
    }
}
