package dev.meshwave.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Synthetic fleet plans of any size, for tests that need a long run (kills, concurrency) and for the
 * benchmarks: {@code clusters} clusters, {@code namespaces} namespaces per cluster spread over
 * {@code waves} waves, every wave on every cluster.
 */
public final class SyntheticPlans {

    private SyntheticPlans() {}

    /** Writes {@code dir/plan.yaml} and returns its path. */
    public static Path write(Path dir, int clusters, int namespaces, int waves, String version) throws IOException {
        return Files.writeString(Files.createDirectories(dir).resolve("plan.yaml"), text(clusters, namespaces, waves, version));
    }

    public static String text(int clusters, int namespaces, int waves, String version) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: synthetic
                spec:
                  from:
                    revision: asm-1130-0
                  to:
                    version: %s
                  clusters:
                """.formatted(version));
        for (int c = 0; c < clusters; c++) {
            yaml.append("    - name: c").append(c + 1).append("\n      path: clusters/c").append(c + 1).append('\n');
        }
        yaml.append("  waves:\n");
        for (int w = 0; w < waves; w++) {
            yaml.append("    - name: w").append(w).append("\n      namespaces: [");
            int first = w * namespaces / waves;
            int last = (w + 1) * namespaces / waves;
            for (int n = first; n < last; n++) {
                yaml.append(n == first ? "" : ", ").append("ns-").append(n);
            }
            yaml.append("]\n");
        }
        return yaml.toString();
    }

    /** {@code java … SyntheticPlans C N W [version]} prints a plan, for the benchmark script. */
    public static void main(String[] args) {
        System.out.print(text(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                args.length > 3 ? args[3] : "1.14.0-asm.0"));
    }
}
