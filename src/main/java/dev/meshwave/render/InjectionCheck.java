package dev.meshwave.render;

import dev.meshwave.admission.Admission;
import dev.meshwave.admission.Injector;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.Problem;
import dev.meshwave.rollout.Rollout;
import dev.meshwave.rollout.RolloutComposer;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StageChange;
import dev.meshwave.rollout.StagePlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Offline admission for every stage: which injectors would inject each namespace's pods, computed from
 * the injector manifests as rendered (MESH-FACTS §2). Refuses stages where two injectors match
 * (IST0139), where a namespace is injected by nobody or by the old revision after its wave, and
 * namespaces carrying both injection labels.
 */
public final class InjectionCheck {

    /**
     * What a stage looks like to the API server: the injectors present, and each namespace's labels
     * ({@link #labels}), asked for one namespace at a time: a plan of ten thousand waves has as many stages,
     * and a map of every namespace's labels per stage would make the check quadratic.
     */
    public record StageView(Stage stage, List<Injector> injectors, Rollout rollout,
            List<Map<String, String>> podLabelSets, List<Map<String, String>> namespaceLabelSets) {

        /** A namespace's labels once this stage is applied. */
        public Map<String, String> labels(String namespace) {
            return rollout.labelsAt(namespace, stage);
        }
    }

    /**
     * What a namespace looks like to admission between two of its waves: its labels and the revision that
     * should inject it. Namespaces share a handful of these, so each is judged once per stage (once per set of injectors).
     */
    private record State(Map<String, String> labels, String expected, boolean ambient) {}

    /** Stages {@code from} to {@code to} of a cluster in which a namespace in one state shows the same findings. */
    private record Verdict(int from, int to, List<String> messages) {}

    /** A state's verdicts through a cluster's stages, ascending, where it has any; {@code starts} are their {@code from}s. */
    private record Verdicts(List<Verdict> runs, int[] starts) {

        static Verdicts of(List<List<String>> byStage) {
            List<Verdict> runs = new ArrayList<>();
            for (int s = 0; s < byStage.size(); s++) {
                Verdict last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
                if (byStage.get(s).isEmpty()) {
                    continue;
                } else if (last != null && last.to() == s - 1 && last.messages().equals(byStage.get(s))) {
                    runs.set(runs.size() - 1, new Verdict(last.from(), s, last.messages()));
                } else {
                    runs.add(new Verdict(s, s, byStage.get(s)));
                }
            }
            return new Verdicts(runs, runs.stream().mapToInt(Verdict::from).toArray());
        }
    }

    /** Consecutive stages of one cluster, {@code from} to {@code to} inclusive, that show the same finding. */
    private record Run(List<Stage> stages, int from, int to) {}

    /** One finding before it is merged: where it first shows (for the order of the report), what it says, and its runs. */
    private record Finding(int firstStage, int namespaceIndex, int order, String yamlPath, String message, List<Run> runs) {}

    /** A list of consecutive stages longer than this is written as its first and last ({@code 01-a to 09-i}). */
    private static final int LISTED_RUN = 3;

    private final Templates templates;
    /** Rendered injector manifest → what it selects: a fleet's stages repeat the same few manifests. */
    private final Map<String, Injector> parsedManifests = new java.util.concurrent.ConcurrentHashMap<>();

    public InjectionCheck(Templates templates) {
        this.templates = templates;
    }

    public List<Problem> check(Plan plan) throws TemplateException {
        Map<String, String> paths = namespacePaths(plan);
        // Clusters are checked independently, so in parallel; their findings are merged in plan order.
        List<Finding> found = new ArrayList<>();
        for (List<Finding> clusterFindings : InOrder.parallelMap(plan.clusters(), cluster -> check(plan, paths, RolloutComposer.compose(new StagePlan(plan, cluster))))) {
            found.addAll(clusterFindings);
        }
        return mergeClusters(plan, found);
    }

