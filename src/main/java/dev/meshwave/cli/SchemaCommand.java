package dev.meshwave.cli;

import dev.meshwave.plan.PlanSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Print the plan's JSON Schema (draft 2020-12), for editors and CI.")
final class SchemaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(PlanSchema.load().text());
        return ExitCodes.OK;
    }
}
