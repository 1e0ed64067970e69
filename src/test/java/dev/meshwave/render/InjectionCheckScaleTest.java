package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.SyntheticPlans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admission check of every stage grows with stages plus namespaces, not their product: it once
 * walked every namespace in every stage (1,000 waves 6 s, 4,000 waves 69 s, 10,000 waves over five
 * minutes). The timeouts are generous: these tests only fail if the check is quadratic again.
 */
class InjectionCheckScaleTest {

    @TempDir
    Path tmp;

    /** 10,000 waves of 5 namespaces each: the most that fits in a plan under the 1 MiB limit. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void tenThousandWavesValidate() throws IOException {
        Path plan = SyntheticPlans.write(tmp, 1, 50_000, 10_000, "1.14.0-asm.0");
        Cli.Result result = Cli.run("validate", plan.toString());
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().contains("moves 50000 namespaces in 10000 waves"), result::toString);
    }

    /**
     * A finding every namespace shows in every stage before its wave (an existing default tag next to the
     * non-revisioned injector) is written with its runs of stages by their ends: listing each stage for each
     * namespace would print billions of names for such a plan.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aFindingInALongRunOfStagesNamesItsEnds() throws IOException {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: overlap
                spec:
                  from:
                    revision: default
                    version: 1.13.0-asm.0
                  to:
                    version: 1.14.0-asm.1
                  existing:
                    tags:
                      default: asm-1140-1
                  clusters:
                    - name: prod
                      path: clusters/prod
                  waves:
                """);
        for (int w = 0; w < 5_000; w++) {
            yaml.append("    - name: w").append(w).append("\n      namespaces: [ns-").append(w).append("]\n");
        }
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), yaml);
        Cli.Result result = Cli.run("validate", plan.toString());
        assertEquals(2, result.exitCode(), result::toString);
        List<String> lines = result.err().lines().toList();
        assertEquals("5001 errors", lines.get(lines.size() - 1), result::toString);
        String overlap = ": pods labelled {} would be injected by 2 webhooks at once (IST0139)";
        // Up to three stages are listed one by one, as before; more by their first and last.
        assertTrue(lines.contains(plan + ":19:20: spec.waves[0].namespaces[0]: stage 00-control-plane: namespace 'ns-0'" + overlap
                + ": istio-sidecar-injector (namespace.sidecar-injector.istio.io, revision default), istio-revision-tag-default"
                + " (namespace.sidecar-injector.istio.io, revision asm-1140-1)"), result::toString);
        assertTrue(lines.stream().anyMatch(l -> l.contains("spec.waves[2].namespaces[0]: stages 00-control-plane, 01-w0, 02-w1: namespace 'ns-2'"
                + overlap)), result::toString);
        assertTrue(lines.stream().anyMatch(l -> l.contains("spec.waves[4999].namespaces[0]: stages 00-control-plane to 4999-w4998:"
                + " namespace 'ns-4999'" + overlap)), result::toString);
        assertTrue(lines.stream().anyMatch(l -> l.contains("spec.existing: stages 00-control-plane to 5000-w4999: in namespaces labelled {}")),
                result::toString);
    }
}
