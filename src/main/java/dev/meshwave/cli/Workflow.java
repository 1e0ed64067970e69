package dev.meshwave.cli;

import dev.meshwave.output.TemplateDirectory;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.plan.PlanSchema;
import dev.meshwave.plan.Problem;
import dev.meshwave.render.ClusterSubset;
import dev.meshwave.render.InjectionCheck;
import dev.meshwave.render.TemplateException;
import dev.meshwave.render.Templates;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The shared first steps of every command: load and check the plan, pick the templates. */
final class Workflow {

    private Workflow() {}

    /**
     * Loads and checks a plan, then simulates admission for every stage with the injector manifests
     * these templates render; any problem is an {@link InvalidPlanException}.
     */
    static PlanLoader.LoadedPlan load(Path planFile, PrintWriter err, Templates templates)
            throws InvalidPlanException, TemplateException, IOException {
        return Workflow.<IOException>load(planFile, err, templates, Optional.empty());
    }

    /**
     * As {@link #load(Path, PrintWriter, Templates)}, with the repository the plan renders into (the output root
     * that {@code namespacesFrom} is relative to, or the base branch a publish builds on) when there is one: each cluster's
     * {@code namespacesFrom} kustomization is built there and checked first ({@link NamespacesFromBuild}), and
     * admission is simulated from the labels it builds. Its problems and admission's are reported together.
     */
    static <E extends Exception> PlanLoader.LoadedPlan load(Path planFile, PrintWriter err, Templates templates,
            Optional<NamespacesFromBuild.Repository<E>> repository) throws InvalidPlanException, TemplateException, IOException, E {
        return load(planFile, err, templates, repository, plan -> ClusterSubset.ALL);
    }

    /**
     * As above, for a run that renders or publishes only some clusters ({@code --shard}, {@code --clusters}): {@code subset}
     * chooses them from the plan (a bad choice fails there, before any build), and only their stages are simulated for
     * admission, the check whose cost grows with every cluster's stages. The plan's own rules, {@code namespacesFrom} and the
     * in-place manifests stay whole: the fleet's files and the edits shared by clusters are made from all of them.
     */
    static <E extends Exception> PlanLoader.LoadedPlan load(Path planFile, PrintWriter err, Templates templates,
            Optional<NamespacesFromBuild.Repository<E>> repository, Function<Plan, ClusterSubset> subset)
            throws InvalidPlanException, TemplateException, IOException, E {
        PlanLoader.LoadedPlan loaded = loadWithoutInjectionCheck(planFile);
        ClusterSubset chosen = subset.apply(loaded.plan());
        List<Problem> problems = new ArrayList<>();
        if (repository.isPresent()) {
            NamespacesFromBuild.Checked checked = repository.get().check(loaded.plan(), err);
            problems.addAll(checked.problems());
            loaded = new PlanLoader.LoadedPlan(checked.plan(), loaded.warnings());
        }
        Plan checked = chosen == ClusterSubset.ALL ? loaded.plan() : loaded.plan().withClusters(chosen.clusters(loaded.plan()));
        problems.addAll(new InjectionCheck(templates).check(checked));
        if (!problems.isEmpty()) {
            List<Problem> all = new ArrayList<>(loaded.warnings());
            all.addAll(problems);
            throw new InvalidPlanException(all);
        }
        loaded.warnings().forEach(w -> err.println(dev.meshwave.plan.TerminalText.escape(w.toString())));
        return loaded;
    }

    /** Loads and checks a plan without simulating admission (for {@code explain}, which shows the problems). */
    static PlanLoader.LoadedPlan loadWithoutInjectionCheck(Path planFile) throws InvalidPlanException {
        return new PlanLoader(PlanSchema.load()).load(planFile);
    }

    static Templates templates(Path overrideDir) throws IOException, TemplateException {
        Templates builtIn = Templates.builtIn();
        if (overrideDir == null) {
            return builtIn;
        }
        return builtIn.withOverrides(TemplateDirectory.read(overrideDir), overrideDir.toString());
    }
}
