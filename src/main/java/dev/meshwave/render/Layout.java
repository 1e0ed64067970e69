package dev.meshwave.render;

import dev.meshwave.rollout.Rollout;
import dev.meshwave.rollout.Stage;

/**
 * How one cluster's {@link Rollout} becomes files of its directory. The {@link KustomizeLayout} writes one
 * cumulative Kustomize directory per stage; a layout that edits a team's own manifests in place is a second
 * implementation, chosen in {@link #of}, the one place that knows them all.
 */
interface Layout {

    /**
     * The layout of a cluster, writing through {@code out} with {@code live} as its live stage; with {@code throughLive}, no
     * stage directory after the live stage (a published branch's cut).
     */
    static Layout of(Rollout rollout, Stage live, boolean throughLive, Renderer.Output out) {
        return new KustomizeLayout(rollout, live, throughLive, out);
    }

    /** Writes every file of the cluster's directory. */
    void write() throws TemplateException;
}