    /**
     * A cluster's findings in the order a stage-by-stage, namespace-by-namespace walk meets them, each once with
     * the runs of stages that show it. Near-linear in stages plus namespaces: a namespace's labels change only in
     * its waves, so it is one {@link State} from one of its waves to the next, and every stage's verdict on a
     * state is computed once, not once per namespace in that state.
     */
    private List<Finding> check(Plan plan, Map<String, String> paths, Rollout rollout) throws TemplateException {
        StagePlan stages = rollout.stages();
        List<StageView> views = views(rollout);
        List<Stage> all = stages.stages();
        // Stages share a few sets of injectors (only tags and phases change them): each set is judged once.
        Map<List<Injector>, Integer> sets = new HashMap<>();
        int[] setOf = views.stream().mapToInt(v -> sets.computeIfAbsent(v.injectors(), k -> sets.size())).toArray();
        Map<Integer, Optional<String>> others = new HashMap<>();
        List<Finding> findings = new ArrayList<>();
        for (StageView view : views) {
            others.computeIfAbsent(setOf[view.stage().number()], k -> otherNamespaces(view)).ifPresent(message -> {
                String path = plan.positions().containsKey("spec.existing") ? "spec.existing" : "spec";
                findings.add(new Finding(view.stage().number(), -1, 0, path, message, new ArrayList<>(List.of(
                        new Run(all, view.stage().number(), view.stage().number())))));
            });
        }
        // Per state: for each stage, what is wrong with a namespace in that state there (nothing, mostly).
        Map<State, Verdicts> verdicts = new HashMap<>();
        List<String> namespaces = stages.namespaces();
        for (int index = 0; index < namespaces.size(); index++) {
            String name = namespaces.get(index);
            // The stages at which its labels or the revision that should inject it change (those of its waves).
            List<Integer> changes = rollout.movesOf(name);
            Map<String, Finding> mine = new LinkedHashMap<>();
            for (int from = 0, c = 0; from < all.size(); c++) {
                int to = c < changes.size() ? changes.get(c) - 1 : all.size() - 1;
                if (to < from) {
                    continue;
                }
                Stage first = all.get(from);
                State state = new State(rollout.labelsAt(name, first), rollout.revisionAt(name, first), rollout.ambientAt(name, first));
                Verdicts verdict = verdicts.computeIfAbsent(state, s -> {
                    Map<Integer, List<String>> bySet = new HashMap<>();
                    List<List<String>> byStage = views.stream().map(v -> bySet.computeIfAbsent(setOf[v.stage().number()], k -> judge(plan, v, s)))
                            .toList();
                    return Verdicts.of(byStage);
                });
                // Only the runs of stages with something to say are visited: mostly none, whatever the number of stages.
                int at = java.util.Arrays.binarySearch(verdict.starts(), from);
                for (int r = Math.max(0, at >= 0 ? at : -at - 2); r < verdict.runs().size() && verdict.runs().get(r).from() <= to; r++) {
                    Verdict run = verdict.runs().get(r);
                    int start = Math.max(from, run.from());
                    int end = Math.min(to, run.to());
                    if (start > end) {
                        continue;
                    }
                    for (int m = 0; m < run.messages().size(); m++) {
                        String message = "namespace '" + name + "'" + run.messages().get(m);
                        Finding finding = mine.get(message);
                        if (finding == null) {
                            finding = new Finding(start, index, m, paths.getOrDefault(name, "spec.waves"), message, new ArrayList<>());
                            mine.put(message, finding);
                        }
                        List<Run> runs = finding.runs();
                        Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
                        if (last != null && last.to() == start - 1) {
                            runs.set(runs.size() - 1, new Run(all, last.from(), end));
                        } else {
                            runs.add(new Run(all, start, end));
                        }
                    }
                }
                from = to + 1;
            }
            findings.addAll(mine.values());
        }
        findings.sort(java.util.Comparator.comparingInt(Finding::firstStage).thenComparingInt(Finding::namespaceIndex)
                .thenComparingInt(Finding::order));
        return findings;
    }

    /**
     * The same finding on several clusters or in several stages is one problem naming them all
     * ("stages 00-a, 01-b: …"), in the order findings first show; a long run of stages is written by its ends.
     */
    private static List<Problem> mergeClusters(Plan plan, List<Finding> found) {
        Map<String, Finding> first = new LinkedHashMap<>();
        Map<String, List<Run>> runs = new HashMap<>();
        for (Finding finding : found) {
            String key = finding.yamlPath() + "|" + finding.message();
            first.putIfAbsent(key, finding);
            List<Run> all = runs.computeIfAbsent(key, k -> new ArrayList<>());
            for (Run run : finding.runs()) {
                Run last = all.isEmpty() ? null : all.get(all.size() - 1);
                if (last != null && last.stages() == run.stages() && last.to() == run.from() - 1) {
                    all.set(all.size() - 1, new Run(run.stages(), last.from(), run.to()));
                } else {
                    all.add(run);
                }
            }
        }
        List<Problem> merged = new ArrayList<>();
        first.forEach((key, finding) -> {
            List<String> names = new ArrayList<>();
            int count = 0;
            for (Run run : runs.get(key)) {
                count += run.to() - run.from() + 1;
                if (run.to() - run.from() + 1 > LISTED_RUN) {
                    names.add(run.stages().get(run.from()).directory() + " to " + run.stages().get(run.to()).directory());
                } else {
                    for (int s = run.from(); s <= run.to(); s++) {
                        names.add(run.stages().get(s).directory());
                    }
                }
            }
            merged.add(error(plan, finding.yamlPath(), (count == 1 ? "stage " : "stages ") + String.join(", ", names) + ": " + finding.message()));
        });
        return merged;
    }

