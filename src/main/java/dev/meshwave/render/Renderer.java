package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import dev.meshwave.plan.Redaction;
import dev.meshwave.rollout.Rollout;
import dev.meshwave.rollout.RolloutComposer;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StagePlan;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Plan → {@link RenderedTree}. Pure: no disk, no clock, no environment; the same plan and templates
 * give the same bytes.
 */
public final class Renderer {

    /** Which stage the live entry point of each cluster points at. */
    public record LiveStages(Optional<String> all, Map<String, String> byCluster) {
        public static LiveStages first() {
            return new LiveStages(Optional.empty(), Map.of());
        }

        public static LiveStages of(String selector) {
            return new LiveStages(Optional.of(selector), Map.of());
        }

    }

    private final Templates templates;
    private final Redaction holds;
    private final NamespaceManifests manifests;
    private final ClusterSubset subset;
    private final boolean throughLive;

    public Renderer(Templates templates) {
        this(templates, new Redaction());
    }

    /** A renderer whose every tree is also refused when it carries one of the secrets the run {@code holds}. */
    public Renderer(Templates templates, Redaction holds) {
        this(templates, holds, NamespaceManifests.NONE);
    }

    /** A renderer that also writes the label lines of the team's Namespace manifests for the clusters that keep them there. */
    public Renderer(Templates templates, Redaction holds, NamespaceManifests manifests) {
        this(templates, holds, manifests, ClusterSubset.ALL, false);
    }

    private Renderer(Templates templates, Redaction holds, NamespaceManifests manifests, ClusterSubset subset, boolean throughLive) {
        this.templates = templates;
        this.holds = holds;
        this.manifests = manifests;
        this.subset = subset;
        this.throughLive = throughLive;
    }

    /**
     * This renderer writing only the directories (and in-place edits) of {@code subset}'s clusters; everything else,
     * the fleet's files included, is worked out from the whole plan as before, so a subset's files are the whole
     * render's files of those clusters, and the fleet's the same bytes in every subset.
     */
    public Renderer only(ClusterSubset subset) {
        return new Renderer(templates, holds, manifests, subset, throughLive);
    }

    /**
     * This renderer writing each cluster's stage directories only up to its live stage, as a published branch carries
     * them ({@link #throughStages}): the later stages are neither rendered nor scanned, which is most of a publish step's
     * work. Every other file is the same as a whole render's.
     */
    public Renderer throughLive() {
        return new Renderer(templates, holds, manifests, subset, true);
    }

    /** Extra files for GitOps controllers, written at the output root. */
    public enum Emit { ARGOCD, FLUX }

    public RenderedTree render(Plan plan, LiveStages live) throws RenderException, TemplateException {
        return render(plan, live, java.util.Set.of());
    }

    public RenderedTree render(Plan plan, LiveStages live, java.util.Set<Emit> emit) throws RenderException, TemplateException {
        TreeSink.Collecting sink = new TreeSink.Collecting();
        render(plan, live, emit, sink);
        return sink.tree();
    }

