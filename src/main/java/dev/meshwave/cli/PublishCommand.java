package dev.meshwave.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Commit each wave on its own stacked branch meshwave/<plan>/<NN>-<wave>, push, and open one pull request per wave.",
                "Re-publishing an unchanged plan changes nothing; nothing is ever force-pushed."})
final class PublishCommand implements Callable<Integer> {

    private final Environment environment;

    @Spec
    CommandSpec spec;

    @Mixin
    PlanArguments.PlanFile planFile;

    @Mixin
    Publishing.Options options;

    PublishCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        return Publishing.run(planFile.path, options, environment, spec, (planner, plan) -> planner.lazyWaves(plan, options.base));
    }
}
