package dev.meshwave.render;

import dev.meshwave.admission.Admission;
import dev.meshwave.admission.Injector;
import dev.meshwave.plan.Plan;
import dev.meshwave.plan.Problem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Offline admission for every stage: which injectors would inject each namespace's pods, computed from
 * the injector manifests as rendered (MESH-FACTS §2). Refuses stages where two injectors match
 * (IST0139), where a namespace is injected by nobody or by the old revision after its wave, and
 * namespaces carrying both injection labels.
 */
public final class InjectionCheck {

    /** What a stage looks like to the API server: the injectors present and each namespace's labels. */
    public record StageView(Stage stage, List<Injector> injectors, Map<String, Map<String, String>> namespaceLabels,
            List<Map<String, String>> podLabelSets, List<Map<String, String>> namespaceLabelSets) {}

    private final Templates templates;
    /** Rendered injector manifest → what it selects: a fleet's stages repeat the same few manifests. */
    private final Map<String, Injector> parsedManifests = new java.util.concurrent.ConcurrentHashMap<>();

    public InjectionCheck(Templates templates) {
        this.templates = templates;
    }

    public List<Problem> check(Plan plan) throws TemplateException {
        // Clusters are checked independently, so in parallel; their findings are merged in plan order.
        List<Problem> found = new ArrayList<>();
        for (List<Problem> clusterProblems : InOrder.parallelMap(plan.clusters(), cluster -> {
            List<Problem> problems = new ArrayList<>();
            StagePlan stages = new StagePlan(plan, cluster);
            for (StageView view : views(stages)) {
                checkStage(plan, stages, view, problems);
            }
            return problems;
        })) {
            found.addAll(clusterProblems);
        }
        return mergeStages(found);
    }

    /** The same finding in several stages is one problem naming them all ("stages 00-a, 01-b: …"). */
    private static List<Problem> mergeStages(List<Problem> found) {
        Map<String, List<String>> stagesByFinding = new LinkedHashMap<>();
        Map<String, Problem> first = new LinkedHashMap<>();
        for (Problem problem : found) {
            String message = problem.message();
            String stage = message.substring("stage ".length(), message.indexOf(':'));
            String key = problem.yamlPath() + "|" + message.substring(message.indexOf(':'));
            stagesByFinding.computeIfAbsent(key, k -> new ArrayList<>()).add(stage);
            first.putIfAbsent(key, problem);
        }
        List<Problem> merged = new ArrayList<>();
        first.forEach((key, problem) -> {
            List<String> stages = stagesByFinding.get(key);
            String rest = problem.message().substring(problem.message().indexOf(':'));
            merged.add(Problem.error(problem.position(), problem.yamlPath(),
                    (stages.size() == 1 ? "stage " : "stages ") + String.join(", ", stages) + rest));
        });
        return merged;
    }

