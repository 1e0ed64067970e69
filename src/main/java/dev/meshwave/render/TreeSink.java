package dev.meshwave.render;

import java.util.SortedMap;

/**
 * Where a render's files go, as they are made: each cluster's files in plan order, then the files
 * about the whole fleet, then {@link #finish()} once everything has been rendered and checked. A sink
 * makes nothing visible before {@code finish()}: a render that fails never calls it, and once
 * {@link TreeGuard} has refused a file the sink gets no more files (it may have staged them on disk).
 */
public interface TreeSink {

    /** One cluster's files, keyed by their path from the output root, under the cluster directory {@code root}. */
    void cluster(String root, SortedMap<String, byte[]> files);

    /** The files outside every cluster directory (the fleet overview, {@code --emit} files). */
    void fleet(SortedMap<String, byte[]> files);

    /**
     * Files of the repository that are not meshwave's, rewritten on their label lines only (a cluster's Namespace
     * manifests, {@code namespacesIn}): each must exist already, and is replaced whole.
     */
    void edits(SortedMap<String, byte[]> files);

    /** Every file has arrived and passed {@link TreeGuard}. */
    void finish();

    /** Keeps the whole tree: what tests, {@code render --check} and {@code publish} read. */
    final class Collecting implements TreeSink {
        private final java.util.TreeMap<String, byte[]> files = new java.util.TreeMap<>();
        private final java.util.List<String> roots = new java.util.ArrayList<>();
        private final java.util.Set<String> edits = new java.util.TreeSet<>();
        private RenderedTree tree;

        @Override
        public void cluster(String root, SortedMap<String, byte[]> clusterFiles) {
            roots.add(root);
            files.putAll(clusterFiles);
        }

        @Override
        public void fleet(SortedMap<String, byte[]> fleetFiles) {
            files.putAll(fleetFiles);
        }

        @Override
        public void edits(SortedMap<String, byte[]> editedFiles) {
            files.putAll(editedFiles);
            edits.addAll(editedFiles.keySet());
        }

        @Override
        public void finish() {
            tree = RenderedTree.owning(files, roots, edits);
        }

        /** The finished tree. */
        public RenderedTree tree() {
            if (tree == null) {
                throw new IllegalStateException("the render has not finished");
            }
            return tree;
        }
    }
}
