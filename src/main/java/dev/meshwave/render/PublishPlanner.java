package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Plan → the branches of a publish (pure, like {@link Renderer}). Branch k holds the cluster
 * directories with stages 00…k and the live entry point at stage k, so its pull request shows exactly
 * what wave k adds.
 */
public final class PublishPlanner {

    private final Renderer renderer;
    private final Templates templates;

    public PublishPlanner(Templates templates) {
        this.renderer = new Renderer(templates);
        this.templates = templates;
    }

    public static String branchPrefix(Plan plan) {
        return "meshwave/" + plan.name() + "/";
    }

    /** The stacked wave branches: control plane, each wave, finalize. */
    public List<PublishStep> waves(Plan plan, String base) throws RenderException, TemplateException {
        StagePlan stages = stagesOf(plan);
        Runbook runbook = new Runbook(stages);
        List<PublishStep> steps = new ArrayList<>();
        RenderedTree previousTree = null;
        for (Stage stage : stages.stages()) {
            RenderedTree tree = throughStage(renderer.render(plan, Renderer.LiveStages.of(stage.directory())), stage.number());
            Optional<String> parent = steps.isEmpty() ? Optional.empty() : Optional.of(steps.get(steps.size() - 1).branch());
            Optional<String> next = stage.number() + 1 < stages.stages().size()
                    ? Optional.of(branchPrefix(plan) + stages.stages().get(stage.number() + 1).directory()) : Optional.empty();
            ClusterRenderer.Context context = context(stages, stage, runbook)
                    .with("base", parent.orElse(base))
                    .with("nextBranch", next.orElse(""))
                    .with("verify", runbook.verify(stage));
            addChanges(context, previousTree, tree);
            steps.add(new PublishStep(branchPrefix(plan) + stage.directory(), stage.directory(), parent, tree,
                    text("git/commit-message.txt.mustache", context),
                    text("git/pr-title.txt.mustache", context).strip(),
                    text("git/pr-body.md.mustache", context)));
            previousTree = tree;
        }
        return steps;
    }

    /**
     * The rollback of one wave (or of finalize): stacked on that wave's branch, its commit points the
     * live entry point and the restart components back at the stage before it.
     */
    public PublishStep rollback(Plan plan, String waveSelector, String base) throws RenderException, TemplateException {
        StagePlan stages = stagesOf(plan);
        Stage stage = stages.find(waveSelector).filter(s -> s.kind() != Stage.Kind.CONTROL_PLANE)
                .orElseThrow(() -> new RenderException("no wave '" + waveSelector + "' to roll back (expected one of: "
                        + String.join(", ", stages.stages().stream().filter(s -> s.kind() != Stage.Kind.CONTROL_PLANE)
                                .map(Stage::label).toList()) + ")"));
        Stage previous = stages.stages().get(stage.number() - 1);
        RenderedTree waveTree = throughStage(renderer.render(plan, Renderer.LiveStages.of(stage.directory())), stage.number());
        RenderedTree tree = throughStage(renderer.render(plan, Renderer.LiveStages.of(previous.directory())), stage.number());
        Runbook runbook = new Runbook(stages);
        ClusterRenderer.Context context = context(stages, stage, runbook)
                .with("base", base)
                .with("verify", runbook.verifyRollback(stage));
        addChanges(context, waveTree, tree);
        String branch = branchPrefix(plan) + "rollback-" + stage.label();
        return new PublishStep(branch, previous.directory(), Optional.of(branchPrefix(plan) + stage.directory()), tree,
                text("git/rollback-commit-message.txt.mustache", context),
                text("git/rollback-pr-title.txt.mustache", context).strip(),
                text("git/rollback-pr-body.md.mustache", context));
    }

    private static StagePlan stagesOf(Plan plan) throws RenderException {
        if (plan.clusters().size() != 1) {
            throw new RenderException("publishing plans with several clusters is not supported yet");
        }
        return new StagePlan(plan, plan.clusters().get(0));
    }

