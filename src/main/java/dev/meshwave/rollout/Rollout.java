package dev.meshwave.rollout;

import dev.meshwave.plan.Ambient;
import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One cluster's upgrade as data: its stages ({@link StagePlan}) and what each changes over the one before
 * ({@link StageChange}), as the {@link RolloutComposer} decided. Layouts write it; the admission check
 * simulates it; neither decides anything a stage contains.
 */
public final class Rollout {

    /** The tag the un-revisioned names point at once finalize (or a plan tag of that name) makes one. */
    public static final String DEFAULT_TAG = "default";

    /** Where every control plane of the plan runs. */
    public static final String ISTIO_SYSTEM = "istio-system";

    /** Where a namespace moved, and to what. */
    private record Move(int stage, String revision) {}

    private final StagePlan stages;
    private final List<List<StageChange>> changes;
    private final Map<String, Map<String, String>> labelsBefore;
    private final Map<String, List<Move>> relabels = new HashMap<>();
    private final Map<String, List<Move>> restarts = new HashMap<>();
    /** Namespace → the stage an ambient wave moves it to ambient mode, and the waypoint it uses from then on ("" for none). */
    private final Map<String, Move> toAmbient = new HashMap<>();
    /** Gateway → the stage its wave moves it to a revision. */
    private final Map<Plan.Gateway, Move> gatewayMoves = new HashMap<>();

    Rollout(StagePlan stages, List<List<StageChange>> changes) {
        this.stages = stages;
        this.changes = changes.stream().map(List::copyOf).toList();
        Map<String, Map<String, String>> before = Map.of();
        for (int number = 0; number < this.changes.size(); number++) {
            for (StageChange change : this.changes.get(number)) {
                if (change instanceof StageChange.NamespacesOwned owned) {
                    before = owned.labels();
                } else if (change instanceof StageChange.NamespacesRelabelled relabelled) {
                    index(relabels, relabelled.namespaces(), new Move(number, relabelled.revision()));
                } else if (change instanceof StageChange.WorkloadsRestarted restarted) {
                    index(restarts, restarted.namespaces(), new Move(number, restarted.revision()));
                } else if (change instanceof StageChange.NamespacesToAmbient ambient) {
                    for (String namespace : ambient.namespaces()) {
                        toAmbient.putIfAbsent(namespace, new Move(number, ambient.waypoints().getOrDefault(namespace, "")));
                    }
                } else if (change instanceof StageChange.GatewaysMoved moved) {
                    for (Plan.Gateway gateway : moved.gateways()) {
                        gatewayMoves.putIfAbsent(gateway, new Move(number, moved.revision()));
                    }
                }
            }
        }
        this.labelsBefore = before;
    }

    private static void index(Map<String, List<Move>> moves, List<String> namespaces, Move move) {
        namespaces.forEach(namespace -> moves.computeIfAbsent(namespace, k -> new ArrayList<>()).add(move));
    }

    public StagePlan stages() {
        return stages;
    }

    /** What a stage changes over the one before it, in the order its layout lists them. */
    public List<StageChange> changes(Stage stage) {
        return changes.get(stage.number());
    }

    /** A stage's changes of one kind, in order. */
    public <T extends StageChange> List<T> changes(Stage stage, Class<T> kind) {
        return changes(stage).stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** A stage's (first) change of one kind. */
    public <T extends StageChange> Optional<T> change(Stage stage, Class<T> kind) {
        return changes(stage).stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    /**
     * A plan namespace's labels once {@code stage} is applied: today's, then as the latest wave that relabelled it
     * leaves them (its patch sets {@code istio.io/rev} and removes {@code istio-injection}; other labels stay).
     */
    public Map<String, String> labelsAt(String namespace, Stage stage) {
        Map<String, String> before = labelsBefore.get(namespace);
        Move ambient = toAmbient.get(namespace);
        if (ambient != null && ambient.stage() <= stage.number()) {
            Map<String, String> labels = new java.util.TreeMap<>(before == null ? Map.of() : before);
            labels.remove("istio-injection");
            labels.remove("istio.io/rev");
            labels.put(Ambient.LABEL, "ambient");
            if (!ambient.revision().isEmpty()) {
                labels.put(USE_WAYPOINT, ambient.revision());
            }
            return java.util.Collections.unmodifiableMap(labels);
        }
        return latest(relabels, namespace, stage).map(move -> relabelled(before, move.revision())).orElse(before);
    }

    /** The namespace label that puts a namespace's services on a waypoint (istio.io ambient, "Enable ambient mode"). */
    public static final String USE_WAYPOINT = "istio.io/use-waypoint";

    /** Whether a namespace is in ambient mode once {@code stage} is applied (its pods restarted): ztunnel, not a sidecar, carries its traffic. */
    public boolean ambientAt(String namespace, Stage stage) {
        Move ambient = toAmbient.get(namespace);
        return ambient != null && ambient.stage() <= stage.number();
    }

    /**
     * The {@code istio.io/rev} a gateway the plan moves carries once {@code stage} is applied: what it carries today
     * ({@link Plan.Gateway#follows}, empty for none) until its wave, then its wave's revision.
     */
    public Optional<String> gatewayRevisionAt(Plan.Gateway gateway, Stage stage) {
        Move move = gatewayMoves.get(gateway);
        return move != null && move.stage() <= stage.number() ? Optional.of(move.revision()) : gateway.follows();
    }

    /** The gateways the plan moves on this cluster, in wave order. */
    public List<Plan.Gateway> gateways() {
        List<Plan.Gateway> gateways = new ArrayList<>(gatewayMoves.keySet());
        gateways.sort(java.util.Comparator.comparingInt((Plan.Gateway g) -> gatewayMoves.get(g).stage())
                .thenComparing(Plan.Gateway::namespace).thenComparing(Plan.Gateway::name));
        return gateways;
    }

    private static Map<String, String> relabelled(Map<String, String> before, String revision) {
        Map<String, String> labels = new java.util.TreeMap<>(before == null ? Map.of() : before);
        labels.remove("istio-injection");
        labels.put("istio.io/rev", revision);
        return java.util.Collections.unmodifiableMap(labels);
    }

    /** The revision a namespace's pods are injected by once {@code stage} is applied (and they restarted). */
    public String revisionAt(String namespace, Stage stage) {
        return latest(restarts, namespace, stage).map(Move::revision).orElse(stages.plan().from().revision());
    }

    /** The stages at which a namespace's labels or the revision that should inject it change, ascending. */
    public List<Integer> movesOf(String namespace) {
        TreeSet<Integer> numbers = new TreeSet<>();
        relabels.getOrDefault(namespace, List.of()).forEach(move -> numbers.add(move.stage()));
        restarts.getOrDefault(namespace, List.of()).forEach(move -> numbers.add(move.stage()));
        Optional.ofNullable(toAmbient.get(namespace)).ifPresent(move -> numbers.add(move.stage()));
        return List.copyOf(numbers);
    }

    private static Optional<Move> latest(Map<String, List<Move>> moves, String namespace, Stage stage) {
        Move latest = null;
        for (Move move : moves.getOrDefault(namespace, List.of())) {
            if (move.stage() <= stage.number()) {
                latest = move;
            }
        }
        return Optional.ofNullable(latest);
    }
}
