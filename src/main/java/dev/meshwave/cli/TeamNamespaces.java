package dev.meshwave.cli;

import dev.meshwave.inplace.RepositoryNamespaces;
import dev.meshwave.output.LiveStageReader;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.Problem;
import dev.meshwave.plan.SourcePosition;
import dev.meshwave.render.NamespaceManifests;
import dev.meshwave.render.Renderer;
import dev.meshwave.rollout.Rollout;
import dev.meshwave.rollout.RolloutComposer;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StagePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The teams' own Namespace manifests of a plan's in-place clusters ({@code namespacesIn}), read once from a
 * repository (the output root of {@code render}, the base branch of {@code publish}): where each label is written,
 * for the renderer ({@link #manifests()}); the labels the repository builds today, which the admission check and the
 * stages start from for every namespace not yet moved at the cluster's live stage; and, for a run that writes,
 * the namespaces whose labels disagree with that live stage, refused at their line.
 */
final class TeamNamespaces {

    private NamespaceManifests manifests = NamespaceManifests.NONE;

    /** What the renderer edits the manifests with: {@link NamespaceManifests#NONE} until {@link #read} found in-place clusters. */
    NamespaceManifests manifests() {
        return manifests;
    }

    /**
     * Reads the in-place clusters of {@code plan} in the repository at {@code root} ({@code shown} in messages), each at
     * the live stage its kustomization names there (its first stage when it has none yet).
     */
    NamespacesFromBuild.Checked read(Plan plan, Path root, String shown, Environment environment, boolean refuseDisagreements)
            throws IOException {
        if (!RepositoryNamespaces.needed(plan)) {
            return new NamespacesFromBuild.Checked(plan, List.of());
        }
        String kubectl = environment.variables().getOrDefault("MESHWAVE_KUBECTL", "kubectl");
        RepositoryNamespaces namespaces;
        try {
            namespaces = RepositoryNamespaces.read(plan, kubectl, environment.variables(), root, shown);
        } catch (InvalidPlanException e) {
            return new NamespacesFromBuild.Checked(plan, e.problems());
        }
        List<Plan.Cluster> clusters = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<String, Stage> live = new LinkedHashMap<>();
        for (Plan.Cluster cluster : plan.clusters()) {
            if (!cluster.inPlace()) {
                clusters.add(cluster);
                continue;
            }
            StagePlan stages = new StagePlan(plan, cluster);
            Optional<String> onDisk = LiveStageReader.read(root, cluster.path());
            Stage stage = onDisk.flatMap(name -> stages.stages().stream().filter(s -> s.directory().equals(name)).findFirst())
                    .orElse(stages.stages().get(0));
            live.put(cluster.name(), stage);
            Rollout rollout = RolloutComposer.compose(stages);
            Map<String, Map<String, String>> recorded = recordedBefore(root.resolve(cluster.path()).resolve(NamespaceManifests.LABELS_BEFORE));
            Map<String, Plan.BuiltNamespace> built = new LinkedHashMap<>();
            for (String namespace : stages.namespaces()) {
                List<Integer> moves = rollout.movesOf(namespace);
                // A namespace its wave has not moved yet carries today's labels in the repository: those are the truth.
                if (moves.isEmpty() || moves.get(0) > stage.number()) {
                    Map<String, String> today = namespaces.labels(cluster.name(), namespace);
                    Map<String, String> implied = stages.labelsBefore(namespace);
                    // Today's revision by its own label or tag, or the default revision's istio-injection=enabled (the
                    // admission check judges whether one serves it); anything else is not what the plan moves.
                    if (!today.equals(implied) && !today.equals(Map.of("istio-injection", "enabled"))) {
                        problems.add(Problem.error(namespaces.position(cluster.name(), namespace, shown), "", "cluster " + cluster.name()
                                + ": namespace " + namespace + " is labelled " + RepositoryNamespaces.shownLabels(today) + " in the repository, but the plan moves"
                                + " it from " + RepositoryNamespaces.shownLabels(implied) + " (or istio-injection=enabled); meshwave does not rewrite a label"
                                + " that says otherwise (fix the manifest, or leave the namespace out of the waves)"));
                    }
                    built.put(namespace, new Plan.BuiltNamespace(namespace, today, false, false,
                            new SourcePosition(shown + "/" + cluster.namespacesIn().get(), 1, 1)));
                } else if (recorded.containsKey(namespace)) {
                    // Moved already: its labels before the upgrade are gone from the manifests, but meshwave recorded them.
                    built.put(namespace, new Plan.BuiltNamespace(namespace, recorded.get(namespace), false, false,
                            new SourcePosition(shown + "/" + cluster.path() + "/" + NamespaceManifests.LABELS_BEFORE, 1, 1)));
                }
            }
            clusters.add(cluster.withNamespacesBuilt(new Plan.NamespacesBuilt(cluster.namespacesIn().get(), built)));
        }
        Plan read = plan.withClusters(clusters);
        if (refuseDisagreements) {
            Map<String, Map<String, Map<String, String>>> expected = new LinkedHashMap<>();
            for (Plan.Cluster cluster : read.clusters()) {
                if (cluster.inPlace()) {
                    StagePlan stages = new StagePlan(read, cluster);
                    expected.put(cluster.name(), Renderer.injectionLabelsAt(RolloutComposer.compose(stages), live.get(cluster.name())));
                }
            }
            problems.addAll(namespaces.disagreements(expected));
        }
        manifests = namespaces;
        return new NamespacesFromBuild.Checked(read, problems);
    }

    /** The labels an earlier render recorded ({@link NamespaceManifests#LABELS_BEFORE}); none when it is not there or unreadable. */
    private static Map<String, Map<String, String>> recordedBefore(Path file) {
        Map<String, Map<String, String>> recorded = new LinkedHashMap<>();
        if (!java.nio.file.Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return recorded;
        }
        try {
            Object loaded = new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                    .loadFromString(java.nio.file.Files.readString(file));
            if (loaded instanceof Map<?, ?> map) {
                map.forEach((namespace, labels) -> {
                    Map<String, String> injection = new java.util.TreeMap<>();
                    if (labels instanceof Map<?, ?> l) {
                        l.forEach((k, v) -> {
                            if (LABEL_KEYS.contains(String.valueOf(k)) && v != null) {
                                injection.put(String.valueOf(k), String.valueOf(v));
                            }
                        });
                    }
                    recorded.put(String.valueOf(namespace), injection);
                });
            }
        } catch (IOException | RuntimeException e) {
            return Map.of(); // a damaged record: the plan's own view of the labels before applies
        }
        return recorded;
    }

    private static final List<String> LABEL_KEYS = List.of("istio-injection", "istio.io/rev");

    /** Both readings of a repository before a render: {@code namespacesFrom} kustomizations, then in-place manifests. */
    static NamespacesFromBuild.Checked both(NamespacesFromBuild.Checked from, TeamNamespaces team, Path root, String shown,
            Environment environment, boolean refuseDisagreements) throws IOException {
        NamespacesFromBuild.Checked in = team.read(from.plan(), root, shown, environment, refuseDisagreements);
        List<Problem> problems = new ArrayList<>(from.problems());
        problems.addAll(in.problems());
        return new NamespacesFromBuild.Checked(in.plan(), problems);
    }
}
