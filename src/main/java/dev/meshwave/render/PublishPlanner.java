package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import dev.meshwave.plan.Redaction;
import dev.meshwave.render.PlanStages.PlanStage;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StageName;
import dev.meshwave.rollout.StagePlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Plan → the branches of a publish (pure, like {@link Renderer}). Branch k holds the cluster
 * directories with stages 00…k and the live entry point at stage k, so its pull request shows exactly
 * what wave k adds, plus every file the render writes outside the cluster directories (the fleet
 * overview) as it reads at stage k: {@code render --check} on the branch renders exactly that tree.
 */
public final class PublishPlanner {

    private final Renderer renderer;
    private final Templates templates;
    private final Redaction holds;
    private final ClusterSubset subset;

    public PublishPlanner(Templates templates) {
        this(templates, new Redaction());
    }

    /** A planner whose trees, commit messages and pull-request texts may not carry a secret the run {@code holds}. */
    public PublishPlanner(Templates templates, Redaction holds) {
        this(templates, holds, NamespaceManifests.NONE);
    }

    /** The same, for a plan whose in-place clusters' Namespace manifests {@code manifests} reads from the base branch. */
    public PublishPlanner(Templates templates, Redaction holds, NamespaceManifests manifests) {
        this(templates, holds, manifests, ClusterSubset.ALL);
    }

    /**
     * The same, committing only {@code subset}'s cluster directories (and the fleet's files, the same in every subset);
     * a shard's branches are {@code meshwave/<plan>/shard-I-of-N/<stage>}, so the shards of a fleet never move each
     * other's branches, and its pull requests name the shard and list only its clusters.
     */
    public PublishPlanner(Templates templates, Redaction holds, NamespaceManifests manifests, ClusterSubset subset) {
        this.renderer = new Renderer(templates, holds, manifests).only(subset);
        this.templates = templates;
        this.holds = holds;
        this.subset = subset;
    }

    public static String branchPrefix(Plan plan) {
        return "meshwave/" + plan.name() + "/";
    }

    /** The stacked branches: control plane, each wave, finalize, each making every cluster's matching stage live. */
    public List<PublishStep> waves(Plan plan, String base) throws RenderException, TemplateException {
        List<PublishStep> steps = new ArrayList<>();
        for (Waves waves = new Waves(plan, base); waves.hasNext(); ) {
            steps.add(waves.next());
        }
        return steps;
    }

    /** The same steps, rendered one at a time as they are asked for. */
    public Waves lazyWaves(Plan plan, String base) {
        return new Waves(plan, base);
    }

    /**
     * The branches in order, each rendered when it is asked for: besides the plan, only the step before
     * is kept (its tree is what the next pull request's "Changes" are counted against).
     */
    public final class Waves {
        private final Plan plan;
        private final String base;
        private final List<StagePlan> fleet;
        private final List<PlanStage> planStages;
        private int index;
        private RenderedTree previousTree;
        private Map<String, Stage> previousLive = Map.of();
        private Optional<String> parent = Optional.empty();

        private Waves(Plan plan, String base) {
            this.plan = plan;
            this.base = base;
            this.fleet = fleet(plan);
            this.planStages = planStages(plan);
        }

        public boolean hasNext() {
            return index < planStages.size();
        }

        public PublishStep next() throws RenderException, TemplateException {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            PlanStage planStage = planStages.get(index++);
            Map<String, Stage> live = liveAt(fleet, planStage);
            RenderedTree tree = Renderer.throughStages(renderer.render(plan, liveStages(live)), fleet, live);
            Optional<String> next = planStage.number() + 1 < planStages.size()
                    ? Optional.of(prefix(plan) + planStages.get(planStage.number() + 1).directory()) : Optional.empty();
            List<Map<String, Object>> clusters = new ArrayList<>();
            for (StagePlan stages : subset.of(fleet)) {
                Stage stage = live.get(stages.cluster().name());
                if (!stage.equals(previousLive.get(stages.cluster().name()))) {
                    clusters.add(clusterContext(stages, stage, new Runbook(stages).verify(stage)));
                }
            }
            TemplateContext context = context(plan, planStage, clusters)
                    .with("rolloutChart", Mermaid.stages(fleet, live))
                    .with("base", parent.orElse(base))
                    .with("nextBranch", next.orElse(""));
            addChanges(context, previousTree, tree);
            PublishStep step = new PublishStep(false, prefix(plan) + planStage.directory(), planStage.directory(),
                    liveByPath(fleet, live, tree), parent, tree,
                    text("git/commit-message.txt.mustache", context),
                    text("git/pr-title.txt.mustache", context).strip(),
                    text("git/pr-body.md.mustache", context));
            previousTree = tree;
            previousLive = live;
            parent = Optional.of(step.branch());
            return step;
        }
    }

