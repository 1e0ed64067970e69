package dev.meshwave.cli;

import dev.meshwave.output.TemplateDirectory;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.plan.PlanSchema;
import dev.meshwave.render.TemplateException;
import dev.meshwave.render.Templates;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** The shared first steps of every command: load and check the plan, pick the templates. */
final class Workflow {

    private Workflow() {}

    static PlanLoader.LoadedPlan load(Path planFile, PrintWriter err) throws InvalidPlanException {
        PlanLoader.LoadedPlan loaded = new PlanLoader(PlanSchema.load()).load(planFile);
        loaded.warnings().forEach(err::println);
        return loaded;
    }

    static Templates templates(Path overrideDir) throws IOException, TemplateException {
        Templates builtIn = Templates.builtIn();
        if (overrideDir == null) {
            return builtIn;
        }
        return builtIn.withOverrides(TemplateDirectory.read(overrideDir), overrideDir.toString());
    }
}
