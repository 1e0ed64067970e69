package dev.meshwave.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster's {@code namespacesFrom} kustomization against the plan, once it is built ({@code cli} runs
 * {@code kubectl kustomize}; this class only reads the objects): every namespace a wave relabels must be built
 * exactly once (the wave patches it by name, and a patch that matches nothing fails the whole stage in Argo CD
 * or Flux), and the kustomization must build Namespaces only (the stages include it, so anything else it builds
 * would be applied by the mesh application as well as by its own). What it builds for the plan's namespaces is
 * returned as {@link Plan.NamespacesBuilt}: the labels they really carry today and their delete protection.
 */
public final class NamespacesFrom {

    /** Argo CD's per-resource sync options (argoproj/argo-cd@v3.5.1:docs/user-guide/sync-options.md, "No Resource Deletion"). */
    static final String ARGOCD_SYNC_OPTIONS = "argocd.argoproj.io/sync-options";
    /** Flux's per-object prune switch, a label or an annotation (fluxcd/kustomize-controller@v1.9.4:docs/spec/v1/kustomizations.md). */
    static final String FLUX_PRUNE = "kustomize.toolkit.fluxcd.io/prune";

    /** The problems found (errors), and the plan's namespaces as built. */
    public record Result(List<Problem> problems, Plan.NamespacesBuilt built) {}

    private NamespacesFrom() {}

    /**
     * Checks what {@code cluster}'s {@code namespacesFrom} kustomization built ({@code objects}, with the positions
     * of their source files); {@code builtAt} is how a message names the directory that was built.
     */
    public static Result check(Plan plan, Plan.Cluster cluster, String builtAt, List<Manifest> objects) {
        String from = cluster.namespacesFrom().orElseThrow();
        String prefix = "cluster " + cluster.name() + ": ";
        List<Problem> problems = new ArrayList<>();
        int clusterIndex = plan.clusters().stream().map(Plan.Cluster::name).toList().indexOf(cluster.name());
        String fromPath = "spec.clusters[" + clusterIndex + "].namespacesFrom";

        List<Manifest> foreign = objects.stream().filter(o -> !o.kind().equals("Namespace")).toList();
        if (!foreign.isEmpty()) {
            Manifest first = foreign.get(0);
            String id = first.namespace().isEmpty() ? first.name() : first.namespace() + "/" + first.name();
            problems.add(Problem.error(plan.position(fromPath), fromPath, prefix + "namespacesFrom " + from + " builds " + first.kind()
                    + " " + id + " (" + first.start() + "), which is not a Namespace: every stage would apply it too, and two"
                    + " applications would own it" + (foreign.size() > 1 ? " (and " + (foreign.size() - 1) + " more objects that"
                    + " are not Namespaces)" : "") + "; point namespacesFrom at a kustomization that builds the Namespaces only"));
        }

        Map<String, List<Manifest>> byName = new LinkedHashMap<>();
        objects.stream().filter(o -> o.kind().equals("Namespace"))
                .forEach(o -> byName.computeIfAbsent(o.name(), k -> new ArrayList<>()).add(o));
        Map<String, Plan.BuiltNamespace> built = new LinkedHashMap<>();
        for (int w = 0; w < plan.waves().size(); w++) {
            Plan.Wave wave = plan.waves().get(w);
            if (!wave.appliesTo(cluster)) {
                continue;
            }
            for (int n = 0; n < wave.namespaces().size(); n++) {
                String namespace = wave.namespaces().get(n);
                String path = "spec.waves[" + w + "].namespaces[" + n + "]";
                SourcePosition at = plan.positions().containsKey(path) ? plan.position(path) : plan.position(path + ".name");
                List<Manifest> found = byName.getOrDefault(namespace, List.of());
                // A tag follower is not patched (its tag moves), so only a relabelled namespace must be there.
                boolean relabelled = wave.relabelled().contains(namespace);
                if (found.isEmpty() && relabelled) {
                    problems.add(Problem.error(at, path, prefix + "namespace '" + namespace + "' of wave '" + wave.name()
                            + "' is not in namespacesFrom " + from + " (kubectl kustomize " + builtAt + " builds no Namespace of that"
                            + " name), so the wave's patch would fail with \"no resource matches strategic merge patch\""));
                } else if (found.size() > 1) {
                    problems.add(Problem.error(at, path, prefix + "namespace '" + namespace + "' of wave '" + wave.name()
                            + "' is built twice by namespacesFrom " + from + ", at " + found.get(0).start() + " and at "
                            + found.get(1).start() + "; the wave would patch one of them and the cluster would get both"));
                }
                if (!found.isEmpty()) {
                    built.putIfAbsent(namespace, builtNamespace(found.get(0)));
                }
            }
        }
        return new Result(problems, new Plan.NamespacesBuilt(from, built));
    }

    private static Plan.BuiltNamespace builtNamespace(Manifest namespace) {
        Map<String, String> annotations = new LinkedHashMap<>();
        if (namespace.metadata().get("annotations") instanceof Map<?, ?> map) {
            map.forEach((k, v) -> annotations.put(String.valueOf(k), Manifest.text(v)));
        }
        boolean deleteFalse = Arrays.stream(annotations.getOrDefault(ARGOCD_SYNC_OPTIONS, "").split(","))
                .anyMatch(option -> option.trim().equals("Delete=false"));
        boolean pruneDisabled = "disabled".equals(annotations.get(FLUX_PRUNE)) || "disabled".equals(namespace.labels().get(FLUX_PRUNE));
        return new Plan.BuiltNamespace(namespace.name(), namespace.labels(), deleteFalse, pruneDisabled, namespace.start());
    }
}
