package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.Map;
import java.util.SortedMap;

/**
 * The team's own Namespace manifests, for the clusters whose waves edit them in place ({@code namespacesIn}): given
 * each plan namespace's labels at the live stage, the repository files that set them, rewritten on their label lines
 * only (path from the repository root → bytes). The renderer stays pure: whoever read the repository answers.
 */
@FunctionalInterface
public interface NamespaceManifests {

    /**
     * An in-place cluster's record, in its directory, of its namespaces' injection labels before the upgrade: what a
     * rollback writes back once the manifests no longer say it. Applied by nothing.
     */
    String LABELS_BEFORE = "labels-before.yaml";

    /** No repository was read: a plan with in-place clusters cannot be rendered. */
    NamespaceManifests NONE = (cluster, labels) -> {
        throw new RenderException("cluster " + cluster.name() + " edits its Namespaces in place (namespacesIn "
                + cluster.namespacesIn().orElse("") + "): render it into the repository that holds them");
    };

    /**
     * Every file that sets a label of one of {@code labels}' namespaces on {@code cluster}, with those labels written
     * (namespace → its injection labels at the stage; a file already saying so comes back unchanged).
     */
    SortedMap<String, byte[]> filesAt(Plan.Cluster cluster, Map<String, Map<String, String>> labels) throws RenderException;
}
