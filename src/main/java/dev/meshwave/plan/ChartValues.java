package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The istiod chart values of a plan delivered by Helm or Sail, and their translation from what the plan
 * names, in this order (later wins, maps merge, lists and scalars replace, as Helm merges values files):
 *
 * <ol>
 *   <li>the values file ({@code to.helm.values}, {@code to.sail.values}), verbatim;</li>
 *   <li>each IstioOperator overlay of {@code to.overlays}, in order, translated as {@code istioctl manifest
 *       translate} does (istio 1.28 operator/pkg/render/manifest.go {@code translateIstioOperatorToHelm}):
 *       {@code spec.hub} → {@code global.hub}, {@code spec.tag} → {@code global.tag}, {@code spec.meshConfig} →
 *       {@code meshConfig}, {@code spec.compatibilityVersion}, {@code spec.profile} → {@code profile} (a chart profile),
 *       {@code components.pilot.hub/tag} → {@code pilot.hub/tag}, the {@code components.pilot.k8s} settings the
 *       chart has a value for (below), then {@code spec.values} and {@code spec.unvalidatedValues} verbatim over
 *       those, as istioctl re-applies the user's values last;</li>
 *   <li>the plan's {@code to.hub} ({@code global.hub}) and {@code to.profile} ({@code profile}).</li>
 * </ol>
 *
 * istioctl applies {@code components.pilot.k8s} as patches after rendering, and {@code manifest translate}
 * drops them; meshwave maps those the istiod chart has a value for (its {@code pilot.*} keys, which every chart
 * from 1.22 to 1.28 reads) and refuses the others with the overlay's {@code file:line:col}, so that nothing an
 * overlay says is silently lost. What meshwave or the base release owns is refused wherever it is set: the
 * revision, {@code revisionTags}, {@code defaultRevision}, {@code global.istioNamespace}, and the cluster's facts
 * ({@code global.multiCluster.clusterName}, {@code global.network}, {@code global.meshID}) unless they agree with
 * every cluster of the plan. The values hold no meshwave key: the delivery methods add the revision and the
 * cluster's facts last, so they win.
 */
public final class ChartValues {

    /** No values: a script delivery, or a Helm or Sail plan that names no values file, overlay, hub or profile. */
    public static final ChartValues NONE = new ChartValues(new LinkedHashMap<>(), new LinkedHashMap<>());

    /** The istiod chart's profiles (files/profile-*.yaml) in every chart from 1.22 to 1.28. */
    private static final Set<String> PROFILES = Set.of("ambient", "demo", "preview", "stable");
    /** {@code default} is the IstioOperator profile of no changes: the chart has no file of that name. */
    private static final String NO_PROFILE = "default";

    /** {@code components.pilot.k8s} settings and the istiod chart value each becomes (research 17 §3.3). */
    private static final Map<String, List<String>> K8S_VALUES = k8sValues();

    private final Map<String, Object> values;
    /** The values file alone: today's settings, which today's release keeps while the new one gets the overlays too. */
    private final Map<String, Object> today;

    private ChartValues(Map<String, Object> values, Map<String, Object> today) {
        this.values = frozen(values);
        this.today = frozen(today);
    }

    /** A fresh, mutable, insertion-ordered copy of the values, for a delivery method to add its own keys to. */
    public Map<String, Object> toMap() {
        return copy(values);
    }

