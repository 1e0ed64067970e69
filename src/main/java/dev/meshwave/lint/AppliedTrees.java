package dev.meshwave.lint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
    static List<Tree> find(RepositoryScan scan, List<Appliers.Applier> appliers) {
        List<Tree> trees = new ArrayList<>();
        for (Appliers.Applier applier : appliers) {
            for (Appliers.Source source : applier.sources()) {
                // A path that is a kustomization is already linted as one.
                source.dir().filter(dir -> (applier.flux() || source.recurse()) && !scan.kustomizations().contains(dir))
                        .ifPresent(dir -> trees.add(new Tree(applier.name(source), dir, applier.flux())));
            }
        }
        return trees.stream().distinct().toList();
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
