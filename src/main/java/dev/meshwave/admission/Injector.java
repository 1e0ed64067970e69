package dev.meshwave.admission;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sidecar-injecting MutatingWebhookConfiguration as the API server sees it: its webhooks' selectors
 * and the istiod Service they call. Built from the manifest itself, so a simulation checks exactly
 * what is rendered, not a second copy of Istio's rules.
 */
public record Injector(String name, String revision, List<Webhook> webhooks) {

    public Injector {
        webhooks = List.copyOf(webhooks);
    }

    /** One webhook of the configuration. */
    public record Webhook(String name, LabelSelector namespaceSelector, LabelSelector objectSelector, String service) {

        public boolean matches(Map<String, String> namespaceLabels, Map<String, String> podLabels) {
            return namespaceSelector.matches(namespaceLabels) && objectSelector.matches(podLabels);
        }
    }

    /** The first webhook that would be called for a pod in a namespace, if any. */
    public Optional<Webhook> match(Map<String, String> namespaceLabels, Map<String, String> podLabels) {
        return webhooks.stream().filter(w -> w.matches(namespaceLabels, podLabels)).findFirst();
    }

    /**
     * This configuration applied over the live one of the same name, as {@code kubectl apply} (client- or
     * server-side) leaves it: {@code webhooks} is a list keyed by {@code name} (admissionregistration/v1
     * {@code +listType=map +listMapKey=name}, {@code patchMergeKey:"name"}), so each webhook this one names
     * replaces the live webhook of that name, new names are added, and a live webhook it does not name
     * stays as it was, still injecting. Labels are this one's.
     */
    public Injector appliedOver(Injector live) {
        Map<String, Webhook> merged = new LinkedHashMap<>();
        live.webhooks().forEach(w -> merged.put(w.name(), w));
        webhooks.forEach(w -> merged.put(w.name(), w));
        return new Injector(name, revision, List.copyOf(merged.values()));
    }

    /**
     * Reads a parsed MutatingWebhookConfiguration. The revision it injects is its {@code istio.io/rev}
     * label, as istioctl and istiod read it.
     */
    @SuppressWarnings("unchecked")
    public static Injector fromManifest(Map<String, Object> manifest) {
        if (!"MutatingWebhookConfiguration".equals(manifest.get("kind"))) {
            throw new IllegalArgumentException("not a MutatingWebhookConfiguration: " + manifest.get("kind"));
        }
        Map<String, Object> metadata = (Map<String, Object>) manifest.getOrDefault("metadata", Map.of());
        Map<String, Object> labels = (Map<String, Object>) metadata.getOrDefault("labels", Map.of());
        List<Webhook> webhooks = new ArrayList<>();
        for (Object item : (List<Object>) manifest.getOrDefault("webhooks", List.of())) {
            Map<String, Object> webhook = (Map<String, Object>) item;
            Map<String, Object> clientConfig = (Map<String, Object>) webhook.getOrDefault("clientConfig", Map.of());
            Map<String, Object> service = (Map<String, Object>) clientConfig.getOrDefault("service", Map.of());
            webhooks.add(new Webhook(String.valueOf(webhook.get("name")),
                    selector(webhook.get("namespaceSelector")), selector(webhook.get("objectSelector")),
                    String.valueOf(service.getOrDefault("name", ""))));
        }
        return new Injector(String.valueOf(metadata.get("name")), String.valueOf(labels.getOrDefault("istio.io/rev", "")), webhooks);
    }

    @SuppressWarnings("unchecked")
    private static LabelSelector selector(Object node) {
        if (node == null) {
            return LabelSelector.EVERYTHING;
        }
        Map<String, Object> selector = (Map<String, Object>) node;
        Map<String, String> matchLabels = new LinkedHashMap<>();
        ((Map<String, Object>) selector.getOrDefault("matchLabels", Map.of()))
                .forEach((k, v) -> matchLabels.put(k, String.valueOf(v)));
        List<LabelSelector.Requirement> requirements = new ArrayList<>();
        for (Object item : (List<Object>) selector.getOrDefault("matchExpressions", List.of())) {
            Map<String, Object> expression = (Map<String, Object>) item;
            List<String> values = ((List<Object>) expression.getOrDefault("values", List.of())).stream().map(String::valueOf).toList();
            requirements.add(new LabelSelector.Requirement(String.valueOf(expression.get("key")),
                    LabelSelector.Operator.parse(String.valueOf(expression.get("operator"))), values));
        }
        return new LabelSelector(matchLabels, requirements);
    }
}
