package dev.meshwave.git;

import dev.meshwave.render.PublishPlanner;
import dev.meshwave.render.RenderedTree;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * One publish step's files, turned into git objects as each cluster is rendered: every file becomes a blob and each
 * cluster directory a tree as it arrives, so only object ids are kept (one tree per cluster), never the fleet's bytes.
 * The files outside the cluster directories (the fleet overview, in-place edits) are a few whatever the fleet's size,
 * and are kept until {@link #compose} writes them over the parent's.
 *
 * <p>The step's own tree (only what it rendered, {@link #rendered()}) is what the next step's "Changes" are counted
 * against: two trees compared by id, where an unchanged cluster directory is one comparison.
 */
final class BranchTree implements PublishPlanner.StepSink {

    private final ObjectReader reader;
    private final ObjectInserter inserter;
    private final ObjectId previous;
    private final Map<String, ObjectId> roots = new LinkedHashMap<>();
    private final TreeMap<String, byte[]> outside = new TreeMap<>();
    private final java.util.Set<String> edits = new TreeSet<>();
    /** What stopped turning the files into objects: thrown by {@link #rendered()} and {@link #compose}. */
    private Exception failed;
    private ObjectId rendered;
    private PublishPlanner.Changes changes;

    /** {@code previous}: the {@link #rendered()} tree of the step before, or null for the first step. */
    BranchTree(ObjectReader reader, ObjectInserter inserter, ObjectId previous) {
        this.reader = reader;
        this.inserter = inserter;
        this.previous = previous;
    }

    @Override
    public void cluster(String root, SortedMap<String, byte[]> files) {
        if (failed != null) {
            return;
        }
        try {
            GitTree.Directory directory = GitTree.Directory.empty();
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                if (!file.getKey().startsWith(root + "/")) {
                    throw new IOException(file.getKey() + " is outside its cluster directory " + root);
                }
                directory.put(file.getKey().substring(root.length() + 1), mode(file.getKey()),
                        blob(file.getValue()));
            }
            roots.put(root, directory.write(inserter));
        } catch (IOException | UnsafeRepositoryException e) {
            failed = e;
        }
    }

    @Override
    public void fleet(SortedMap<String, byte[]> files) {
        outside.putAll(files);
    }

    @Override
    public void edits(SortedMap<String, byte[]> files) {
        outside.putAll(files);
        edits.addAll(files.keySet());
    }

    @Override
    public void finish() {
        if (failed != null) {
            return;
        }
        try {
            GitTree.Directory tree = GitTree.Directory.empty();
            for (Map.Entry<String, ObjectId> root : roots.entrySet()) {
                tree.put(root.getKey(), FileMode.TREE, root.getValue());
            }
            for (Map.Entry<String, byte[]> file : outside.entrySet()) {
                tree.put(file.getKey(), mode(file.getKey()), blob(file.getValue()));
            }
            rendered = tree.write(inserter);
            changes = changesSince(previous, rendered);
        } catch (IOException | UnsafeRepositoryException e) {
            failed = e;
        }
    }

    /**
     * A file's blob. JGit's inserter hashes it and writes it only when the object database does not have it yet: the
     * branches of a publish repeat most files, and those cost one hash each, never a write.
     */
    private ObjectId blob(byte[] bytes) throws IOException {
        return inserter.insert(Constants.OBJ_BLOB, bytes);
    }

    /** The files this step rendered, as one tree (the cluster directories and the files outside them). */
    ObjectId rendered() throws IOException, UnsafeRepositoryException {
        check();
        return rendered;
    }

    @Override
    public PublishPlanner.Changes changes() {
        if (failed != null) {
            return new PublishPlanner.Changes(); // the step fails when its tree is asked for
        }
        if (changes == null) {
            throw new IllegalStateException("the step has not finished");
        }
        return changes;
    }

    /**
     * The commit's tree: the parent's with each cluster directory replaced by the rendered one, and the rendered files
     * outside them written over the ones meshwave generated before (a team's manifest only where meshwave edits its
     * label lines, and only when it exists). Everything else is kept as it is. A directory is never replaced by a file,
     * nor a file by a directory.
     */
    ObjectId compose(RevTree parent) throws IOException, UnsafeRepositoryException {
        check();
        GitTree.Directory tree = parent == null ? GitTree.Directory.empty() : GitTree.Directory.of(reader, parent);
        for (Map.Entry<String, ObjectId> root : roots.entrySet()) {
            tree.put(root.getKey(), FileMode.TREE, root.getValue());
        }
        for (Map.Entry<String, byte[]> file : outside.entrySet()) {
            String path = file.getKey();
            GitTree.Entry existing = tree.get(path);
            if (edits.contains(path)) {
                if (existing == null || existing.isTree()) {
                    throw new UnsafeRepositoryException(path + " is not in the branch this one is based on: meshwave edits the"
                            + " label lines of existing manifests only");
                }
            } else if (existing != null && (existing.isTree() || !generatedByMeshwave(reader.open(existing.id())))) {
                throw new UnsafeRepositoryException(path + " exists in the repository and was not generated by meshwave;"
                        + " not overwriting it");
            }
            tree.put(path, mode(path), blob(file.getValue()));
        }
        return tree.write(inserter);
    }

    private void check() throws IOException, UnsafeRepositoryException {
        if (failed instanceof IOException e) {
            throw e;
        }
        if (failed instanceof UnsafeRepositoryException e) {
            throw e;
        }
        if (rendered == null) {
            throw new IllegalStateException("the step has not finished");
        }
    }

    /** Generated files are small and say so in their first line; no need to load a big file to tell. */
    private static final int GENERATED_PROBE = 1 << 20;

    private static boolean generatedByMeshwave(ObjectLoader blob) throws IOException {
        return blob.getSize() <= GENERATED_PROBE && RenderedTree.writtenByMeshwave(blob.getCachedBytes());
    }

    static FileMode mode(String path) {
        return path.endsWith(".sh") ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE;
    }

    /** Every file added, modified or removed from one rendered tree to the next; every file is added after none. */
    private PublishPlanner.Changes changesSince(ObjectId before, ObjectId after) throws IOException {
        PublishPlanner.Changes result = new PublishPlanner.Changes();
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.setRecursive(true);
            if (before == null) {
                walk.addTree(after);
                while (walk.next()) {
                    result.added(walk.getPathString());
                }
                return result;
            }
            walk.addTree(before);
            walk.addTree(after);
            // Identical subtrees (a cluster the step does not touch) are skipped whole.
            walk.setFilter(TreeFilter.ANY_DIFF);
            while (walk.next()) {
                String path = walk.getPathString();
                boolean was = walk.getRawMode(0) != 0;
                boolean is = walk.getRawMode(1) != 0;
                if (!was) {
                    result.added(path);
                } else if (!is) {
                    result.removed(path);
                } else {
                    result.modified(path);
                }
            }
        }
        return result;
    }
}
