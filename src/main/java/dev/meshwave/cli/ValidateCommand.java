package dev.meshwave.cli;

import dev.meshwave.plan.Plan;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.render.Templates;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a plan: schema, revision and version rules, waves. Prints every problem as FILE:LINE:COL: PATH: MESSAGE.")
final class ValidateCommand implements Callable<Integer> {

    private final Environment environment;

    ValidateCommand(Environment environment) {
        this.environment = environment;
    }

    @Spec
    CommandSpec spec;

    @Mixin
    PlanArguments.PlanFile planFile;

    @picocli.CommandLine.Option(names = "--templates", paramLabel = "DIR",
            description = "Templates that replace built-in ones (as for render): the plan is also rendered in memory with them,"
                    + " so a template that breaks fails here.")
    Path templates;

    @picocli.CommandLine.Option(names = "--out", paramLabel = "DIR",
            description = "The output root render writes to (a working copy of the GitOps repository): each cluster's namespacesFrom"
                    + " kustomization is built there with kubectl kustomize and checked against the waves, and admission is"
                    + " simulated from the labels it builds.")
    Path out;

    @picocli.CommandLine.Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
            description = "text (default), or json: one object on stdout with every problem (see docs/machine-readable.md in the meshwave repository).")
    JsonReport.Format format;

    @Override
    public Integer call() throws Exception {
        if (format == JsonReport.Format.json) {
            return json();
        }
        PlanLoader.LoadedPlan loaded = load(spec.commandLine().getErr());
        Plan plan = loaded.plan();
        int namespaces = (int) plan.waves().stream().flatMap(w -> w.namespaces().stream()).distinct().count();
        spec.commandLine().getOut().printf(java.util.Locale.ROOT, "%s: valid: plan %s moves %d namespace%s in %d wave%s on %d cluster%s from %s to %s (%s)%n",
                planFile.path, plan.name(), namespaces, plural(namespaces), plan.waves().size(), plural(plan.waves().size()),
                plan.clusters().size(), plural(plan.clusters().size()), plan.from().revision(),
                plan.caMigration().map(m -> m.distributeRootRevision() + " then " + m.meshcaRevision() + " (Citadel to Mesh CA)")
                        .orElse(plan.to().revision()),
                plan.to().version());
        return ExitCodes.OK;
    }

    private int json() throws Exception {
        JsonReport report = new JsonReport("validate").with("plan", planFile.path.toString());
        try {
            PlanLoader.LoadedPlan loaded = load(new java.io.PrintWriter(java.io.Writer.nullWriter()));
            Plan plan = loaded.plan();
            java.util.Map<String, Object> summary = new java.util.LinkedHashMap<>();
            summary.put("name", plan.name());
            summary.put("from", plan.from().revision());
            summary.put("revisions", plan.phases().stream().map(p -> p.to().revision()).toList());
            summary.put("version", plan.to().version().toString());
            summary.put("clusters", plan.clusters().stream().map(Plan.Cluster::name).toList());
            summary.put("waves", plan.waves().stream().map(Plan.Wave::name).toList());
            summary.put("namespaces", plan.waves().stream().flatMap(w -> w.namespaces().stream()).distinct().count());
            report.with("valid", true).with("problems", JsonReport.problems(loaded.warnings())).with("summary", summary)
                    .print(spec.commandLine().getOut());
            return ExitCodes.OK;
        } catch (dev.meshwave.plan.InvalidPlanException e) {
            report.with("valid", false).with("problems", JsonReport.problems(e.problems())).print(spec.commandLine().getOut());
            return ExitCodes.USAGE;
        }
    }

    /**
     * Loads and checks the plan. With {@code --templates} it is also rendered, in memory only: built-in
     * templates are covered by meshwave's own tests, a user's are not, and render must not be the first
     * to find out that one breaks.
     */
    private PlanLoader.LoadedPlan load(java.io.PrintWriter err) throws Exception {
        Templates chosen = Workflow.templates(templates);
        PlanLoader.LoadedPlan loaded = Workflow.load(planFile.path, err, chosen,
                java.util.Optional.ofNullable(out).map(dir -> NamespacesFromBuild.at(dir, environment)));
        if (out == null) {
            // Said, not refused: without the repository a plan can still be checked, only not against it.
            loaded.plan().clusters().stream().filter(c -> c.namespacesFrom().isPresent()).forEach(c -> err.printf(java.util.Locale.ROOT,
                    "note: cluster %s: namespacesFrom %s not built (give --out, the output root it is relative to, to check the"
                            + " waves against it and simulate admission from its labels)%n", c.name(), c.namespacesFrom().get()));
        }
        if (templates != null) {
            new dev.meshwave.render.Renderer(chosen).render(loaded.plan(), dev.meshwave.render.Renderer.LiveStages.first());
        }
        return loaded;
    }

    private static String plural(int n) {
        return n == 1 ? "" : "s";
    }
}