    /**
     * The rollback of one wave (or of finalize): stacked on that wave's branch, its commit points the
     * live entry points and restart components of the clusters the wave changed back at their stage
     * before it.
     */
    public PublishStep rollback(Plan plan, String waveSelector, String base) throws RenderException, TemplateException {
        List<StagePlan> fleet = fleet(plan);
        List<PlanStage> planStages = planStages(plan);
        PlanStage planStage = planStages.stream().filter(s -> s.kind() != Stage.Kind.CONTROL_PLANE)
                .filter(s -> s.name().selectedBy(waveSelector))
                .findFirst()
                .orElseThrow(() -> new RenderException("no wave '" + waveSelector + "' to roll back (expected one of: "
                        + String.join(", ", planStages.stream().filter(s -> s.kind() != Stage.Kind.CONTROL_PLANE)
                                .map(PlanStage::label).toList()) + ")"));
        PlanStage previous = planStages.get(planStage.number() - 1);
        Map<String, Stage> waveLive = liveAt(fleet, planStage);
        Map<String, Stage> backLive = liveAt(fleet, previous);
        List<Map<String, Object>> clusters = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        for (StagePlan stages : subset.of(fleet)) {
            Stage stage = waveLive.get(stages.cluster().name());
            if (!stage.equals(backLive.get(stages.cluster().name()))) {
                clusters.add(clusterContext(stages, stage, new Runbook(stages).verifyRollback(stage)));
                moved.add(stages.cluster().path());
            }
        }
        // Only the clusters this wave moved: the others stay exactly as the base branch has them. The files
        // about the whole fleet (its overview) are rendered as they read once the rollback is merged.
        RenderedTree waveTree = onlyRoots(Renderer.throughStages(renderer.render(plan, liveStages(waveLive)), fleet, waveLive), moved);
        RenderedTree tree = onlyRoots(Renderer.throughStages(renderer.render(plan, liveStages(backLive)), fleet, waveLive), moved);
        TemplateContext context = context(plan, planStage, clusters).with("base", base)
                .with("rolloutChart", Mermaid.stages(fleet, backLive));
        addChanges(context, waveTree, tree);
        String branch = prefix(plan) + "rollback-" + planStage.label();
        // On top of the base branch, where the wave was merged, and proposed into it: merging it is the rollback.
        return new PublishStep(true, branch, previous.directory(), liveByPath(fleet, backLive, tree), Optional.empty(), tree,
                text("git/rollback-commit-message.txt.mustache", context),
                text("git/rollback-pr-title.txt.mustache", context).strip(),
                text("git/rollback-pr-body.md.mustache", context));
    }

    /** Where this planner's branches go: {@link #branchPrefix}, then the shard's {@link ClusterSubset#branchSegment}. */
    private String prefix(Plan plan) {
        return branchPrefix(plan) + subset.branchSegment();
    }

    private static List<StagePlan> fleet(Plan plan) {
        return Renderer.fleet(plan);
    }

    private static List<PlanStage> planStages(Plan plan) {
        return PlanStages.of(plan);
    }

    private static Map<String, Stage> liveAt(List<StagePlan> fleet, PlanStage planStage) {
        return PlanStages.liveAt(fleet, planStage);
    }

    /** Cluster path → the stage its live kustomization points at, for the cluster directories a tree holds. */
    private static Map<String, StageName> liveByPath(List<StagePlan> fleet, Map<String, Stage> live, RenderedTree tree) {
        Map<String, StageName> byPath = new LinkedHashMap<>();
        java.util.Set<String> roots = new java.util.HashSet<>(tree.roots());
        for (StagePlan stages : fleet) {
            if (roots.contains(stages.cluster().path())) {
                byPath.put(stages.cluster().path(), live.get(stages.cluster().name()).name());
            }
        }
        return byPath;
    }

    private static Renderer.LiveStages liveStages(Map<String, Stage> live) {
        Map<String, String> byCluster = new LinkedHashMap<>();
        live.forEach((cluster, stage) -> byCluster.put(cluster, stage.directory()));
        return new Renderer.LiveStages(Optional.empty(), byCluster);
    }

    private TemplateContext clusterContext(StagePlan stages, Stage stage, List<String> verify) {
        Runbook runbook = new Runbook(stages);
        return new TemplateContext()
                .with("cluster", stages.cluster().name())
                .with("clusterPath", stages.cluster().path())
                .with("clusterStage", stage.directory())
                .with("clusterPreviousStage", stage.number() == 0 ? "" : stages.previous(stage).directory())
                .with("controlPlaneDirectory", DeliveryMethod.directory(stages.plan(), stage.phase()))
                .with("switchesGateway", runbook.switchesGateway(stage))
                .with("gatewayCanonicalBefore", stages.gatewayCanonicalBefore(stage).orElse(""))
                .with("gatewayNamespace", stages.cluster().ingressGateway().map(Plan.IngressGateway::namespace).orElse(""))
                .with("gatewayService", stages.cluster().ingressGateway().map(Plan.IngressGateway::service).orElse(""))
                .with("gatewayRelease", stages.cluster().ingressGateway().flatMap(Plan.IngressGateway::release).orElse(""))
                .with("gatewayNewRelease", stages.cluster().ingressGateway().filter(g -> g.release().isPresent())
                        .map(g -> g.releaseAt(stages.phase(stage).to().revision())).orElse(""))
                .with("inPlace", stages.cluster().inPlace())
                .with("namespacesIn", stages.cluster().namespacesIn().orElse(""))
                .with("verify", verify);
    }

