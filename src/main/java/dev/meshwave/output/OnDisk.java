package dev.meshwave.output;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the output directory holds, read without ever following a symbolic link or opening anything but
 * a regular file: the directory may be a checkout of someone else's pull request, and a link such as
 * {@code env.txt -> /proc/self/environ} must not turn {@code render --check} into a way of printing the
 * CI runner's files.
 */
final class OnDisk {

    static final String LINK = "symbolic link (not followed)";
    static final String NOT_REGULAR = "not a regular file";

    /** A file under a directory: its bytes (the first {@code limit} of them), or why they were not read. */
    record Entry(byte[] bytes, String unread) {
        boolean readable() {
            return unread == null;
        }
    }

    private OnDisk() {}

    /** Why a file is not read ({@link #LINK}, {@link #NOT_REGULAR}), or null for a regular file. */
    static String unread(BasicFileAttributes attributes) {
        return attributes.isSymbolicLink() ? LINK : attributes.isRegularFile() ? null : NOT_REGULAR;
    }

    /** Every file under {@code dir} (not directories), by '/'-separated relative path; none when dir is not a directory. */
    static SortedMap<String, Entry> files(Path dir, int limit) throws IOException {
        SortedMap<String, Entry> files = new TreeMap<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return files;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                String why = unread(attributes);
                files.put(dir.relativize(file).toString().replace('\\', '/'),
                        new Entry(why == null ? read(file, limit) : null, why));
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    /** The first {@code limit} bytes of a regular file, opened without following a link. */
    static byte[] read(Path file, int limit) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes(limit);
        }
    }

    /** The file at {@code target}, or why it is not read; empty when nothing is there. */
    static Optional<Entry> file(Path target, int limit) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        String why = unread(Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        return Optional.of(new Entry(why == null ? read(target, limit) : null, why));
    }

    /**
     * The first symbolic link on the way from {@code root} (not itself: the user chose it) down to
     * {@code target}, target included.
     */
    static Optional<Path> firstLink(Path root, Path target) {
        Path existing = root;
        for (Path part : root.relativize(target)) {
            existing = existing.resolve(part);
            if (Files.isSymbolicLink(existing)) {
                return Optional.of(existing);
            }
        }
        return Optional.empty();
    }
}
