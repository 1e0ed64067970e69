package dev.meshwave.output;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Single files written whole or not at all: a temporary sibling, then a rename over the target. */
public final class AtomicFiles {

    private AtomicFiles() {}

    public static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        // Not createTempFile, which makes it 0600: the umask decides, as for any file.
        Path temporary = file.resolveSibling("." + file.getFileName() + ".meshwave-"
                + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            Files.write(temporary, bytes, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
            move(temporary, file);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * New files, each written whole, none over anything that exists ({@code meshwave import --out}): every path is checked
     * first, then each file is written to a temporary sibling and linked to its name, which fails rather than replaces
     * if something appeared there since. When one cannot be made, those made before it are removed again, so a
     * refused or failed run leaves the disk as it was. Files are made in the order given.
     *
     * @throws UnsafeOutputException when a path exists (a file, a directory or a link, even a broken one)
     */
    public static void createNew(java.util.LinkedHashMap<Path, byte[]> files) throws IOException, UnsafeOutputException {
        for (Path file : files.keySet()) {
            if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw exists(file);
            }
        }
        java.util.List<Path> made = new java.util.ArrayList<>();
        boolean done = false;
        try {
            for (java.util.Map.Entry<Path, byte[]> entry : files.entrySet()) {
                create(entry.getKey(), entry.getValue());
                made.add(entry.getKey());
            }
            done = true;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw exists(Path.of(e.getFile()));
        } finally {
            if (!done) {
                for (Path file : made) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static UnsafeOutputException exists(Path file) {
        return new UnsafeOutputException(file + " exists; meshwave never writes over a file: name another, or move it away first");
    }

    /** One new file: a temporary sibling linked to its name (a link, unlike a rename, never replaces). */
    private static void create(Path file, byte[] bytes) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temporary = parent.resolve("." + file.getFileName() + ".meshwave-"
                + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            Files.write(temporary, bytes, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
            try {
                Files.createLink(file, temporary);
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                if (e instanceof java.nio.file.FileAlreadyExistsException exists) {
                    throw exists;
                }
                // A file system without hard links: a move without REPLACE_EXISTING refuses a name that exists too.
                Files.move(temporary, file);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** A rename that is atomic where the file system allows it. */
    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