    /** What a phase's finalize points at the new revision, as the pull request says it. */
    private static String finalizeMoves(Plan phase) {
        List<String> moved = new ArrayList<>();
        if (phase.finishing().istiodService()) {
            moved.add("Service `istiod`");
        }
        phase.to().delivery().match(script -> null, helm -> moved.add("the base release's `defaultRevision`"), sail -> null);
        if (phase.finishing().defaultTag()) {
            moved.add("the revision tag `default`");
        }
        if (moved.isEmpty()) {
            return "nothing but the live stage";
        }
        return moved.size() == 1 ? moved.get(0) : String.join(", ", moved.subList(0, moved.size() - 1)) + " and " + moved.get(moved.size() - 1);
    }

    private TemplateContext context(Plan plan, PlanStage stage, List<Map<String, Object>> clusters) {
        Plan phase = plan.phases().get(stage.phase());
        return new TemplateContext()
                .with("planName", plan.name())
                .with("fromRevision", phase.from().revision())
                .with("revision", phase.to().revision())
                .with("version", plan.to().version().toString())
                .with("stage", stage.directory())
                .with("label", stage.label())
                .with("laterPhase", stage.phase() > 0)
                .with("caMigration", plan.caMigration().isPresent())
                .withAll(stage.kind().templateFlags())
                .with("isAmbientComponent", stage.kind().isAmbientComponent())
                .with("caCleanup", Runbook.caCleanup(plan))
                .with("namespaceList", String.join(", ", stage.wave().map(Plan.Wave::namespaces).orElse(List.of())))
                .with("relabelledList", String.join(", ", stage.wave().map(Plan.Wave::relabelled).orElse(List.of())))
                .with("ambientList", String.join(", ", stage.wave().map(Plan.Wave::toAmbient).orElse(List.of())))
                .with("gatewayList", String.join(", ", stage.wave().map(w -> w.gateways().stream().map(Plan.Gateway::id).toList())
                        .orElse(List.of())))
                .with("waypointList", String.join(", ", plan.clusters().stream().flatMap(c -> plan.waypoints(c).stream())
                        .map(Plan.Gateway::id).distinct().toList()))
                .with("tagList", String.join(", ", stage.wave().map(plan::tagsMovedBy).orElse(List.of())))
                .with("restartAnnotation", plan.restart() == Plan.Restart.ANNOTATION)
                .with("restartManual", plan.restart() == Plan.Restart.MANUAL)
                .with("finalizeDefaultTag", plan.finishing().defaultTag())
                .with("controlPlaneInGit", phase.to().delivery().inGit())
                .with("delivery", phase.to().delivery().match(script -> "", helm -> helm.controller() == dev.meshwave.plan.Delivery.Controller.FLUX
                        ? "Flux" : "Argo CD", sail -> "the Sail Operator"))
                .with("finalizeMoves", finalizeMoves(phase))
                .with("sharded", subset.shard().isPresent())
                .with("shard", subset.shard().map(Object::toString).orElse(""))
                .with("clusters", clusters)
                .with("clusterNames", String.join(", ", clusters.stream().map(c -> String.valueOf(c.get("cluster"))).toList()));
    }

    /** The file-level difference between two trees, for the pull request's "Changes" section. */
    private static void addChanges(TemplateContext context, RenderedTree before, RenderedTree after) {
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
            changes.add(new TemplateContext().with("kind", kind).with("path", path));
        }
        context.with("changes", changes)
                .with("changeSummary", added + " added, " + modified + " modified, " + removed + " removed");
    }

    /** The given cluster directories and the files outside every cluster directory. */
    private static RenderedTree onlyRoots(RenderedTree tree, List<String> roots) {
        TreeMap<String, byte[]> kept = new TreeMap<>(tree.outsideRoots());
        roots.forEach(root -> kept.putAll(tree.files().subMap(root + "/", root + "0")));
        return RenderedTree.owning(kept, roots, tree.edits());
    }

    /**
     * A commit message or pull-request text: checked like the files, since it is committed or posted
     * too, and passed through the run's redaction like everything meshwave prints (a piece of a held
     * token is not refused, as in a file, but hidden).
     */
    private String text(String template, Map<String, Object> context) throws TemplateException, UnsafeContentException {
        String text = templates.render(template, context);
        TreeGuard.checkText(templates.origin(template) + " (rendered for " + context.get("stage") + ")", text, holds);
        return holds.text(text);
    }
}
