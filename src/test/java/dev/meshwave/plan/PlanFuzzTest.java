package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.meshwave.render.InjectionCheck;
import dev.meshwave.render.TemplateException;
import dev.meshwave.render.Templates;
import dev.meshwave.testing.Plans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Plan loading and validation take any bytes: the only outcomes are a valid plan or the tool's own
 * {@link InvalidPlanException} with positioned problems. In {@code mvn verify} this replays the
 * committed inputs in {@code PlanFuzzTestInputs/}; {@code mvn -Pfuzz test -Dtest='PlanFuzzTest'} fuzzes.
 */
class PlanFuzzTest {

    private static final PlanLoader LOADER = new PlanLoader(PlanSchema.load());
    private static final InjectionCheck INJECTION = new InjectionCheck(Templates.builtIn());
    private static final Path PLAN = Plans.scratchFile("plan.yaml");

    @FuzzTest(maxDuration = "2m")
    void anyBytes(byte[] bytes) throws IOException, TemplateException {
        Files.write(PLAN, bytes);
        Plan plan;
        try {
            plan = LOADER.load(PLAN).plan();
        } catch (InvalidPlanException e) {
            assertFalse(e.problems().isEmpty(), "an invalid plan says why");
            e.problems().forEach(p -> assertTrue(p.position().line() >= 1 && p.position().column() >= 1, p.toString()));
            return;
        }
        INJECTION.check(plan); // a valid plan's admission check reports problems, it never throws
    }
}
