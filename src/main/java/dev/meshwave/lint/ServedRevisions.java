package dev.meshwave.lint;

import dev.meshwave.admission.Admission;
import dev.meshwave.admission.Injector;
import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.Problem;
import dev.meshwave.plan.SourcePosition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Which revisions and tags the control planes of a repository serve, read from the objects it applies:
 * Flux HelmReleases and Argo CD Applications of chart {@code istiod} ({@code revision},
 * {@code revisionTags}), IstioOperators ({@code spec.revision}, {@code spec.values.revisionTags}), Sail's
 * Istio, IstioRevision and IstioRevisionTag, and the sidecar injector webhooks lint reads anyway (meshwave's
 * own tag webhooks among them). A Namespace labelled with a revision or tag none of them serves has its
 * pods start without a sidecar (research 17 §2, §5, §6).
 *
 * <p>A repository with no control plane installs it some other way (asmcli, istioctl, a script meshwave
 * renders): lint cannot know what is served there and says nothing. A control plane whose revision lint
 * cannot read (values from a ConfigMap or a values file) could serve any name: that is a warning at it, and
 * no namespace is reported.
 */
final class ServedRevisions {

    private static final String INJECTION = "istio-injection";
    private static final String REV = "istio.io/rev";
    private static final String TAG = "istio.io/tag";
    /** The revision a chart or IstioOperator with no revision installs: it serves istio-injection=enabled and istio.io/rev=default. */
    static final String DEFAULT = "default";

    /** One revision or tag served, by which object, where. {@code tag} tells the two apart in messages. */
    record Served(String name, boolean tag, String by, SourcePosition at, String earlier) {
        Served(String name, boolean tag, String by, SourcePosition at) {
            this(name, tag, by, at, "");
        }

        /**
         * A Sail {@code RevisionBased} Istio keeps its earlier revisions ({@code <name>-v<older version>}) while
         * namespaces use them, so the old revision of an upgrade is served although Git names only the new one.
         */
        boolean serves(String revision) {
            return name.equals(revision) || !earlier.isEmpty() && revision.startsWith(earlier);
        }

        @Override
        public String toString() {
            return (tag ? "tag " : "revision ") + name + (earlier.isEmpty() ? "" : " and the earlier " + earlier + "* it keeps while they are used")
                    + " (" + by + ", " + at + ")";
        }
    }

    private final List<Served> served;
    private final List<Injector> injectors;
    private final boolean controlPlane;
    private final List<Problem> unknown;

    private ServedRevisions(List<Served> served, List<Injector> injectors, boolean controlPlane, List<Problem> unknown) {
        this.served = List.copyOf(served);
        this.injectors = List.copyOf(injectors);
        this.controlPlane = controlPlane;
        this.unknown = List.copyOf(unknown);
    }

