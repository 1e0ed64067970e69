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
 * The Flux {@code Kustomization}s and Argo CD {@code Application}s written in a repository, and the paths
 * of it they apply. Lint reads them as they are written (not built): their own fields ({@code spec.patches},
 * {@code managedNamespaceMetadata}) are reported at the line that sets them. Paths are taken relative to the
 * linted directory, which should be the repository's root; others have no directory here.
 */
final class Appliers {

    /**
     * One path an applier applies: as written, the directory of the repository it names (when there is one),
     * and whether Argo CD reads it recursively ({@code directory.recurse}; Flux always applies the whole tree).
     */
    record Source(String path, Optional<Path> dir, boolean recurse) {}

    /**
     * One applier: its kind ({@code Flux Kustomization}, {@code Argo CD Application}) and namespace/name, the
     * object as written with positions in the file as the user named it, the file (relative to the root), the
     * file's text (to place what is written inside a patch string), and its sources.
     */
    record Applier(String kind, String who, boolean flux, Manifest object, Path file, String text, List<Source> sources) {
        Applier {
            sources = List.copyOf(sources);
        }

        String name() {
            return kind + " " + who;
        }

        /** How lint names what one source applies: {@code Flux Kustomization flux-system/apps (./apps)}. */
        String name(Source source) {
            return name() + " (" + source.path() + ")";
        }
    }

    private Appliers() {}

    /** The appliers among the YAML files of a directory scan; {@code given} is the directory as the user named it. */
    static List<Applier> find(Path given, Path root, RepositoryScan scan) {
        List<Applier> appliers = new ArrayList<>();
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
                objects = ManifestFile.read(Linter.display(given, file, root), bytes, RepositoryScan.MAX_FILE_BYTES);
            } catch (ManifestFile.UnreadableException e) {
                continue; // the plain directory's reading warns about it
            }
            for (Manifest object : objects) {
                String apiVersion = Manifest.text(object.object().get("apiVersion"));
                Map<?, ?> spec = object.object().get("spec") instanceof Map<?, ?> map ? map : Map.of();
                String who = object.namespace().isEmpty() ? object.name() : object.namespace() + "/" + object.name();
                if (apiVersion.startsWith("kustomize.toolkit.fluxcd.io/") && object.kind().equals("Kustomization")) {
                    String path = spec.get("path") instanceof String p ? p : "./";
                    appliers.add(new Applier("Flux Kustomization", who, true, object, file, text, List.of(new Source(path, dir(root, path), true))));
                } else if (apiVersion.startsWith("argoproj.io/") && object.kind().equals("Application")) {
                    List<Object> declared = new ArrayList<>();
                    declared.add(spec.get("source"));
                    if (spec.get("sources") instanceof List<?> list) {
                        declared.addAll(list);
                    }
                    List<Source> sources = new ArrayList<>();
                    for (Object source : declared) {
                        if (source instanceof Map<?, ?> s && s.get("path") instanceof String path && s.get("chart") == null) {
                            boolean recurse = s.get("directory") instanceof Map<?, ?> directory
                                    && "true".equals(String.valueOf(directory.get("recurse")));
                            sources.add(new Source(path, dir(root, path), recurse));
                        }
                    }
                    appliers.add(new Applier("Argo CD Application", who, false, object, file, text, sources));
                }
            }
        }
        return List.copyOf(appliers);
    }

    /** The directory of the repository a path names, relative to the root; none when it is outside or not a directory. */
    private static Optional<Path> dir(Path root, String path) {
        try {
            Path dir = root.resolve(path.startsWith("/") ? path.substring(1) : path).normalize();
            return dir.startsWith(root) && Files.isDirectory(dir) ? Optional.of(root.relativize(dir)) : Optional.empty();
        } catch (java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }
}
