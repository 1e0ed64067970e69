package dev.meshwave.lint;

import dev.meshwave.plan.InputFile;
import dev.meshwave.plan.ManifestFile;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a GitOps tool could apply from a repository: every kustomization (a directory Argo CD or Flux
 * can be pointed at, built as a whole) and, outside them, every directory of plain YAML files (applied
 * as a directory). Files a kustomization names (patches, resources) belong to it, not to a directory.
 * Hidden directories and Helm charts are not plain YAML and are left out. {@code yamlFiles} are all the
 * YAML files but kustomization files, for the directories GitOps tools apply as trees ({@link AppliedTrees}).
 */
record RepositoryScan(List<Path> kustomizations, Map<Path, List<Path>> plainDirectories, List<Path> yamlFiles, Map<Path, String> notRead) {

    static final List<String> KUSTOMIZATION_FILES = List.of("kustomization.yaml", "kustomization.yml", "Kustomization");
    /** A YAML file of a repository larger than this is no hand-kept manifest: it is not read. */
    static final int MAX_FILE_BYTES = 16 << 20;

    /** A file lint does not read, and why: it is not a regular file, or it is too large. */
    static final class NotReadException extends Exception {
        NotReadException(String reason) {
            super(reason);
        }
    }

    /**
     * The bytes of a repository file, read with a bound: a regular file (or a link to one) of at most
     * {@link #MAX_FILE_BYTES}, else {@link NotReadException}. A FIFO or device named {@code ns.yaml} would block
     * or never end, and a file of gigabytes would exhaust memory before any size check on its bytes.
     * Every file lint reads from a repository is read here, through {@link InputFile#bounded}, the reader of every
     * other input.
     */
    static byte[] read(Path file) throws IOException, NotReadException {
        try {
            return InputFile.bounded(file, MAX_FILE_BYTES);
        } catch (InputFile.Refused e) {
            throw new NotReadException(e.reason() == InputFile.Reason.TOO_LARGE ? "larger than " + (MAX_FILE_BYTES >> 20) + " MiB"
                    : "not a regular file");
        }
    }

    /** Scans a directory, or one YAML file; paths in the result are relative to the directory (the file's own for a file). */
    static RepositoryScan of(Path path) throws IOException {
        // A root that is a symbolic link is the repository it points at.
        Path root = path.toRealPath();
        if (!Files.isDirectory(root)) {
            return new RepositoryScan(List.of(), Map.of(Path.of(""), List.of(root.getFileName())), List.of(root.getFileName()), Map.of());
        }
        Set<Path> kustomizationDirs = new TreeSet<>();
        Set<Path> components = new HashSet<>();
        Set<Path> referenced = new HashSet<>();
        List<Path> yamlFiles = new ArrayList<>();
        Map<Path, String> notRead = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                boolean hidden = !dir.equals(root) && dir.getFileName().toString().startsWith(".");
                boolean chart = Files.isRegularFile(dir.resolve("Chart.yaml"));
                return hidden || chart || dir.getFileName().toString().equals("node_modules")
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            /** A directory or file the walk cannot open (no permission, gone): reported, not a crash. */
            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                notRead.put(root.relativize(file), "cannot be read (" + e.getClass().getSimpleName() + ")");
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                String name = file.getFileName().toString();
                if (!attributes.isRegularFile() && !(attributes.isSymbolicLink() && linkedFileInside(root, file))) {
                    // A FIFO, socket or device named like YAML is reported, not read; links are documented as not followed.
                    if (KUSTOMIZATION_FILES.contains(name) || name.endsWith(".yaml") || name.endsWith(".yml")) {
                        notRead.put(root.relativize(file), attributes.isSymbolicLink() ? "a symbolic link out of the repository or to no"
                                + " regular file (not followed)" : "not a regular file");
                    }
                    return FileVisitResult.CONTINUE;
                }
                if (KUSTOMIZATION_FILES.contains(name)) {
                    Path dir = root.relativize(file.getParent());
                    kustomizationDirs.add(dir);
                    readReferences(root, file, dir, components, referenced);
                } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                    yamlFiles.add(root.relativize(file));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        Map<Path, List<Path>> plain = new TreeMap<>();
        for (Path file : yamlFiles) {
            Path dir = file.getParent() == null ? Path.of("") : file.getParent();
            if (!kustomizationDirs.contains(dir) && !referenced.contains(file)) {
                plain.computeIfAbsent(dir, d -> new ArrayList<>()).add(file);
            }
        }
        plain.values().forEach(files -> files.sort(null));
        List<Path> builds = kustomizationDirs.stream().filter(d -> !components.contains(d)).toList();
        yamlFiles.sort(null);
        return new RepositoryScan(builds, plain, List.copyOf(yamlFiles), java.util.Collections.unmodifiableMap(notRead));
    }

    /**
     * Notes every file a kustomization names, whatever the field (resources, patches, generators…):
     * any string that resolves to a file of the repository. A {@code kind: Component} is only built as
     * part of another kustomization.
     */
    private static void readReferences(Path root, Path file, Path dir, Set<Path> components, Set<Path> referenced) {
        Object document;
        try {
            List<ManifestFile.Document> documents = ManifestFile.documents(file.toString(), read(file), MAX_FILE_BYTES);
            if (documents.isEmpty()) {
                return;
            }
            document = documents.get(0).value();
        } catch (IOException | ManifestFile.UnreadableException | NotReadException e) {
            return; // kustomize says what is wrong with it when the directory is built
        }
        if (document instanceof Map<?, ?> map && "Component".equals(map.get("kind"))) {
            components.add(dir);
        }
        List<String> strings = new ArrayList<>();
        collectStrings(document, strings, 0);
        Path base = root.resolve(dir);
        for (String value : strings) {
            try {
                Path target = base.resolve(value).normalize();
                if (target.startsWith(root) && Files.isRegularFile(target)) {
                    referenced.add(root.relativize(target));
                }
            } catch (java.nio.file.InvalidPathException e) {
                // not a path
            }
        }
    }

    /**
     * A symbolic link to a file of the same repository is read like the file, as kustomize and Argo CD
     * read it; links out of the repository and links to directories (which could loop) are not followed.
     */
    private static boolean linkedFileInside(Path root, Path link) {
        try {
            Path target = link.toRealPath(); // the walk's root is a real path too
            return target.startsWith(root) && Files.isRegularFile(target);
        } catch (IOException e) {
            return false; // a dangling link
        }
    }

    private static void collectStrings(Object node, List<String> strings, int depth) {
        if (depth > 32) {
            return;
        }
        if (node instanceof String s && !s.contains("\n") && !s.isBlank() && s.length() < 4096) {
            strings.add(s);
        } else if (node instanceof Map<?, ?> map) {
            map.values().forEach(v -> collectStrings(v, strings, depth + 1));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collectStrings(v, strings, depth + 1));
        }
    }
}
