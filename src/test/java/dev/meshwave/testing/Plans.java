package dev.meshwave.testing;

import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.plan.PlanSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Plans for unit tests, loaded through the real loader from YAML text. */
public final class Plans {

    /** A valid one-cluster plan; tests replace lines of it to vary one thing. */
    public static final String BASE = """
            apiVersion: meshwave.dev/v1alpha1
            kind: UpgradePlan
            metadata:
              name: demo
            spec:
              from:
                revision: asm-1130-0
              to:
                version: 1.14.0-asm.0
              clusters:
                - name: c1
                  path: clusters/c1
              waves:
                - name: first
                  namespaces: [a]
                - name: second
                  namespaces: [b, c]
            """;

    private Plans() {}

    /** A path in a fresh temporary directory, for tests that rewrite one file many times (fuzzing). */
    public static Path scratchFile(String name) {
        try {
            Path dir = Files.createTempDirectory("meshwave-");
            Path file = dir.resolve(name);
            // Deleted at exit in the reverse order of these calls: the file, then the directory it left empty.
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Plan load(Path dir, String yaml) {
        try {
            Path file = dir.resolve("plan.yaml");
            Files.writeString(file, yaml);
            return new PlanLoader(PlanSchema.load()).load(file).plan();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InvalidPlanException e) {
            throw new AssertionError("plan should be valid: " + e.problems(), e);
        }
    }
}
