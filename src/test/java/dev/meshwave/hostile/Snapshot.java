package dev.meshwave.hostile;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a path holds, walked without following symbolic links: every entry's kind and content (a
 * file's SHA-256, a link's target as written). Two snapshots are equal exactly when nothing under
 * the path was changed, added, removed or re-pointed, which is what "kept" means.
 */
record Snapshot(Map<String, String> entries) {

    static Snapshot of(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            entries.put(".", "absent");
            return new Snapshot(entries);
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                entries.put(name(root, dir), "directory");
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                entries.put(name(root, file), describe(file, attrs));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                entries.put(name(root, file), "unreadable: " + e.getClass().getSimpleName());
                return FileVisitResult.CONTINUE;
            }
        });
        return new Snapshot(entries);
    }

    private static String name(Path root, Path path) {
        String relative = root.relativize(path).toString();
        return relative.isEmpty() ? "." : relative;
    }

    private static String describe(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isSymbolicLink()) {
            return "link -> " + Files.readSymbolicLink(file);
        }
        if (!attrs.isRegularFile()) {
            return "special file";
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return "file " + HexFormat.of().formatHex(sha.digest(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return "absent";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