    /**
     * The values of today's release: the values file alone (its settings as the team wrote them), without the
     * overlays, {@code to.hub} or {@code to.profile}, which are the new revision's, so that stage 00 leaves the
     * running revision as it is.
     */
    public Map<String, Object> todayToMap() {
        return copy(today);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChartValues that && values.equals(that.values) && today.equals(that.today);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /** Merges {@code source} into {@code target}: mappings merge key by key, anything else replaces (Helm's coalescing of values files). */
    @SuppressWarnings("unchecked")
    public static void merge(Map<String, Object> target, Map<String, Object> source) {
        for (Map.Entry<String, Object> entry : source.entrySet()) {
            Object present = target.get(entry.getKey());
            if (present instanceof Map && entry.getValue() instanceof Map) {
                Map<String, Object> merged = copy((Map<String, Object>) present);
                merge(merged, (Map<String, Object>) entry.getValue());
                target.put(entry.getKey(), merged);
            } else {
                target.put(entry.getKey(), copyValue(entry.getValue()));
            }
        }
    }

    /**
     * The values of a plan whose delivery is Helm or Sail; problems go to {@code problems}, each at the
     * {@code file:line:col} of the plan, the values file or the overlay that says it.
     */
    static ChartValues translate(YamlDocument plan, PlanDraft draft, Optional<YamlDocument> valuesFile, List<YamlDocument> overlays,
            List<Problem> problems) {
        return new Translator(plan, draft, problems).translate(valuesFile, overlays);
    }

    private static final class Translator {
        private final YamlDocument plan;
        private final List<Problem> problems;
        private final String install;
        private final String namespaceField;
        /** The istiod charts the values go to: the new release's, and with Helm today's release's too. */
        private final List<MeshVersion> charts = new ArrayList<>();

        Translator(YamlDocument plan, PlanDraft draft, List<Problem> problems) {
            this.plan = plan;
            this.problems = problems;
            this.install = plan.root().path("spec").path("to").path("install").asText();
            this.namespaceField = "to." + install + ".namespace";
            charts.add(draft.toVersion());
            if (install.equals("helm")) {
                draft.fromVersion().ifPresent(charts::add);
            }
        }

        ChartValues translate(Optional<YamlDocument> valuesFile, List<YamlDocument> overlays) {
            Map<String, Object> result = new LinkedHashMap<>();
            valuesFile.ifPresent(file -> merge(result, values(file, "", file.root(), "the values file")));
            Map<String, Object> today = copy(result);
            for (YamlDocument overlay : overlays) {
                merge(result, overlay(overlay));
            }
            JsonNode to = plan.root().path("spec").path("to");
            if (to.has("hub")) {
                put(result, to.path("hub").asText(), "global", "hub");
            }
            if (to.has("profile")) {
                YamlDocument.Location at = plan.locate("/spec/to/profile");
                Optional<String> profile = profile(to.path("profile").asText(), message -> problems.add(
                        Problem.error(at.value(), at.displayPath(), message)));
                result.remove("profile");
                profile.ifPresent(p -> result.put("profile", p));
            }
            return new ChartValues(result, today);
        }

        /** One IstioOperator overlay as chart values: what it says through the API fields, then its values over them. */
        private Map<String, Object> overlay(YamlDocument overlay) {
            Map<String, Object> out = new LinkedHashMap<>();
            JsonNode spec = overlay.root().path("spec");
            for (Map.Entry<String, JsonNode> field : Findings.entries(spec)) {
                String pointer = "/spec/" + YamlDocument.escape(field.getKey());
                JsonNode value = field.getValue();
                switch (field.getKey()) {
                    case "hub" -> put(out, plain(value), "global", "hub");
                    case "tag" -> put(out, plain(value), "global", "tag");
                    case "meshConfig" -> put(out, plain(value), "meshConfig");
                    case "compatibilityVersion" -> put(out, plain(value), "compatibilityVersion");
                    case "profile" -> {
                        out.remove("profile");
                        profile(value.asText(), message -> refuse(overlay, pointer, message)).ifPresent(p -> out.put("profile", p));
                    }
                    case "components" -> components(overlay, value, out);
                    case "values", "unvalidatedValues" -> { } // below, over everything else
                    case "revision" -> refuse(overlay, pointer, "meshwave sets each release's revision (to.revision, from.revision);"
                            + " remove spec.revision from the overlay");
                    default -> refuse(overlay, pointer, "spec." + field.getKey() + " has no istiod chart value (istioctl manifest"
                            + " translate maps hub, tag, profile, meshConfig, compatibilityVersion, values and components.pilot);"
                            + " remove it from the overlay");
                }
            }
            for (String key : List.of("values", "unvalidatedValues")) {
                if (spec.has(key)) {
                    merge(out, values(overlay, "/spec/" + key, spec.path(key), "the overlay"));
                }
            }
            return out;
        }

        /** {@code spec.components}: only istiod's is a setting of the istiod chart. */
        private void components(YamlDocument overlay, JsonNode components, Map<String, Object> out) {
            for (Map.Entry<String, JsonNode> component : Findings.entries(components)) {
                String pointer = "/spec/components/" + YamlDocument.escape(component.getKey());
                if (!component.getKey().equals("pilot")) {
                    refuse(overlay, pointer, "with install: " + install + " meshwave renders the istiod chart only;"
                            + " components." + component.getKey() + " is another chart's or release's (remove it from the overlay)");
                    continue;
                }
                for (Map.Entry<String, JsonNode> field : Findings.entries(component.getValue())) {
                    String at = pointer + "/" + YamlDocument.escape(field.getKey());
                    switch (field.getKey()) {
                        case "enabled" -> {
                            if (!field.getValue().asBoolean(true)) {
                                refuse(overlay, at, "meshwave installs istiod; components.pilot.enabled: false would install"
                                        + " no control plane (remove it)");
                            }
                        }
                        case "hub" -> put(out, plain(field.getValue()), "pilot", "hub");
                        case "tag" -> put(out, plain(field.getValue()), "pilot", "tag");
                        case "k8s" -> k8s(overlay, at, field.getValue(), out);
                        case "namespace" -> refuse(overlay, at, "istiod's namespace is " + namespaceField
                                + " (remove components.pilot.namespace)");
                        default -> refuse(overlay, at, "components.pilot." + field.getKey() + " has no istiod chart value"
                                + " (remove it from the overlay)");
                    }
                }
            }
        }

        /** {@code components.pilot.k8s}: istioctl's post-render patches, as the chart values that do the same. */
        private void k8s(YamlDocument overlay, String pointer, JsonNode k8s, Map<String, Object> out) {
            for (Map.Entry<String, JsonNode> field : Findings.entries(k8s)) {
                String key = field.getKey();
                String at = pointer + "/" + YamlDocument.escape(key);
                List<String> target = K8S_VALUES.get(key);
                if (target != null) {
                    put(out, plain(field.getValue()), target.toArray(String[]::new));
                } else if (key.equals("env")) {
                    env(overlay, at, field.getValue(), out);
                } else if (key.equals("hpaSpec")) {
                    hpa(overlay, at, field.getValue(), out);
                } else if (key.equals("overlays")) {
                    refuse(overlay, at, "k8s.overlays patch the objects istioctl rendered; the istiod chart has no value"
                            + " for them (a Flux postRenderers or Argo CD kustomize patch outside meshwave can; remove them)");
                } else if (key.equals("strategy")) {
                    refuse(overlay, at, "the istiod chart has no Deployment strategy value (for a RollingUpdate, set"
                            + " values.pilot.rollingMaxSurge and rollingMaxUnavailable instead; remove k8s.strategy)");
                } else {
                    refuse(overlay, at, "components.pilot.k8s." + key + " is a patch istioctl applies after rendering;"
                            + " the istiod chart has no value for it (remove it from the overlay)");
                }
            }
        }

        /** A container's env list as the chart's {@code env} map, and {@code valueFrom} entries as {@code envVarFrom} (1.26+). */
        private void env(YamlDocument overlay, String pointer, JsonNode env, Map<String, Object> out) {
            for (int i = 0; i < env.size(); i++) {
                JsonNode entry = env.get(i);
                String at = pointer + "/" + i;
                if (!entry.path("name").isTextual()) {
                    refuse(overlay, at, "an env entry needs a name");
                } else if (entry.has("valueFrom")) {
                    Optional<MeshVersion> old = charts.stream().filter(v -> !v.atLeast(1, 26)).findFirst();
                    if (old.isPresent()) {
                        refuse(overlay, at + "/valueFrom", "the istiod chart takes env from valueFrom (envVarFrom) from 1.26"
                                + " on, and this plan renders the chart of " + old.get() + " (remove it, or set the value)");
                    } else {
                        Map<String, Object> variable = new LinkedHashMap<>();
                        variable.put("name", entry.path("name").asText());
                        variable.put("valueFrom", plain(entry.path("valueFrom")));
                        appendTo(out, variable, "pilot", "envVarFrom");
                    }
                } else {
                    put(out, entry.path("value").asText(""), "pilot", "env", entry.path("name").asText());
                }
            }
        }

        /** The HorizontalPodAutoscaler's bounds and behaviour; its metrics are the chart's cpu/memory utilisation values. */
        private void hpa(YamlDocument overlay, String pointer, JsonNode hpa, Map<String, Object> out) {
            for (Map.Entry<String, JsonNode> field : Findings.entries(hpa)) {
                String at = pointer + "/" + YamlDocument.escape(field.getKey());
                switch (field.getKey()) {
                    case "minReplicas" -> put(out, plain(field.getValue()), "pilot", "autoscaleMin");
                    case "maxReplicas" -> put(out, plain(field.getValue()), "pilot", "autoscaleMax");
                    case "behavior" -> put(out, plain(field.getValue()), "pilot", "autoscaleBehavior");
                    default -> refuse(overlay, at, "the istiod chart has no value for hpaSpec." + field.getKey()
                            + " (for CPU or memory targets set values.pilot.cpu.targetAverageUtilization or"
                            + " values.pilot.memory.targetAverageUtilization; remove it)");
                }
            }
        }

        /** A mapping of chart values (the values file, or an overlay's spec.values) without what meshwave owns. */
        private Map<String, Object> values(YamlDocument file, String pointer, JsonNode values, String source) {
            if (!values.isObject()) {
                if (!values.isNull()) {
                    refuse(file, pointer, "chart values must be a mapping");
                }
                return new LinkedHashMap<>();
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) plain(values);
            for (String owned : List.of("revision", "revisionTags", "defaultRevision")) {
                if (values.has(owned)) {
                    refuse(file, pointer + "/" + owned, owned(owned) + " (remove it from " + source + ")");
                    out.remove(owned);
                }
            }
            if (values.has("profile")) {
                out.remove("profile");
                profile(values.path("profile").asText(), message -> refuse(file, pointer + "/profile", message))
                        .ifPresent(p -> out.put("profile", p));
            }
            JsonNode global = values.path("global");
            if (global.has("istioNamespace")) {
                refuse(file, pointer + "/global/istioNamespace", "the control plane's namespace is " + namespaceField
                        + " (remove global.istioNamespace from " + source + ")");
            }
            fact(file, pointer + "/global/multiCluster/clusterName", global.path("multiCluster").path("clusterName"),
                    "global.multiCluster.clusterName", "clusterName", Translator::clusterName, source);
            fact(file, pointer + "/global/network", global.path("network"), "global.network", "network",
                    c -> text(c, "network"), source);
            fact(file, pointer + "/global/meshID", global.path("meshID"), "global.meshID", "meshID", Translator::meshID, source);
            return out;
        }

        private String owned(String key) {
            return switch (key) {
                case "revision" -> "meshwave sets each release's revision (to.revision, from.revision)";
                case "revisionTags" -> install.equals("sail")
                        ? "meshwave renders the revision tags (spec.tags) as IstioRevisionTags; Sail takes no revisionTags value"
                        : "meshwave renders the revision tags (spec.tags) as its own webhooks; the chart's"
                                + " revisionTags would write the same ones";
                default -> install.equals("sail")
                        ? "Sail sets defaultRevision itself; the default revision is the default IstioRevisionTag, which finalize moves"
                        : "the default revision is the base release's defaultRevision, which finalize moves; the istiod chart has none";
            };
        }

        /**
         * A cluster fact set in values: meshwave writes each cluster's own from the plan, last, so a value that
         * differs would be overridden on one cluster and hide a mistake; one that agrees everywhere is harmless.
         */
        private void fact(YamlDocument file, String pointer, JsonNode value, String valueName, String field,
                Function<JsonNode, Optional<String>> factOf, String source) {
            if (value.isMissingNode()) {
                return;
            }
            JsonNode clusters = plan.root().path("spec").path("clusters");
            for (int i = 0; i < clusters.size(); i++) {
                Optional<String> fact = factOf.apply(clusters.get(i));
                if (!fact.equals(Optional.of(value.asText()))) {
                    refuse(file, pointer, valueName + " is '" + value.asText() + "' but cluster " + clusters.get(i).path("name").asText()
                            + (fact.isPresent() ? " has '" + fact.get() + "'" : " has none") + " (spec.clusters[" + i + "]." + field
                            + "); meshwave writes each cluster's own from the plan: set it there and remove it from " + source);
                    return;
                }
            }
        }

        /** A cluster's name in the mesh, as {@code render.ClusterFacts} has it for plain Istio (Helm and Sail install no ASM). */
        private static Optional<String> clusterName(JsonNode cluster) {
            return Optional.of(text(cluster, "clusterName").orElse(cluster.path("name").asText()));
        }

        /** A cluster's mesh ID, as {@code render.ClusterFacts} has it. */
        private static Optional<String> meshID(JsonNode cluster) {
            return text(cluster, "meshID").or(() -> text(cluster, "fleetProjectNumber").map(n -> "proj-" + n));
        }

        private static Optional<String> text(JsonNode node, String field) {
            return Optional.ofNullable(node.get(field)).filter(JsonNode::isTextual).map(JsonNode::asText);
        }

        /**
         * An IstioOperator or chart profile as the chart's {@code profile} value: empty for {@code default} (no
         * profile file) or when refused. The istiod chart's profiles are not istioctl's (research 17 §2.2:
         * templates/zzz_profile.yaml and files/ per tag; an unknown profile fails the render).
         */
        private Optional<String> profile(String profile, java.util.function.Consumer<String> refuse) {
            if (profile.equals(NO_PROFILE)) {
                return Optional.empty();
            }
            if (PROFILES.contains(profile)) {
                return Optional.of(profile);
            }
            Optional<MeshVersion> before124 = charts.stream().filter(v -> !v.atLeast(1, 24)).findFirst();
            Optional<MeshVersion> from124 = charts.stream().filter(v -> v.atLeast(1, 24)).findFirst();
            if (profile.equals("remote") && before124.isPresent()) {
                refuse.accept("the istiod chart has the profile remote from 1.24 on, and this plan renders the chart of " + before124.get());
                return Optional.empty();
            }
            if ((profile.equals("openshift") || profile.equals("openshift-ambient")) && from124.isPresent()) {
                refuse.accept("the istiod chart has the profile " + profile + " before 1.24 only, and this plan renders the chart of "
                        + from124.get() + " (from 1.24 set values.global.platform: openshift)");
                return Optional.empty();
            }
            if (profile.equals("remote") || profile.equals("openshift") || profile.equals("openshift-ambient")) {
                return Optional.of(profile);
            }
            refuse.accept("'" + profile + "' is not a profile of the istiod chart (ambient, demo, preview, stable; remote from 1.24;"
                    + " openshift and openshift-ambient before 1.24; default means none)");
            return Optional.empty();
        }

        private void refuse(YamlDocument file, String pointer, String message) {
            YamlDocument.Location at = file.locate(pointer);
            problems.add(Problem.error(at.key(), at.displayPath(), message));
        }
    }

    private static Map<String, List<String>> k8sValues() {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String same : List.of("resources", "nodeSelector", "tolerations", "affinity", "podAnnotations", "serviceAnnotations",
                "replicaCount")) {
            values.put(same, List.of("pilot", same));
        }
        // The chart's pods are istiod's alone, so its global pod settings reach no other workload.
        values.put("priorityClassName", List.of("global", "priorityClassName"));
        values.put("imagePullPolicy", List.of("global", "imagePullPolicy"));
        return Collections.unmodifiableMap(values);
    }

