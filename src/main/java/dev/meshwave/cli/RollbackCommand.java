package dev.meshwave.cli;

import dev.meshwave.plan.Plan;
import dev.meshwave.render.PublishPlanner;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Open meshwave/<plan>/rollback-<wave>: a commit that points the live kustomization and restart components back at the stage before the wave.")
final class RollbackCommand implements Callable<Integer> {

    private final Environment environment;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PLAN", description = "The plan file (plan.yaml).")
    Path planFile;

    @Option(names = "--wave", required = true, paramLabel = "WAVE", description = "The wave to roll back (name, number or stage directory; also finalize).")
    String wave;

    @Mixin
    Publishing.Options options;

    RollbackCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        var templates = Workflow.templates(options.templates);
        Plan plan = Workflow.load(planFile, spec.commandLine().getErr(), templates).plan();
        var step = new PublishPlanner(templates).rollback(plan, wave, options.base);
        return Publishing.run(plan, List.of(step), options, environment, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