    /**
     * Every stage of a cluster as the admission controller would see it: the cluster's injectors of today, with
     * the changes of the cluster's {@link Rollout} applied stage by stage (control planes installed, tags created
     * and moved, the non-revisioned injector retired).
     */
    public List<StageView> views(Rollout rollout) throws TemplateException {
        StagePlan stages = rollout.stages();
        Plan plan = stages.plan();
        Injectors injectors = new Injectors(templates, plan, ClusterFacts.of(plan, stages.cluster()), new TemplateContext()
                        .with("istioNamespace", Rollout.ISTIO_SYSTEM)
                        .with("planName", plan.name())
                        .with("cluster", stages.cluster().name())
                        .with("version", plan.to().version().toString()));
        List<DeliveryMethod> controlPlanes = DeliveryMethod.of(plan, stages.cluster());
        TreeSet<String> names = new TreeSet<>(plan.tags().keySet());
        names.addAll(plan.existing().tags().keySet());
        plan.phases().forEach(phase -> names.add(phase.to().revision()));
        if (!plan.from().isNonRevisioned()) {
            names.add(plan.from().revision());
        }
        List<Map<String, String>> podSets = Admission.podLabelSets(List.copyOf(names));
        List<Map<String, String>> namespaceSets = Admission.namespaceLabelSets(List.copyOf(names));
        // What the cluster has before stage 00, then what the stages so far changed.
        boolean nonRevisioned = plan.from().isNonRevisioned()
                || plan.existing().nonRevisionedInjector() != Plan.NonRevisionedInjector.ABSENT;
        Optional<StageChange.InjectorRetired> retired = Optional.empty();
        boolean oldRevisionRetired = false;
        List<Integer> installed = new ArrayList<>();
        // Tag → its webhook as the delivery of the phase that created or last moved it makes it.
        java.util.TreeMap<String, String> planTags = new java.util.TreeMap<>();
        Optional<String> finalizedDefaultTag = Optional.empty();
        List<StageView> views = new ArrayList<>();
        for (Stage stage : stages.stages()) {
            DeliveryMethod delivery = controlPlanes.get(stage.phase());
            for (StageChange change : rollout.changes(stage)) {
                if (change instanceof StageChange.InjectorRetired r) {
                    retired = Optional.of(r);
                } else if (change instanceof StageChange.ControlPlaneRetired) {
                    oldRevisionRetired = true; // its release or IstioRevision is gone, and its injector with it
                } else if (change instanceof StageChange.ControlPlaneInstalled c) {
                    installed.add(c.phase());
                } else if (change instanceof StageChange.TagPointed t) {
                    String webhook = delivery.tagInjector(injectors, t.tag(), t.revision());
                    if (t.owner() == StageChange.TagOwner.PLAN) {
                        planTags.put(t.tag(), webhook);
                    } else {
                        finalizedDefaultTag = Optional.of(webhook);
                    }
                }
                // A kept tag is the cluster's own, already among existing.tags; the other changes move no injector.
            }
            List<String> manifests = new ArrayList<>();
            // The deactivation is applied over the cluster's own non-revisioned injector, so a webhook of
            // that injector the deactivation does not name (a 1.9 sidecar-injector.istio.io under the four
            // 1.10+ names) stays active in the simulation as it would in the cluster.
            Optional<Injector> deactivated = Optional.empty();
            if (nonRevisioned && !(oldRevisionRetired && plan.from().isNonRevisioned())) {
                if (retired.isEmpty()) {
                    manifests.add(injectors.nonRevisioned());
                } else if (retired.get().inGit()) {
                    deactivated = Optional.of(read(injectors.deactivatedNonRevisioned()).appliedOver(read(injectors.nonRevisioned())));
                } // else: the stage's README has it removed before the default tag arrives
            }
            if (!plan.from().isNonRevisioned() && !oldRevisionRetired) {
                manifests.add(injectors.revision(plan.from().revision()));
            }
            for (int phase : installed) {
                manifests.add(controlPlanes.get(phase).injector(injectors));
            }
            manifests.addAll(planTags.values());
            for (Map.Entry<String, String> tag : plan.existing().tags().entrySet()) {
                // A tag Git renders replaces the cluster's object of the same name.
                if (!(finalizedDefaultTag.isPresent() && tag.getKey().equals(Rollout.DEFAULT_TAG))) {
                    manifests.add(injectors.tag(tag.getKey(), tag.getValue()));
                }
            }
            finalizedDefaultTag.ifPresent(manifests::add);
            List<Injector> parsed = new ArrayList<>();
            deactivated.ifPresent(parsed::add);
            for (String manifest : manifests) {
                parsed.add(read(manifest));
            }
            views.add(new StageView(stage, parsed, rollout, podSets, namespaceSets));
        }
        return views;
    }

