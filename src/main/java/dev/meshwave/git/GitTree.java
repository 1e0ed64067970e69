package dev.meshwave.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;

/**
 * A git tree being edited without a working tree or an index: a directory read from an existing tree is read only
 * when something under it changes, and one nothing changed under is written back as the id it was read as. So a
 * commit that replaces a thousand cluster directories reads the parent's {@code clusters/} listing, never the
 * files under it, and holds one id per entry.
 */
final class GitTree {

    /** A file, a submodule, or a subtree left as it was read. */
    record Entry(FileMode mode, ObjectId id) {
        boolean isTree() {
            return mode.equals(FileMode.TREE);
        }
    }

    private GitTree() {}

    static final class Directory {
        private final ObjectReader reader;
        /** The tree this directory was read from, while nothing under it has changed; null once it has. */
        private ObjectId unchanged;
        /** Name → {@link Entry} or {@link Directory}; read from {@code unchanged} when first needed. */
        private TreeMap<String, Object> entries;

        private Directory(ObjectReader reader, ObjectId unchanged) {
            this.reader = reader;
            this.unchanged = unchanged;
            if (unchanged == null) {
                entries = new TreeMap<>();
            }
        }

        /** A new, empty directory. */
        static Directory empty() {
            return new Directory(null, null);
        }

        /** The directory of an existing tree. */
        static Directory of(ObjectReader reader, ObjectId tree) {
            return new Directory(reader, tree);
        }

        private TreeMap<String, Object> entries() throws IOException {
            if (entries == null) {
                entries = new TreeMap<>();
                CanonicalTreeParser parser = new CanonicalTreeParser(null, reader, unchanged);
                while (!parser.eof()) {
                    entries.put(parser.getEntryPathString(), new Entry(parser.getEntryFileMode(), parser.getEntryObjectId()));
                    parser.next();
                }
            }
            return entries;
        }

        /** The entry at a '/'-separated path, or null; a directory changed here reads as a tree without an id. */
        Entry get(String path) throws IOException {
            int slash = path.indexOf('/');
            Object entry = entries().get(slash < 0 ? path : path.substring(0, slash));
            if (slash < 0) {
                return entry instanceof Directory ? new Entry(FileMode.TREE, null) : (Entry) entry;
            }
            Directory child = entry instanceof Directory directory ? directory
                    : entry instanceof Entry file && file.isTree() ? Directory.of(reader, file.id()) : null;
            return child == null ? null : child.get(path.substring(slash + 1));
        }

        /**
         * Puts a file (or, with {@link FileMode#TREE}, a whole subtree) at a '/'-separated path, replacing what was
         * there; the directories on the way are created. A file on the way is refused: it is never turned into a
         * directory.
         */
        void put(String path, FileMode mode, ObjectId id) throws IOException, UnsafeRepositoryException {
            TreeMap<String, Object> entries = entries();
            unchanged = null;
            int slash = path.indexOf('/');
            if (slash < 0) {
                entries.put(path, new Entry(mode, id));
                return;
            }
            String name = path.substring(0, slash);
            Object entry = entries.get(name);
            Directory child;
            if (entry instanceof Directory directory) {
                child = directory;
            } else if (entry == null) {
                child = new Directory(reader, null);
            } else if (((Entry) entry).isTree()) {
                child = Directory.of(reader, ((Entry) entry).id());
            } else {
                throw new UnsafeRepositoryException(name + " is a file in the branch this one is based on, where meshwave writes "
                        + "a directory; move it first");
            }
            entries.put(name, child);
            child.put(path.substring(slash + 1), mode, id);
        }

        /** Writes what changed and returns this directory's tree; null for a directory left with no entry (git keeps none). */
        ObjectId write(ObjectInserter inserter) throws IOException {
            if (unchanged != null) {
                return unchanged;
            }
            List<Map.Entry<String, Object>> sorted = new ArrayList<>(entries.entrySet());
            sorted.sort((a, b) -> gitOrder(a.getKey(), isTree(a.getValue()), b.getKey(), isTree(b.getValue())));
            TreeFormatter tree = new TreeFormatter();
            int written = 0;
            for (Map.Entry<String, Object> entry : sorted) {
                if (entry.getValue() instanceof Directory directory) {
                    ObjectId id = directory.write(inserter);
                    if (id != null) {
                        tree.append(entry.getKey(), FileMode.TREE, id);
                        written++;
                    }
                } else {
                    Entry file = (Entry) entry.getValue();
                    tree.append(entry.getKey(), file.mode(), file.id());
                    written++;
                }
            }
            if (written == 0) {
                return null;
            }
            unchanged = inserter.insert(tree);
            return unchanged;
        }

        private static boolean isTree(Object entry) {
            return entry instanceof Directory || ((Entry) entry).isTree();
        }
    }

    /** Git's order of a tree's entries: by the bytes of their names, a subtree's name read as if it ended in '/'. */
    static int gitOrder(String a, boolean aTree, String b, boolean bTree) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        int common = Math.min(x.length, y.length);
        for (int i = 0; i < common; i++) {
            int difference = (x[i] & 0xff) - (y[i] & 0xff);
            if (difference != 0) {
                return difference;
            }
        }
        int nextX = x.length > common ? x[common] & 0xff : aTree ? '/' : 0;
        int nextY = y.length > common ? y[common] & 0xff : bTree ? '/' : 0;
        return nextX - nextY;
    }
}
