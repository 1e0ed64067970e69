package dev.meshwave.inplace;

import dev.meshwave.lint.Linter;
import dev.meshwave.output.TreeWriter;
import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.Problem;
import dev.meshwave.plan.SourcePosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where each namespace's injection labels are written in a GitOps repository, as the directory Argo CD or Flux
 * applies for a cluster builds it. Every line that could set one ({@link LabelLine#scan}) gets a value of its own
 * ({@code mwprobe-<n>}) in a scratch copy of the repository; one {@code kubectl kustomize} of the directory then
 * shows, on each Namespace it builds, which line its label came from: a base file, an overlay's patch, a Component,
 * an inline patch of a kustomization. That is proof by the build itself rather than a model of kustomize's merge
 * order. Flux Kustomizations and Argo CD Applications the directory builds are followed to the paths they apply
 * (this repository's, as their {@code spec.path} / {@code spec.source.path} name them).
 */
public final class LabelSites {

    private static final String PROBE = "mwprobe-";
    /** Repository files larger than this are not label files (YAML manifests are kilobytes). */
    private static final long MAX_FILE_BYTES = 1 << 20;
    /** How deep Flux Kustomizations and Argo CD Applications are followed from the cluster's directory. */
    private static final int MAX_DEPTH = 4;

    /**
     * What the build says about each plan namespace: the lines that set its injection labels (key → line, with the
     * value written there today), the files those lines are in (their text today), and what is wrong.
     */
    public record Found(Map<String, Map<String, LabelLine>> sites, Map<String, String> files, List<Problem> problems,
            List<Manifest> namespaces) {

        /** A namespace's injection labels as the repository builds them today. */
        public Map<String, String> labels(String namespace) {
            Map<String, String> labels = new TreeMap<>();
            sites.getOrDefault(namespace, Map.of()).forEach((key, line) -> labels.put(key, line.value()));
            return labels;
        }
    }

    private LabelSites() {}

    /**
     * Builds {@code dir} (relative to the repository {@code root}) with probes and finds each of {@code namespaces}.
     * {@code shown} is how messages name the repository root.
     */
    public static Found find(String kubectl, Map<String, String> environment, Path root, String shown, String dir,
            Collection<String> namespaces) throws IOException {
        return find(kubectl, environment, root, shown, dir, namespaces, Set.of());
    }

    /** The same, not following Flux Kustomizations or Applications into {@code skipped} (meshwave's own cluster directories). */
    public static Found find(String kubectl, Map<String, String> environment, Path root, String shown, String dir,
            Collection<String> namespaces, Set<String> skipped) throws IOException {
        List<Problem> problems = new ArrayList<>();
        Map<String, String> texts = new TreeMap<>();
        List<LabelLine> candidates = new ArrayList<>();
        Path scratch = Files.createTempDirectory(tmp(environment), "meshwave-inplace-");
        try {
            copyWithProbes(root, scratch, texts, candidates);
            Map<String, List<Manifest>> namespaceObjects = new LinkedHashMap<>();
            Set<String> built = new LinkedHashSet<>(skipped);
            build(kubectl, environment, scratch, shown, normal(dir), 0, built, namespaceObjects, problems);
            if (!problems.isEmpty()) {
                return new Found(Map.of(), Map.of(), problems, List.of()); // a tree that does not build says nothing about its namespaces
            }
            Map<String, Map<String, LabelLine>> sites = new LinkedHashMap<>();
            SourcePosition where = new SourcePosition(shown + "/" + normal(dir), 1, 1);
            for (String namespace : namespaces) {
                List<Manifest> objects = namespaceObjects.getOrDefault(namespace, List.of());
                if (objects.isEmpty()) {
                    problems.add(Problem.error(where, "", "namespace " + namespace + " is not built by " + normal(dir)
                            + " (nor by the Flux Kustomizations or Argo CD Applications it applies): the waves have no Namespace to relabel"));
                    continue;
                }
                if (objects.size() > 1) {
                    problems.add(Problem.error(objects.get(1).start(), "", "namespace " + namespace + " is built twice for this cluster: here"
                            + " and at " + objects.get(0).start() + "; two owners of one Namespace fight over its labels"));
                    continue;
                }
                Map<String, LabelLine> lines = new TreeMap<>();
                for (Map.Entry<String, String> label : objects.get(0).labels().entrySet()) {
                    if (!LabelLine.KEYS.contains(label.getKey())) {
                        continue;
                    }
                    String value = label.getValue();
                    int index = value.startsWith(PROBE) ? parse(value.substring(PROBE.length())) : -1;
                    if (index < 0 || index >= candidates.size()) {
                        problems.add(Problem.error(objects.get(0).at(Manifest.label(label.getKey())), "", "namespace " + namespace
                                + " gets " + label.getKey() + "=" + value + " from no line of a YAML file meshwave can edit (a kustomize"
                                + " transformer or generator sets it); set it in the Namespace's manifest or a patch instead"));
                        continue;
                    }
                    lines.put(label.getKey(), candidates.get(index));
                }
                sites.put(namespace, lines);
            }
            Map<String, String> files = new TreeMap<>();
            sites.values().forEach(lines -> lines.values().forEach(line -> files.put(line.file(), texts.get(line.file()))));
            List<Manifest> planNamespaces = new ArrayList<>();
            namespaces.forEach(namespace -> planNamespaces.addAll(namespaceObjects.getOrDefault(namespace, List.of())));
            return new Found(sites, files, problems, planNamespaces);
        } finally {
            TreeWriter.deleteTree(scratch);
        }
    }

    private static void build(String kubectl, Map<String, String> environment, Path scratch, String shown, String dir, int depth,
            Set<String> built, Map<String, List<Manifest>> namespaces, List<Problem> problems) throws IOException {
        if (!built.add(dir) || depth > MAX_DEPTH) {
            return;
        }
        List<Problem> warnings = new ArrayList<>();
        List<Manifest> objects = Linter.built(kubectl, environment, scratch, shown, Path.of(dir), warnings);
        for (Problem warning : warnings) {
            problems.add(Problem.error(warning.position(), "", warning.message()));
        }
        for (Manifest object : objects) {
            if (object.kind().equals("Namespace") && object.object().get("apiVersion") instanceof String v && v.equals("v1")) {
                namespaces.computeIfAbsent(object.name(), k -> new ArrayList<>()).add(object);
            }
            managedNamespace(object).ifPresent(managed -> namespaces.computeIfAbsent(managed.name(), k -> new ArrayList<>()).add(managed));
            String next = appliedPath(object);
            // A path not in the repository yet (meshwave's own directory before its first render) applies nothing here.
            if (!next.isEmpty() && Files.isDirectory(scratch.resolve(next))) {
                build(kubectl, environment, scratch, shown, withFluxPatches(scratch, object, next), depth + 1, built, namespaces, problems);
            }
        }
    }

    /**
     * The Namespace an Argo CD Application creates with {@code CreateNamespace=true} and labels from
     * {@code spec.syncPolicy.managedNamespaceMetadata.labels} (argo-cd pkg/apis/application/v1alpha1/types.go, SyncPolicy),
     * as an object of its own, written where the Application is.
     */
    private static java.util.Optional<Manifest> managedNamespace(Manifest object) {
        if (!object.kind().equals("Application") || !(object.object().get("apiVersion") instanceof String api) || !api.startsWith("argoproj.io/")
                || !(object.object().get("spec") instanceof Map<?, ?> spec) || !(spec.get("syncPolicy") instanceof Map<?, ?> sync)
                || !(sync.get("managedNamespaceMetadata") instanceof Map<?, ?> managed) || !(managed.get("labels") instanceof Map<?, ?> labels)
                || !(spec.get("destination") instanceof Map<?, ?> destination) || !(destination.get("namespace") instanceof String name)
                || !(sync.get("syncOptions") instanceof List<?> options) || !options.contains("CreateNamespace=true")) {
            return java.util.Optional.empty();
        }
        Map<String, Object> namespace = new LinkedHashMap<>();
        namespace.put("apiVersion", "v1");
        namespace.put("kind", "Namespace");
        namespace.put("metadata", Map.of("name", name, "labels", labels));
        return java.util.Optional.of(new Manifest(namespace, Map.of(), object.start()));
    }

    /**
     * A Flux Kustomization's {@code spec.patches} apply over its path when kustomize-controller builds it
     * (kustomize-controller api/v1 kustomization_types.go, Patches): built here as a kustomization of the path with
     * those patches, whose probed lines are the Flux Kustomization's own.
     */
    private static String withFluxPatches(Path scratch, Manifest object, String path) throws IOException {
        if (!object.kind().equals("Kustomization") || !(object.object().get("spec") instanceof Map<?, ?> spec)
                || !(spec.get("patches") instanceof List<?> patches) || patches.isEmpty()) {
            return path;
        }
        String wrapper = ".meshwave-flux-" + Math.abs((path + "|" + object.name() + "|" + object.namespace()).hashCode());
        Files.createDirectories(scratch.resolve(wrapper));
        Map<String, Object> kustomization = new LinkedHashMap<>();
        kustomization.put("apiVersion", "kustomize.config.k8s.io/v1beta1");
        kustomization.put("kind", "Kustomization");
        kustomization.put("resources", List.of("../" + path));
        kustomization.put("patches", patches);
        org.snakeyaml.engine.v2.api.Dump dump = new org.snakeyaml.engine.v2.api.Dump(org.snakeyaml.engine.v2.api.DumpSettings.builder().build());
        Files.writeString(scratch.resolve(wrapper).resolve("kustomization.yaml"), dump.dumpToString(kustomization), StandardCharsets.UTF_8);
        return wrapper;
    }

    /** The repository path a Flux Kustomization or an Argo CD Application applies, or "" for any other object. */
    private static String appliedPath(Manifest object) {
        Object apiVersion = object.object().get("apiVersion");
        Object spec = object.object().get("spec");
        if (!(apiVersion instanceof String api) || !(spec instanceof Map<?, ?> s)) {
            return "";
        }
        if (object.kind().equals("Kustomization") && api.startsWith("kustomize.toolkit.fluxcd.io/") && s.get("path") instanceof String path) {
            return normal(path);
        }
        if (object.kind().equals("Application") && api.startsWith("argoproj.io/") && s.get("source") instanceof Map<?, ?> source
                && source.get("path") instanceof String path) {
            return normal(path);
        }
        return "";
    }

    private static String normal(String path) {
        String p = path.replace('\\', '/');
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? "." : p;
    }

    private static int parse(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Copies the repository (not {@code .git}, not symbolic links) into {@code scratch}, each candidate line probed. */
    private static void copyWithProbes(Path root, Path scratch, Map<String, String> texts, List<LabelLine> candidates) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                if (!dir.equals(root) && dir.getFileName().toString().equals(".git")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(scratch.resolve(root.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (!attributes.isRegularFile()) {
                    return FileVisitResult.CONTINUE;
                }
                String relative = root.relativize(file).toString().replace('\\', '/');
                Path target = scratch.resolve(relative);
                String name = file.getFileName().toString();
                String text = (name.endsWith(".yaml") || name.endsWith(".yml")) && attributes.size() <= MAX_FILE_BYTES ? utf8(file) : null;
                if (text != null) {
                    List<LabelLine> lines = LabelLine.scan(relative, text);
                    if (!lines.isEmpty()) {
                        texts.put(relative, text);
                        List<LabelLine.Rewrite> probes = new ArrayList<>();
                        for (LabelLine line : lines) {
                            probes.add(new LabelLine.Rewrite(line, line.key(), PROBE + candidates.size()));
                            candidates.add(line);
                        }
                        Files.writeString(target, LabelLine.apply(text, probes), StandardCharsets.UTF_8);
                        return FileVisitResult.CONTINUE;
                    }
                }
                Files.copy(file, target, LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * A file's text, or null when it is not UTF-8: then it is no manifest kustomize reads either, and is copied as it is
     * (a repository's stray Latin-1 file must not stop the run).
     */
    private static String utf8(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    private static Path tmp(Map<String, String> environment) {
        String tmpdir = environment.getOrDefault("TMPDIR", "");
        Path dir = tmpdir.isEmpty() ? null : Path.of(tmpdir);
        return dir != null && Files.isDirectory(dir) ? dir : Path.of(System.getProperty("java.io.tmpdir"));
    }
}
