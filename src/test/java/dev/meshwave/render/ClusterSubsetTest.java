package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.meshwave.plan.Plan;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.plan.PlanSchema;
import dev.meshwave.testing.SyntheticPlans;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which clusters a shard or a list of names holds, and the branch names a shard publishes on. */
class ClusterSubsetTest {

    @TempDir
    Path tmp;

    private Plan plan(int clusters) throws Exception {
        return new PlanLoader(PlanSchema.load()).load(SyntheticPlans.write(tmp.resolve("p" + clusters), clusters, 2, 1, "1.14.0-asm.0"))
                .plan();
    }

    private static List<String> names(ClusterSubset subset, Plan plan) {
        return subset.clusters(plan).stream().map(Plan.Cluster::name).toList();
    }

    @Test
    void shardsPartitionThePlanRoundRobinAndTogetherHoldEveryClusterOnce() throws Exception {
        Plan plan = plan(10);
        List<String> all = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            all.addAll(names(ClusterSubset.shard(plan, new ClusterSubset.Shard(i, 4)), plan));
        }
        assertEquals(List.of("c1", "c5", "c9", "c2", "c6", "c10", "c3", "c7", "c4", "c8"), all);
        assertEquals(List.of("c1", "c2", "c3"), names(ClusterSubset.shard(plan(3), new ClusterSubset.Shard(1, 1)), plan(3)));
    }

    @Test
    void namesKeepThePlanOrderAndAnUnknownOneIsNamedWithTenOfTheKnownOnes() throws Exception {
        Plan plan = plan(12);
        assertEquals(List.of("c2", "c11"), names(ClusterSubset.named(plan, List.of("c11", "c2", "c2")), plan));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSubset.named(plan, List.of("c13")));
        assertEquals("no cluster 'c13' in plan synthetic (expected one of: c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, … (12 clusters))",
                e.getMessage());
    }

    @Test
    void onlyAShardHasABranchSegment() throws Exception {
        Plan plan = plan(3);
        assertEquals("shard-2-of-3/", ClusterSubset.shard(plan, new ClusterSubset.Shard(2, 3)).branchSegment());
        assertEquals("", ClusterSubset.named(plan, List.of("c1")).branchSegment());
        assertEquals("", ClusterSubset.ALL.branchSegment());
        assertThrows(IllegalArgumentException.class, () -> new ClusterSubset.Shard(0, 3));
        assertThrows(IllegalArgumentException.class, () -> ClusterSubset.shard(plan, new ClusterSubset.Shard(1, 4)));
    }
}
