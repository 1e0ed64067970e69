package dev.meshwave.admission;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which injectors a pod creation reaches: every configuration with a webhook whose selectors match
 * the namespace's and the pod's labels. More than one is Istio's IST0139 "webhook overlap"; none
 * means no sidecar.
 */
public final class Admission {

    /** A configuration that would inject, and the webhook of it that matched. */
    public record Match(Injector injector, Injector.Webhook webhook) {
        @Override
        public String toString() {
            return injector.name() + " (" + webhook.name() + (injector.revision().isEmpty() ? "" : ", revision " + injector.revision()) + ")";
        }
    }

    private Admission() {}

    public static List<Match> admit(List<Injector> injectors, Map<String, String> namespaceLabels, Map<String, String> podLabels) {
        List<Match> matches = new ArrayList<>();
        for (Injector injector : injectors) {
            injector.match(namespaceLabels, podLabels).ifPresent(w -> matches.add(new Match(injector, w)));
        }
        return matches;
    }

    /**
     * Every webhook that a pod creation reaches, several of one configuration included: the API server
     * calls each webhook of a configuration whose selectors match, so two webhooks of one configuration
     * inject twice as surely as two configurations do. Istio's analyzer counts them this way, by
     * {@code <configuration>/<webhook>} (istio/istio {@code pkg/config/analysis/analyzers/webhook/webhook.go}).
     */
    public static List<Match> everyWebhook(List<Injector> injectors, Map<String, String> namespaceLabels, Map<String, String> podLabels) {
        List<Match> matches = new ArrayList<>();
        for (Injector injector : injectors) {
            injector.webhooks().stream().filter(w -> w.matches(namespaceLabels, podLabels)).forEach(w -> matches.add(new Match(injector, w)));
        }
        return matches;
    }

    /**
     * The pod label sets Istio's analyzer tries (MESH-FACTS §2): {@code {}} and
     * {@code sidecar.istio.io/inject=true|false}, each with and without {@code istio.io/rev=<each name>}.
     */
    public static List<Map<String, String>> podLabelSets(List<String> revisionsAndTags) {
        return withEachRevision(List.of(Map.of(), Map.of("sidecar.istio.io/inject", "true"),
                Map.of("sidecar.istio.io/inject", "false")), revisionsAndTags);
    }

    private static List<Map<String, String>> withEachRevision(List<Map<String, String>> bases, List<String> revisionsAndTags) {
        List<Map<String, String>> sets = new ArrayList<>();
        for (Map<String, String> base : bases) {
            sets.add(base);
            for (String rev : revisionsAndTags) {
                Map<String, String> labels = new TreeMap<>(base);
                labels.put("istio.io/rev", rev);
                sets.add(labels);
            }
        }
        return sets;
    }

    /**
     * The namespace label sets Istio's analyzer tries (MESH-FACTS §2): {@code {}} and
     * {@code istio-injection=enabled|disabled}, each with and without {@code istio.io/rev=<each name>}.
     * With {@link #podLabelSets} they are every combination a namespace outside a plan could present.
     */
    public static List<Map<String, String>> namespaceLabelSets(List<String> revisionsAndTags) {
        return withEachRevision(List.of(Map.of(), Map.of("istio-injection", "enabled"), Map.of("istio-injection", "disabled")),
                revisionsAndTags);
    }

    /** Labels as {@code {a=b, c=d}} in key order, or {@code {}}. */
    public static String describe(Map<String, String> labels) {
        return new LinkedHashMap<>(new TreeMap<>(labels)).toString();
    }

    /** The label that puts a pod, or every pod of a namespace, in ambient mode ({@code ambient}) or keeps it out ({@code none}). */
    public static final String DATAPLANE_MODE = "istio.io/dataplane-mode";

    /**
     * Who carries an admitted pod's traffic: the sidecar of the revision that injected it; else ztunnel, when the istio-cni
     * agent enrols it, by the chart's default enablement selectors (a pod labelled {@code istio.io/dataplane-mode=ambient}, or
     * a pod not labelled {@code none} in a namespace labelled {@code ambient}: istio 1.28 manifests/charts/istio-cni/values.yaml
     * {@code ambient.enablementSelectors}); else nobody. A pod with a sidecar is never enrolled (istio 1.28
     * cni/pkg/util/enablement_selector.go {@code Matches}: "Ztunnel and sidecar for a single pod is currently not supported"),
     * which is why the sidecar takes precedence.
     */
    public static String capturedBy(List<Match> matches, Map<String, String> namespaceLabels, Map<String, String> podLabels) {
        if (!matches.isEmpty()) {
            return "sidecar of revision " + matches.get(0).injector().revision();
        }
        String pod = podLabels.getOrDefault(DATAPLANE_MODE, "");
        boolean enrolled = pod.equals("ambient") || ("ambient".equals(namespaceLabels.get(DATAPLANE_MODE)) && !pod.equals("none"));
        return enrolled ? "ztunnel (ambient)" : "nobody (outside the mesh)";
    }
}
