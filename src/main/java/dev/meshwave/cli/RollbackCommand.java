package dev.meshwave.cli;

import dev.meshwave.render.PublishPlanner;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Open meshwave/<plan>/rollback-<wave>: a commit that points the live kustomization and restart components back at the stage before the wave.")
final class RollbackCommand implements Callable<Integer> {

    private final Environment environment;

    @Spec
    CommandSpec spec;

    @Mixin
    PlanArguments.PlanFile planFile;

    @Option(names = "--wave", required = true, paramLabel = "WAVE", description = "The wave to roll back (name, number or stage directory; also finalize).")
    String wave;

    @Mixin
    Publishing.Options options;

    RollbackCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        return Publishing.run(planFile.path, options, environment, spec,
                (planner, plan) -> PublishPlanner.Steps.of(List.of(planner.rollback(plan, wave, options.base))));
    }
}
