package dev.meshwave.git;

import static dev.meshwave.testing.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.cli.Environment;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitopsRepository;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code publish --shard I/N}: each shard of a fleet commits its own clusters on branches of its own,
 * {@code meshwave/<plan>/shard-I-of-N/<stage>}, so shards published from different CI jobs never move each other's
 * branches; merged together stage by stage, they are exactly the tree the whole publish commits. Checked with the git CLI
 * on a real bare repository.
 */
class ShardedPublishIT {

    private static final String PLAN = "examples/multi-project/plan.yaml";
    private static final String PREFIX = "meshwave/multi-project/";
    private static final List<String> STAGES = List.of("00-control-plane", "01-canary", "02-fleet", "03-finalize");

    @TempDir
    Path tmp;

    Path remote;
    Map<String, String> env;

    @BeforeEach
    void gitopsRepository() throws IOException {
        remote = GitopsRepository.create(tmp.resolve("gitops.git"));
        env = GitopsRepository.publishEnvironment(tmp);
    }

    Cli.Result meshwave(String... args) {
        return Cli.run(new Environment(env, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)), args);
    }

    Cli.Result publish(String... extra) {
        List<String> args = new ArrayList<>(List.of("publish", PLAN, "--repo", remote.toUri().toString(), "--push"));
        args.addAll(List.of(extra));
        return meshwave(args.toArray(String[]::new));
    }

    @Test
    void shardsPublishSideBySideAndMergeIntoTheWholePublishStageByStage() {
        for (String shard : List.of("1/2", "2/2")) {
            Cli.Result result = publish("--shard", shard);
            assertEquals(0, result.exitCode(), result::toString);
        }
        // Published after the shards: the shards' branches did not get in its way, nor it in theirs.
        assertEquals(0, publish().exitCode());
        List<String> expected = new ArrayList<>(List.of("main"));
        STAGES.forEach(stage -> expected.add(PREFIX + stage));
        STAGES.forEach(stage -> expected.add(PREFIX + "shard-1-of-2/" + stage));
        STAGES.forEach(stage -> expected.add(PREFIX + "shard-2-of-2/" + stage));
        assertEquals(expected.stream().sorted().toList(),
                git(remote, "for-each-ref", "--format=%(refname:short)", "refs/heads/").lines().sorted().toList());

        // Shard 1 holds clusters 1 and 3 (plan positions 1, 3), shard 2 cluster 2: each branch changes its own clusters'
        // directories and the fleet's files, nothing else.
        for (String stage : STAGES) {
            assertEquals(List.of("clusters/cluster-1", "clusters/cluster-3", "meshwave/multi-project"),
                    changedDirectories("main", PREFIX + "shard-1-of-2/" + stage), stage);
            assertEquals(List.of("clusters/cluster-2", "meshwave/multi-project"),
                    changedDirectories("main", PREFIX + "shard-2-of-2/" + stage), stage);
            assertEquals(git(remote, "rev-parse", PREFIX + "shard-1-of-2/" + stage + ":meshwave/multi-project"),
                    git(remote, "rev-parse", PREFIX + "shard-2-of-2/" + stage + ":meshwave/multi-project"),
                    stage + ": the fleet's files are the same tree in both shards");
            assertEquals(git(remote, "rev-parse", PREFIX + stage + ":meshwave/multi-project"),
                    git(remote, "rev-parse", PREFIX + "shard-1-of-2/" + stage + ":meshwave/multi-project"),
                    stage + ": and the whole publish's");
        }

        // Merging every shard's stage before the next stage's, as the pull requests ask, gives the whole publish's tree.
        Path clone = tmp.resolve("merge");
        git(tmp, "clone", "-q", remote.toString(), clone.toString());
        for (String stage : STAGES) {
            for (String shard : List.of("shard-1-of-2/", "shard-2-of-2/")) {
                git(clone, "merge", "-q", "--no-edit", "origin/" + PREFIX + shard + stage);
            }
            assertEquals(git(remote, "rev-parse", PREFIX + stage + "^{tree}"), git(clone, "rev-parse", "HEAD^{tree}"),
                    stage + ": both shards merged are the whole publish's tree");
        }
        git(clone, "fsck", "--strict");

    }

    @Test
    void aShardsRepublishIsUnchangedAndItsPullRequestsNameTheShard() throws IOException {
        Cli.Result first = publish("--shard", "2/2", "--workdir", tmp.resolve("work").toString());
        assertEquals(0, first.exitCode(), first::toString);
        Cli.Result again = publish("--shard", "2/2", "--workdir", tmp.resolve("work").toString());
        assertEquals(0, again.exitCode(), again::toString);
        for (String stage : STAGES) {
            assertTrue(again.out().contains("unchanged " + PREFIX + "shard-2-of-2/" + stage + " "), again::toString);
        }
        Path request = tmp.resolve("work/.meshwave/pull-requests/" + PREFIX + "shard-2-of-2/01-canary.md");
        String text = java.nio.file.Files.readString(request);
        assertTrue(text.startsWith("# [multi-project] 01-canary: move frontend, checkout to asm-1106-2 (shard 2/2)\n"), text);
        assertTrue(text.contains("Merge `" + PREFIX + "shard-2-of-2/01-canary` into `" + PREFIX + "shard-2-of-2/00-control-plane`"), text);
        assertTrue(text.contains("This is shard 2/2 of the fleet"), text);
        assertTrue(!text.contains("clusters/cluster-1/") && !text.contains("clusters/cluster-3/"), "only its own clusters: " + text);
    }

    @Test
    void aShardRollsBackOnlyItsClustersOnItsOwnBranch() {
        assertEquals(0, publish().exitCode());
        git(remote, "update-ref", "refs/heads/main", git(remote, "rev-parse", PREFIX + "02-fleet"));
        Cli.Result result = meshwave("rollback", PLAN, "--wave", "fleet", "--repo", remote.toUri().toString(), "--push", "--shard", "2/2");
        assertEquals(0, result.exitCode(), result::toString);
        String branch = PREFIX + "shard-2-of-2/rollback-fleet";
        assertEquals(List.of("clusters/cluster-2", "meshwave/multi-project"), changedDirectories("main", branch));
        assertEquals("- stages/00-control-plane", git(remote, "show", branch + ":clusters/cluster-2/mesh/kustomization.yaml").lines()
                .filter(l -> l.startsWith("- stages/")).findFirst().orElseThrow());
        assertEquals("- stages/01-fleet", git(remote, "show", branch + ":clusters/cluster-3/mesh/kustomization.yaml").lines()
                .filter(l -> l.startsWith("- stages/")).findFirst().orElseThrow(), "shard 1's cluster stays where main has it");
    }

    @Test
    void publishTakesNoListOfNamesAndRefusesABadShard() {
        Cli.Result names = publish("--clusters", "cluster-1");
        assertEquals(2, names.exitCode(), names::toString);
        assertTrue(names.err().startsWith("meshwave: Unknown options: '--clusters'"), names::toString);
        Cli.Result empty = publish("--shard", "4/4");
        assertEquals(2, empty.exitCode(), empty::toString);
        assertTrue(empty.err().startsWith("meshwave: --shard 4/4: plan multi-project has 3 clusters"), empty::toString);
        assertEquals("main", git(remote, "for-each-ref", "--format=%(refname:short)", "refs/heads/"), "nothing was published");
    }

    /** The top two levels of every path that differs between two commits of the remote. */
    private List<String> changedDirectories(String from, String to) {
        return git(remote, "diff", "--name-only", from, to).lines()
                .map(path -> String.join("/", List.of(path.split("/")).subList(0, 2))).distinct().sorted().toList();
    }
}
