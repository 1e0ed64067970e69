package dev.meshwave.cli;

import dev.meshwave.output.DriftCheck;
import dev.meshwave.output.LiveStageReader;
import dev.meshwave.output.RunLock;
import dev.meshwave.output.TreeWriter;
import dev.meshwave.output.UnsafeOutputException;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Plan;
import dev.meshwave.render.RenderException;
import dev.meshwave.render.RenderedTree;
import dev.meshwave.render.Renderer;
import dev.meshwave.render.TemplateException;
import dev.meshwave.render.Templates;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Validate a plan and write its stages under DIR, one directory per cluster path.")
final class RenderCommand implements Callable<Integer> {

    /** What the user asked for, copied out of picocli's fields. */
    record Options(Path plan, Path out, boolean check, Optional<String> live, Path templates, Set<Renderer.Emit> emit) {}

    @Spec
    CommandSpec spec;

    private final Environment environment;

    RenderCommand(Environment environment) {
        this.environment = environment;
    }

    @Parameters(index = "0", paramLabel = "PLAN", description = "The plan file (plan.yaml).")
    Path planFile;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output root; cluster paths are relative to it.")
    Path out;

    @Option(names = "--check", description = "Write nothing; exit 1 and print a unified diff when DIR differs from the render.")
    boolean check;

    @Option(names = "--live", paramLabel = "STAGE",
            description = "Stage the live kustomization and restart components point at: number, name or directory"
                    + " (default: the first stage; with --check, the stage DIR points at).")
    String live;

    @Option(names = "--templates", paramLabel = "DIR", description = "Directory of templates that replace built-in ones of the same file name.")
    Path templates;

    @Option(names = "--quiet", description = "No progress lines; only problems.")
    boolean quiet;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
            description = "With --check: text (a unified diff, default) or json (one object with every changed file and its diff);"
                    + " json without --check is refused.")
    JsonReport.Format format;

    @Option(names = "--emit", paramLabel = "argocd|flux", split = ",",
            description = "Also write an Argo CD ApplicationSet (argocd/applicationset.yaml) or Flux Kustomizations (flux/<cluster>.yaml) for every cluster's live entry point.")
    List<String> emit = new ArrayList<>();

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
        return execute(new Options(planFile, out, check, Optional.ofNullable(live), templates, Set.copyOf(emits)));
    }

    private int execute(Options options) throws InvalidPlanException, IOException, TemplateException, RenderException,
            UnsafeOutputException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Templates templates = Workflow.templates(options.templates());
        Plan plan = Workflow.load(options.plan(), stderr, templates).plan();
        Renderer renderer = new Renderer(templates);
        Renderer.LiveStages liveStages = options.live().map(Renderer.LiveStages::of)
                .orElseGet(() -> options.check() ? liveStagesOnDisk(plan, options.out()) : Renderer.LiveStages.first());
        RenderedTree tree = renderer.render(plan, liveStages, options.emit());
        warnAboutMissingNamespaceKustomizations(plan, options.out(), stderr);
        if (options.check() && format == JsonReport.Format.json) {
            List<DriftCheck.Change> changes = new DriftCheck(options.out()).changes(tree);
            new JsonReport("check").with("plan", options.plan().toString()).with("out", options.out().toString())
                    .with("upToDate", changes.isEmpty())
                    .with("changes", changes.stream().map(c -> JsonReport.object("path", c.path(),
                            "change", c.kind().name().toLowerCase(java.util.Locale.ROOT), "diff", c.diff())).toList())
                    .print(stdout);
            return changes.isEmpty() ? ExitCodes.OK : ExitCodes.DRIFT;
        }
        if (options.check()) {
            String diff = new DriftCheck(options.out()).diff(tree);
            if (diff.isEmpty()) {
                stderr.printf(java.util.Locale.ROOT, "%s is up to date with %s%n", options.out(), options.plan());
                return ExitCodes.OK;
            }
            stdout.print(diff);
            stderr.printf(java.util.Locale.ROOT, "%s differs from what %s renders (diff above); run meshwave render to update it%n",
                    options.out(), options.plan());
            return ExitCodes.DRIFT;
        }
        // Two renders into one directory take turns: the second waits, or gives up with exit 3.
        Progress progress = new Progress(stderr, environment, quiet);
        int[] done = {0};
        try (RunLock lock = RunLock.forOutput(options.out(), environment.variables())) {
            new TreeWriter(options.out()).write(tree, (root, files) -> progress.item(String.format(java.util.Locale.ROOT,
                    "rendered %s (%d files)", options.out().resolve(root), files), ++done[0], tree.roots().size()));
        } finally {
            progress.finish();
        }
        return ExitCodes.OK;
    }

    /** The stages include namespacesFrom by path; kustomize fails later if it is not there. */
    private static void warnAboutMissingNamespaceKustomizations(Plan plan, Path out, PrintWriter stderr) {
        for (Plan.Cluster cluster : plan.clusters()) {
            cluster.namespacesFrom()
                    .filter(dir -> !Files.isRegularFile(out.resolve(dir).resolve("kustomization.yaml")))
                    .ifPresent(dir -> stderr.printf(java.util.Locale.ROOT, "warning: cluster %s: namespacesFrom %s has no kustomization.yaml under %s;"
                            + " the stages will not build until it does%n", cluster.name(), dir, out));
        }
    }

    private static Renderer.LiveStages liveStagesOnDisk(Plan plan, Path out) {
        Map<String, String> byCluster = new HashMap<>();
        for (Plan.Cluster cluster : plan.clusters()) {
            try {
                // A stage the plan no longer has falls back to the first one: the diff then shows the drift.
                LiveStageReader.read(out.resolve(cluster.path()))
                        .filter(stage -> new dev.meshwave.render.StagePlan(plan, cluster).find(stage).isPresent())
                        .ifPresent(stage -> byCluster.put(cluster.name(), stage));
            } catch (IOException e) {
                // Unreadable: the diff will show the directory as it is.
            }
        }
        return new Renderer.LiveStages(Optional.empty(), byCluster);
    }
}
