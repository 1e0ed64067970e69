package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The ordered stages of one cluster and which revision each namespace is on at each of them. */
public final class StagePlan {

    private final Plan plan;
    private final Plan.Cluster cluster;
    private final List<Stage> stages;
    /** Namespace → number of the stage that moves it, in plan order. */
    private final Map<String, Integer> movedAt = new LinkedHashMap<>();

    public StagePlan(Plan plan, Plan.Cluster cluster) {
        this.plan = plan;
        this.cluster = cluster;
        List<Stage> list = new ArrayList<>();
        list.add(new Stage(0, Stage.Kind.CONTROL_PLANE, Optional.empty()));
        for (Plan.Wave wave : plan.wavesFor(cluster)) {
            Stage stage = new Stage(list.size(), Stage.Kind.WAVE, Optional.of(wave));
            list.add(stage);
            wave.namespaces().forEach(ns -> movedAt.put(ns, stage.number()));
        }
        if (plan.finishing().rendersObjects()) {
            list.add(new Stage(list.size(), Stage.Kind.FINALIZE, Optional.empty()));
        }
        this.stages = List.copyOf(list);
    }

    public Plan plan() {
        return plan;
    }

    public Plan.Cluster cluster() {
        return cluster;
    }

    public List<Stage> stages() {
        return stages;
    }

    /** Every namespace of the plan on this cluster, in the order the waves move them. */
    public List<String> namespaces() {
        return List.copyOf(movedAt.keySet());
    }

    /**
     * A namespace's injection labels once {@code stage} is applied: a tag follower keeps
     * {@code istio.io/rev=<tag>}; a relabelled one has today's labels before its wave and
     * {@code istio.io/rev=<new>} from it on.
     */
    public Map<String, String> labelsAt(String namespace, Stage stage) {
        Optional<String> tag = followedTag(namespace);
        if (tag.isPresent()) {
            return Map.of("istio.io/rev", tag.get());
        }
        Integer moved = movedAt.get(namespace);
        if (moved != null && moved <= stage.number()) {
            return Map.of("istio.io/rev", plan.to().revision());
        }
        return plan.from().isNonRevisioned() ? Map.of("istio-injection", "enabled") : Map.of("istio.io/rev", plan.from().revision());
    }

    /** The tag a namespace follows, if it follows one. */
    public Optional<String> followedTag(String namespace) {
        return plan.wavesFor(cluster).stream().map(w -> w.followsTag().get(namespace)).filter(t -> t != null).findFirst();
    }

    /** The stage that moves (or, from a non-revisioned install, creates) a plan tag. */
    public Stage stageMoving(String tag) {
        String wave = plan.tags().get(tag);
        return stages.stream().filter(s -> s.wave().map(w -> w.name().equals(wave)).orElse(false)).findFirst().orElseThrow();
    }

    /** The revision a plan tag points at once {@code stage} is applied; empty while it does not exist yet. */
    public Optional<String> tagRevisionAt(String tag, Stage stage) {
        boolean moved = stageMoving(tag).number() <= stage.number();
        if (moved) {
            return Optional.of(plan.to().revision());
        }
        return plan.from().isNonRevisioned() ? Optional.empty() : Optional.of(plan.from().revision());
    }

    /** The first stage at which a default tag exists in Git: its wave, or finalize. */
    public Optional<Stage> defaultTagArrives() {
        if (plan.tags().containsKey(Injectors.DEFAULT_TAG)) {
            return Optional.of(plan.from().isNonRevisioned() ? stageMoving(Injectors.DEFAULT_TAG) : stages.get(0));
        }
        return plan.finishing().defaultTag() ? stages.stream().filter(s -> s.kind() == Stage.Kind.FINALIZE).findFirst() : Optional.empty();
    }

    /** The first wave stage, which also switches the shared ingress gateway (seed 000 step 2). */
    public Optional<Stage> firstWave() {
        return stages.stream().filter(s -> s.kind() == Stage.Kind.WAVE).findFirst();
    }

    /** The revision a namespace's pods are injected by once {@code stage} is applied. */
    public String revisionAt(String namespace, Stage stage) {
        Integer moved = movedAt.get(namespace);
        return moved != null && moved <= stage.number() ? plan.to().revision() : plan.from().revision();
    }

    /**
     * Finds a stage by number ({@code 1}, {@code 01}), directory ({@code 01-ingress}) or label
     * ({@code ingress}, {@code control-plane}, {@code finalize}).
     */
    public Optional<Stage> find(String selector) {
        for (Stage stage : stages) {
            if (stage.directory().equals(selector) || stage.label().equals(selector)) {
                return Optional.of(stage);
            }
            if (selector.matches("\\d{1,3}") && Integer.parseInt(selector) == stage.number()) {
                return Optional.of(stage);
            }
        }
        return Optional.empty();
    }
}