    /** What the objects serve; the same object read in several builds counts once. */
    static ServedRevisions of(Collection<Manifest> objects) {
        Set<Served> served = new LinkedHashSet<>();
        Map<String, Injector> injectors = new LinkedHashMap<>();
        Set<Problem> unknown = new LinkedHashSet<>();
        boolean controlPlane = false;
        // A HelmRelease may take its chart from an OCIRepository (spec.chartRef): istiod's is .../charts/istiod.
        Set<String> istiodRepositories = new java.util.HashSet<>();
        for (Manifest object : objects) {
            if (object.kind().equals("OCIRepository") && Manifest.text(object.object().get("apiVersion")).startsWith("source.toolkit.fluxcd.io/")
                    && Manifest.text(map(object.object().get("spec")).get("url")).replaceAll("/+$", "").endsWith("/istiod")) {
                istiodRepositories.add(object.namespace() + "/" + object.name());
            }
        }
        for (Manifest object : objects) {
            String apiVersion = Manifest.text(object.object().get("apiVersion"));
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            Map<?, ?> spec = map(object.object().get("spec"));
            String who = object.namespace().isEmpty() ? object.name() : object.namespace() + "/" + object.name();
            SourcePosition at = object.at("/metadata/name");
            switch (group + " " + object.kind()) {
                case "helm.toolkit.fluxcd.io HelmRelease" -> {
                    Map<?, ?> ref = map(spec.get("chartRef"));
                    String refNamespace = ref.get("namespace") instanceof String n ? n : object.namespace();
                    boolean fromRepository = "OCIRepository".equals(ref.get("kind"))
                            && (istiodRepositories.contains(refNamespace + "/" + Manifest.text(ref.get("name")))
                            || istiodRepositories.contains("/" + Manifest.text(ref.get("name"))));
                    if (!fromRepository && !"istiod".equals(map(map(spec.get("chart")).get("spec")).get("chart"))) {
                        continue;
                    }
                    controlPlane = true;
                    String by = "HelmRelease " + who;
                    Map<?, ?> values = map(spec.get("values"));
                    if (!values.containsKey("revision") && spec.get("valuesFrom") instanceof List<?> from && !from.isEmpty()) {
                        unknown.add(cannotRead(by, at, "its values come from valuesFrom"));
                        continue;
                    }
                    chart(values, by, written(object, "/spec/values"), served);
                }
                case "argoproj.io Application" -> {
                    List<Object> sources = new ArrayList<>();
                    sources.add(spec.get("source"));
                    if (spec.get("sources") instanceof List<?> list) {
                        sources.addAll(list);
                    }
                    for (int i = 0; i < sources.size(); i++) {
                        Object source = sources.get(i);
                        String pointer = i == 0 ? "/spec/source/helm" : "/spec/sources/" + (i - 1) + "/helm";
                        if (!"istiod".equals(map(source).get("chart"))) {
                            continue;
                        }
                        controlPlane = true;
                        String by = "Application " + who;
                        Optional<Map<?, ?>> values = argoValues(map(map(source).get("helm")));
                        if (values.isEmpty()) {
                            unknown.add(cannotRead(by, at, "its values come from valueFiles or are not YAML"));
                        } else {
                            chart(values.get(), by, written(object, pointer + (map(map(source).get("helm")).get("valuesObject") instanceof Map<?, ?>
                                    ? "/valuesObject" : "")), served);
                        }
                    }
                }
                case "install.istio.io IstioOperator" -> {
                    Map<?, ?> pilot = map(map(spec.get("components")).get("pilot"));
                    boolean enabled = pilot.containsKey("enabled") ? "true".equals(String.valueOf(pilot.get("enabled")))
                            : !"empty".equals(spec.get("profile"));
                    if (!enabled) {
                        continue; // gateways only: no istiod
                    }
                    // What istioctl or asmcli install from (the in-cluster operator that applied these objects is gone
                    // since Istio 1.24): its revision is served, but such installers leave the revision before it
                    // outside Git, so an IstioOperator alone does not make lint speak.
                    String by = "IstioOperator " + who;
                    served.add(new Served(revision(spec.get("revision")), false, by, object.at("/spec/revision")));
                    tags(map(spec.get("values")).get("revisionTags"), by, object.at("/spec/values/revisionTags"), served);
                }
                case "sailoperator.io Istio" -> {
                    controlPlane = true;
                    String by = "Istio " + who;
                    if ("RevisionBased".equals(map(spec.get("updateStrategy")).get("type"))) {
                        if (!(spec.get("version") instanceof String version) || version.isEmpty()) {
                            unknown.add(cannotRead(by, at, "it is RevisionBased and names no spec.version (the operator's default decides)"));
                            continue;
                        }
                        served.add(new Served(object.name() + "-" + version.replace('.', '-'), false, by, object.at("/spec/version"),
                                object.name() + "-v"));
                    } else {
                        served.add(new Served(object.name(), false, by, at));
                    }
                }
                case "sailoperator.io IstioRevision" -> {
                    controlPlane = true;
                    served.add(new Served(object.name(), false, "IstioRevision " + who, at));
                }
                case "sailoperator.io IstioRevisionTag" -> served.add(new Served(object.name(), true, "IstioRevisionTag " + who, at));
                case "admissionregistration.k8s.io MutatingWebhookConfiguration" -> injector(object, who, at, served, injectors);
                default -> {
                    // not a control plane
                }
            }
        }
        List<Served> sorted = new ArrayList<>(served);
        sorted.sort(java.util.Comparator.comparing(Served::tag).thenComparing(Served::name).thenComparing(Served::by)
                .thenComparing(x -> x.at().toString()));
        return new ServedRevisions(sorted, List.copyOf(injectors.values()), controlPlane, List.copyOf(unknown));
    }

    /** Whether the rule can speak: a control plane is declared and every one of them was read. */
    boolean known() {
        return controlPlane && unknown.isEmpty();
    }

    /** The control planes whose revision lint could not read: a warning at each, so that a silent rule is explained. */
    List<Problem> unknown() {
        return unknown;
    }

    List<Served> served() {
        return served;
    }

    /**
     * Namespaces whose injection label selects nothing the repository serves: {@code istio.io/rev=X}, or
     * {@code istio-injection=enabled} (which needs the default revision or tag). A namespace with both labels
     * is {@code both-injection-labels}' and is looked at as the API server does: {@code istio-injection} wins.
     */
    List<InjectionRules.Hit> unserved(List<Manifest> namespaces) {
        List<InjectionRules.Hit> hits = new ArrayList<>();
        if (!known()) {
            return hits;
        }
        for (Manifest namespace : namespaces) {
            Map<String, String> labels = namespace.labels();
            String injection = labels.get(INJECTION);
            String label;
            String name;
            if (injection != null) {
                if (!injection.equals("enabled")) {
                    continue; // disabled: no injector wanted
                }
                label = INJECTION;
                name = DEFAULT;
            } else if (labels.containsKey(REV)) {
                label = REV;
                name = labels.get(REV);
            } else {
                continue;
            }
            if (served.stream().anyMatch(s -> s.serves(name))
                    || !Admission.admit(injectors, Map.of(label, labels.get(label)), Map.of()).isEmpty()) {
                continue;
            }
            String what = label.equals(INJECTION) ? INJECTION + "=enabled, which needs the default revision or a tag named default, and"
                    + " no control plane of the repository serves either" : REV + "=" + name + ", which no control plane of the repository serves";
            hits.add(new InjectionRules.Hit(Rule.UNSERVED_REVISION, namespace.at(Manifest.label(label)), "namespace '" + namespace.name()
                    + "' is labelled " + what + ", so its pods start without a sidecar (label it with a revision or tag that is served);"
                    + " served: " + String.join(", ", served.stream().map(Served::toString).toList())));
        }
        return hits;
    }

