package dev.meshwave.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * A first plan from what a cluster runs today ({@code meshwave import}): which namespaces are
 * injected, by which revision or tag, which revision the plan moves from, and waves that start with
 * the gateways and the smallest namespaces and split the rest by workload count. Ambient namespaces
 * ({@link Ambient}) are in no wave: the plan's comment names them, and the ambient components the
 * repository installs or the cluster runs ({@link InstalledAmbient}) become {@code spec.ambient}.
 */
public final class PlanImport {

    /**
     * What the user asked for; the cluster and path have defaults so that two flags make a valid plan.
     * {@code valuesFile} names, relative to the plan's directory, the values file that keeps today's chart values
     * ({@code import --out}); without it they are warnings.
     */
    public record Request(String name, String toVersion, Optional<String> toRevision, String cluster, String path, int waves,
            Optional<String> valuesFile) {

        public Request(String name, String toVersion, Optional<String> toRevision, String cluster, String path, int waves) {
            this(name, toVersion, toRevision, cluster, path, waves, Optional.empty());
        }
    }

    /**
     * Where the namespaces came from, for the error when none is injected, and what installs istiod today when a
     * repository was read ({@code meshwave import --repository}): then the plan moves from its revision.
     */
    public record Sources(String namespacesLabel, Optional<InstalledMesh> mesh, List<InstalledAmbient.Found> ambient) {

        public Sources {
            ambient = List.copyOf(ambient);
        }

        public Sources(String namespacesLabel, Optional<InstalledMesh> mesh) {
            this(namespacesLabel, mesh, List.of());
        }
    }

    /**
     * The plan's text, what the inventory showed that the plan cannot carry, and the text of the values file the plan
     * names ({@code Request.valuesFile}) when today's release has chart values to keep.
     */
    public record Result(String planText, List<Problem> problems, Optional<String> valuesText, Optional<String> valuesField) {}

    private static final List<String> WORKLOAD_KINDS = List.of("Deployment", "StatefulSet", "DaemonSet");

    private final List<Problem> problems = new ArrayList<>();

    private PlanImport() {}

    public static Result build(Request request, List<Manifest> namespaces, List<Manifest> workloads,
            Optional<List<Manifest>> webhooks) throws InvalidPlanException {
        return build(request, new Sources(namespaces.isEmpty() ? "namespaces" : namespaces.get(0).start().file(), Optional.empty()),
                namespaces, workloads, webhooks);
    }

    public static Result build(Request request, Sources sources, List<Manifest> namespaces, List<Manifest> workloads,
            Optional<List<Manifest>> webhooks) throws InvalidPlanException {
        PlanImport planImport = new PlanImport();
        // Today's chart values go to a values file beside the plan when there is one, and are warnings otherwise.
        Optional<InstalledMesh> keeping = sources.mesh().filter(m -> request.valuesFile().isPresent() && m.valuesField().isPresent()
                && !m.values().isEmpty());
        sources.mesh().ifPresent(mesh -> mesh.warnings().stream().filter(w -> keeping.isEmpty() || !mesh.kept().contains(w))
                .forEach(planImport.problems::add));
        String text = planImport.plan(request, sources, namespaces, workloads, webhooks, keeping.isPresent());
        return new Result(text, List.copyOf(planImport.problems), keeping.map(PlanImport::valuesText),
                keeping.flatMap(InstalledMesh::valuesField));
    }

    private record Injected(Manifest namespace, String label, String revision, boolean tag) {}

