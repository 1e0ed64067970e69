package dev.meshwave.cli;

import dev.meshwave.output.DriftCheck;
import dev.meshwave.output.LiveStageReader;
import dev.meshwave.output.RunLock;
import dev.meshwave.output.TreeWriter;
import dev.meshwave.output.UnsafeOutputException;
import dev.meshwave.inplace.RepositoryNamespaces;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.Problem;
import dev.meshwave.render.ClusterSubset;
import dev.meshwave.render.NamespaceManifests;
import dev.meshwave.render.RenderException;
import dev.meshwave.render.RenderedTree;
import dev.meshwave.render.Renderer;
import dev.meshwave.render.TemplateException;
import dev.meshwave.render.Templates;
import dev.meshwave.rollout.RolloutComposer;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StagePlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Validate a plan and write its stages under DIR, one directory per cluster path.")
final class RenderCommand implements Callable<Integer> {

    /** What the user asked for, copied out of picocli's fields. */
    record Options(Path plan, Path out, boolean check, Optional<String> live, Path templates, Set<Renderer.Emit> emit,
            boolean deleteForeign, ClusterSelection.NamesOption clusters, ClusterSelection.ShardOption shard) {}

    @Spec
    CommandSpec spec;

    private final Environment environment;

    RenderCommand(Environment environment) {
        this.environment = environment;
    }

    @Mixin
    PlanArguments.PlanFile planFile;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output root; cluster paths are relative to it.")
    Path out;

    @Option(names = "--check", description = "Write nothing; exit 1 and print a unified diff when DIR differs from the render.")
    boolean check;

    @Option(names = "--live", paramLabel = "STAGE",
            description = "Move the live kustomization and restart components to this stage: number, name or directory"
                    + " (default: the stage DIR already points at; the first stage for a new directory).")
    String live;

    @Mixin
    PlanArguments.TemplateOverrides templates;

    @Option(names = "--delete-foreign",
            description = "Also delete files in a rendered cluster directory that meshwave did not generate (no '"
                    + RenderedTree.GENERATED_MARK + "' header); without it such files stop the render with exit 3 and nothing changes.")
    boolean deleteForeign;