    /**
     * Renders into {@code sink}: each cluster's files in plan order, then the fleet's files, then {@code
     * finish()} once every file has passed {@link TreeGuard}. Once a file is refused (an unsafe path, a
     * secret) the sink gets nothing more, that file's cluster included; the render goes on as it would,
     * so it fails with the same error (a template error, else the guard's first refusal in path order).
     */
    public void render(Plan plan, LiveStages live, java.util.Set<Emit> emit, TreeSink sink) throws RenderException, TemplateException {
        List<StagePlan> fleet = fleet(plan);
        Map<String, Stage> liveByCluster = liveStages(plan, fleet, live);
        Optional<String> outOfOrder = PlanStages.phaseOrderViolation(fleet, liveByCluster);
        if (outOfOrder.isPresent()) {
            throw new RenderException("live stages out of order: " + outOfOrder.get());
        }
        TreeGuard.Scan guard = new TreeGuard.Scan(holds);
        // Clusters render independently, so in parallel, a window at a time, each into its own map, handed
        // over in plan order.
        // The team's own manifests of in-place clusters (outside their directories), as each live stage labels them.
        Map<String, SortedMap<String, byte[]>> edited = new java.util.HashMap<>();
        Map<String, String> editedBy = new java.util.HashMap<>();
        for (StagePlan stages : fleet) {
            if (stages.cluster().inPlace()) {
                SortedMap<String, byte[]> files = manifests.filesAt(stages.cluster(),
                        injectionLabelsAt(RolloutComposer.compose(stages), liveByCluster.get(stages.cluster().name())));
                for (Map.Entry<String, byte[]> file : files.entrySet()) {
                    // A base two clusters build: both must want the same lines, or the file has no one content.
                    String other = editedBy.putIfAbsent(file.getKey(), stages.cluster().name());
                    if (other != null && !java.util.Arrays.equals(edited.get(other).get(file.getKey()), file.getValue())) {
                        throw new RenderException(file.getKey() + " sets labels of namespaces on clusters " + other + " and "
                                + stages.cluster().name() + ", whose live stages label them differently; move them together,"
                                + " or give each cluster its own overlay line");
                    }
                }
                edited.put(stages.cluster().name(), files);
            }
        }
        InOrder.forEachInOrder(subset.of(fleet), WINDOW, stages -> {
            TreeMap<String, byte[]> rendered = new TreeMap<>();
            Layout.of(RolloutComposer.compose(stages), liveByCluster.get(stages.cluster().name()), throughLive,
                    new Output(stages.cluster().path(), rendered)).write();
            rendered.putAll(edited.getOrDefault(stages.cluster().name(), new TreeMap<>()));
            // The content check (most of the guard's cost) runs here, in parallel; only the paths are checked in order.
            Map<String, UnsafeContentException> secrets = new java.util.HashMap<>();
            rendered.forEach((path, bytes) -> {
                UnsafeContentException secret = guard.secretIn(path, bytes);
                if (secret != null) {
                    secrets.put(path, secret);
                }
            });
            return new Checked(rendered, secrets);
        }, (stages, checked) -> {
            TreeMap<String, byte[]> rendered = checked.files();
            guard.cluster(stages.cluster().path(), rendered, checked.secrets());
            // A tree the guard will refuse goes no further: a sink that stages files on disk never holds a secret.
            if (!guard.refuses()) {
                String root = stages.cluster().path();
                TreeMap<String, byte[]> edits = new TreeMap<>(rendered);
                edits.subMap(root + "/", root + "0").clear();
                rendered.keySet().removeAll(edits.keySet());
                sink.cluster(root, rendered);
                if (!edits.isEmpty()) {
                    sink.edits(edits);
                }
            }
        });
        TreeMap<String, byte[]> files = new TreeMap<>();
        new FleetRenderer(plan, fleet, liveByCluster, new Output(null, files)).render(emit);
        files.forEach(guard::file);
        if (!guard.refuses()) {
            sink.fleet(files);
        }
        guard.finish();
        sink.finish();
    }

    /** One cluster's files, and what {@link TreeGuard.Scan#secretIn} refused in them (by path). */
    private record Checked(TreeMap<String, byte[]> files, Map<String, UnsafeContentException> secrets) {}

    /** Each plan namespace's injection labels ({@code istio-injection}, {@code istio.io/rev}) at a stage. */
    public static Map<String, Map<String, String>> injectionLabelsAt(Rollout rollout, Stage stage) {
        Map<String, Map<String, String>> labels = new java.util.LinkedHashMap<>();
        for (String namespace : rollout.stages().namespaces()) {
            Map<String, String> injection = new java.util.TreeMap<>();
            rollout.labelsAt(namespace, stage).forEach((key, value) -> {
                if (key.equals("istio-injection") || key.equals("istio.io/rev")) {
                    injection.put(key, value);
                }
            });
            labels.put(namespace, injection);
        }
        return labels;
    }

