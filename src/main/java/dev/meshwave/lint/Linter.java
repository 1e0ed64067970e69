package dev.meshwave.lint;

import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.ManifestFile;
import dev.meshwave.plan.Problem;
import dev.meshwave.plan.SourcePosition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code meshwave lint}: the injection problems of an existing GitOps repository. Every kustomization
 * is built with the real kustomize and every directory of plain YAML read as it is; the objects applied
 * together go through {@link InjectionRules}; findings are reported once, at the file and line to fix.
 */
public final class Linter {

    /**
     * What a lint found: problems to fix (exit 1), warnings about what it could not check, and how many
     * kustomizations it built, plain directories it read, and trees of Flux or Argo CD it checked as one;
     * how many kustomizations did not build, how many of those ran out of time, and why none could be built
     * when kubectl itself could not be run (said once, here, not as a warning per kustomization).
     */
    public record Result(List<Finding> findings, List<Problem> warnings, int kustomizations, int directories, int trees,
            int notBuilt, int timedOut, Optional<String> cannotRunKubectl) {
        public Result {
            findings = List.copyOf(findings);
            warnings = List.copyOf(warnings);
        }

        /** There were kustomizations and not one of them built: what they apply was not checked at all. */
        public boolean builtNothing() {
            return kustomizations == 0 && notBuilt > 0;
        }

        /** What was not checked: the warnings, and the kustomizations kubectl could not be run for. */
        public int notChecked() {
            return warnings.size() + (cannotRunKubectl.isPresent() ? notBuilt : 0);
        }
    }

    /**
     * How lint runs {@code kubectl kustomize}: the command ({@code MESHWAVE_KUBECTL}), the environment it is
     * found (its PATH) and run in, how long one build may take, and how long all of them together.
     */
    public record Settings(String kubectl, Map<String, String> environment, Duration buildTimeout, Duration deadline) {
        public static final Duration BUILD_TIMEOUT = Duration.ofSeconds(120);
        public static final Duration DEADLINE = Duration.ofSeconds(600);

        public Settings {
            environment = Map.copyOf(environment);
        }
    }

    /** One set of objects applied together: a kustomization's build or a plain directory, by its displayed path. */
    private record View(String name, boolean checked, List<Manifest> objects, List<InjectionRules.Hit> hits, List<Problem> warnings,
            Optional<KustomizeBuild.FailedException.Reason> failure, Optional<String> cannotRun) {
        View(String name, List<Manifest> objects, List<InjectionRules.Hit> hits, List<Problem> warnings) {
            this(name, true, objects, hits, warnings, Optional.empty(), Optional.empty());
        }

        /**
         * This view with the namespaces it applies on revisions nothing in the repository serves: a
         * repository-wide question, asked once every view is read.
         */
        View withUnserved(ServedRevisions served) {
            List<InjectionRules.Hit> all = new ArrayList<>(hits);
            all.addAll(served.unserved(objects.stream().filter(m -> m.kind().equals("Namespace")).toList()));
            return new View(name, checked, objects, all, warnings, failure, cannotRun);
        }
    }

    private record Merged(InjectionRules.Hit hit, List<String> seenIn) {}

    private final Settings settings;

    public Linter(Settings settings) {
        this.settings = settings;
    }