    @Option(names = "--quiet", description = "No progress lines; only problems.")
    boolean quiet;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
            description = "With --check: text (a unified diff, default) or json (one object with every changed file and its diff);"
                    + " json without --check is refused.")
    JsonReport.Format format;

    @Option(names = "--emit", paramLabel = "argocd|flux", split = ",",
            description = "Also write an Argo CD ApplicationSet (meshwave/<plan>/argocd/applicationset.yaml) or a Flux Kustomization"
                    + " per cluster (meshwave/<plan>/flux/<cluster>/) for every cluster's live entry point; settings from the plan's spec.gitops.")
    List<String> emit = new ArrayList<>();

    @Mixin
    ClusterSelection.NamesOption clusters;

    @Mixin
    ClusterSelection.ShardOption shard;

    @Override
    public Integer call() throws InvalidPlanException, IOException, TemplateException, RenderException, UnsafeOutputException {
        if (format == JsonReport.Format.json && !check) {
            // Refused rather than ignored: a CI job asking for JSON must not get progress text, or nothing, on stdout.
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--format json needs --check: it reports the drift"
                    + " of DIR; a render that writes DIR has no JSON report (its progress lines go to stderr)");
        }
        Set<Renderer.Emit> emits = new java.util.TreeSet<>();
        for (String controller : emit) {
            switch (controller) {
                case "argocd" -> emits.add(Renderer.Emit.ARGOCD);
                case "flux" -> emits.add(Renderer.Emit.FLUX);
                default -> throw new RenderException("--emit " + controller + " is not known (expected argocd or flux)");
            }
        }
        ClusterSelection.refuseBoth(clusters, shard, spec);
        checkOut(out, check);
        // Read before any work: a bad value is a usage error, not a surprise after rendering.
        RunLock.waitFrom(environment.variables());
        return execute(new Options(planFile.path, out, check, Optional.ofNullable(live), templates.directory, Set.copyOf(emits), deleteForeign,
                clusters, shard));
    }

    /**
     * {@code --out} must name a directory meshwave may write: not empty (which would be the current
     * directory by accident), not the file system root, not a file, and (to write) writable.
     */
    private static void checkOut(Path out, boolean check) throws RenderException, UnsafeOutputException {
        if (out.toString().isBlank()) {
            throw new RenderException("--out is empty: name the output directory (--out . for the current directory)");
        }
        Path real;
        try {
            real = RunLock.realPath(out);
        } catch (IOException e) {
            throw new UnsafeOutputException("--out " + out + ": cannot resolve it (" + e.getMessage() + ")");
        }
        if (real.getParent() == null) {
            throw new RenderException("--out " + out + " is the root of the file system; name a directory under it");
        }
        Path existing = real;
        while (!Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (!Files.isDirectory(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafeOutputException("--out " + out + ": " + existing + " exists and is not a directory; not overwriting it");
        }
        if (!check && !Files.isWritable(existing)) {
            throw new UnsafeOutputException("--out " + out + ": " + existing + " is not writable (permission denied); nothing can be rendered there");
        }
    }

    private int execute(Options options) throws InvalidPlanException, IOException, TemplateException, RenderException,
            UnsafeOutputException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Templates templates = Workflow.templates(options.templates());
        // namespacesFrom and the in-place manifests are read and checked before anything is rendered: their problems stop
        // the run with exit 2, and what they build is what the admission check, the stages and the README start from.
        TeamNamespaces team = new TeamNamespaces();
        Plan plan = Workflow.load(options.plan(), stderr, templates,
                Optional.of(NamespacesFromBuild.at(options.out(), environment, team, !options.check())),
                whole -> ClusterSelection.subset(whole, options.clusters(), options.shard(), spec)).plan();
        // Only the subset's cluster directories are rendered, written or compared; the live stages, the checks across
        // clusters and the fleet's files still come from the whole plan and every cluster directory DIR holds, so
        // that every subset writes the same fleet files and the subsets of a fleet together are its whole render.
        ClusterSubset subset = ClusterSelection.subset(plan, options.clusters(), options.shard(), spec);
        // Without --live each cluster stays at the stage its directory already points at (a new directory
        // starts at the first stage): a render never moves a live stage unless asked to.
        Map<String, String> onDisk = liveStagesOnDisk(plan, options.out());
        Renderer renderer = new Renderer(templates, environment.redaction(), team.manifests()).only(subset);
        Renderer.LiveStages requested = options.live().isPresent() ? Renderer.LiveStages.of(options.live().get())
                : keptLiveStages(plan, onDisk, options.check());
        Map<String, Stage> live = Renderer.liveStages(plan, requested);
        if (!options.check()) {
            Set<String> names = new java.util.HashSet<>();
            subset.clusters(plan).forEach(cluster -> names.add(cluster.name()));
            Map<String, Stage> moved = new LinkedHashMap<>(live);
            moved.keySet().retainAll(names);
            return write(plan, renderer, requested, options, onDisk, moved, stderr);
        }
        // --check compares the stages the directory carries (a published branch holds those up to its own), each
        // cluster as it is rendered: only the differences are kept, never the fleet.
        DriftCheck.Sink drift = new DriftCheck(options.out()).sink();
        renderer.render(plan, requested, options.emit(),
                Renderer.throughStages(drift, Renderer.fleet(plan), carriedStages(plan, options.out(), live)));
        List<DriftCheck.Change> changes = drift.changes();
        if (format == JsonReport.Format.json) {
            new JsonReport("check").with("plan", options.plan().toString()).with("out", options.out().toString())
                    .with("upToDate", changes.isEmpty())
                    .with("changes", changes.stream().map(c -> JsonReport.object("path", c.path(),
                            "change", c.kind().name().toLowerCase(java.util.Locale.ROOT), "diff", c.diff())).toList())
                    .print(stdout);
            return changes.isEmpty() ? ExitCodes.OK : ExitCodes.DRIFT;
        }
        String diff = changes.stream().map(DriftCheck.Change::diff).collect(java.util.stream.Collectors.joining());
        if (diff.isEmpty()) {
            stderr.printf(java.util.Locale.ROOT, "%s is up to date with %s%n", options.out(), options.plan());
            return ExitCodes.OK;
        }
        stdout.print(diff);
        stderr.printf(java.util.Locale.ROOT, "%s differs from what %s renders (diff above); run meshwave render to update it%n",
                options.out(), options.plan());
        return ExitCodes.DRIFT;
    }

    /**
     * Renders into the output directory: each cluster directory is staged beside its target as it is
     * rendered (no fleet is held in memory), and swapped in only once the render and every check after it
     * passed; a failed or refused run leaves the directory as it was and no staging directory behind.
     */
    private int write(Plan plan, Renderer renderer, Renderer.LiveStages requested, Options options, Map<String, String> onDisk,
            Map<String, Stage> live, PrintWriter stderr) throws InvalidPlanException, IOException, TemplateException, RenderException,
            UnsafeOutputException {
        Progress progress = new Progress(stderr, environment, quiet);
        int[] done = {0};
        // Two renders into one directory take turns: the second waits, or gives up with exit 3. Taken before
        // rendering, since the render is staged beside the directory as it goes.
        try (RunLock lock = RunLock.forOutput(options.out(), environment.variables());
                TreeWriter.Sink sink = new TreeWriter(options.out(), options.deleteForeign()).sink()) {
            renderer.render(plan, requested, options.emit(), sink);
            int total = sink.roots().size();
            sink.swapIn((root, files) -> progress.item(String.format(java.util.Locale.ROOT,
                    "rendered %s (%d files)", options.out().resolve(root), files), ++done[0], total));
        } finally {
            progress.finish();
        }
        // A moved live stage changes what the cluster runs once this is merged: always said, even with --quiet.
        for (Map.Entry<String, Stage> cluster : live.entrySet()) {
            String before = onDisk.get(cluster.getKey());
            if (before != null && !before.equals(cluster.getValue().directory())) {
                stderr.printf(java.util.Locale.ROOT, "cluster %s: live %s \u2192 %s%n", cluster.getKey(), before,
                        cluster.getValue().directory());
            }
        }
        return ExitCodes.OK;
    }

    /** The stage directory each cluster's live kustomization names on disk, for the clusters that have one. */
    private static Map<String, String> liveStagesOnDisk(Plan plan, Path out) {
        Map<String, String> byCluster = new LinkedHashMap<>();
        for (Plan.Cluster cluster : plan.clusters()) {
            try {
                LiveStageReader.read(out, cluster.path()).ifPresent(stage -> byCluster.put(cluster.name(), stage));
            } catch (IOException e) {
                // Unreadable: render replaces it from the first stage; --check shows the directory as it is.
            }
        }
        return byCluster;
    }

    /**
     * The live stages on disk that the plan has. One it no longer has is refused for a render (moving it
     * anywhere needs --live); {@code --check} falls back to the first stage, so the diff shows the drift.
     */
    private static Renderer.LiveStages keptLiveStages(Plan plan, Map<String, String> onDisk, boolean check) throws RenderException {
        Map<String, String> kept = new LinkedHashMap<>();
        for (Plan.Cluster cluster : plan.clusters()) {
            String stage = onDisk.get(cluster.name());
            if (stage == null) {
                continue;
            }
            if (exactStage(new StagePlan(plan, cluster), stage).isPresent()) {
                kept.put(cluster.name(), stage);
            } else if (!check) {
                throw new RenderException("cluster " + cluster.name() + ": its live kustomization.yaml points at stages/" + stage
                        + ", which plan " + plan.name() + " does not have; choose the stage it moves to with --live");
            }
        }
        return new Renderer.LiveStages(Optional.empty(), kept);
    }

    /** Per cluster, the last stage the directory carries: its live stage, or a later stage directory it holds. */
    private static Map<String, Stage> carriedStages(Plan plan, Path out, Map<String, Stage> live) throws IOException {
        Map<String, Stage> carried = new LinkedHashMap<>(live);
        for (Plan.Cluster cluster : plan.clusters()) {
            StagePlan stages = new StagePlan(plan, cluster);
            for (String directory : LiveStageReader.stageDirectories(out, cluster.path())) {
                exactStage(stages, directory).filter(stage -> stage.number() > carried.get(cluster.name()).number())
                        .ifPresent(stage -> carried.put(cluster.name(), stage));
            }
        }
        return carried;
    }

    private static Optional<Stage> exactStage(StagePlan stages, String directory) {
        return stages.stages().stream().filter(stage -> stage.directory().equals(directory)).findFirst();
    }
}
