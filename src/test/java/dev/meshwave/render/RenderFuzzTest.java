package dev.meshwave.render;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.plan.PlanSchema;
import dev.meshwave.testing.Plans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Rendering from plans built out of fuzzed names and lists: a plan the loader accepts always
 * renders, or is refused by the tool's own checks (an unsafe output); a template error, a crash or
 * an exception of any other kind is a finding. Regression inputs are in {@code RenderFuzzTestInputs/}.
 */
class RenderFuzzTest {

    private static final PlanLoader LOADER = new PlanLoader(PlanSchema.load());
    private static final Renderer RENDERER = new Renderer(Templates.builtIn());
    private static final InjectionCheck INJECTION = new InjectionCheck(Templates.builtIn());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VERSIONS = List.of("1.14.0-asm.0", "1.23.3-asm.2", "1.28.0-asm.1", "1.10.6-asm.2");
    private static final List<String> OPTIONS = List.of("multicluster", "multiproject", "multicloud", "stackdriver",
            "legacy-default-ingressgateway");
    private static final String LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-";
    private static final Path PLAN = Plans.scratchFile("plan.yaml");

    @FuzzTest(maxDuration = "2m")
    void fuzzedNamesAndLists(FuzzedDataProvider data) throws Exception {
        Files.writeString(PLAN, plan(data));
        Plan plan;
        try {
            plan = LOADER.load(PLAN).plan();
        } catch (InvalidPlanException e) {
            return; // the tool's own validation error
        }
        if (!INJECTION.check(plan).isEmpty()) {
            return; // refused by the admission check, as validate would
        }
        try {
            RENDERER.render(plan, Renderer.LiveStages.first());
            PlanStages.of(plan).forEach(stage -> {
                try {
                    RENDERER.render(plan, Renderer.LiveStages.of(stage.directory()));
                } catch (RenderException | TemplateException e) {
                    throw new AssertionError("every stage of a valid plan can be live: " + e.getMessage(), e);
                }
            });
        } catch (UnsafeContentException e) {
            // the tool's own refusal (e.g. a namespace shaped like a token)
        }
    }

    /** A plan whose names, lists and switches come from the fuzzer; names are mostly label-like so that many plans are valid. */
    private static String plan(FuzzedDataProvider data) throws JsonProcessingException {
        StringBuilder yaml = new StringBuilder("apiVersion: meshwave.dev/v1alpha1\nkind: UpgradePlan\nmetadata:\n  name: ")
                .append(name(data)).append("\nspec:\n  from:\n    revision: ")
                .append(data.consumeBoolean() ? "default" : name(data)).append('\n');
        if (data.consumeBoolean()) {
            yaml.append("    ca: citadel\n");
        }
        String version = data.pickValue(VERSIONS);
        yaml.append("  to:\n    version: ").append(version).append('\n');
        if (data.consumeBoolean()) {
            yaml.append("    revision: ").append(name(data)).append('\n');
        }
        List<String> options = data.pickValues(OPTIONS, data.consumeInt(0, 2));
        if (!options.isEmpty()) {
            yaml.append("    options: ").append(JSON.writeValueAsString(options)).append('\n');
        }
        int clusters = data.consumeInt(1, 3);
        yaml.append("  clusters:\n");
        for (int c = 0; c < clusters; c++) {
            yaml.append("    - name: ").append(name(data)).append("\n      path: ").append(JSON.writeValueAsString("clusters/" + rawOrLabel(data)))
                    .append('\n');
            if (data.consumeBoolean()) {
                yaml.append("      project: ").append(name(data)).append("\n      location: us-central1\n      fleetProjectNumber: \"123\"\n");
            }
        }
        int waves = data.consumeInt(1, 4);
        yaml.append("  waves:\n");
        for (int w = 0; w < waves; w++) {
            yaml.append("    - name: ").append(name(data)).append("\n      namespaces: [");
            int namespaces = data.consumeInt(0, 4);
            for (int n = 0; n < namespaces; n++) {
                yaml.append(n == 0 ? "" : ", ").append(name(data));
            }
            yaml.append("]\n");
        }
        yaml.append("  restart: ").append(data.consumeBoolean() ? "annotation" : "manual").append('\n')
                .append("  finalize: {istiodService: ").append(data.consumeBoolean()).append(", defaultTag: ")
                .append(data.consumeBoolean()).append("}\n");
        return yaml.toString();
    }

    private static String name(FuzzedDataProvider data) throws JsonProcessingException {
        return JSON.writeValueAsString(rawOrLabel(data));
    }

    /** Usually a label of the fuzzer's choosing, sometimes any string at all. */
    private static String rawOrLabel(FuzzedDataProvider data) {
        if (data.consumeInt(0, 7) == 0) {
            return data.consumeString(24);
        }
        byte[] bytes = data.consumeBytes(data.consumeInt(1, 14));
        StringBuilder label = new StringBuilder();
        for (byte b : bytes) {
            label.append(LABEL_CHARS.charAt(Math.floorMod(b, LABEL_CHARS.length())));
        }
        return label.length() == 0 ? "a" : label.toString();
    }
}
