package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StagePlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Files about the whole plan rather than one cluster: the README with the wave × cluster matrix (plans
 * with several clusters), and on request ({@code --emit}) an Argo CD ApplicationSet or one Flux
 * Kustomization per cluster that apply every cluster's live entry point, each controller's files with
 * a README that says where they go. They all go under {@link Plan#directory()} ({@code meshwave/<plan>/})
 * of the output root, so that they never meet a repository's own README or manifests, nor another
 * plan's files in the same repository.
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
        String dir = plan.directory();
        // The same with or without --emit, so that a --check without it finds no drift in the README.
        if (plan.clusters().size() > 1) {
            out.emit(dir + "/README.md", "docs/fleet-README.md.mustache", readme());
        }
        for (Renderer.Emit controller : new java.util.TreeSet<>(emit)) {
            switch (controller) {
                case ARGOCD -> {
                    TemplateContext context = applicationSet();
                    out.emit(dir + "/argocd/README.md", "docs/argocd-README.md.mustache", context);
                    out.emit(dir + "/argocd/applicationset.yaml", "argocd/applicationset.yaml.mustache", context);
                }
                case FLUX -> {
                    out.emit(dir + "/flux/README.md", "docs/flux-README.md.mustache", fluxReadme());
                    for (Plan.Cluster cluster : plan.clusters()) {
                        String clusterDir = dir + "/flux/" + cluster.name();
                        TemplateContext context = fluxKustomization(cluster);
                        out.emit(clusterDir + "/kustomization.yaml", "flux/flux-directory-kustomization.yaml.mustache", context);
                        out.emit(clusterDir + "/mesh-" + cluster.name() + ".yaml", "flux/flux-kustomization.yaml.mustache", context);
                    }
                }
            }
        }
    }

    private TemplateContext common() {
        return new TemplateContext()
                .with("planName", plan.name())
                .with("fromRevision", plan.from().revision())
                .with("revision", plan.finalRevision())
                .with("version", plan.to().version().toString());
    }

    /** One row per stage of the plan: the stage each cluster moves to, or — where the stage leaves it as it was. */
    private TemplateContext readme() {
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Stage> before = Map.of();
        for (PlanStages.PlanStage planStage : PlanStages.of(plan)) {
            Map<String, Stage> after = PlanStages.liveAt(fleet, planStage);
            List<Map<String, Object>> cells = new ArrayList<>();
            for (StagePlan stages : fleet) {
                Stage stage = after.get(stages.cluster().name());
                boolean moves = !stage.equals(before.get(stages.cluster().name()));
                cells.add(new TemplateContext().with("cell", moves ? "`" + stage.directory() + "`" : "—"));
            }
            Plan phase = plan.phases().get(planStage.phase());
            rows.add(new TemplateContext()
                    .with("label", planStage.label())
                    .with("namespaces", String.join(", ", planStage.wave().map(Plan.Wave::namespaces).orElse(List.of())))
                    .with("revision", phase.to().revision())
                    .with("fromRevision", phase.from().revision())
                    .with("controlPlaneDirectory", DeliveryMethod.directory(plan, planStage.phase()))
                    .withAll(planStage.kind().templateFlags())
                    .with("isAmbientComponent", planStage.kind().isAmbientComponent())
                    .with("laterPhase", planStage.phase() > 0)
                    .with("cells", cells));
            before = after;
        }
        List<Map<String, Object>> clusters = new ArrayList<>();
        for (StagePlan stages : fleet) {
            clusters.add(new TemplateContext()
                    .with("name", stages.cluster().name())
                    .with("path", stages.cluster().path())
                    .with("canary", stages.cluster().canary())
                    .with("live", live.get(stages.cluster().name()).directory()));
        }
        return common()
                .with("directory", plan.directory())
                .with("clusters", clusters)
                .with("rolloutChart", Mermaid.stages(fleet, live))
                .with("rows", rows)
                .with("caMigration", plan.caMigration().isPresent())
                .with("canaryFirst", plan.ordering() == Plan.Ordering.CANARY_FIRST);
    }

    /**
     * One ApplicationSet whose list generator names every cluster, its path and its Argo CD cluster.
     * A list rather than a git directory generator: meshwave knows the clusters, and a list leaves the
     * paths free (a directory generator would have to read the cluster's name back out of its path).
     */
    private TemplateContext applicationSet() throws RenderException {
        Plan.ArgoCd argocd = plan.gitops().argocd();
        if (argocd.repoURL().isEmpty()) {
            throw new RenderException(where("spec.gitops.argocd") + ": --emit argocd needs spec.gitops.argocd.repoURL,"
                    + " the URL Argo CD knows the GitOps repository by (e.g. https://github.com/acme/gitops.git);"
                    + " meshwave cannot guess it");
        }
        List<Map<String, Object>> clusters = new ArrayList<>();
        for (Plan.Cluster cluster : plan.clusters()) {
            clusters.add(new TemplateContext()
                    .with("name", cluster.name())
                    .with("path", cluster.path())
                    .with("pathYaml", yamlString(cluster.path()))
                    .with("destination", argocd.destination(cluster))
                    .with("destinationYaml", yamlString(argocd.destination(cluster))));
        }
        return common()
                .with("directory", plan.directory())
                .with("namespace", argocd.namespace())
                .with("project", argocd.project())
                .with("repoURL", argocd.repoURL().get())
                .with("targetRevision", argocd.targetRevision())
                .with("projectYaml", yamlString(argocd.project()))
                .with("repoURLYaml", yamlString(argocd.repoURL().get()))
                .with("targetRevisionYaml", yamlString(argocd.targetRevision()))
                .with("clusters", clusters);
    }

    /** Where each cluster's Flux Kustomization is, and what they all share. */
    private TemplateContext fluxReadme() {
        Plan.Flux flux = plan.gitops().flux();
        return common()
                .with("directory", plan.directory())
                .with("namespace", flux.namespace())
                .with("interval", flux.interval())
                .with("sourceKind", flux.sourceRef().kind())
                .with("sourceName", flux.sourceRef().name())
                .with("clusters", plan.clusters().stream().<Map<String, Object>>map(cluster -> new TemplateContext()
                        .with("name", cluster.name()).with("path", cluster.path())).toList());
    }

    /** One cluster's Flux Kustomization, named for the cluster so that a fleet's never collide. */
    private TemplateContext fluxKustomization(Plan.Cluster cluster) {
        Plan.Flux flux = plan.gitops().flux();
        return common()
                .with("cluster", cluster.name())
                .with("clusterPath", cluster.path())
                .with("fluxPath", yamlString("./" + cluster.path()))
                .with("namespace", flux.namespace())
                .with("interval", flux.interval())
                .with("sourceKind", flux.sourceRef().kind())
                .with("sourceName", flux.sourceRef().name())
                .with("sourceNamespace", flux.sourceRef().namespace().orElse(""));
    }

    /** The plan position of the deepest of these YAML paths that the plan has, for a message. */
    private String where(String yamlPath) {
        for (String path = yamlPath; ; path = path.substring(0, path.lastIndexOf('.'))) {
            if (plan.positions().containsKey(path) || path.indexOf('.') < 0) {
                return plan.position(path) + ": " + path;
            }
        }
    }

    /** A single-quoted YAML scalar: a cluster path may hold characters that plain YAML reads otherwise. */
    private static String yamlString(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
