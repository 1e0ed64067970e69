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
     * Where a publish step's files go as each cluster is rendered ({@link Steps#next(StepSink)}); once finished, it
     * says which files differ from the step before's, for the pull request's "Changes" (the first step's: every file).
     */
    public interface StepSink extends TreeSink {
        Changes changes();
    }

    /**
     * The steps of a publish in order, each rendered into the sink its consumer hands over, so that no step's tree
     * need be held whole; {@link #done()} keeps the steps handed out so far, their texts without their files.
     */
    public interface Steps {
        /** Every branch, in order, known before anything is rendered. */
        List<String> branches();

        boolean hasNext();

        /** Renders the next step into {@code sink} (which has its files) and returns it with its texts and no files. */
        PublishStep next(StepSink sink) throws RenderException, TemplateException;

        /** The steps {@link #next(StepSink)} returned, in order. */
        List<PublishStep> done();

        /** Steps already rendered whole (a rollback): each is fed to the sink as it is asked for. */
        static Steps of(List<PublishStep> steps) {
            return new Steps() {
                private int index;

                @Override
                public List<String> branches() {
                    return steps.stream().map(PublishStep::branch).toList();
                }

                @Override
                public boolean hasNext() {
                    return index < steps.size();
                }

                @Override
                public PublishStep next(StepSink sink) {
                    PublishStep step = steps.get(index++);
                    feed(step.tree(), sink);
                    return step;
                }

                @Override
                public List<PublishStep> done() {
                    return steps.subList(0, index);
                }
            };
        }
    }

    /** Hands a whole tree to a sink as a render would: each cluster directory in order, then the rest. */
    static void feed(RenderedTree tree, TreeSink sink) {
        for (String root : tree.roots()) {
            sink.cluster(root, tree.files().subMap(root + "/", root + "0"));
        }
        java.util.SortedMap<String, byte[]> outside = tree.outsideRoots();
        java.util.SortedMap<String, byte[]> edits = new TreeMap<>();
        tree.edits().forEach(path -> {
            if (outside.containsKey(path)) {
                edits.put(path, outside.remove(path));
            }
        });
        if (!edits.isEmpty()) {
            sink.edits(edits);
        }
        sink.fleet(outside);
        sink.finish();
    }

    /**
     * The branches in order, each rendered when it is asked for: besides the plan, nothing of a step is kept
     * but its texts; the sink says what changed against the step before.
     */
    public final class Waves implements Steps {
        private final Plan plan;
        private final String base;
        private final List<StagePlan> fleet;
        private final List<PlanStage> planStages;
        private final List<PublishStep> done = new ArrayList<>();
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

        @Override
        public List<String> branches() {
            return planStages.stream().map(stage -> prefix(plan) + stage.directory()).toList();
        }

        @Override
        public boolean hasNext() {
            return index < planStages.size();
        }

        @Override
        public List<PublishStep> done() {
            return java.util.Collections.unmodifiableList(done);
        }

        /** The next step with its whole tree (for tests and small plans): the changes are counted against the tree before. */
        public PublishStep next() throws RenderException, TemplateException {
            Collected collected = new Collected(previousTree);
            PublishStep step = next(collected);
            previousTree = collected.tree();
            PublishStep whole = new PublishStep(step.rollback(), step.branch(), step.stage(), step.live(), step.parentBranch(),
                    collected.tree(), step.commitMessage(), step.title(), step.body());
            return whole;
        }

        @Override
        public PublishStep next(StepSink sink) throws RenderException, TemplateException {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            PlanStage planStage = planStages.get(index++);
            Map<String, Stage> live = liveAt(fleet, planStage);
            renderer.throughLive().render(plan, liveStages(live), java.util.Set.of(), Renderer.throughStages(sink, fleet, live));
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
            sink.changes().addTo(context);
            List<String> roots = subset.of(fleet).stream().map(stages -> stages.cluster().path()).toList();
            PublishStep step = new PublishStep(false, prefix(plan) + planStage.directory(), planStage.directory(),
                    liveByPath(fleet, live, roots), parent, RenderedTree.owning(new TreeMap<>(), roots),
                    text("git/commit-message.txt.mustache", context),
                    text("git/pr-title.txt.mustache", context).strip(),
                    text("git/pr-body.md.mustache", context));
            previousLive = live;
            parent = Optional.of(step.branch());
            done.add(step);
            return step;
        }
    }

    /** A step's whole tree, its changes counted against the tree of the step before (none for the first). */
    private static final class Collected implements StepSink {
        private final TreeSink.Collecting files = new TreeSink.Collecting();
        private final RenderedTree before;
        private Changes changes;

        Collected(RenderedTree before) {
            this.before = before;
        }

        @Override
        public void cluster(String root, java.util.SortedMap<String, byte[]> clusterFiles) {
            files.cluster(root, clusterFiles);
        }

        @Override
        public void fleet(java.util.SortedMap<String, byte[]> fleetFiles) {
            files.fleet(fleetFiles);
        }

        @Override
        public void edits(java.util.SortedMap<String, byte[]> editedFiles) {
            files.edits(editedFiles);
        }

        @Override
        public void finish() {
            files.finish();
            changes = Changes.between(before, files.tree());
        }

        RenderedTree tree() {
            return files.tree();
        }

        @Override
        public Changes changes() {
            return changes;
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
        Changes.between(waveTree, tree).addTo(context);
        String branch = prefix(plan) + "rollback-" + planStage.label();
        // On top of the base branch, where the wave was merged, and proposed into it: merging it is the rollback.
        return new PublishStep(true, branch, previous.directory(), liveByPath(fleet, backLive, tree.roots()), Optional.empty(), tree,
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
    private static Map<String, StageName> liveByPath(List<StagePlan> fleet, Map<String, Stage> live, List<String> treeRoots) {
        Map<String, StageName> byPath = new LinkedHashMap<>();
        java.util.Set<String> roots = new java.util.HashSet<>(treeRoots);
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

    /**
     * The file-level difference between two steps, for the pull request's "Changes" section: the counts are exact,
     * the paths listed are the first {@link #LISTED} in path order (a body must stay within what a host accepts:
     * GitHub refuses one over 65,536 characters), so what is kept does not grow with the fleet.
     */
    public static final class Changes {
        /** How many changed paths a pull request lists. */
        public static final int LISTED = 500;

        private final TreeMap<String, String> listed = new TreeMap<>();
        private int added;
        private int modified;
        private int removed;

        public void added(String path) {
            added++;
            list(path, "added");
        }

        public void modified(String path) {
            modified++;
            list(path, "modified");
        }

        public void removed(String path) {
            removed++;
            list(path, "removed");
        }

        private void list(String path, String kind) {
            listed.put(path, kind);
            if (listed.size() > LISTED) {
                listed.pollLastEntry();
            }
        }

        /** Between two whole trees ({@code before} null: everything is added). */
        static Changes between(RenderedTree before, RenderedTree after) {
            Map<String, byte[]> old = before == null ? Map.of() : before.files();
            TreeSet<String> paths = new TreeSet<>(old.keySet());
            paths.addAll(after.files().keySet());
            Changes changes = new Changes();
            for (String path : paths) {
                byte[] a = old.get(path);
                byte[] b = after.files().get(path);
                if (a == null) {
                    changes.added(path);
                } else if (b == null) {
                    changes.removed(path);
                } else if (!Arrays.equals(a, b)) {
                    changes.modified(path);
                }
            }
            return changes;
        }

        void addTo(TemplateContext context) {
            List<Map<String, Object>> shown = new ArrayList<>();
            listed.forEach((path, kind) -> shown.add(new TemplateContext().with("kind", kind).with("path", path)));
            int total = added + modified + removed;
            context.with("changes", shown)
                    .with("moreChanges", total > shown.size() ? String.format(java.util.Locale.ROOT, "%,d", total - shown.size()) : "")
                    .with("changeSummary", added + " added, " + modified + " modified, " + removed + " removed");
        }
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
