package dev.meshwave.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.Plan;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.plan.PlanSchema;
import dev.meshwave.render.PublishPlanner;
import dev.meshwave.render.PublishStep;
import dev.meshwave.render.RenderedTree;
import dev.meshwave.render.Templates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Publish streams each step into git objects cluster by cluster ({@link BranchTree}); before, it built each commit's
 * tree from an index of the step's whole tree ({@link DirCacheComposer}, kept in the tests for this). Both must give
 * the same trees, byte for byte, and the same pull-request texts.
 */
class BranchTreeTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"asm-upgrade", "asm-tags", "ca-migration", "helm-flux", "helm-argocd", "helm-gateway", "helm-ambient",
            "istio-to-asm", "multi-project", "sail", "sail-ambient"})
    void everyStepGetsTheTreeTheWholeIndexGaveAndTheSameTexts(String example) throws Exception {
        Plan plan = new PlanLoader(PlanSchema.load()).load(Path.of("examples", example, "plan.yaml")).plan();
        PublishPlanner planner = new PublishPlanner(Templates.builtIn());
        List<PublishStep> whole = planner.waves(plan, "main");
        PublishPlanner.Waves streamed = planner.lazyWaves(plan, "main");
        try (Repository repository = FileRepositoryBuilder.create(dir.resolve("r.git").toFile());
             ObjectInserter inserter = newInserter(repository);
             ObjectReader reader = repository.newObjectReader();
             RevWalk walk = new RevWalk(reader)) {
            // A base branch with a team's file, a file meshwave generated in an earlier run, and a stale cluster directory.
            String firstRoot = whole.get(0).tree().roots().get(0);
            // Where the plan renders no fleet file, one is made up (a file of the team's beside meshwave's directory).
            String fleetFile = whole.get(0).tree().outsideRoots().isEmpty() ? "meshwave/earlier.md"
                    : whole.get(0).tree().outsideRoots().firstKey();
            ObjectId base = tree(reader, inserter, Map.of(
                    "README.md", "the team's own\n",
                    "apps/shop/deploy.sh", "#!/bin/sh\n",
                    fleetFile, "# " + RenderedTree.GENERATED_MARK + " from an earlier run.\n",
                    firstRoot + "/stale.yaml", "# " + RenderedTree.GENERATED_MARK + " from an earlier run.\n"));
            ObjectId parent = base;
            ObjectId previousRendered = null;
            for (PublishStep expected : whole) {
                BranchTree files = new BranchTree(reader, inserter, previousRendered);
                PublishStep step = streamed.next(files);
                RevTree parentTree = walk.parseTree(parent);
                ObjectId indexed = DirCacheComposer.compose(reader, inserter, new DirCacheComposer.Blobs(), parentTree,
                        expected.tree().roots(), expected.tree().files(), expected.tree().edits());
                assertEquals(indexed, files.compose(parentTree), example + " " + expected.branch());
                assertEquals(expected.body(), step.body(), example + " " + expected.branch());
                assertEquals(expected.commitMessage(), step.commitMessage());
                assertEquals(expected.live(), step.live());
                parent = indexed;
                previousRendered = files.rendered();
            }
            assertTrue(walk.parseTree(parent).getId() != null);
        }
    }

    @Test
    void aFileTheTeamWroteIsNeverOverwrittenNorTurnedIntoADirectory() throws Exception {
        Plan plan = new PlanLoader(PlanSchema.load()).load(Path.of("examples", "ca-migration", "plan.yaml")).plan();
        PublishPlanner planner = new PublishPlanner(Templates.builtIn());
        PublishStep first = planner.waves(plan, "main").get(0);
        String fleetFile = first.tree().outsideRoots().firstKey();
        try (Repository repository = FileRepositoryBuilder.create(dir.resolve("r.git").toFile());
             ObjectInserter inserter = newInserter(repository);
             ObjectReader reader = repository.newObjectReader();
             RevWalk walk = new RevWalk(reader)) {
            for (Map<String, String> base : List.of(Map.of(fleetFile, "mine\n"),
                    Map.of(fleetFile.substring(0, fleetFile.indexOf('/')), "a file where meshwave writes a directory\n"))) {
                BranchTree files = new BranchTree(reader, inserter, null);
                PublishPlanner.Steps.of(List.of(first)).next(files);
                RevTree parent = walk.parseTree(tree(reader, inserter, base));
                assertThrows(UnsafeRepositoryException.class, () -> files.compose(parent), base.toString());
            }
        }
    }

    private static ObjectInserter newInserter(Repository repository) throws java.io.IOException {
        repository.create(true);
        return repository.newObjectInserter();
    }

    private static ObjectId tree(ObjectReader reader, ObjectInserter inserter, Map<String, String> files) throws Exception {
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
            DirCacheEntry entry = new DirCacheEntry(file.getKey());
            entry.setFileMode(file.getKey().endsWith(".sh") ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE);
            entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, file.getValue().getBytes(StandardCharsets.UTF_8)));
            builder.add(entry);
        }
        builder.finish();
        return index.writeTree(inserter);
    }
}