    /** Every stage of a cluster as the admission controller would see it. */
    public List<StageView> views(StagePlan stages) throws TemplateException {
        Plan plan = stages.plan();
        Injectors injectors = new Injectors(templates, plan, ClusterFacts.of(plan, stages.cluster()), new ClusterRenderer.Context()
                        .with("istioNamespace", ClusterRenderer.ISTIO_SYSTEM)
                        .with("planName", plan.name())
                        .with("cluster", stages.cluster().name())
                        .with("version", plan.to().version().toString()));
        TreeSet<String> names = new TreeSet<>(plan.tags().keySet());
        names.addAll(plan.existing().tags().keySet());
        plan.phases().forEach(phase -> names.add(phase.to().revision()));
        if (!plan.from().isNonRevisioned()) {
            names.add(plan.from().revision());
        }
        List<Map<String, String>> podSets = Admission.podLabelSets(List.copyOf(names));
        List<Map<String, String>> namespaceSets = Admission.namespaceLabelSets(List.copyOf(names));
        Optional<Stage> defaultTagArrives = stages.defaultTagArrives();
        List<StageView> views = new ArrayList<>();
        for (Stage stage : stages.stages()) {
            List<String> manifests = new ArrayList<>();
            // The deactivation is applied over the cluster's own non-revisioned injector, so a webhook of
            // that injector the deactivation does not name (a 1.9 sidecar-injector.istio.io under the four
            // 1.10+ names) stays active in the simulation as it would in the cluster.
            Optional<Injector> deactivated = Optional.empty();
            boolean defaultTagHere = defaultTagArrives.map(s -> s.number() <= stage.number()).orElse(false);
            boolean nonRevisioned = plan.from().isNonRevisioned()
                    || plan.existing().nonRevisionedInjector() != Plan.NonRevisionedInjector.ABSENT;
            if (nonRevisioned) {
                if (!defaultTagHere) {
                    manifests.add(injectors.nonRevisioned());
                } else if (plan.existing().nonRevisionedInjector() == Plan.NonRevisionedInjector.DEACTIVATE) {
                    deactivated = Optional.of(read(injectors.deactivatedNonRevisioned()).appliedOver(read(injectors.nonRevisioned())));
                } // else: the stage's README has it removed before the default tag arrives
            }
            if (!plan.from().isNonRevisioned()) {
                manifests.add(injectors.revision(plan.from().revision()));
            }
            for (int phase = 0; phase <= stage.phase(); phase++) {
                manifests.add(injectors.revision(plan.phases().get(phase).to().revision()));
            }
            for (String tag : plan.tags().keySet().stream().sorted().toList()) {
                Optional<String> revision = stages.tagRevisionAt(tag, stage);
                if (revision.isPresent()) {
                    manifests.add(injectors.tag(tag, revision.get()));
                }
            }
            Optional<String> finalDefaultTag = stages.finalizedDefaultTagAt(stage);
            for (Map.Entry<String, String> tag : plan.existing().tags().entrySet()) {
                // A tag Git renders replaces the cluster's object of the same name.
                if (!(finalDefaultTag.isPresent() && tag.getKey().equals(Injectors.DEFAULT_TAG))) {
                    manifests.add(injectors.tag(tag.getKey(), tag.getValue()));
                }
            }
            if (finalDefaultTag.isPresent()) {
                manifests.add(injectors.tag(Injectors.DEFAULT_TAG, finalDefaultTag.get()));
            }
            List<Injector> parsed = new ArrayList<>();
            deactivated.ifPresent(parsed::add);
            for (String manifest : manifests) {
                parsed.add(read(manifest));
            }
            Map<String, Map<String, String>> labels = new LinkedHashMap<>();
            for (String namespace : stages.namespaces()) {
                labels.put(namespace, stages.labelsAt(namespace, stage));
            }
            views.add(new StageView(stage, parsed, labels, podSets, namespaceSets));
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
     * ({@link Admission#namespaceLabelSets}) for overlaps.
     */
    private void checkOtherNamespaces(Plan plan, StageView view, List<Problem> problems) {
        String path = plan.positions().containsKey("spec.existing") ? "spec.existing" : "spec";
        for (Map<String, String> namespace : view.namespaceLabelSets()) {
            for (Map<String, String> pod : view.podLabelSets()) {
                List<Admission.Match> matches = Admission.admit(view.injectors(), namespace, pod);
                if (matches.size() > 1) {
                    problems.add(error(plan, path, "stage " + view.stage().directory() + ": in namespaces labelled "
                            + Admission.describe(namespace) + ", pods labelled " + Admission.describe(pod) + " would be injected by "
                            + matches.size() + " webhooks at once (IST0139): "
                            + String.join(", ", matches.stream().map(Admission.Match::toString).toList())));
                    return;
                }
            }
        }
    }

    private void checkStage(Plan plan, StagePlan stages, StageView view, List<Problem> problems) {
        checkOtherNamespaces(plan, view, problems);
        // Hundreds of namespaces share a handful of label sets: admit each (namespace, pod) pair once.
        Map<List<Map<String, String>>, List<Admission.Match>> admitted = new HashMap<>();
        BiFunction<Map<String, String>, Map<String, String>, List<Admission.Match>> admit = (labels, pod) ->
                admitted.computeIfAbsent(List.of(labels, pod), k -> Admission.admit(view.injectors(), labels, pod));
        for (Map.Entry<String, Map<String, String>> namespace : view.namespaceLabels().entrySet()) {
            String name = namespace.getKey();
            Map<String, String> labels = namespace.getValue();
            // Message parts are built only for a problem: a fleet checks hundreds of thousands of namespaces.
            java.util.function.Supplier<String> where = () -> "stage " + view.stage().directory() + ": namespace '" + name + "'";
            java.util.function.Supplier<String> path = () -> yamlPath(plan, name);
            if (labels.containsKey("istio-injection") && labels.containsKey("istio.io/rev")) {
                problems.add(error(plan, path.get(), where.get() + " carries both istio-injection and istio.io/rev; istio-injection wins"
                        + " and istio.io/rev is ignored (remove istio-injection)"));
                continue;
            }
            for (Map<String, String> pod : view.podLabelSets()) {
                List<Admission.Match> matches = admit.apply(labels, pod);
                if (matches.size() > 1) {
                    problems.add(error(plan, path.get(), where.get() + ": pods labelled " + Admission.describe(pod) + " would be injected by "
                            + matches.size() + " webhooks at once (IST0139): "
                            + String.join(", ", matches.stream().map(Admission.Match::toString).toList())));
                    break;
                }
            }
            String expected = stages.revisionAt(name, view.stage());
            if (!expected.equals(plan.from().revision())) {
                List<Admission.Match> matches = admit.apply(labels, Map.of());
                if (matches.isEmpty()) {
                    problems.add(error(plan, path.get(), where.get() + " is injected by nobody after its wave (labels "
                            + Admission.describe(labels) + "); its pods would lose their sidecars"));
                } else if (matches.size() == 1 && !matches.get(0).injector().revision().equals(expected)) {
                    problems.add(error(plan, path.get(), where.get() + " is still injected by revision " + matches.get(0).injector().revision()
                            + " (" + matches.get(0).injector().name() + ") after its wave; expected " + expected));
                }
            }
        }
    }

    private static Problem error(Plan plan, String path, String message) {
        return Problem.error(plan.position(path), path, message);
    }

    /** The YAML path of a namespace's entry in the plan, e.g. {@code spec.waves[1].namespaces[0]}. */
    static String yamlPath(Plan plan, String namespace) {
        for (int w = 0; w < plan.waves().size(); w++) {
            int n = plan.waves().get(w).namespaces().indexOf(namespace);
            if (n >= 0) {
                return "spec.waves[" + w + "].namespaces[" + n + "]";
            }
        }
        return "spec.waves";
    }
}
