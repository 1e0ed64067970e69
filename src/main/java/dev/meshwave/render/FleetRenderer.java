package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Files about the whole fleet, at the output root: the README with the wave × cluster matrix (plans
 * with several clusters), and on request an Argo CD ApplicationSet or Flux Kustomizations that point
 * at every cluster's live entry point.
 */
final class FleetRenderer {

    private final Plan plan;
    private final List<StagePlan> fleet;
    private final Map<String, Stage> live;
    private final Renderer.Output out;

    FleetRenderer(Plan plan, List<StagePlan> fleet, Map<String, Stage> live, Renderer.Output out) {
        this.plan = plan;
        this.fleet = fleet;
        this.live = live;
        this.out = out;
    }

    void render(Set<Renderer.Emit> emit) throws TemplateException, RenderException {
        if (plan.clusters().size() > 1) {
            out.emit("README.md", "docs/fleet-README.md.mustache", readme());
        }
        if (emit.contains(Renderer.Emit.ARGOCD)) {
            out.emit("argocd/applicationset.yaml", "argocd/applicationset.yaml.mustache", applicationSet());
        }
        if (emit.contains(Renderer.Emit.FLUX)) {
            for (Plan.Cluster cluster : plan.clusters()) {
                out.emit("flux/" + cluster.name() + ".yaml", "flux/flux-kustomization.yaml.mustache", common()
                        .with("cluster", cluster.name())
                        .with("clusterPath", cluster.path()));
            }
        }
    }

    private ClusterRenderer.Context common() {
        return new ClusterRenderer.Context()
                .with("planName", plan.name())
                .with("fromRevision", plan.from().revision())
                .with("revision", plan.finalRevision())
                .with("version", plan.to().version().toString());
    }

    /** One row per stage of the plan: the stage each cluster moves to, or — where the stage leaves it as it was. */
    private ClusterRenderer.Context readme() {
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Stage> before = Map.of();
        for (PlanStages.PlanStage planStage : PlanStages.of(plan)) {
            Map<String, Stage> after = PlanStages.liveAt(fleet, planStage);
            List<Map<String, Object>> cells = new ArrayList<>();
            for (StagePlan stages : fleet) {
                Stage stage = after.get(stages.cluster().name());
                boolean moves = !stage.equals(before.get(stages.cluster().name()));
                cells.add(new ClusterRenderer.Context().with("cell", moves ? "`" + stage.directory() + "`" : "—"));
            }
            Plan phase = plan.phases().get(planStage.phase());
            rows.add(new ClusterRenderer.Context()
                    .with("label", planStage.label())
                    .with("namespaces", String.join(", ", planStage.wave().map(Plan.Wave::namespaces).orElse(List.of())))
                    .with("revision", phase.to().revision())
                    .with("fromRevision", phase.from().revision())
                    .with("controlPlaneDirectory", ControlPlane.directory(plan, planStage.phase()))
                    .with("isControlPlane", planStage.kind() == Stage.Kind.CONTROL_PLANE)
                    .with("isWave", planStage.kind() == Stage.Kind.WAVE)
                    .with("isFinalize", planStage.kind() == Stage.Kind.FINALIZE)
                    .with("isCaCleanup", planStage.kind() == Stage.Kind.CA_CLEANUP)
                    .with("laterPhase", planStage.phase() > 0)
                    .with("cells", cells));
            before = after;
        }
        List<Map<String, Object>> clusters = new ArrayList<>();
        for (StagePlan stages : fleet) {
            clusters.add(new ClusterRenderer.Context()
                    .with("name", stages.cluster().name())
                    .with("path", stages.cluster().path())
                    .with("canary", stages.cluster().canary())
                    .with("live", live.get(stages.cluster().name()).directory()));
        }
        return common()
                .with("clusters", clusters)
                .with("rolloutChart", Mermaid.stages(fleet, live))
                .with("rows", rows)
                .with("caMigration", plan.caMigration().isPresent())
                .with("canaryFirst", plan.ordering() == Plan.Ordering.CANARY_FIRST);
    }

    /**
     * One ApplicationSet whose git directory generator lists the cluster paths; the destination is the
     * Argo CD cluster named like the plan's cluster, read from the path segment that holds it.
     */
    private ClusterRenderer.Context applicationSet() throws RenderException {
        int segment = -1;
        for (Plan.Cluster cluster : plan.clusters()) {
            List<String> segments = List.of(cluster.path().split("/"));
            int index = segments.indexOf(cluster.name());
            if (index < 0 || (segment >= 0 && index != segment)) {
                throw new RenderException("--emit argocd: every cluster's path must name the cluster at the same position"
                        + " (e.g. clusters/<cluster>/mesh), so the ApplicationSet can send each directory to its cluster;"
                        + " '" + cluster.path() + "' does not for cluster " + cluster.name());
            }
            segment = index;
        }
        return common()
                .with("segment", segment)
                .with("paths", plan.clusters().stream().map(Plan.Cluster::path).toList());
    }
}
