package dev.meshwave.render;

import java.util.Optional;

/**
 * One branch of a publish: the tree its commit holds and the texts that describe it.
 *
 * @param branch       {@code meshwave/<plan>/<stage>} or {@code meshwave/<plan>/rollback-<wave>}
 * @param stage        the stage directory this branch makes live
 * @param parentBranch the branch this one is stacked on; empty means the base branch
 * @param tree         the cluster directories as of this branch
 * @param rollback     a rollback moves the live stage backwards on purpose
 */
public record PublishStep(
        boolean rollback,
        String branch,
        String stage,
        Optional<String> parentBranch,
        RenderedTree tree,
        String commitMessage,
        String title,
        String body) {}
