package dev.meshwave.lint;

import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.ManifestFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Directories that a GitOps tool defined in the repository applies as one tree, so that objects in
 * different subdirectories are applied together and their injectors can overlap although no single
 * directory shows it:
 * <ul>
 *   <li>a Flux {@code Kustomization} whose {@code spec.path} holds no kustomization.yaml: kustomize-controller
 *       then applies every manifest below it and builds the kustomizations it meets on the way down;</li>
 *   <li>an Argo CD {@code Application} with {@code directory.recurse: true}: every YAML file below the path.</li>
 * </ul>
 * A path that is a kustomization is already linted as one; Argo CD's default directory source (not
 * recursive) is the plain directory lint reads anyway. Paths are taken relative to the linted
 * directory, which should be the repository's root; others are passed over.
 */
final class AppliedTrees {

    /** One tree: who applies it, where, and whether kustomizations inside it are built into it (Flux) or not (Argo CD). */
    record Tree(String name, Path dir, boolean buildsKustomizations) {}

    private AppliedTrees() {}

    /** The trees the Flux Kustomizations and Argo CD Applications among the repository's files apply. */
    static List<Tree> find(Path root, RepositoryScan scan) throws IOException {
        List<Tree> trees = new ArrayList<>();
        for (Path file : scan.yamlFiles()) {
            byte[] bytes;
            try {
                bytes = RepositoryScan.read(root.resolve(file));
            } catch (RepositoryScan.NotReadException | IOException e) {
                continue; // the plain directory's reading warns about it
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (!text.contains("kustomize.toolkit.fluxcd.io") && !text.contains("argoproj.io")) {
                continue; // most files: no need to parse them here
            }
            List<Manifest> objects;
            try {
                objects = ManifestFile.read(file.toString(), bytes, RepositoryScan.MAX_FILE_BYTES);
            } catch (ManifestFile.UnreadableException e) {
                continue; // the plain directory's reading warns about it
            }
            for (Manifest object : objects) {
                String apiVersion = Manifest.text(object.object().get("apiVersion"));
                Map<?, ?> spec = object.object().get("spec") instanceof Map<?, ?> map ? map : Map.of();
                String who = object.namespace().isEmpty() ? object.name() : object.namespace() + "/" + object.name();
                if (apiVersion.startsWith("kustomize.toolkit.fluxcd.io/") && object.kind().equals("Kustomization")) {
                    String path = spec.get("path") instanceof String p ? p : "./";
                    tree(root, scan, path, true).ifPresent(dir -> trees.add(new Tree("Flux Kustomization " + who + " (" + path + ")", dir, true)));
                } else if (apiVersion.startsWith("argoproj.io/") && object.kind().equals("Application")) {
                    List<Object> sources = new ArrayList<>();
                    sources.add(spec.get("source"));
                    if (spec.get("sources") instanceof List<?> list) {
                        sources.addAll(list);
                    }
                    for (Object source : sources) {
                        if (source instanceof Map<?, ?> s && s.get("path") instanceof String path
                                && s.get("directory") instanceof Map<?, ?> directory && "true".equals(String.valueOf(directory.get("recurse")))) {
                            tree(root, scan, path, false).ifPresent(dir -> trees.add(new Tree("Argo CD Application " + who + " (" + path + ")",
                                    dir, false)));
                        }
                    }
                }
            }
        }
        return trees.stream().distinct().toList();
    }

    /** A path of the repository that is a directory and not a kustomization (which is linted as itself). */
    private static Optional<Path> tree(Path root, RepositoryScan scan, String path, boolean flux) {
        try {
            Path dir = root.resolve(path.startsWith("/") ? path.substring(1) : path).normalize();
            if (!dir.startsWith(root) || !Files.isDirectory(dir)) {
                return Optional.empty();
            }
            Path relative = root.relativize(dir);
            return scan.kustomizations().contains(relative) ? Optional.empty() : Optional.of(relative);
        } catch (java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** The YAML files a tree applies as they are: for Flux, not those inside the kustomizations it builds instead. */
    static List<Path> files(Tree tree, RepositoryScan scan) {
        List<Path> builds = builds(tree, scan);
        return scan.yamlFiles().stream()
                .filter(f -> under(f, tree.dir()) && builds.stream().noneMatch(k -> under(f, k)))
                .toList();
    }

    /** The kustomizations Flux builds into a tree: the topmost ones below its path. */
    static List<Path> builds(Tree tree, RepositoryScan scan) {
        if (!tree.buildsKustomizations()) {
            return List.of();
        }
        List<Path> inside = scan.kustomizations().stream().filter(k -> under(k, tree.dir())).toList();
        return inside.stream().filter(k -> inside.stream().noneMatch(other -> !other.equals(k) && k.startsWith(other))).toList();
    }

    private static boolean under(Path file, Path dir) {
        return dir.toString().isEmpty() || file.startsWith(dir);
    }
}