    /** How many clusters render at once; only their files are held before the sink takes them. */
    private static final int WINDOW = 4 * Math.max(1, Runtime.getRuntime().availableProcessors());

    /** Each cluster's stage plan, in plan order. */
    public static List<StagePlan> fleet(Plan plan) {
        return plan.clusters().stream().map(c -> new StagePlan(plan, c)).toList();
    }

    /**
     * Which stage each cluster's live entry point points at: the plan stage {@code --live} names (each
     * cluster goes to its own stage for it; a wave that skips a cluster leaves it where it was), else the
     * cluster's own selector, else its first stage. Keyed by cluster name, in plan order.
     */
    public static Map<String, Stage> liveStages(Plan plan, LiveStages live) throws RenderException {
        return liveStages(plan, fleet(plan), live);
    }

    private static Map<String, Stage> liveStages(Plan plan, List<StagePlan> fleet, LiveStages live) throws RenderException {
        Map<String, Stage> planLive = live.all().isPresent() ? PlanStages.liveAt(fleet, PlanStages.find(plan, live.all().get())
                .orElseThrow(() -> new RenderException("no stage '" + live.all().get() + "' in plan " + plan.name()
                        + " (expected a number, name or directory of: " + String.join(", ",
                                PlanStages.of(plan).stream().map(PlanStages.PlanStage::directory).toList()) + ")"))) : Map.of();
        Map<String, Stage> liveByCluster = new java.util.LinkedHashMap<>();
        for (StagePlan stages : fleet) {
            Plan.Cluster cluster = stages.cluster();
            liveByCluster.put(cluster.name(), planLive.containsKey(cluster.name()) ? planLive.get(cluster.name())
                    : liveStage(stages, Optional.ofNullable(live.byCluster().get(cluster.name()))));
        }
        return liveByCluster;
    }

    /**
     * A tree as a branch or an output directory carries it: in each cluster directory the stage
     * directories up to that cluster's stage in {@code through} (a published branch holds the stages up
     * to its own, so that its pull request shows exactly its wave), every other file whole. Stage
     * directories are matched by name, not by a number parsed out of it.
     */
    public static RenderedTree throughStages(RenderedTree tree, List<StagePlan> fleet, Map<String, Stage> through) {
        TreeMap<String, byte[]> kept = new TreeMap<>(tree.files());
        for (StagePlan stages : fleet) {
            cutAfter(kept, stages, through.get(stages.cluster().name()));
        }
        return RenderedTree.owning(kept, tree.roots(), tree.edits());
    }

    /**
     * The same cut, made on each cluster's files as they arrive, before {@code next} gets them: how {@code render
     * --check} and {@code publish} stream a tree cut to the stages a directory or branch carries.
     */
    public static TreeSink throughStages(TreeSink next, List<StagePlan> fleet, Map<String, Stage> through) {
        Map<String, StagePlan> byRoot = new java.util.HashMap<>();
        fleet.forEach(stages -> byRoot.put(stages.cluster().path(), stages));
        return new TreeSink() {
            @Override
            public void cluster(String root, SortedMap<String, byte[]> files) {
                StagePlan stages = byRoot.get(root);
                TreeMap<String, byte[]> kept = new TreeMap<>(files);
                cutAfter(kept, stages, through.get(stages.cluster().name()));
                next.cluster(root, kept);
            }

            @Override
            public void fleet(SortedMap<String, byte[]> files) {
                next.fleet(files);
            }

            @Override
            public void edits(SortedMap<String, byte[]> files) {
                next.edits(files);
            }

            @Override
            public void finish() {
                next.finish();
            }
        };
    }

    /** Removes from {@code files} the stage directories of one cluster after {@code last}. */
    private static void cutAfter(TreeMap<String, byte[]> files, StagePlan stages, Stage last) {
        for (Stage stage : stages.stages()) {
            if (stage.number() > last.number()) {
                String dir = stages.cluster().path() + "/" + stage.name().path();
                // Paths under dir/ sort between "dir/" and "dir0" ('0' follows '/').
                files.subMap(dir, dir.substring(0, dir.length() - 1) + "0").clear();
            }
        }
    }