    /** Lints a repository directory, one kustomization directory, or one YAML file. */
    public Result lint(Path path) throws IOException {
        if (path.toString().isEmpty() || !Files.exists(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString());
        }
        ScratchDirectory.removeLeftovers(settings.environment());
        Path root = path.toRealPath();
        RepositoryScan scan = RepositoryScan.of(root);
        Path base = Files.isDirectory(root) ? root : root.getParent();
        Map<Path, List<Manifest>> sources = new ConcurrentHashMap<>();
        Map<Path, Problem> unreadable = new ConcurrentHashMap<>();
        KustomizeBuild.Sources reader = file -> sources.computeIfAbsent(file, f -> {
            try {
                return ManifestFile.read(display(path, f, root), RepositoryScan.read(base.resolve(f)), RepositoryScan.MAX_FILE_BYTES);
            } catch (ManifestFile.UnreadableException e) {
                unreadable.put(f, Problem.warning(e.position(), "", e.getMessage() + "; not read"));
                return List.of();
            } catch (RepositoryScan.NotReadException e) {
                unreadable.put(f, Problem.warning(new SourcePosition(display(path, f, root), 1, 1), "", e.getMessage() + "; not read"));
                return List.of();
            } catch (IOException e) {
                // A file of the repository that cannot be opened (no permission) is the repository's problem, not lint's.
                unreadable.put(f, Problem.warning(new SourcePosition(display(path, f, root), 1, 1), "",
                        "cannot be read (" + e.getClass().getSimpleName() + "); not read"));
                return List.of();
            }
        });
        scan.notRead().forEach((f, why) -> unreadable.put(f, Problem.warning(new SourcePosition(display(path, f, root), 1, 1), "",
                why + "; not read")));
        if (scan.kustomizations().isEmpty()) {
            return lint(path, root, scan, base, reader, unreadable, Optional.empty(), null);
        }
        // kubectl is looked for once: when it cannot be run, that is one message for the run, not one per kustomization.
        KustomizeBuild.Kubectl kubectl;
        try {
            kubectl = KustomizeBuild.Kubectl.resolve(settings.kubectl(), settings.environment(), settings.buildTimeout(), settings.deadline());
        } catch (KustomizeBuild.FailedException e) {
            return lint(path, root, scan, base, reader, unreadable, Optional.of(e.getMessage()), null);
        }
        try (ScratchDirectory scratch = ScratchDirectory.create(settings.environment())) {
            KustomizeBuild builder = new KustomizeBuild(kubectl, scratch, base, display(path, Path.of(""), root), reader);
            return lint(path, root, scan, base, reader, unreadable, Optional.empty(), builder);
        }
    }

