package dev.meshwave.git;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /**
     * Blob ids of the contents already inserted in this run: the branches of a publish repeat most
     * files, and hashing them again (SHA-1 with collision detection) is most of the cost of a commit.
     */
    static final class Blobs {
        private record Content(byte[] bytes, int hash) {
            Content(byte[] bytes) {
                this(bytes, Arrays.hashCode(bytes));
            }

            @Override
            public boolean equals(Object other) {
                return other instanceof Content that && hash == that.hash && Arrays.equals(bytes, that.bytes);
            }

            @Override
            public int hashCode() {
                return hash;
            }
        }

        private final Map<Content, ObjectId> ids = new HashMap<>();

        ObjectId insert(ObjectInserter inserter, byte[] bytes) throws IOException {
            Content content = new Content(bytes);
            ObjectId id = ids.get(content);
            if (id == null) {
                id = inserter.insert(Constants.OBJ_BLOB, bytes);
                ids.put(content, id);
            }
            return id;
        }
    }

    private TreeComposer() {}

    static ObjectId compose(ObjectReader reader, ObjectInserter inserter, Blobs blobs, RevTree parent, List<String> roots,
            Map<String, byte[]> files) throws IOException {
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        if (parent != null) {
            Set<String> replaced = Set.copyOf(roots);
            try (TreeWalk walk = new TreeWalk(reader)) {
                walk.addTree(parent);
                while (walk.next()) {
                    String path = walk.getPathString();
                    if (replaced.contains(path)) {
                        continue; // a cluster directory: the rendered files replace it whole, never walked
                    }
                    if (walk.isSubtree()) {
                        walk.enterSubtree();
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
            entry.setObjectId(blobs.insert(inserter, file.getValue()));
            builder.add(entry);
        }
        builder.finish();
        return index.writeTree(inserter);
    }
}