    private static Stage liveStage(StagePlan stages, Optional<String> selector) throws RenderException {
        if (selector.isEmpty()) {
            return stages.stages().get(0);
        }
        return stages.find(selector.get()).orElseThrow(() -> new RenderException("no stage '" + selector.get()
                + "' for cluster " + stages.cluster().name() + " (expected a number, name or directory of: "
                + String.join(", ", stages.stages().stream().map(Stage::directory).toList()) + ")"));
    }

    /** Collects one cluster's files: renders a template, adds its header, checks YAML parses back. */
    final class Output {
        private final String root;
        private final Map<String, byte[]> files;

        Output(String root, Map<String, byte[]> files) {
            this.root = root;
            this.files = files;
        }

        Templates templates() {
            return templates;
        }

        void emit(String path, String template, Map<String, ?> context) throws TemplateException {
            emitText(path, template, templates.render(template, context));
        }

        /** A file whose body was already rendered from {@code template}. */
        void emitText(String path, String template, String body) throws TemplateException {
            String origin = templates.origin(template);
            String text;
            if (path.endsWith(".md")) {
                text = "<!-- " + RenderedTree.GENERATED_MARK + " from " + origin + ". Re-render the plan instead of editing. -->\n" + body;
            } else if (body.startsWith("#!")) {
                int eol = body.indexOf('\n') + 1;
                text = body.substring(0, eol) + "# " + RenderedTree.GENERATED_MARK + " from " + origin + ".\n" + body.substring(eol);
            } else {
                text = "# " + RenderedTree.GENERATED_MARK + " from " + origin + ". Re-render the plan instead of editing.\n" + body;
            }
            // Built-in templates are proven by the test suite (goldens, kustomize builds, fuzzing) for every
            // value the plan checks let through; what a user's template renders is parsed back here.
            if (path.endsWith(".yaml") && !templates.isBuiltIn(template)) {
                parseBack(where(path), origin, text);
            }
            put(path, text);
        }

        /** A file whose text is the user's own (an overlay): copied, with a header saying where from. */
        void copy(String path, String source, String text) throws TemplateException {
            String withHeader = "# " + RenderedTree.COPIED_MARK + " " + source + " (the plan's overlay).\n" + text;
            parseBack(where(path), source, withHeader);
            put(path, withHeader);
        }

        /** A file's path from the output root, as messages name it. */
        private String where(String path) {
            return root == null ? path : root + "/" + path;
        }

        private void put(String path, String text) {
            String normalized = text.replace("\r\n", "\n");
            if (!normalized.endsWith("\n")) {
                normalized += "\n";
            }
            files.put(root == null ? path : root + "/" + path, normalized.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Every rendered manifest must be YAML whose documents are mappings (or empty). */
    static void parseBack(String path, String origin, String text) throws TemplateException {
        try {
            int index = 0;
            for (Object document : new Load(LoadSettings.builder().setLabel(path).build()).loadAllFromString(text)) {
                // Manifests are mappings; a JSON6902 patch file is a list of operations.
                if (document != null && !(document instanceof Map) && !(document instanceof java.util.List)) {
                    throw new TemplateException(origin + " rendered " + path + " whose document " + index
                            + " is not a mapping");
                }
                index++;
            }
        } catch (YamlEngineException e) {
            // The position is in the rendered text, which is what a reader of the template needs to reproduce it.
            String at = e instanceof org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException marked
                    ? marked.getProblemMark().map(m -> ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse(":1:1") : ":1:1";
            String problem = e instanceof org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException marked
                    ? marked.getProblem() : e.getMessage();
            throw new TemplateException(path + at + ": " + origin + " renders invalid YAML here: " + problem.replace('\n', ' '));
        }
    }
}
