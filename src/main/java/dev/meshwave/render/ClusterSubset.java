package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.StagePlan;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The clusters one run renders or publishes ({@code --clusters}, {@code --shard I/N}): their directories only, while
 * everything about the whole fleet (live stages, the phase-order check, the files under {@code meshwave/<plan>/})
 * is still worked out from the whole plan, so those files come out byte for byte the same in every subset and the
 * subsets of a fleet together are its whole render.
 *
 * <p>Shard {@code I} of {@code N} (1-based, as CI matrices count: GitLab's {@code CI_NODE_INDEX}, Jest's and
 * Playwright's {@code --shard 1/3}) holds the clusters whose 0-based plan index {@code i} has {@code i mod N = I - 1}.
 * Round-robin rather than contiguous blocks: a cluster appended to the plan joins a shard and moves no other cluster,
 * so each shard's directories (and its published branches) keep the same clusters as the fleet grows at its end;
 * blocks would shift every later cluster into the next shard.
 */
public final class ClusterSubset {

    /** Every cluster: a run without {@code --clusters} or {@code --shard}. */
    public static final ClusterSubset ALL = new ClusterSubset(Optional.empty(), Optional.empty());

    /** One shard of {@code count}: {@code index} from 1. */
    public record Shard(int index, int count) {
        public Shard {
            if (count < 1 || index < 1 || index > count) {
                throw new IllegalArgumentException("shard " + index + "/" + count + " (expected 1 ≤ I ≤ N)");
            }
        }

        /** {@code I/N}, as {@code --shard} takes it. */
        @Override
        public String toString() {
            return index + "/" + count;
        }
    }

    private final Optional<Set<String>> names;
    private final Optional<Shard> shard;

    private ClusterSubset(Optional<Set<String>> names, Optional<Shard> shard) {
        this.names = names;
        this.shard = shard;
    }

    /**
     * The named clusters. Every name must be one of the plan's ({@link IllegalArgumentException} lists the unknown ones
     * and some the plan has); the plan's order is kept whatever the names' order.
     */
    public static ClusterSubset named(Plan plan, List<String> wanted) {
        Set<String> known = new LinkedHashSet<>();
        plan.clusters().forEach(cluster -> known.add(cluster.name()));
        List<String> unknown = wanted.stream().filter(name -> !known.contains(name)).distinct().toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException((unknown.size() == 1 ? "no cluster '" + unknown.get(0) + "'"
                    : "no clusters " + String.join(", ", unknown.stream().map(n -> "'" + n + "'").toList())) + " in plan " + plan.name()
                    + " (expected " + some(known) + ")");
        }
        if (wanted.isEmpty()) {
            throw new IllegalArgumentException("no cluster named (expected " + some(known) + ")");
        }
        return new ClusterSubset(Optional.of(Set.copyOf(wanted)), Optional.empty());
    }

    /** Shard {@code shard.index()} of {@code shard.count()}; refused when it would hold no cluster. */
    public static ClusterSubset shard(Plan plan, Shard shard) {
        if (shard.count() > plan.clusters().size()) {
            throw new IllegalArgumentException("plan " + plan.name() + " has " + plan.clusters().size()
                    + (plan.clusters().size() == 1 ? " cluster" : " clusters") + ", so " + shard.count()
                    + " shards would leave some empty (use at most " + plan.clusters().size() + ")");
        }
        return new ClusterSubset(Optional.empty(), Optional.of(shard));
    }

    /** Whether the cluster at {@code index} (0-based, in plan order) is one of this subset's. */
    public boolean includes(int index, Plan.Cluster cluster) {
        return names.map(n -> n.contains(cluster.name())).orElse(true)
                && shard.map(s -> index % s.count() == s.index() - 1).orElse(true);
    }

    /** The subset's clusters of a fleet in plan order ({@link Renderer#fleet}). */
    public List<StagePlan> of(List<StagePlan> fleet) {
        if (this == ALL) {
            return fleet;
        }
        List<StagePlan> kept = new ArrayList<>();
        for (int i = 0; i < fleet.size(); i++) {
            if (includes(i, fleet.get(i).cluster())) {
                kept.add(fleet.get(i));
            }
        }
        return List.copyOf(kept);
    }

    /** The subset's clusters of a plan, in plan order. */
    public List<Plan.Cluster> clusters(Plan plan) {
        List<Plan.Cluster> kept = new ArrayList<>();
        for (int i = 0; i < plan.clusters().size(); i++) {
            if (includes(i, plan.clusters().get(i))) {
                kept.add(plan.clusters().get(i));
            }
        }
        return kept;
    }

    /** The shard, if this subset is one. */
    public Optional<Shard> shard() {
        return shard;
    }

    /**
     * What a shard's branches carry after {@code meshwave/<plan>/}: {@code shard-I-of-N/}, so that the shards of one
     * fleet publish side by side without moving each other's branches; empty for every other subset.
     */
    public String branchSegment() {
        return shard.map(s -> String.format(Locale.ROOT, "shard-%d-of-%d/", s.index(), s.count())).orElse("");
    }

    /** A few of the plan's cluster names, for a message: ten thousand would bury it. */
    private static String some(Set<String> known) {
        List<String> first = known.stream().limit(10).toList();
        return "one of: " + String.join(", ", first) + (known.size() > first.size() ? ", … (" + known.size() + " clusters)" : "");
    }

    @Override
    public String toString() {
        return names.map(n -> "clusters " + String.join(",", new java.util.TreeSet<>(n)))
                .or(() -> shard.map(s -> "shard " + s)).orElse("all clusters");
    }
}
