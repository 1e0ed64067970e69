package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * Load → schema → semantic checks → overlays (and a Helm or Sail plan's chart values) → {@link Plan}. Each step runs only when the one before
 * found no error, and reports all of its own problems together.
 */
public final class PlanLoader {

    /** A valid plan and the warnings found on the way. */
    public record LoadedPlan(Plan plan, List<Problem> warnings) {}

    private final PlanSchema schema;

    public PlanLoader(PlanSchema schema) {
        this.schema = schema;
    }

    public LoadedPlan load(Path planFile) throws InvalidPlanException {
        String label = planFile.toString();
        byte[] bytes = InputFile.bytes(planFile, label, YamlDocument.MAX_BYTES, "plan");
        return load(label, bytes, planFile.toAbsolutePath().normalize().getParent(), planFile.getParent());
    }

    /**
     * A plan that is in no file yet ({@code meshwave import} checks the plan it is about to print);
     * {@code label} names it in problems, and overlays would be found from the working directory.
     */
    public LoadedPlan load(String label, byte[] bytes) throws InvalidPlanException {
        return load(label, bytes, Path.of("").toAbsolutePath(), null, Map.of());
    }

    /**
     * A plan about to be written to {@code planFile} ({@code meshwave import --out}), with the files beside it that it
     * names and that are not written yet either ({@code unwritten}, by the name the plan gives them): both are checked
     * as they will be read once written, before anything is.
     */
    public LoadedPlan load(Path planFile, byte[] bytes, Map<String, byte[]> unwritten) throws InvalidPlanException {
        return load(planFile.toString(), bytes, planFile.toAbsolutePath().normalize().getParent(), planFile.getParent(), unwritten);
    }

    private LoadedPlan load(String label, byte[] bytes, Path planDir, Path labelDir) throws InvalidPlanException {
        return load(label, bytes, planDir, labelDir, Map.of());
    }

    private LoadedPlan load(String label, byte[] bytes, Path planDir, Path labelDir, Map<String, byte[]> unwritten)
            throws InvalidPlanException {
        List<Problem> problems = new ArrayList<>();
        YamlDocument document = YamlDocument.read(label, bytes, problems).orElseThrow(() -> new InvalidPlanException(problems));
        problems.addAll(schema.validate(document));
        failOnErrors(problems);
        PlanDraft draft = PlanDraft.of(document.root().path("spec"));
        problems.addAll(PlanChecks.check(document, draft));
        failOnErrors(problems);
        OverlayReader reader = new OverlayReader(document, draft, planDir, labelDir, problems, unwritten);
        List<Plan.Overlay> overlays = reader.read();
        Optional<YamlDocument> values = reader.readValues();
        failOnErrors(problems);
        // Helm and Sail install charts: the overlays become chart values. The script installs the overlays themselves.
        ChartValues chartValues = draft.delivery().inGit()
                ? ChartValues.translate(document, draft, values, reader.documents(), problems) : ChartValues.NONE;
        failOnErrors(problems);
        problems.addAll(AmbientRules.istiodServesAmbient(document, draft, chartValues));
        failOnErrors(problems);
        return new LoadedPlan(toPlan(document, draft, overlays, chartValues), List.copyOf(problems));
    }

    private static void failOnErrors(List<Problem> problems) throws InvalidPlanException {
        if (problems.stream().anyMatch(Problem::isError)) {
            List<Problem> sorted = new ArrayList<>(problems);
            sorted.sort(Comparator.comparing((Problem p) -> p.position().file())
                    .thenComparingInt(p -> p.position().line())
                    .thenComparingInt(p -> p.position().column()));
            throw new InvalidPlanException(sorted);
        }
    }

    /**
     * A cluster's ingress gateway. A {@code release} of Istio's {@code gateway} chart defaults as the chart names its
     * objects (manifests/charts/gateway/templates/_helpers.tpl, 1.22-1.28): Service and Deployment after the
     * {@code name} value or the release, selector {@code app: <name>} and {@code istio: <name without "istio-">} unless
     * {@code labels.app}/{@code labels.istio} say otherwise; namespace {@code istio-ingress} as in Istio's Helm install.
     */
    private static Plan.IngressGateway ingressGateway(JsonNode gateway, String canonicalBefore) {
        if (!gateway.has("release")) {
            return new Plan.IngressGateway(
                    gateway.path("namespace").asText("istio-system"),
                    gateway.path("service").asText(),
                    gateway.path("fromCanonicalRevision").asText(canonicalBefore),
                    gateway.has("selector") ? toSortedStrings(gateway.path("selector")) : Plan.IngressGateway.DEFAULT_SELECTOR);
        }
        String release = gateway.path("release").asText();
        JsonNode values = gateway.path("values");
        String name = values.path("name").asText(release);
        Map<String, String> selector = new java.util.LinkedHashMap<>();
        selector.put("app", values.path("labels").path("app").asText(name));
        selector.put("istio", values.path("labels").path("istio").asText(name.startsWith("istio-") ? name.substring("istio-".length()) : name));
        return new Plan.IngressGateway(gateway.path("namespace").asText("istio-ingress"), gateway.path("service").asText(name),
                canonicalBefore, selector, Optional.of(release), ChartValues.frozenMap(values));
    }

    private static Plan toPlan(YamlDocument document, PlanDraft draft, List<Plan.Overlay> overlays, ChartValues chartValues) {
        JsonNode root = document.root();
        JsonNode spec = root.path("spec");
        JsonNode from = spec.path("from");
        JsonNode to = spec.path("to");
        MeshVersion toVersion = draft.toVersion();
        String toRevision = draft.toRevision().orElseThrow();
        return new Plan(
                document.file(),
                root.path("metadata").path("name").asText(),
                new Plan.From(from.path("revision").asText(), draft.fromVersion()),
                new Plan.To(toVersion, toRevision, text(to, "hub"), text(to, "profile"),
                        draft.ca(),
                        text(to, "caPool"), strings(to.path("options")), overlays,
                        Optional.of(to.path("citadel")).filter(JsonNode::isObject).map(c -> new Plan.CitadelCa(
                                c.path("caCert").asText(), c.path("caKey").asText(), c.path("rootCert").asText(),
                                c.path("certChain").asText())), draft.delivery(), chartValues),
                draft.injection(),
                toTags(spec.path("tags")),
                StreamSupport.stream(spec.path("clusters").spliterator(), false)
                        .map(c -> toCluster(c, from.path("revision").asText())).toList(),
                waves(spec, draft.injection()),
                draft.restart(),
                draft.finishing(),
                new Plan.Existing(draft.nonRevisionedInjector(), toTags(spec.path("existing").path("tags"))),
                draft.ordering(),
                draft.caMigration(),
                gitops(spec.path("gitops")),
                draft.ambient(),
                strings(spec.path("ambient").path("namespaces")),
                document.positionsByPath());
    }

    /** {@code spec.gitops} with its defaults: {@code render --emit} reads only this. */
    private static Plan.GitOps gitops(JsonNode gitops) {
        JsonNode argocd = gitops.path("argocd");
        JsonNode flux = gitops.path("flux");
        JsonNode source = flux.path("sourceRef");
        return new Plan.GitOps(
                new Plan.ArgoCd(text(argocd, "repoURL"),
                        text(argocd, "targetRevision").orElse(Plan.ArgoCd.DEFAULT_TARGET_REVISION),
                        text(argocd, "project").orElse(Plan.ArgoCd.DEFAULT_PROJECT),
                        text(argocd, "namespace").orElse(Plan.ArgoCd.DEFAULT_NAMESPACE),
                        toTags(argocd.path("destinations"))),
                new Plan.Flux(text(flux, "namespace").orElse(Plan.Flux.DEFAULT_NAMESPACE),
                        text(flux, "interval").orElse(Plan.Flux.DEFAULT_INTERVAL),
                        new Plan.SourceRef(text(source, "kind").orElse(Plan.Flux.DEFAULT_SOURCE_KIND),
                                text(source, "name").orElse(Plan.Flux.DEFAULT_SOURCE_NAME),
                                text(source, "namespace"))));
    }

    /**
     * Waves with every namespace's strategy explicit: {@code {name, tag}} follows that tag; with
     * {@code injection: tag} a plain name follows the one tag its wave moves; otherwise it is relabelled.
     */
    private static List<Plan.Wave> waves(JsonNode spec, Plan.Injection injection) {
        boolean byTag = injection == Plan.Injection.TAG;
        Map<String, String> tags = toTags(spec.path("tags"));
        List<Plan.Wave> waves = new ArrayList<>();
        for (JsonNode wave : spec.path("waves")) {
            String name = wave.path("name").asText();
            List<String> moved = tags.entrySet().stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey).toList();
            List<String> namespaces = new ArrayList<>();
            Map<String, String> followsTag = new java.util.LinkedHashMap<>();
            Map<String, String> waypoints = new java.util.LinkedHashMap<>();
            for (JsonNode entry : wave.path("namespaces")) {
                if (entry.isObject()) {
                    namespaces.add(entry.path("name").asText());
                    text(entry, "tag").ifPresent(tag -> followsTag.put(entry.path("name").asText(), tag));
                    text(entry, "waypoint").ifPresent(waypoint -> waypoints.put(entry.path("name").asText(), waypoint));
                } else {
                    namespaces.add(entry.asText());
                    if (byTag && moved.size() == 1 && !wave.path("dataplane").asText("sidecar").equals("ambient")) {
                        followsTag.put(entry.asText(), moved.get(0));
                    }
                }
            }
            List<Plan.Gateway> gateways = new ArrayList<>();
            for (JsonNode gateway : wave.path("gateways")) {
                gateways.add(new Plan.Gateway(gateway.path("namespace").asText(), gateway.path("name").asText(), text(gateway, "follows")));
            }
            waves.add(new Plan.Wave(name, namespaces, strings(wave.path("clusters")), followsTag,
                    wave.path("dataplane").asText("sidecar").equals("ambient") ? Plan.Dataplane.AMBIENT : Plan.Dataplane.SIDECAR,
                    waypoints, gateways));
        }
        return waves;
    }

    private static Plan.Cluster toCluster(JsonNode cluster, String fromRevision) {
        // A non-revisioned gateway's pods carry canonical-revision "latest" (Istio's gateway charts).
        String canonicalBefore = fromRevision.equals(Plan.DEFAULT_REVISION) ? "latest" : fromRevision;
        return new Plan.Cluster(
                cluster.path("name").asText(),
                cluster.path("path").asText(),
                text(cluster, "project"),
                text(cluster, "location"),
                text(cluster, "network"),
                text(cluster, "fleetProject"),
                Optional.of(cluster.path("ingressGateway")).filter(JsonNode::isObject).map(g -> ingressGateway(g, canonicalBefore)),
                text(cluster, "namespacesFrom"),
                text(cluster, "fleetProjectNumber"),
                cluster.has("platform")
                        ? Plan.Platform.valueOf(cluster.path("platform").asText().toUpperCase(java.util.Locale.ROOT))
                        : cluster.has("project") && cluster.has("location") ? Plan.Platform.GKE : Plan.Platform.MULTICLOUD,
                text(cluster, "kubeconfig"),
                cluster.path("canary").asBoolean(false),
                text(cluster, "clusterName"),
                text(cluster, "meshID"),
                text(cluster, "namespacesIn"));
    }

    private static Map<String, String> toTags(JsonNode tags) {
        Map<String, String> map = new java.util.TreeMap<>();
        tags.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    /** A map of the plan, sorted by key so that the render never depends on the order the plan lists it in. */
    private static Map<String, String> toSortedStrings(JsonNode map) {
        Map<String, String> sorted = new java.util.TreeMap<>();
        map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
        return sorted;
    }

    private static Optional<String> text(JsonNode node, String field) {
        return Optional.ofNullable(node.get(field)).filter(JsonNode::isTextual).map(JsonNode::asText);
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