    private Injector read(String manifest) throws TemplateException {
        try {
            return parsedManifests.computeIfAbsent(manifest, InjectionCheck::parse);
        } catch (RuntimeException e) {
            throw new TemplateException(templates.origin("stages/revision-tag-webhook.yaml.mustache")
                    + " (or deactivated-injector.yaml.mustache) rendered an injector the admission check cannot read: "
                    + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Injector parse(String manifest) {
        return Injector.fromManifest((Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(manifest));
    }

    /**
     * Namespaces outside the plan still get pods: like Istio's analyzer, try every namespace label set
     * ({@link Admission#namespaceLabelSets}) for overlaps; the first one found is the finding.
     */
    private static Optional<String> otherNamespaces(StageView view) {
        for (Map<String, String> namespace : view.namespaceLabelSets()) {
            for (Map<String, String> pod : view.podLabelSets()) {
                List<Admission.Match> matches = Admission.admit(view.injectors(), namespace, pod);
                if (matches.size() > 1) {
                    return Optional.of("in namespaces labelled " + Admission.describe(namespace) + ", pods labelled "
                            + Admission.describe(pod) + " would be injected by " + matches.size() + " webhooks at once (IST0139): "
                            + String.join(", ", matches.stream().map(Admission.Match::toString).toList()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * What is wrong, in one stage, with a namespace in {@code state}: each message as it follows
     * {@code namespace 'NAME'}; mostly nothing.
     */
    private static List<String> judge(Plan plan, StageView view, State state) {
        Map<String, String> labels = state.labels();
        if (labels.containsKey("istio-injection") && labels.containsKey("istio.io/rev")) {
            return List.of(" carries both istio-injection and istio.io/rev; istio-injection wins"
                    + " and istio.io/rev is ignored (remove istio-injection)");
        }
        // Once an ambient wave moved it. A namespace ambient before the plan is refused at its label's line instead, by the
        // plan's rules (spec.ambient.namespaces) or plan.Ambient (namespacesFrom, in-place trees), and lint.
        if (state.ambient() && (labels.containsKey("istio-injection") || labels.containsKey("istio.io/rev"))) {
            return List.of(" is ambient (istio.io/dataplane-mode=ambient) after its wave and carries a sidecar injection label: sidecar injection takes"
                    + " precedence over ztunnel capture, so its pods get sidecars at their next restart");
        }
        List<String> messages = new ArrayList<>();
        if (state.ambient()) {
            // Ambient after its wave: nobody may inject it, or its pods come back with sidecars, which win over ztunnel.
            List<Admission.Match> matches = Admission.admit(view.injectors(), labels, Map.of());
            if (!matches.isEmpty()) {
                messages.add(" is ambient after its wave but revision " + matches.get(0).injector().revision() + " ("
                        + matches.get(0).injector().name() + ") would still inject its pods, and a sidecar takes precedence over ztunnel");
            }
            return messages;
        }
        for (Map<String, String> pod : view.podLabelSets()) {
            List<Admission.Match> matches = Admission.admit(view.injectors(), labels, pod);
            if (matches.size() > 1) {
                messages.add(": pods labelled " + Admission.describe(pod) + " would be injected by "
                        + matches.size() + " webhooks at once (IST0139): "
                        + String.join(", ", matches.stream().map(Admission.Match::toString).toList()));
                break;
            }
        }
        if (!state.expected().equals(plan.from().revision())) {
            List<Admission.Match> matches = Admission.admit(view.injectors(), labels, Map.of());
            if (matches.isEmpty()) {
                messages.add(" is injected by nobody after its wave (labels "
                        + Admission.describe(labels) + "); its pods would lose their sidecars");
            } else if (matches.size() == 1 && !matches.get(0).injector().revision().equals(state.expected())) {
                messages.add(" is still injected by revision " + matches.get(0).injector().revision()
                        + " (" + matches.get(0).injector().name() + ") after its wave; expected " + state.expected());
            }
        }
        return messages;
    }

    private static Problem error(Plan plan, String path, String message) {
        return Problem.error(plan.position(path), path, message);
    }

    /**
     * The YAML path of each namespace's entry in the plan, e.g. {@code spec.waves[1].namespaces[0]}: its
     * first one, found in one pass over the waves.
     */
    private static Map<String, String> namespacePaths(Plan plan) {
        Map<String, String> paths = new HashMap<>();
        for (int w = 0; w < plan.waves().size(); w++) {
            List<String> namespaces = plan.waves().get(w).namespaces();
            for (int n = 0; n < namespaces.size(); n++) {
                paths.putIfAbsent(namespaces.get(n), "spec.waves[" + w + "].namespaces[" + n + "]");
            }
        }
        return paths;
    }
}
