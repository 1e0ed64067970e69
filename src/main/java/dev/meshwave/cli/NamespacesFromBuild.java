package dev.meshwave.cli;

import dev.meshwave.lint.Linter;
import dev.meshwave.plan.Ambient;
import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.NamespacesFrom;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.Problem;
import dev.meshwave.plan.TerminalText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Each cluster's {@code namespacesFrom} kustomization, built as the cluster will build it ({@code kubectl kustomize},
 * under the output root it is relative to) before anything is rendered or written, and checked against the plan:
 * every namespace a wave relabels built exactly once, Namespaces only ({@link NamespacesFrom}), none ambient
 * ({@link Ambient}). The plan that comes back carries what was built, so the admission check, {@code explain} and
 * the README start from the labels and protection the repository really has. {@code render}, {@code validate --out}
 * and {@code explain --out} run it; a kustomization that is not there or does not build is a warning (the stages
 * will not build either, and say so), and so is a missing {@code kubectl}.
 */
final class NamespacesFromBuild {

    /** One kustomization's objects; {@code failed} when it did not build (and said so). */
    private record Build(List<Manifest> objects, boolean failed) {}

    /** The plan with what was built, and the errors found. */
    record Checked(Plan plan, List<Problem> problems) {}

    private NamespacesFromBuild() {}

    /** What checks a plan against a repository before it is rendered: built under an output root, or a base branch. */
    @FunctionalInterface
    interface Repository<E extends Exception> {
        Checked check(Plan plan, PrintWriter stderr) throws IOException, E;
    }

    /**
     * The repository at the output root {@code out} (render, validate and explain): its {@code namespacesFrom}
     * kustomizations, then the in-place clusters' manifests ({@link TeamNamespaces}, refusing disagreements with the live
     * stage unless {@code render --check} reads them).
     */
    static Repository<IOException> at(Path out, Environment environment) {
        return at(out, environment, new TeamNamespaces(), true);
    }

    static Repository<IOException> at(Path out, Environment environment, TeamNamespaces team, boolean refuseDisagreements) {
        String shown = out.toString().replace('\\', '/');
        return (plan, stderr) -> TeamNamespaces.both(check(plan, out, shown, environment, stderr), team, out, shown, environment,
                refuseDisagreements);
    }

    /**
     * Builds under {@code out}; positions and messages name it {@code shownRoot} (the output root as given, or the
     * repository and base branch a publish builds on).
     */
    static Checked check(Plan plan, Path out, String shownRoot, Environment environment, PrintWriter stderr) throws IOException {
        List<Problem> problems = new ArrayList<>();
        List<Plan.Cluster> clusters = new ArrayList<>();
        String kubectl = environment.variables().getOrDefault("MESHWAVE_KUBECTL", "kubectl");
        Map<String, Build> builds = new HashMap<>();
        for (Plan.Cluster cluster : plan.clusters()) {
            if (cluster.namespacesFrom().isEmpty()) {
                clusters.add(cluster);
                continue;
            }
            String from = cluster.namespacesFrom().get();
            if (!Files.isRegularFile(out.resolve(from).resolve("kustomization.yaml"))) {
                stderr.printf(Locale.ROOT, "warning: cluster %s: namespacesFrom %s has no kustomization.yaml under %s;"
                        + " the stages will not build until it does%n", cluster.name(), from, shownRoot);
                clusters.add(cluster);
                continue;
            }
            // Clusters of a fleet often share one kustomization: it is built once.
            Build build = builds.get(from);
            if (build == null) {
                List<Problem> warnings = new ArrayList<>();
                List<Manifest> built = Linter.built(kubectl, environment.variables(), out, shownRoot, Path.of(from), warnings);
                warnings.forEach(w -> stderr.println(TerminalText.escape(
                        w.toString().replace(": not built: ", ": namespacesFrom not checked against the repository: "))));
                build = new Build(built, built.isEmpty() && !warnings.isEmpty());
                builds.put(from, build);
            }
            List<Manifest> objects = build.objects();
            if (build.failed()) {
                clusters.add(cluster);
                continue;
            }
            NamespacesFrom.Result result = NamespacesFrom.check(plan, cluster, shownRoot + "/" + from, objects);
            problems.addAll(result.problems());
            problems.addAll(Ambient.relabelledByWaves(plan, cluster, objects));
            clusters.add(cluster.withNamespacesBuilt(result.built()));
        }
        return new Checked(plan.withClusters(clusters), problems);
    }
}