    private ClusterRenderer.Context context(StagePlan stages, Stage stage, Runbook runbook) {
        Plan plan = stages.plan();
        Plan.Cluster cluster = stages.cluster();
        ClusterRenderer.Context context = new ClusterRenderer.Context()
                .with("planName", plan.name())
                .with("cluster", cluster.name())
                .with("clusterPath", cluster.path())
                .with("fromRevision", plan.from().revision())
                .with("revision", plan.to().revision())
                .with("version", plan.to().version().toString())
                .with("stage", stage.directory())
                .with("label", stage.label())
                .with("previousStage", stage.number() == 0 ? "" : stages.stages().get(stage.number() - 1).directory())
                .with("isControlPlane", stage.kind() == Stage.Kind.CONTROL_PLANE)
                .with("isWave", stage.kind() == Stage.Kind.WAVE)
                .with("isFinalize", stage.kind() == Stage.Kind.FINALIZE)
                .with("namespaceList", String.join(", ", stage.wave().map(Plan.Wave::namespaces).orElse(List.of())))
                .with("relabelledList", String.join(", ", stage.wave().map(Plan.Wave::relabelled).orElse(List.of())))
                .with("tagList", String.join(", ", stage.wave().map(plan::tagsMovedBy).orElse(List.of())))
                .with("switchesGateway", runbook.switchesGateway(stage))
                .with("restartAnnotation", plan.restart() == Plan.Restart.ANNOTATION)
                .with("restartManual", plan.restart() == Plan.Restart.MANUAL)
                .with("finalizeDefaultTag", plan.finishing().defaultTag());
        Optional<Plan.IngressGateway> gateway = cluster.ingressGateway();
        return context
                .with("gatewayNamespace", gateway.map(Plan.IngressGateway::namespace).orElse(""))
                .with("gatewayService", gateway.map(Plan.IngressGateway::service).orElse(""))
                .with("gatewayCanonicalBefore", gateway.map(Plan.IngressGateway::fromCanonicalRevision).orElse(""));
    }

    /** The file-level difference between two trees, for the pull request's "Changes" section. */
    private static void addChanges(ClusterRenderer.Context context, RenderedTree before, RenderedTree after) {
        Map<String, byte[]> old = before == null ? Map.of() : before.files();
        TreeSet<String> paths = new TreeSet<>(old.keySet());
        paths.addAll(after.files().keySet());
        List<Map<String, Object>> changes = new ArrayList<>();
        int added = 0;
        int modified = 0;
        int removed = 0;
        for (String path : paths) {
            byte[] a = old.get(path);
            byte[] b = after.files().get(path);
            String kind;
            if (a == null) {
                kind = "added";
                added++;
            } else if (b == null) {
                kind = "removed";
                removed++;
            } else if (!Arrays.equals(a, b)) {
                kind = "modified";
                modified++;
            } else {
                continue;
            }
            changes.add(new ClusterRenderer.Context().with("kind", kind).with("path", path));
        }
        context.with("changes", changes)
                .with("changeSummary", added + " added, " + modified + " modified, " + removed + " removed");
    }

    /** Drops the stage directories after stage {@code last} from every cluster directory. */
    static RenderedTree throughStage(RenderedTree tree, int last) {
        Map<String, byte[]> kept = new TreeMap<>();
        tree.files().forEach((path, bytes) -> {
            if (!isLaterStage(tree, path, last)) {
                kept.put(path, bytes);
            }
        });
        return new RenderedTree(kept, tree.roots());
    }

    private static boolean isLaterStage(RenderedTree tree, String path, int last) {
        for (String root : tree.roots()) {
            String prefix = root + "/stages/";
            if (path.startsWith(prefix)) {
                String stageDir = path.substring(prefix.length(), path.indexOf('/', prefix.length()));
                return Integer.parseInt(stageDir.substring(0, 2)) > last;
            }
        }
        return false;
    }

    private String text(String template, Map<String, Object> context) throws TemplateException {
        return templates.render(template, context);
    }
}
