package dev.meshwave.rollout;

import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ordered stages of one cluster and which revision each namespace is on at each of them. A plan
 * with several {@linkplain Plan#phases() phases} (a CA migration) numbers its stages through all of
 * them: each phase installs its revision on top of the last stage of the phase before.
 */
public final class StagePlan {

    private final Plan plan;
    private final List<Plan> phases;
    private final Plan.Cluster cluster;
    private final List<Stage> stages;
    /** Namespace → the tag it follows, for the namespaces that follow one. */
    private final Map<String, String> followsTag = new java.util.HashMap<>();
    /** Wave name → its stages (one per phase): looked up for a tag, so not searched for among ten thousand of them. */
    private final Map<String, List<Stage>> stagesOfWave = new java.util.HashMap<>();

    public StagePlan(Plan plan, Plan.Cluster cluster) {
        this.plan = plan;
        this.phases = plan.phases();
        this.cluster = cluster;
        List<Stage> list = new ArrayList<>();
        for (int phase = 0; phase < phases.size(); phase++) {
            Plan phasePlan = phases.get(phase);
            list.add(new Stage(list.size(), Stage.Kind.CONTROL_PLANE, Optional.empty(), phase));
            // Ambient components follow the control plane they must never be newer than, before any wave.
            for (Plan.AmbientComponent component : phasePlan.ambient()) {
                list.add(new Stage(list.size(), Stage.Kind.of(component.component()), Optional.empty(), phase));
            }
            // The waypoints of the ambient waves are deployed, and ready, before any namespace is put on one.
            if (phase == 0 && !plan.waypoints(cluster).isEmpty()) {
                list.add(new Stage(list.size(), Stage.Kind.WAYPOINTS, Optional.empty(), phase));
            }
            for (Plan.Wave wave : phasePlan.wavesFor(cluster)) {
                Stage stage = new Stage(list.size(), Stage.Kind.WAVE, Optional.of(wave), phase);
                list.add(stage);
            }
            if (phasePlan.finalizes()) {
                list.add(new Stage(list.size(), Stage.Kind.FINALIZE, Optional.empty(), phase));
            }
        }
        if (plan.caMigration().isPresent()) {
            list.add(new Stage(list.size(), Stage.Kind.CA_CLEANUP, Optional.empty(), phases.size() - 1));
        }
        if (plan.retiresInGit()) {
            list.add(new Stage(list.size(), Stage.Kind.CLEANUP, Optional.empty(), phases.size() - 1));
        }
        this.stages = List.copyOf(list);
        stages.forEach(s -> s.wave().ifPresent(w -> stagesOfWave.computeIfAbsent(w.name(), k -> new ArrayList<>()).add(s)));
        for (Plan.Wave wave : plan.wavesFor(cluster)) {
            wave.followsTag().forEach(followsTag::putIfAbsent);
        }
    }

    /** The whole plan, as written. */
    public Plan plan() {
        return plan;
    }

    /** The plan of the phase a stage belongs to: its revision is the one the stage installs or moves to. */
    public Plan phase(Stage stage) {
        return phases.get(stage.phase());
    }

    public Plan.Cluster cluster() {
        return cluster;
    }

    public List<Stage> stages() {
        return stages;
    }

    /** The stage before this one; a later phase's control-plane stage builds on the last stage of the phase before. */
    public Stage previous(Stage stage) {
        return stages.get(stage.number() - 1);
    }

    /**
     * Every namespace of the plan on this cluster, in the order the waves move them. Computed when asked, not kept: a
     * render holds every cluster's stage plan at once, and a fleet of 10,000 clusters of 200 namespaces would keep two
     * million entries for what each cluster needs only while it renders.
     */
    public List<String> namespaces() {
        java.util.Set<String> namespaces = new java.util.LinkedHashSet<>();
        for (Plan.Wave wave : plan.wavesFor(cluster)) {
            namespaces.addAll(wave.namespaces());
        }
        return List.copyOf(namespaces);
    }

    /**
     * A namespace's injection labels before the upgrade, as stage 00 takes them into Git: those the cluster's
     * {@code namespacesFrom} kustomization really builds, when it was built; else as the plan
     * implies them, a tag follower's {@code istio.io/rev=<tag>} or those of the install in use
     * ({@code istio-injection=enabled} for a non-revisioned one). The {@link Rollout} knows them at every later stage.
     */
    public Map<String, String> labelsBefore(String namespace) {
        Optional<Plan.BuiltNamespace> built = cluster.namespacesBuilt().map(b -> b.namespaces().get(namespace));
        if (built.isPresent()) {
            // Only what an injector's namespaceSelector reads (MESH-FACTS §2): a team label would make every namespace a
            // state of its own, and the admission check relies on namespaces sharing a handful of states.
            Map<String, String> injection = new java.util.TreeMap<>();
            built.get().labels().forEach((key, value) -> {
                if (key.equals("istio-injection") || key.startsWith("istio.io/") || key.equals("kubernetes.io/metadata.name")) {
                    injection.put(key, value);
                }
            });
            return java.util.Collections.unmodifiableMap(injection);
        }
        Optional<String> tag = followedTag(namespace);
        if (tag.isPresent()) {
            return Map.of("istio.io/rev", tag.get());
        }
        return plan.from().isNonRevisioned() ? Map.of("istio-injection", "enabled") : Map.of("istio.io/rev", plan.from().revision());
    }

    /** The tag a namespace follows, if it follows one. */
    public Optional<String> followedTag(String namespace) {
        return Optional.ofNullable(followsTag.get(namespace));
    }

    /** The stages that move (or, from a non-revisioned install, create) a plan tag: one per phase. */
    private List<Stage> stagesMoving(String tag) {
        String wave = plan.tags().get(tag);
        return wave == null ? List.of() : stagesOfWave.getOrDefault(wave, List.of());
    }

    /** The first stage at which a default tag exists in Git: its wave, or finalize (of the first phase). */
    public Optional<Stage> defaultTagArrives() {
        if (plan.tags().containsKey(Rollout.DEFAULT_TAG)) {
            return Optional.of(plan.from().isNonRevisioned() ? stagesMoving(Rollout.DEFAULT_TAG).get(0) : stages.get(0));
        }
        return plan.finishing().defaultTag() ? stages.stream().filter(s -> s.kind() == Stage.Kind.FINALIZE).findFirst() : Optional.empty();
    }

    /** Whether a stage is the first wave of its phase, which also switches the shared ingress gateway (seed 000 step 2). */
    public boolean isFirstWaveOfPhase(Stage stage) {
        return stage.kind() == Stage.Kind.WAVE && stages.stream()
                .filter(s -> s.kind() == Stage.Kind.WAVE && s.phase() == stage.phase()).findFirst().filter(stage::equals).isPresent();
    }

    /** The canonical revision the shared ingress gateway Service selects before the first wave of a stage's phase. */
    public Optional<String> gatewayCanonicalBefore(Stage stage) {
        return cluster.ingressGateway().map(gateway -> stage.phase() == 0
                ? gateway.fromCanonicalRevision() : phases.get(stage.phase() - 1).to().revision());
    }

    /** The first stage a selector names ({@link StageName#selectedBy}). */
    public Optional<Stage> find(String selector) {
        return stages.stream().filter(stage -> stage.name().selectedBy(selector)).findFirst();
    }
}