    /** The istiod chart's {@code revision} (empty: the default revision) and {@code revisionTags}. */
    private static void chart(Map<?, ?> values, String by, java.util.function.Function<String, SourcePosition> at, Set<Served> served) {
        served.add(new Served(revision(values.get("revision")), false, by, at.apply("/revision")));
        tags(values.get("revisionTags"), by, at.apply("/revisionTags"), served);
    }

    /**
     * Where a value below {@code base} is written: the value itself when the file has it (a HelmRelease's
     * {@code values.revision}), else the object's name (a default revision is written nowhere; a values string
     * has no positions inside it; a parameter is wherever it is).
     */
    private static java.util.function.Function<String, SourcePosition> written(Manifest object, String base) {
        return pointer -> object.positions().containsKey(base + pointer) ? object.at(base + pointer)
                : object.positions().containsKey(base) && !base.endsWith("/values") ? object.at(base) : object.at("/metadata/name");
    }

    private static void tags(Object list, String by, SourcePosition at, Set<Served> served) {
        if (list instanceof List<?> tags) {
            tags.forEach(t -> {
                if (t != null && !String.valueOf(t).isEmpty()) {
                    served.add(new Served(String.valueOf(t), true, by, at));
                }
            });
        }
    }

    private static String revision(Object value) {
        String revision = Manifest.text(value);
        return revision.isEmpty() ? DEFAULT : revision;
    }

    /**
     * The values of an Argo CD Helm source as far as revision and revision tags go: {@code parameters} win over
     * {@code valuesObject}, which wins over the {@code values} string (Argo CD's order). Empty when the values
     * that decide come from {@code valueFiles}, or the string is not YAML lint can read.
     */
    private static Optional<Map<?, ?>> argoValues(Map<?, ?> helm) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (helm.get("valuesObject") instanceof Map<?, ?> object) {
            object.forEach((k, v) -> values.put(String.valueOf(k), v));
        } else if (helm.get("values") instanceof String text && !text.isBlank()) {
            try {
                LoadSettings settings = LoadSettings.builder().setLabel("helm.values").setAllowDuplicateKeys(true)
                        .setMaxAliasesForCollections(50).setCodePointLimit(1 << 20).build();
                Object loaded = new Load(settings).loadFromString(text);
                if (loaded instanceof Map<?, ?> map) {
                    map.forEach((k, v) -> values.put(String.valueOf(k), v));
                } else if (loaded != null) {
                    return Optional.empty();
                }
            } catch (YamlEngineException e) {
                return Optional.empty();
            }
        }
        List<Object> tags = new ArrayList<>();
        if (helm.get("parameters") instanceof List<?> parameters) {
            for (Object parameter : parameters) {
                Map<?, ?> p = map(parameter);
                String name = Manifest.text(p.get("name"));
                if (name.equals("revision")) {
                    values.put("revision", p.get("value"));
                } else if (name.matches("revisionTags\\[\\d+]")) {
                    tags.add(p.get("value"));
                }
            }
        }
        if (!tags.isEmpty()) {
            values.put("revisionTags", tags);
        }
        if (!values.containsKey("revision") && helm.get("valueFiles") instanceof List<?> files && !files.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(values);
    }

    /**
     * The names a sidecar injector webhook serves, as lint names them elsewhere: its tag, else its revision,
     * else (a non-revisioned injector) the default revision. Which namespaces it actually selects is asked of the
     * admission model in {@link #unserved}.
     */
    private static void injector(Manifest object, String who, SourcePosition at, Set<Served> served, Map<String, Injector> injectors) {
        Map<String, String> labels = object.labels();
        boolean istio = labels.containsKey(REV) || labels.containsKey(TAG) || object.object().get("webhooks") instanceof List<?> webhooks
                && webhooks.stream().anyMatch(w -> map(w).get("name") instanceof String name && name.endsWith("istio.io"));
        if (!istio) {
            return;
        }
        try {
            Injector injector = Injector.fromManifest(object.object());
            injectors.putIfAbsent(who + "@" + at, injector);
        } catch (RuntimeException e) {
            return; // InjectionRules warns about it
        }
        String by = "MutatingWebhookConfiguration " + who;
        if (labels.containsKey(TAG)) {
            served.add(new Served(labels.get(TAG), true, by, at));
        } else {
            served.add(new Served(revision(labels.get(REV)), false, by, at));
        }
    }

    private static Problem cannotRead(String by, SourcePosition at, String why) {
        return Problem.warning(at, "", by + " is an istiod control plane whose revision lint cannot read (" + why
                + "); namespaces' istio.io/rev labels were not checked against the repository's control planes");
    }

    private static Map<?, ?> map(Object value) {
        return value instanceof Map<?, ?> map ? map : Map.of();
    }
}
