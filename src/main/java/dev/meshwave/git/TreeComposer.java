package dev.meshwave.git;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Builds a commit's tree without any working tree: the parent's tree with each cluster directory
 * replaced by the rendered files. Everything outside the cluster directories is kept as it is.
 */
final class TreeComposer {

    private TreeComposer() {}

    static ObjectId compose(ObjectReader reader, ObjectInserter inserter, RevTree parent, List<String> roots,
            Map<String, byte[]> files) throws IOException {
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        if (parent != null) {
            try (TreeWalk walk = new TreeWalk(reader)) {
                walk.addTree(parent);
                walk.setRecursive(true);
                while (walk.next()) {
                    String path = walk.getPathString();
                    if (roots.stream().anyMatch(root -> path.equals(root) || path.startsWith(root + "/"))) {
                        continue;
                    }
                    DirCacheEntry entry = new DirCacheEntry(path);
                    entry.setFileMode(walk.getFileMode(0));
                    entry.setObjectId(walk.getObjectId(0));
                    builder.add(entry);
                }
            }
        }
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            DirCacheEntry entry = new DirCacheEntry(file.getKey());
            entry.setFileMode(file.getKey().endsWith(".sh") ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE);
            entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, file.getValue()));
            builder.add(entry);
        }
        builder.finish();
        return index.writeTree(inserter);
    }
}