    /** The lint itself, with a builder, or without one when there is nothing to build or kubectl cannot be run ({@code cannotRun}). */
    private Result lint(Path path, Path root, RepositoryScan scan, Path base, KustomizeBuild.Sources reader, Map<Path, Problem> unreadable,
            Optional<String> cannotRunKubectl, KustomizeBuild builder) throws IOException {

        // Trees a Flux Kustomization or an Argo CD Application in the repository applies as one: the builds
        // Flux folds into them are kept until the trees are checked.
        List<Appliers.Applier> appliers = Files.isDirectory(root) ? Appliers.find(path, root, scan) : List.of();
        List<AppliedTrees.Tree> trees = AppliedTrees.find(scan, appliers);
        // Every build is kept until the appliers are checked: Flux folds some into trees, and an applier may apply one.
        Map<Path, List<Manifest>> built = new ConcurrentHashMap<>();

        List<View> builds;
        List<View> directories;
        List<View> applied;
        try {
            builds = scan.kustomizations().parallelStream().map(dir -> {
                String name = display(path, dir, root);
                String kustomization = display(path, dir.resolve(kustomizationFile(base.resolve(dir))), root);
                if (builder == null) {
                    return new View(name, false, List.of(), List.of(), List.of(), Optional.of(KustomizeBuild.FailedException.Reason.CANNOT_RUN),
                            cannotRunKubectl);
                }
                try {
                    List<Problem> notChecked = new ArrayList<>();
                    List<Manifest> objects = builder.build(dir, kustomization);
                    built.put(dir, objects);
                    return new View(name, objects, InjectionRules.check(objects, notChecked), notChecked);
                } catch (KustomizeBuild.FailedException e) {
                    boolean cannotRun = e.reason == KustomizeBuild.FailedException.Reason.CANNOT_RUN;
                    // kubectl that cannot be run is said once, in the result; every other failure is this kustomization's.
                    return new View(name, false, List.of(), List.of(), cannotRun ? List.of() : List.of(Problem.warning(new SourcePosition(kustomization, 1, 1), "",
                            "not checked: " + e.getMessage())), Optional.of(e.reason), cannotRun ? Optional.of(e.getMessage()) : Optional.empty());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
            directories = scan.plainDirectories().entrySet().stream().map(directory -> {
                List<Manifest> objects = new ArrayList<>();
                directory.getValue().forEach(f -> objects.addAll(reader.read(f)));
                List<Problem> notChecked = new ArrayList<>();
                return new View(display(path, directory.getKey(), root), objects, InjectionRules.check(objects, notChecked), notChecked);
            }).toList();
            applied = trees.stream().map(tree -> {
                List<Manifest> objects = new ArrayList<>();
                AppliedTrees.files(tree, scan).forEach(f -> objects.addAll(reader.read(f)));
                AppliedTrees.builds(tree, scan).forEach(dir -> objects.addAll(built.getOrDefault(dir, List.of())));
                List<Problem> notChecked = new ArrayList<>();
                return new View(tree.name(), objects, InjectionRules.check(objects, notChecked), notChecked);
            }).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }

        List<Problem> warnings = new ArrayList<>(unreadable.values());
        List<View> all = new ArrayList<>(builds);
        all.addAll(directories);
        all.addAll(applied);
        // What the repository's control planes serve is known only once every view is read.
        List<Manifest> everything = new ArrayList<>();
        all.forEach(v -> everything.addAll(v.objects()));
        ServedRevisions served = ServedRevisions.of(everything);
        warnings.addAll(served.unknown());
        List<View> views = new ArrayList<>(all.stream().map(v -> v.withUnserved(served)).toList());
        views.addAll(appliersChecked(path, root, scan, reader, built, appliers));
        List<Finding> findings = merge(views, warnings);
        int checked = (int) builds.stream().filter(View::checked).count();
        Optional<String> cannotRun = builds.stream().flatMap(v -> v.cannotRun().stream()).findFirst();
        int timedOut = (int) builds.stream().filter(v -> v.failure().equals(Optional.of(KustomizeBuild.FailedException.Reason.TIME))).count();
        return new Result(findings, warnings, checked, scan.plainDirectories().size(), trees.size(), builds.size() - checked, timedOut,
                cannotRun);
    }

    /**
     * The rules about who sets a namespace's labels ({@link ApplierRules}), as views named by where each hit is
     * seen: what one source of an applier applies is the build of its path when that is a kustomization, else
     * its tree (Flux, or Argo CD's {@code directory.recurse}), else the YAML files of its directory (Argo CD's default).
     */
    private static List<View> appliersChecked(Path path, Path root, RepositoryScan scan, KustomizeBuild.Sources reader,
            Map<Path, List<Manifest>> built, List<Appliers.Applier> appliers) {
        List<ApplierRules.Placed> placed = ApplierRules.check(appliers, (applier, source) -> source.dir().map(dir -> {
            if (scan.kustomizations().contains(dir)) {
                return built.getOrDefault(dir, List.<Manifest>of());
            }
            List<Manifest> objects = new ArrayList<>();
            if (applier.flux() || source.recurse()) {
                AppliedTrees.Tree tree = new AppliedTrees.Tree(applier.name(source), dir, applier.flux());
                AppliedTrees.files(tree, scan).forEach(f -> objects.addAll(reader.read(f)));
                AppliedTrees.builds(tree, scan).forEach(k -> objects.addAll(built.getOrDefault(k, List.of())));
            } else {
                scan.yamlFiles().stream().filter(f -> dir.equals(f.getParent() == null ? Path.of("") : f.getParent()))
                        .forEach(f -> objects.addAll(reader.read(f)));
            }
            return objects;
        }).orElse(List.of()), applier -> display(path, applier.file().getParent() == null ? Path.of("") : applier.file().getParent(), root));
        Map<String, List<InjectionRules.Hit>> bySeenIn = new LinkedHashMap<>();
        placed.forEach(p -> bySeenIn.computeIfAbsent(p.seenIn(), k -> new ArrayList<>()).add(p.hit()));
        List<View> views = new ArrayList<>();
        bySeenIn.forEach((name, hits) -> views.add(new View(name, List.of(), hits, List.of())));
        return views;
    }

    /**
     * The same problem in several builds (a base and its overlays) is one finding naming them all, in scan
     * order. Builds may rename objects (namePrefix), so it is the same problem when the same rule finds it
     * at the same place; only two hits of one build at one place stay apart. Warnings are added to
     * {@code warnings}, once each (a base's warning shows in each of its builds), and sorted.
     */
    private static List<Finding> merge(List<View> views, List<Problem> warnings) {
        Map<List<Object>, List<Merged>> byPlace = new LinkedHashMap<>();
        for (View view : views) {
            for (InjectionRules.Hit hit : view.hits()) {
                List<Merged> here = byPlace.computeIfAbsent(List.of(hit.rule(), hit.position()), k -> new ArrayList<>());
                Merged merged = here.stream().filter(m -> m.hit().message().equals(hit.message())).findFirst()
                        .or(() -> here.stream().filter(m -> !m.seenIn().contains(view.name())).findFirst())
                        .orElseGet(() -> {
                            here.add(new Merged(hit, new ArrayList<>()));
                            return here.get(here.size() - 1);
                        });
                if (!merged.seenIn().contains(view.name())) {
                    merged.seenIn().add(view.name());
                }
            }
            warnings.addAll(view.warnings());
        }
        List<Problem> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(warnings));
        warnings.clear();
        warnings.addAll(distinct);
        List<Finding> findings = new ArrayList<>();
        byPlace.values().forEach(here -> here.forEach(m -> findings.add(new Finding(m.hit().rule(), m.hit().position(), m.hit().message(),
                m.seenIn(), m.hit().related()))));
        Comparator<SourcePosition> byPosition = Comparator.comparing(SourcePosition::file)
                .thenComparingInt(SourcePosition::line).thenComparingInt(SourcePosition::column);
        findings.sort(Comparator.comparing(Finding::position, byPosition).thenComparing(Finding::rule).thenComparing(Finding::message));
        warnings.sort(Comparator.comparing(Problem::position, byPosition).thenComparing(Problem::message));
        return findings;
    }

    private static String kustomizationFile(Path dir) {
        return RepositoryScan.KUSTOMIZATION_FILES.stream().filter(f -> Files.isRegularFile(dir.resolve(f))).findFirst()
                .orElse(RepositoryScan.KUSTOMIZATION_FILES.get(0));
    }

    /**
     * The objects one kustomization builds, each at its position in the file it came from, as lint sees
     * them: for render, which must know the labels of the Namespaces a {@code namespacesFrom}
     * kustomization applies. {@code displayRoot} is how positions name {@code root}; kubectl is found on the
     * PATH of {@code environment} and runs in it. A build that fails is a warning in {@code warnings} and no objects.
     */
    public static List<Manifest> built(String kubectl, Map<String, String> environment, Path root, String displayRoot, Path dir,
            List<Problem> warnings) throws IOException {
        Path base = root.toRealPath();
        String label = displayRoot + "/" + dir.toString().replace('\\', '/');
        KustomizeBuild.Sources reader = file -> {
            String shown = displayRoot + "/" + file.toString().replace('\\', '/');
            try {
                return ManifestFile.read(shown, RepositoryScan.read(base.resolve(file)), RepositoryScan.MAX_FILE_BYTES);
            } catch (ManifestFile.UnreadableException e) {
                warnings.add(Problem.warning(e.position(), "", e.getMessage() + "; not read"));
                return List.of();
            } catch (RepositoryScan.NotReadException e) {
                warnings.add(Problem.warning(new SourcePosition(shown, 1, 1), "", e.getMessage() + "; not read"));
                return List.of();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        try (ScratchDirectory scratch = ScratchDirectory.create(environment)) {
            KustomizeBuild.Kubectl command = KustomizeBuild.Kubectl.resolve(kubectl, environment, Settings.BUILD_TIMEOUT, Settings.BUILD_TIMEOUT);
            return new KustomizeBuild(command, scratch, base, displayRoot, reader).build(dir, label + "/kustomization.yaml");
        } catch (KustomizeBuild.FailedException e) {
            warnings.add(Problem.warning(new SourcePosition(label + "/kustomization.yaml", 1, 1), "", "not built: " + e.getMessage()));
            return List.of();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** A repository path as the user would type it: under the PATH they gave, with forward slashes. */
    static String display(Path given, Path relative, Path root) {
        if (!Files.isDirectory(root)) {
            return given.toString().replace('\\', '/');
        }
        String text = given.resolve(relative).normalize().toString().replace('\\', '/');
        return text.isEmpty() ? "." : text;
    }
}
