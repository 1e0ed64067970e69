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
            return injector.name() + " (" + webhook.name() + ", revision " + injector.revision() + ")";
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
     * The pod label sets Istio's analyzer tries (MESH-FACTS §2): {@code {}} and
     * {@code sidecar.istio.io/inject=true|false}, each with and without {@code istio.io/rev=<each name>}.
     */
    public static List<Map<String, String>> podLabelSets(List<String> revisionsAndTags) {
        List<Map<String, String>> sets = new ArrayList<>();
        List<Map<String, String>> inject = List.of(Map.of(), Map.of("sidecar.istio.io/inject", "true"),
                Map.of("sidecar.istio.io/inject", "false"));
        for (Map<String, String> base : inject) {
            sets.add(base);
            for (String rev : revisionsAndTags) {
                Map<String, String> labels = new TreeMap<>(base);
                labels.put("istio.io/rev", rev);
                sets.add(labels);
            }
        }
        return sets;
    }

    /** Labels as {@code {a=b, c=d}} in key order, or {@code {}}. */
    public static String describe(Map<String, String> labels) {
        return new LinkedHashMap<>(new TreeMap<>(labels)).toString();
    }
}
