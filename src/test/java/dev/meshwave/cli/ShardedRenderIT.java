package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.SyntheticPlans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code render --shard I/N} and {@code --clusters}: a fleet split across the jobs of a CI matrix. The shards'
 * outputs, put together, are the whole render byte for byte; a shard writes, checks and removes nothing of the
 * other shards' cluster directories; the files under {@code meshwave/<plan>/} are the same in every shard.
 */
class ShardedRenderIT {

    private static final String MULTI = "examples/multi-project/plan.yaml";

    @TempDir
    Path tmp;

    /** Seven synthetic clusters with the Argo CD settings --emit argocd needs, so every kind of fleet file is written. */
    private Path synthetic(int clusters) throws IOException {
        Path plan = SyntheticPlans.write(tmp.resolve("plan-" + clusters), clusters, 6, 3, "1.14.0-asm.0");
        Files.writeString(plan, Files.readString(plan) + "  gitops:\n    argocd:\n      repoURL: https://git.example.com/gitops.git\n");
        return plan;
    }

    private static Cli.Result render(Object plan, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("render", plan.toString(), "--out", out.toString(), "--quiet"));
        args.addAll(List.of(extra));
        Cli.Result result = Cli.run(args.toArray(String[]::new));
        return result;
    }

    @Nested
    class UnionIsTheWholeRender {

        @ParameterizedTest
        @ValueSource(strings = {"synthetic", "multi-project", "multi-project live"})
        void threeShardsMergedAreTheWholeRenderByteForByte(String which) throws IOException {
            Object plan = which.startsWith("synthetic") ? synthetic(7) : MULTI;
            List<String> extra = new ArrayList<>(List.of("--emit", which.startsWith("synthetic") ? "argocd,flux" : "flux"));
            if (which.endsWith("live")) {
                // Clusters at different stages: the canary wave moves cluster-1 only.
                extra.addAll(List.of("--live", "01-canary"));
            }
            Path whole = tmp.resolve("whole");
            assertEquals(0, render(plan, whole, extra.toArray(String[]::new)).exitCode());
            Path merged = Files.createDirectories(tmp.resolve("merged"));
            List<Map<String, byte[]>> shards = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                Path out = tmp.resolve("shard-" + i);
                List<String> args = new ArrayList<>(extra);
                args.addAll(List.of("--shard", i + "/3"));
                Cli.Result result = render(plan, out, args.toArray(String[]::new));
                assertEquals(0, result.exitCode(), result::toString);
                shards.add(files(out));
                copyInto(out, merged);
            }
            Map<String, byte[]> expected = files(whole);
            Map<String, byte[]> actual = files(merged);
            assertEquals(expected.keySet(), actual.keySet(), "the shards together write exactly the whole render's files");
            expected.forEach((path, bytes) -> assertArrayEquals(bytes, actual.get(path), path));
            assertEquals(executables(whole), executables(merged), "and the same files are executable");

            // Each cluster directory is in exactly one shard; the fleet's files are in every shard, the same bytes.
            String fleetDir = "meshwave/" + (which.startsWith("synthetic") ? "synthetic" : "multi-project") + "/";
            Map<String, byte[]> fleet = new TreeMap<>(expected);
            fleet.keySet().removeIf(path -> !path.startsWith(fleetDir));
            assertFalse(fleet.isEmpty());
            TreeSet<String> clusterFiles = new TreeSet<>();
            for (Map<String, byte[]> shard : shards) {
                fleet.forEach((path, bytes) -> assertArrayEquals(bytes, shard.get(path), "every shard writes " + path));
                for (String path : shard.keySet()) {
                    if (!path.startsWith(fleetDir)) {
                        assertTrue(clusterFiles.add(path), path + " is written by one shard only");
                    }
                }
            }
        }

        @Test
        void shardsAreRoundRobinByPlanPositionSoAnAppendedClusterMovesNoOther() throws IOException {
            Map<Integer, List<String>> before = clustersPerShard(synthetic(7));
            assertEquals(Map.of(1, List.of("c1", "c4", "c7"), 2, List.of("c2", "c5"), 3, List.of("c3", "c6")), before);
            Map<Integer, List<String>> after = clustersPerShard(synthetic(8));
            assertEquals(Map.of(1, List.of("c1", "c4", "c7"), 2, List.of("c2", "c5", "c8"), 3, List.of("c3", "c6")), after,
                    "c8 joins shard 2; every other cluster keeps its shard");
        }

        private Map<Integer, List<String>> clustersPerShard(Path plan) throws IOException {
            Map<Integer, List<String>> byShard = new TreeMap<>();
            for (int i = 1; i <= 3; i++) {
                Path out = tmp.resolve("assign-" + plan.getParent().getFileName() + "-" + i);
                assertEquals(0, render(plan, out, "--shard", i + "/3").exitCode());
                try (Stream<Path> dirs = Files.list(out.resolve("clusters"))) {
                    byShard.put(i, dirs.map(p -> p.getFileName().toString()).sorted((a, b) ->
                            Integer.compare(Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1)))).toList());
                }
            }
            return byShard;
        }

        @Test
        void clustersByNameRenderExactlyThoseDirectoriesAndTheFleetFiles() throws IOException {
            Path whole = tmp.resolve("whole");
            assertEquals(0, render(MULTI, whole).exitCode());
            Path out = tmp.resolve("named");
            Cli.Result result = render(MULTI, out, "--clusters", "cluster-3,cluster-1");
            assertEquals(0, result.exitCode(), result::toString);
            Map<String, byte[]> expected = files(whole);
            expected.keySet().removeIf(path -> path.startsWith("clusters/cluster-2/"));
            Map<String, byte[]> actual = files(out);
            assertEquals(expected.keySet(), actual.keySet());
            expected.forEach((path, bytes) -> assertArrayEquals(bytes, actual.get(path), path));
        }
    }

    @Nested
    class OtherShardsAreLeftAlone {

        @Test
        void aShardRenderedIntoTheWholeOutputChangesOnlyItsOwnClusterDirectories() throws IOException {
            Path out = tmp.resolve("repo");
            assertEquals(0, render(MULTI, out).exitCode());
            // A file of another shard's cluster that meshwave did not write, and one it did, edited by hand.
            Files.writeString(out.resolve("clusters/cluster-2/mesh/NOTES.md"), "the team's own notes\n");
            Files.writeString(out.resolve("clusters/cluster-3/mesh/README.md"), "edited\n");
            Map<String, byte[]> before = files(out);

            Cli.Result result = render(MULTI, out, "--shard", "1/3", "--live", "02-fleet");
            assertEquals(0, result.exitCode(), result::toString);

            Map<String, byte[]> after = files(out);
            assertEquals(before.keySet(), after.keySet(), "no directory of another shard is removed, nothing is added");
            for (String path : before.keySet()) {
                boolean shard1 = path.startsWith("clusters/cluster-1/") || path.startsWith("meshwave/");
                if (!shard1) {
                    assertArrayEquals(before.get(path), after.get(path), path + " belongs to another shard and is untouched");
                }
            }
            assertTrue(Files.readString(out.resolve("clusters/cluster-1/mesh/kustomization.yaml")).contains("stages/01-canary"),
                    "the shard's own cluster moved (its stage for the plan's 02-fleet is its canary stage)");
        }

        @Test
        void checkOfAShardComparesOnlyItsClustersAndTheFleetFiles() throws IOException {
            Path out = tmp.resolve("repo");
            assertEquals(0, render(MULTI, out).exitCode());
            Files.writeString(out.resolve("clusters/cluster-2/mesh/README.md"), "edited\n");

            Cli.Result shard1 = render(MULTI, out, "--check", "--shard", "1/3");
            assertEquals(0, shard1.exitCode(), "cluster-2 is shard 2's: " + shard1);
            Cli.Result shard2 = render(MULTI, out, "--check", "--shard", "2/3");
            assertEquals(1, shard2.exitCode(), shard2::toString);
            assertTrue(shard2.out().startsWith("--- a/clusters/cluster-2/mesh/README.md\n"), shard2::toString);
            assertFalse(shard2.out().contains("cluster-1") || shard2.out().contains("cluster-3/"), shard2::toString);

            // A job's checkout that holds only its own shard's output (and the fleet files) is up to date for that shard:
            // the other shards' missing cluster directories are not drift there.
            Path alone = tmp.resolve("alone");
            assertEquals(0, render(MULTI, alone, "--shard", "3/3").exitCode());
            Cli.Result check = render(MULTI, alone, "--check", "--shard", "3/3", "--format", "json");
            assertEquals(0, check.exitCode(), check::toString);
            assertTrue(check.out().contains("\"upToDate\" : true"), check::toString);
            // The fleet files are the shard's to check as well.
            Files.writeString(out.resolve("meshwave/multi-project/README.md"), "edited\n");
            Cli.Result fleet = render(MULTI, out, "--check", "--shard", "1/3");
            assertEquals(1, fleet.exitCode(), fleet::toString);
            assertTrue(fleet.out().startsWith("--- a/meshwave/multi-project/README.md\n"), fleet::toString);
        }
    }

    @Nested
    class UsageErrors {

        @Test
        void unknownClusterNamesAreNamedWithSomeThePlanHas() {
            Cli.Result result = render(MULTI, tmp.resolve("out"), "--clusters", "cluster-1,cluster-9,edge-7");
            assertEquals(2, result.exitCode(), result::toString);
            assertEquals("meshwave: --clusters: no clusters 'cluster-9', 'edge-7' in plan multi-project (expected one of: cluster-1,"
                    + " cluster-2, cluster-3)", result.err().lines().findFirst().orElse(""));
            assertTrue(Files.notExists(tmp.resolve("out")), "nothing is written");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0/3", "4/3", "1/0", "3", "a/b", "1/3/5", ""})
        void aShardThatIsNotIOfNIsRefusedBeforeThePlanIsRead(String shard) {
            Cli.Result result = render("no-such-plan.yaml", tmp.resolve("out"), "--shard", shard);
            assertEquals(2, result.exitCode(), result::toString);
            assertEquals("meshwave: Invalid value for option '--shard': '" + shard + "' is not a shard: expected I/N with 1 ≤ I ≤ N"
                    + " (shards count from 1: --shard 1/3, 2/3, 3/3)", result.err().lines().findFirst().orElse(""));
        }

        @Test
        void moreShardsThanClustersWouldLeaveOneEmpty() {
            Cli.Result result = render(MULTI, tmp.resolve("out"), "--shard", "4/4");
            assertEquals(2, result.exitCode(), result::toString);
            assertEquals("meshwave: --shard 4/4: plan multi-project has 3 clusters, so 4 shards would leave some empty (use at most 3)",
                    result.err().lines().findFirst().orElse(""));
        }

        @Test
        void namesAndShardTogetherAreRefused() {
            Cli.Result result = render(MULTI, tmp.resolve("out"), "--clusters", "cluster-1", "--shard", "1/2");
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().startsWith("meshwave: --clusters and --shard are exclusive"), result::toString);
        }
    }

    private static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        }
        return files;
    }

    private static TreeSet<String> executables(Path root) throws IOException {
        TreeSet<String> executable = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).filter(Files::isExecutable).forEach(f -> executable.add(root.relativize(f).toString()));
        }
        return executable;
    }

    private static void copyInto(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    // A file two shards write (the fleet's) must be the same bytes: copied over, then compared above.
                    Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