    /** Sets {@code value} at {@code path}, making the mappings on the way; a mapping merges into one already there. */
    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> out, Object value, String... path) {
        Map<String, Object> at = parentOf(out, path);
        String last = path[path.length - 1];
        if (value instanceof Map && at.get(last) instanceof Map) {
            merge((Map<String, Object>) at.get(last), (Map<String, Object>) value);
        } else {
            at.put(last, value);
        }
    }

    /** The mapping that holds the last key of {@code path}, making the mappings on the way. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> parentOf(Map<String, Object> out, String... path) {
        Map<String, Object> at = out;
        for (int i = 0; i < path.length - 1; i++) {
            Object next = at.get(path[i]);
            if (!(next instanceof Map)) {
                next = new LinkedHashMap<String, Object>();
                at.put(path[i], next);
            }
            at = (Map<String, Object>) next;
        }
        return at;
    }

    /** Adds {@code item} to the list at {@code path}, making the mappings on the way and the list. */
    @SuppressWarnings("unchecked")
    private static void appendTo(Map<String, Object> out, Object item, String... path) {
        Map<String, Object> at = parentOf(out, path);
        Object list = at.get(path[path.length - 1]);
        List<Object> items = list instanceof List ? new ArrayList<>((List<Object>) list) : new ArrayList<>();
        items.add(item);
        at.put(path[path.length - 1], items);
    }

    /** A YAML mapping as plain Java values in document order, unmodifiable. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> frozenMap(JsonNode node) {
        return node.isObject() ? frozen((Map<String, Object>) plain(node)) : Map.of();
    }

    /** An unmodifiable deep copy of a values mapping. */
    public static Map<String, Object> frozenCopy(Map<String, Object> values) {
        return frozen(values);
    }

    /** A YAML node as plain Java values, mappings in document order. */
    private static Object plain(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), plain(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(plain(item)));
            return list;
        }
        if (node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToInt() ? (Object) node.intValue() : node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, copyValue(v)));
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Object copyValue(Object value) {
        if (value instanceof Map) {
            return copy((Map<String, Object>) value);
        }
        if (value instanceof List) {
            List<Object> list = new ArrayList<>();
            ((List<Object>) value).forEach(item -> list.add(copyValue(item)));
            return list;
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> frozen(Map<String, Object> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, frozenValue(v)));
        return Collections.unmodifiableMap(copy);
    }

    @SuppressWarnings("unchecked")
    private static Object frozenValue(Object value) {
        if (value instanceof Map) {
            return frozen((Map<String, Object>) value);
        }
        if (value instanceof List) {
            List<Object> list = new ArrayList<>();
            ((List<Object>) value).forEach(item -> list.add(frozenValue(item)));
            return Collections.unmodifiableList(list);
        }
        return value;
    }
}
