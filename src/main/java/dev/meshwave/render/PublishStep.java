package dev.meshwave.render;

import dev.meshwave.rollout.StageName;
import java.util.Map;
import java.util.Optional;

/**
 * One branch of a publish: the tree its commit holds and the texts that describe it.
 *
 * @param branch       {@code meshwave/<plan>/<stage>} or {@code meshwave/<plan>/rollback-<wave>}
 * @param stage        the stage directory this branch makes live
 * @param live         cluster path → the stage its live kustomization points at in {@code tree}, for every
 *                     cluster directory the tree holds: the publisher compares it with the base branch's
 *                     instead of reading it back out of the rendered text
 * @param parentBranch the branch this one is stacked on; empty means the base branch
 * @param tree         the cluster directories as of this branch; a step rendered into a sink
 *                     ({@link PublishPlanner.Steps#next(PublishPlanner.StepSink)}) keeps only their roots, no files
 * @param rollback     a rollback moves the live stage backwards on purpose
 */
public record PublishStep(
        boolean rollback,
        String branch,
        String stage,
        Map<String, StageName> live,
        Optional<String> parentBranch,
        RenderedTree tree,
        String commitMessage,
        String title,
        String body) {

    public PublishStep {
        live = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(live));
    }
}
