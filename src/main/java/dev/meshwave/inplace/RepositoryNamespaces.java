package dev.meshwave.inplace;

import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.Problem;
import dev.meshwave.plan.SourcePosition;
import dev.meshwave.render.NamespaceManifests;
import dev.meshwave.render.RenderException;
import dev.meshwave.rollout.StagePlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Namespace manifests of a plan's in-place clusters ({@code namespacesIn}) as one repository holds them: where
 * each namespace's injection labels are written ({@link LabelSites}), and those files rewritten for any stage.
 */
public final class RepositoryNamespaces implements NamespaceManifests {

    private final Map<String, LabelSites.Found> byCluster;
    private final String shown;

    private RepositoryNamespaces(Map<String, LabelSites.Found> byCluster, String shown) {
        this.byCluster = byCluster;
        this.shown = shown;
    }

    /** Whether any cluster of the plan keeps its Namespaces in the repository. */
    public static boolean needed(Plan plan) {
        return plan.clusters().stream().anyMatch(Plan.Cluster::inPlace);
    }

    /**
     * Reads the repository at {@code root} ({@code shown} in messages) for every in-place cluster of {@code plan}:
     * a namespace the cluster's tree does not build, builds twice, or labels where no line can be edited is refused.
     */
    public static RepositoryNamespaces read(Plan plan, String kubectl, Map<String, String> environment, Path root, String shown)
            throws IOException, InvalidPlanException {
        Map<String, LabelSites.Found> found = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        for (Plan.Cluster cluster : plan.clusters()) {
            if (!cluster.inPlace()) {
                continue;
            }
            LabelSites.Found sites = LabelSites.find(kubectl, environment, root, shown, cluster.namespacesIn().get(),
                    new StagePlan(plan, cluster).namespaces(),
                    plan.clusters().stream().map(Plan.Cluster::path).collect(java.util.stream.Collectors.toSet()));
            sites.problems().forEach(p -> problems.add(new Problem(p.severity(), p.position(), p.yamlPath(),
                    "cluster " + cluster.name() + ": " + p.message())));
            // An ambient namespace given istio.io/rev by a wave would get sidecars at its next restart (Ambient).
            problems.addAll(dev.meshwave.plan.Ambient.relabelledByWaves(plan, cluster, sites.namespaces()));
            found.put(cluster.name(), sites);
        }
        if (problems.stream().anyMatch(p -> p.severity() == Problem.Severity.ERROR)) {
            throw new InvalidPlanException(problems);
        }
        return new RepositoryNamespaces(found, shown);
    }

    /** A namespace's injection labels on a cluster as the repository builds them today. */
    public Map<String, String> labels(String cluster, String namespace) {
        LabelSites.Found found = byCluster.get(cluster);
        return found == null ? Map.of() : found.labels(namespace);
    }

    /** Where a namespace's injection label is written on a cluster (its first line), for messages. */
    public SourcePosition position(String cluster, String namespace, String shownRoot) {
        LabelSites.Found found = byCluster.get(cluster);
        if (found == null) {
            return new SourcePosition(shownRoot, 1, 1);
        }
        return found.sites().getOrDefault(namespace, Map.of()).values().stream().findFirst()
                .map(l -> new SourcePosition(shownRoot + "/" + l.file(), l.line(), l.keyStart() - lineStart(found, l) + 1))
                .orElse(new SourcePosition(shownRoot, 1, 1));
    }

    /**
     * Where the repository and a stage disagree: each namespace whose injection labels, as the repository sets them
     * today, are not {@code expected} (namespace → labels, per cluster name) — one error at the line that says otherwise.
     */
    public List<Problem> disagreements(Map<String, Map<String, Map<String, String>>> expected) {
        List<Problem> problems = new ArrayList<>();
        byCluster.forEach((cluster, found) -> expected.getOrDefault(cluster, Map.of()).forEach((namespace, labels) -> {
            Map<String, String> today = found.labels(namespace);
            if (!today.equals(labels)) {
                SourcePosition at = position(cluster, namespace, shown);
                problems.add(Problem.error(at, "", "cluster " + cluster + ": namespace " + namespace + " is labelled " + shownLabels(today)
                        + " in the repository, but the plan's live stage has " + shownLabels(labels) + "; the repository and the plan"
                        + " disagree, and meshwave does not overwrite a label it did not write (fix the plan or the manifest)"));
            }
        }));
        return problems;
    }

    private static int lineStart(LabelSites.Found found, LabelLine line) {
        String text = found.files().get(line.file());
        return text.lastIndexOf('\n', line.keyStart() - 1) + 1;
    }

    /** Injection labels as messages show them: {@code istio.io/rev=1-26-5}, or "with no injection label". */
    public static String shownLabels(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return "with no injection label";
        }
        List<String> parts = new ArrayList<>();
        labels.forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }

    @Override
    public SortedMap<String, byte[]> filesAt(Plan.Cluster cluster, Map<String, Map<String, String>> labels) throws RenderException {
        LabelSites.Found found = byCluster.get(cluster.name());
        if (found == null) {
            return NONE.filesAt(cluster, labels);
        }
        Map<String, List<LabelLine.Rewrite>> byFile = new TreeMap<>();
        Map<String, String> lineOwner = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> namespace : labels.entrySet()) {
            Map<String, LabelLine> sites = found.sites().getOrDefault(namespace.getKey(), Map.of());
            List<LabelLine.Rewrite> rewrites;
            try {
                rewrites = LabelLine.toward(sites, namespace.getValue());
            } catch (LabelLine.CannotEditException e) {
                throw new RenderException("cluster " + cluster.name() + ": namespace " + namespace.getKey() + ": " + e.getMessage());
            }
            for (LabelLine.Rewrite rewrite : rewrites) {
                String line = rewrite.at().file() + ":" + rewrite.at().line() + ":" + rewrite.at().keyStart();
                String previous = lineOwner.putIfAbsent(line, namespace.getKey() + " " + rewrite.key() + "=" + rewrite.value());
                if (previous != null) {
                    if (!previous.endsWith(" " + rewrite.key() + "=" + rewrite.value())) {
                        throw new RenderException("cluster " + cluster.name() + ": " + rewrite.at().file() + ":" + rewrite.at().line()
                                + " labels both " + previous.substring(0, previous.indexOf(' ')) + " and " + namespace.getKey()
                                + ", which this stage labels differently; move them in the same wave, or give each its own line");
                    }
                    continue;
                }
                byFile.computeIfAbsent(rewrite.at().file(), f -> new ArrayList<>()).add(rewrite);
            }
        }
        SortedMap<String, byte[]> files = new TreeMap<>();
        for (Map.Entry<String, String> file : found.files().entrySet()) {
            String text = LabelLine.apply(file.getValue(), byFile.getOrDefault(file.getKey(), List.of()));
            files.put(file.getKey(), text.getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }
}