    private String plan(Request request, Sources sources, List<Manifest> namespaces, List<Manifest> workloads,
            Optional<List<Manifest>> webhooks, boolean keepsValues) throws InvalidPlanException {
        Optional<InstalledMesh> mesh = sources.mesh();
        // What the injectors serve: revisions, and tags with the revision each points at.
        Map<String, String> tags = new TreeMap<>();
        java.util.Set<String> served = new java.util.TreeSet<>();
        webhooks.orElse(List.of()).stream().filter(o -> o.kind().equals("MutatingWebhookConfiguration")).forEach(w -> {
            String rev = w.labels().get("istio.io/rev");
            String tag = w.labels().get("istio.io/tag");
            if (tag != null && rev != null) {
                tags.put(tag, rev);
            } else if (rev != null) {
                served.add(rev);
            } else if (w.name().equals("istio-sidecar-injector")) {
                served.add(Plan.DEFAULT_REVISION);
            }
        });
        List<Injected> injected = new ArrayList<>();
        List<String> ambient = new ArrayList<>();
        for (Manifest ns : namespaces) {
            if (!ns.kind().equals("Namespace") || WaveRules.SYSTEM_NAMESPACES.contains(ns.name())) {
                continue;
            }
            String injection = ns.labels().get("istio-injection");
            String rev = ns.labels().get("istio.io/rev");
            // istio-injection with another value than enabled selects no injector and makes istio.io/rev ignored (lint's rule too).
            boolean sidecar = "enabled".equals(injection) || injection == null && rev != null;
            if (Ambient.is(ns.labels()) && sidecar) {
                // Sidecar injection takes precedence over ztunnel capture: a sidecar wave would only confirm the sidecars.
                problems.add(Problem.warning(ns.at(Manifest.label(Ambient.LABEL)), "", "namespace '" + ns.name() + "' is ambient ("
                        + Ambient.LABEL + "=ambient) but labelled " + (injection != null ? "istio-injection=" + injection : "istio.io/rev=" + rev)
                        + "; sidecar injection takes precedence over ztunnel capture, so its pods get sidecars at their next restart."
                        + " Left out of the sidecar waves: remove the sidecar label, or the ambient one"));
            } else if (Ambient.is(ns.labels())) {
                // ztunnel captures its traffic: no sidecar wave may label it (the plan's comment lists it).
                ambient.add(ns.name());
            } else if (injection != null && rev != null) {
                problem(ns, "carries both istio-injection=" + injection + " and istio.io/rev=" + rev
                        + "; istio-injection wins. Left out: fix its labels first");
            } else if ("enabled".equals(injection)) {
                injected.add(new Injected(ns, Plan.DEFAULT_REVISION, Plan.DEFAULT_REVISION, false));
            } else if (rev != null) {
                if (tags.containsKey(rev)) {
                    injected.add(new Injected(ns, rev, tags.get(rev), true));
                } else if (webhooks.isPresent() && !served.contains(rev)) {
                    problem(ns, "is labelled istio.io/rev=" + rev + ", which no webhook serves (its pods get no sidecar today). Left out");
                } else {
                    injected.add(new Injected(ns, rev, rev, false));
                }
            } // istio-injection=disabled, or no label: not in the mesh
        }
        if (injected.isEmpty()) {
            throw new InvalidPlanException(List.of(Problem.error(new SourcePosition(sources.namespacesLabel(), 1, 1), "",
                    "no namespace is injected (istio-injection=enabled or istio.io/rev);"
                    + (ambient.isEmpty() ? " there is nothing to upgrade" : " " + ambient.size() + " namespace" + (ambient.size() == 1 ? " is" : "s are")
                            + " ambient (" + Ambient.LABEL + "=ambient), which no sidecar wave moves, and a plan needs at least one wave"
                            + " of sidecar namespaces"))));
        }
        InstalledAmbient.Result found = InstalledAmbient.choose(sources.ambient(), InstalledAmbient.read(workloads), mesh);
        problems.addAll(found.warnings());
        Map<String, Object> components = found.ambient();
        if (!components.isEmpty() && !(keepsValues && AmbientRules.servesAmbient(mesh.orElseThrow().values()))) {
            // validate asks today's istiod values (the values file) to serve ambient mode, since stage 00 takes that release into
            // Git with them: without them the components stay out, and the warning says how to keep them.
            SourcePosition at = java.util.stream.Stream.concat(sources.ambient().stream(), InstalledAmbient.read(workloads).stream())
                    .filter(f -> found.ambient().containsKey(f.component().key())).findFirst().map(InstalledAmbient.Found::at)
                    .orElse(new SourcePosition(sources.namespacesLabel(), 1, 1));
            problems.add(Problem.warning(at, "", "spec.ambient." + String.join(" and spec.ambient.", components.keySet()) + " left out: an"
                    + " ambient mesh's plan keeps today's istiod values, which turn ambient mode on (profile: ambient or"
                    + " pilot.env.PILOT_ENABLE_AMBIENT), in a values file, since stage 00 takes today's release into Git with them; "
                    + (keepsValues ? mesh.orElseThrow().installedBy() + "'s values do not turn it on: set it there, then import again"
                            : "import with --out PLAN, which writes them beside the plan")));
            components = Map.of();
        }
        Map<String, Object> ambientSpec = new LinkedHashMap<>();
        if (!ambient.isEmpty()) {
            ambientSpec.put("namespaces", ambient);
        }
        ambientSpec.putAll(components);
        // The revision the plan moves from: the one istiod is installed at, else the one most namespaces are on today.
        Map<String, Long> byRevision = injected.stream().collect(Collectors.groupingBy(Injected::revision, TreeMap::new, Collectors.counting()));
        String from = mesh.map(InstalledMesh::revision).orElseGet(() -> byRevision.entrySet().stream().max(Map.Entry.<String, Long>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder()))).orElseThrow().getKey());
        String whose = mesh.isPresent() ? "the revision the repository installs" : "like most namespaces";
        List<Injected> moving = new ArrayList<>();
        for (Injected ns : injected) {
            if (!ns.revision().equals(from)) {
                problem(ns.namespace(), "is on revision " + ns.revision() + ", not on " + from + ", " + whose + ";"
                        + " a plan moves from one revision. Left out: plan it separately");
            } else if (ns.tag() && from.equals(Plan.DEFAULT_REVISION)) {
                problem(ns.namespace(), "follows tag " + ns.label() + " of the non-revisioned install; left out");
            } else {
                moving.add(ns);
            }
        }
        Map<String, Integer> workloadCount = new TreeMap<>();
        Map<String, Boolean> gateway = new TreeMap<>();
        for (Manifest w : workloads) {
            if (WORKLOAD_KINDS.contains(w.kind())) {
                workloadCount.merge(w.namespace(), 1, Integer::sum);
                String istio = w.labels().getOrDefault("istio", "");
                if (istio.endsWith("gateway") || w.labels().getOrDefault("app", "").startsWith("istio-ingressgateway")) {
                    gateway.put(w.namespace(), true);
                }
            }
        }
        Function<Injected, Integer> size = ns -> workloadCount.getOrDefault(ns.namespace().name(), 0);
        List<Injected> relabelled = moving.stream().filter(ns -> !ns.tag())
                .sorted(Comparator.comparing(size).thenComparing(ns -> ns.namespace().name())).toList();
        List<String> first = new ArrayList<>();
        List<Injected> rest = new ArrayList<>();
        for (Injected ns : relabelled) {
            String name = ns.namespace().name();
            if (gateway.containsKey(name) || name.contains("gateway") || name.contains("ingress") || name.contains("egress")) {
                first.add(name);
            } else {
                rest.add(ns);
            }
        }
        // The smallest fifth (at least one) goes first with the gateways: a canary that hurts least.
        int canaries = rest.isEmpty() ? 0 : Math.max(1, rest.size() / 5);
        rest.subList(0, canaries).forEach(ns -> first.add(ns.namespace().name()));
        List<Injected> remaining = rest.subList(canaries, rest.size());
        Map<String, Object> waves = new LinkedHashMap<>();
        if (!first.isEmpty()) {
            waves.put("canary", first);
        }
        int count = Math.max(1, Math.min(request.waves(), remaining.size()));
        long total = remaining.stream().mapToLong(ns -> Math.max(1, size.apply(ns))).sum();
        long cumulative = 0;
        int wave = 1;
        for (Injected ns : remaining) {
            cumulative += Math.max(1, size.apply(ns));
            @SuppressWarnings("unchecked")
            List<String> list = (List<String>) waves.computeIfAbsent("wave-" + wave, k -> new ArrayList<String>());
            list.add(ns.namespace().name());
            if (wave < count && cumulative * count >= total * wave) {
                wave++;
            }
        }
        // Namespaces that follow a tag move with it: one wave per tag, which moves the tag.
        Map<String, String> tagWaves = new TreeMap<>();
        Map<String, List<Map<String, String>>> followers = new TreeMap<>();
        moving.stream().filter(Injected::tag).forEach(ns -> followers.computeIfAbsent(ns.label(), t -> new ArrayList<>())
                .add(ordered("name", ns.namespace().name(), "tag", ns.label())));
        followers.forEach((tag, entries) -> {
            String name = "tag-" + tag;
            waves.put(name, entries);
            tagWaves.put(tag, name);
        });
        return dump(request, mesh, from, tagWaves, waves, keepsValues, ambientSpec,
                ambientComment(ambient, ambientSpec.containsKey(Plan.Component.ZTUNNEL.key())));
    }

    /**
     * What the plan says of the ambient namespaces it left out, as a comment under its header (names escaped: an export's
     * name could hold a line break that would end the comment). Empty when there are none.
     */
    private static String ambientComment(List<String> ambient, boolean ztunnel) {
        if (ambient.isEmpty()) {
            return "";
        }
        String names = String.join(", ", ambient.stream().map(n -> n.replaceAll("[\\p{Cntrl}\\u0085\\u2028\\u2029]", "?")).toList());
        String text = "Ambient namespaces (" + Ambient.LABEL + "=ambient; spec.ambient.namespaces), left out of the sidecar waves: "
                + names + ". ztunnel captures their traffic, and a wave's istio.io/rev would give their pods sidecars at their next"
                + " restart (sidecar injection takes precedence over ztunnel capture). " + (ztunnel ? "The stage of spec.ambient.ztunnel upgrades their data plane in"
                        + " place." : "The plan upgrades no ztunnel (spec.ambient): upgrade it after the control plane and before the first"
                        + " wave.");
        StringBuilder comment = new StringBuilder();
        StringBuilder line = new StringBuilder("#");
        for (String word : text.split(" ")) {
            if (line.length() > 1 && line.length() + 1 + word.length() > 118) {
                comment.append(line).append('\n');
                line = new StringBuilder("#");
            }
            line.append(' ').append(word);
        }
        return comment.append(line).append('\n').toString();
    }

    private String dump(Request request, Optional<InstalledMesh> mesh, String from, Map<String, String> tagWaves,
            Map<String, Object> waves, boolean keepsValues, Map<String, Object> ambient, String comment) {
        Map<String, Object> to = new LinkedHashMap<>();
        to.put("version", request.toVersion());
        // A version that does not parse goes into the plan as given: checking the plan then refuses it
        // with validate's own message for spec.to.version.
        Optional<MeshVersion> version = MeshVersion.tryParse(request.toVersion());
        // Helm and Sail derive the revision themselves (Sail's is <name>-v<version>); the script has none for plain Istio.
        boolean script = mesh.map(m -> m.install().equals("istioctl") || m.install().equals("asmcli")).orElse(true);
        request.toRevision().or(() -> version.filter(v -> script && v.defaultRevision().isEmpty())
                .map(v -> v.major() + "-" + v.minor() + "-" + v.patch())).ifPresent(r -> to.put("revision", r));
        mesh.ifPresent(m -> to.putAll(m.to()));
        if (keepsValues) {
            // to.helm.values or to.sail.values, last in its mapping, as the schema lists it after the other settings.
            String field = mesh.orElseThrow().valuesField().orElseThrow();
            Map<String, Object> settings = to.get(field) instanceof Map<?, ?> present ? new LinkedHashMap<>(cast(present)) : new LinkedHashMap<>();
            settings.put("values", request.valuesFile().orElseThrow());
            to.put(field, settings);
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        Map<String, Object> fromMap = new LinkedHashMap<>();
        fromMap.put("revision", from);
        mesh.ifPresent(m -> fromMap.putAll(m.from()));
        spec.put("from", fromMap);
        spec.put("to", to);
        if (!ambient.isEmpty()) {
            spec.put("ambient", ambient);
        }
        if (!tagWaves.isEmpty()) {
            spec.put("tags", tagWaves);
        }
        Map<String, String> cluster = ordered("name", request.cluster(), "path", request.path());
        mesh.ifPresent(m -> cluster.putAll(m.cluster()));
        spec.put("clusters", List.of(cluster));
        List<Map<String, Object>> waveList = new ArrayList<>();
        waves.forEach((name, namespaces) -> {
            Map<String, Object> wave = new LinkedHashMap<>();
            wave.put("name", name);
            wave.put("namespaces", namespaces);
            waveList.add(wave);
        });
        spec.put("waves", waveList);
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("apiVersion", "meshwave.dev/v1alpha1");
        plan.put("kind", "UpgradePlan");
        plan.put("metadata", Map.of("name", request.name()));
        plan.put("spec", spec);
        DumpSettings settings = dumpSettings();
        return "# Made by meshwave import from what the " + (mesh.isPresent() ? "repository installs" : "cluster runs") + " today."
                + " Review the waves before you use it.\n" + comment
                + new Dump(settings).dumpToString(plan);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    /**
     * The values file of today's chart values: a header that says where they come from and what is left out, then the
     * values in the order they are written in the repository (a copy in review reads like the original).
     */
    private static String valuesText(InstalledMesh mesh) {
        return "# Today's istiod chart values, kept for the new revision by meshwave import (from "
                + mesh.installedBy().replaceAll("[\\p{Cntrl}\\u0085\\u2028\\u2029]", "?") + ").\n"
                + "# Not here, because meshwave sets them: the revision, revisionTags, defaultRevision, global.istioNamespace,\n"
                + "# the cluster's clusterName, network and meshID (spec.clusters), and today's image tag.\n"
                + new Dump(dumpSettings()).dumpToString(mesh.values());
    }

    private static DumpSettings dumpSettings() {
        return DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setIndent(2)
                .setIndicatorIndent(2).setIndentWithIndicator(true).build();
    }

    /** A two-key mapping in this order: the plan's text must not depend on hash order. */
    private static Map<String, String> ordered(String key1, String value1, String key2, String value2) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(key1, value1);
        map.put(key2, value2);
        return map;
    }

    private void problem(Manifest ns, String message) {
        // Every reason to leave a namespace out is in its injection labels: point at them (at istio-injection when
        // both are there: that is the one to remove, as lint says too).
        String label = ns.labels().containsKey("istio-injection") ? "istio-injection" : "istio.io/rev";
        problems.add(Problem.warning(ns.at(Manifest.label(label)), "", "namespace '" + ns.name() + "' " + message));
    }
}
