package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    /** Per phase: namespace → number of the stage that moves it, in plan order. */
    private final List<Map<String, Integer>> movedAt = new ArrayList<>();
    /** Namespace → the tag it follows, for the namespaces that follow one. */
    private final Map<String, String> followsTag = new java.util.HashMap<>();
    /**
     * Wave name → its stages (one per phase), and the finalize stages: looked up for every stage, so not
     * searched for among ten thousand of them each time.
     */
    private final Map<String, List<Stage>> stagesOfWave = new java.util.HashMap<>();
    private final List<Stage> finalizeStages;

    public StagePlan(Plan plan, Plan.Cluster cluster) {
        this.plan = plan;
        this.phases = plan.phases();
        this.cluster = cluster;
        List<Stage> list = new ArrayList<>();
        for (int phase = 0; phase < phases.size(); phase++) {
            Plan phasePlan = phases.get(phase);
            Map<String, Integer> moved = new LinkedHashMap<>();
            list.add(new Stage(list.size(), Stage.Kind.CONTROL_PLANE, Optional.empty(), phase));
            for (Plan.Wave wave : phasePlan.wavesFor(cluster)) {
                Stage stage = new Stage(list.size(), Stage.Kind.WAVE, Optional.of(wave), phase);
                list.add(stage);
                wave.namespaces().forEach(ns -> moved.put(ns, stage.number()));
            }
            if (phasePlan.finishing().rendersObjects()) {
                list.add(new Stage(list.size(), Stage.Kind.FINALIZE, Optional.empty(), phase));
            }
            movedAt.add(moved);
        }
        if (plan.caMigration().isPresent()) {
            list.add(new Stage(list.size(), Stage.Kind.CA_CLEANUP, Optional.empty(), phases.size() - 1));
        }
        this.stages = List.copyOf(list);
        stages.forEach(s -> s.wave().ifPresent(w -> stagesOfWave.computeIfAbsent(w.name(), k -> new ArrayList<>()).add(s)));
        this.finalizeStages = stages.stream().filter(s -> s.kind() == Stage.Kind.FINALIZE).toList();
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

    /** Every namespace of the plan on this cluster, in the order the waves move them. */
    public List<String> namespaces() {
        return List.copyOf(movedAt.get(0).keySet());
    }

    /** The revision the latest wave up to {@code stage} moved a namespace to; empty before its first wave. */
    private Optional<String> movedTo(String namespace, Stage stage) {
        String revision = null;
        for (int phase = 0; phase < phases.size(); phase++) {
            Integer moved = movedAt.get(phase).get(namespace);
            if (moved != null && moved <= stage.number()) {
                revision = phases.get(phase).to().revision();
            }
        }
        return Optional.ofNullable(revision);
    }

    /**
     * A namespace's injection labels once {@code stage} is applied: a tag follower keeps
     * {@code istio.io/rev=<tag>}; a relabelled one has today's labels before its wave and
     * {@code istio.io/rev=<revision of that wave's phase>} from it on.
     */
    public Map<String, String> labelsAt(String namespace, Stage stage) {
        Optional<String> tag = followedTag(namespace);
        if (tag.isPresent()) {
            return Map.of("istio.io/rev", tag.get());
        }
        Optional<String> moved = movedTo(namespace, stage);
        if (moved.isPresent()) {
            return Map.of("istio.io/rev", moved.get());
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

    /** The revision a plan tag points at once {@code stage} is applied; empty while it does not exist yet. */
    public Optional<String> tagRevisionAt(String tag, Stage stage) {
        Optional<String> revision = plan.from().isNonRevisioned() ? Optional.empty() : Optional.of(plan.from().revision());
        for (Stage moving : stagesMoving(tag)) {
            if (moving.number() <= stage.number()) {
                revision = Optional.of(phase(moving).to().revision());
            }
        }
        return revision;
    }

    /** The first stage at which a default tag exists in Git: its wave, or finalize (of the first phase). */
    public Optional<Stage> defaultTagArrives() {
        if (plan.tags().containsKey(Injectors.DEFAULT_TAG)) {
            return Optional.of(plan.from().isNonRevisioned() ? stagesMoving(Injectors.DEFAULT_TAG).get(0) : stages.get(0));
        }
        return plan.finishing().defaultTag() ? stages.stream().filter(s -> s.kind() == Stage.Kind.FINALIZE).findFirst() : Optional.empty();
    }

    /** The revision a finalize stage pointed the default tag at, as of {@code stage}; empty before the first finalize. */
    public Optional<String> finalizedDefaultTagAt(Stage stage) {
        if (!plan.finishing().defaultTag()) {
            return Optional.empty();
        }
        return finalizeStages.stream().filter(s -> s.number() <= stage.number())
                .reduce((first, second) -> second).map(s -> phase(s).to().revision());
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

    /** The revision a namespace's pods are injected by once {@code stage} is applied. */
    public String revisionAt(String namespace, Stage stage) {
        return movedTo(namespace, stage).orElse(plan.from().revision());
    }

    /** The first stage a selector names ({@link StageName#selectedBy}). */
    public Optional<Stage> find(String selector) {
        return stages.stream().filter(stage -> stage.name().selectedBy(selector)).findFirst();
    }
}
