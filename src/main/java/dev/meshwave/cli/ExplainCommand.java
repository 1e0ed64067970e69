package dev.meshwave.cli;

import dev.meshwave.admission.Admission;
import dev.meshwave.admission.LabelSelector;
import dev.meshwave.plan.Plan;
import dev.meshwave.render.InjectionCheck;
import dev.meshwave.render.RenderException;
import dev.meshwave.render.Templates;
import dev.meshwave.rollout.RolloutComposer;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StagePlan;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Show, for one namespace, which webhook injects which pods at each stage, and why.")
final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PlanArguments.PlanFile planFile;

    @Option(names = "--namespace", required = true, paramLabel = "NS", description = "A namespace of the plan.")
    String namespace;

    @Option(names = "--stage", paramLabel = "STAGE", description = "Only this stage (number, name or directory); default every stage.")
    String stage;

    @Mixin
    PlanArguments.TemplateOverrides templates;

    @Option(names = "--out", paramLabel = "DIR",
            description = "The output root render writes to: each cluster's namespacesFrom kustomization is built there, and the"
                    + " namespace's labels before its wave are those it builds (default: as the plan implies them).")
    java.nio.file.Path out;

    private final Environment environment;

    ExplainCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        Templates templateSet = Workflow.templates(templates.directory);
        // Injection problems are what explain is for: show them instead of refusing the plan.
        Plan plan = Workflow.loadWithoutInjectionCheck(planFile.path).plan();
        if (out != null) {
            // Problems with the repository stop explain (it cannot say which labels to start from); admission's do not.
            NamespacesFromBuild.Checked checked = NamespacesFromBuild.at(out, environment).check(plan, spec.commandLine().getErr());
            if (!checked.problems().isEmpty()) {
                throw new dev.meshwave.plan.InvalidPlanException(checked.problems());
            }
            plan = checked.plan();
        }
        PrintWriter out = spec.commandLine().getOut();
        for (Plan.Cluster cluster : plan.clusters()) {
            StagePlan stages = new StagePlan(plan, cluster);
            if (!stages.namespaces().contains(namespace)) {
                throw new RenderException("namespace '" + namespace + "' is in no wave of the plan on cluster " + cluster.name()
                        + " (expected one of: " + String.join(", ", stages.namespaces()) + ")");
            }
            List<Stage> selected = stage == null ? stages.stages() : List.of(stages.find(stage).orElseThrow(() ->
                    new RenderException("no stage '" + stage + "' (expected one of: "
                            + String.join(", ", stages.stages().stream().map(Stage::directory).toList()) + ")")));
            out.printf(java.util.Locale.ROOT, "namespace %s, plan %s, cluster %s: %s → %s%n", namespace, plan.name(), cluster.name(),
                    plan.from().revision(), plan.finalRevision());
            stages.followedTag(namespace).ifPresent(tag -> out.printf(java.util.Locale.ROOT, "follows revision tag %s%n", tag));
            for (InjectionCheck.StageView view : new InjectionCheck(templateSet).views(RolloutComposer.compose(stages))) {
                if (selected.contains(view.stage())) {
                    print(out, view);
                }
            }
        }
        return ExitCodes.OK;
    }

    private void print(PrintWriter out, InjectionCheck.StageView view) {
        Map<String, String> labels = view.labels(namespace);
        out.printf(java.util.Locale.ROOT, "%nstage %s: namespace labels %s; injectors: %s%n", view.stage().directory(), Admission.describe(labels),
                String.join(", ", view.injectors().stream().map(i -> i.name() + "→" + i.revision()).toList()));
        int width = view.podLabelSets().stream().mapToInt(p -> Admission.describe(p).length()).max().orElse(10) + 2;
        out.printf(java.util.Locale.ROOT, "  %-" + width + "s%s%n", "pod labels", "injected by; traffic carried by");
        for (Map<String, String> pod : view.podLabelSets()) {
            List<Admission.Match> matches = Admission.admit(view.injectors(), labels, pod);
            String result;
            if (matches.isEmpty()) {
                result = "nobody";
            } else {
                List<String> parts = new ArrayList<>();
                for (Admission.Match match : matches) {
                    parts.add("revision " + match.injector().revision() + " via " + match.injector().name() + " ("
                            + match.webhook().name() + ": " + why(match.webhook().namespaceSelector(), "namespace") + "; "
                            + why(match.webhook().objectSelector(), "pod") + ")");
                }
                result = (matches.size() > 1 ? "OVERLAP (IST0139): " : "") + String.join(" AND ", parts);
            }
            out.printf(java.util.Locale.ROOT, "  %-" + width + "s%s; %s%n", Admission.describe(pod), result,
                    Admission.capturedBy(matches, labels, pod));
        }
    }

    private static String why(LabelSelector selector, String subject) {
        if (selector.matchExpressions().isEmpty() && selector.matchLabels().isEmpty()) {
            return "any " + subject;
        }
        List<String> terms = new ArrayList<>();
        selector.matchLabels().forEach((k, v) -> terms.add(k + "=" + v));
        selector.matchExpressions().forEach(r -> terms.add(r.toString()));
        return subject + " " + String.join(", ", terms);
    }
}
