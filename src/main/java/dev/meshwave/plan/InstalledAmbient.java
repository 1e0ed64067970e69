package dev.meshwave.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ambient mode node components (istio-cni, ztunnel) that a GitOps repository installs or a cluster runs, read for
 * {@code meshwave import} as the plan's {@code spec.ambient}: from a Flux {@code HelmRelease} or an Argo CD
 * {@code Application} of chart {@code cni} or {@code ztunnel} (the version its chart's, ztunnel's update strategy its
 * values'), a Sail {@code IstioCNI} or {@code ZTunnel} ({@code spec.version}), or the DaemonSet
 * {@code istio-cni-node} or {@code ztunnel} of a {@code kubectl} export (its image's tag and its update strategy).
 *
 * <p>A component goes into the plan only when the plan's delivery renders it where it runs today: the release
 * {@code istio-cni} or {@code ztunnel} in the control plane's Helm namespace by the same controller, or Sail's
 * {@code default} object in its namespace. Anything else (the script's delivery, another controller, another release
 * name or namespace, two different installations, a version that is no exact one) is a warning and the component is
 * left out: stage 00 would otherwise write a second installation beside today's. What meshwave's component objects do
 * not carry (their other values) is a warning at the place it is written.
 */
public final class InstalledAmbient {

    /** How a component is installed. */
    public enum Way {
        FLUX, ARGOCD, SAIL, DAEMON_SET;
    }

    /**
     * One object that installs a component, as read.
     *
     * @param name the Helm release, the Sail object's name, or the DaemonSet's
     * @param namespace where its DaemonSet runs (the release's namespace, Sail's {@code spec.namespace})
     * @param version today's version, when it is an exact one
     * @param updateStrategy ztunnel's update strategy as its values (or the DaemonSet) set it
     * @param warnings what meshwave's object of the component does not carry, and why no version was read
     */
    public record Found(Plan.Component component, Way way, String description, SourcePosition at, String name, String namespace,
            Optional<MeshVersion> version, Optional<String> updateStrategy, List<Problem> warnings) {

        public Found {
            warnings = List.copyOf(warnings);
        }

        /** Two copies of one installation (a base and its overlay, both read as written) are one. */
        boolean sameAs(Found other) {
            return way == other.way && name.equals(other.name) && namespace.equals(other.namespace) && version.equals(other.version)
                    && updateStrategy.equals(other.updateStrategy);
        }
    }

    /** {@code spec.ambient} in plan order (cni, then ztunnel), and what import says about the components. */
    public record Result(Map<String, Object> ambient, List<Problem> warnings) {}

    private static final String FLUX_HELM = "helm.toolkit.fluxcd.io/";
    private static final String ARGOCD = "argoproj.io/";
    private static final String SAIL = "sailoperator.io/";
    /** An exact version at the start of a chart version or image tag ({@code 1.26.3}, {@code v1.26.3}, {@code 1.26.3-distroless}). */
    private static final Pattern VERSION = Pattern.compile("^v?([0-9]+\\.[0-9]+\\.[0-9]+(-asm\\.[0-9]+)?)(-[a-z]+)?$");
    /** The oldest Istio whose ztunnel chart reads {@code updateStrategy} (istio/istio@1.26.0:manifests/charts/ztunnel/values.yaml). */
    private static final int UPDATE_STRATEGY_MINOR = 26;

    private InstalledAmbient() {}

    /** The components the objects install: a repository's objects as written, or a {@code kubectl get ds -A -o yaml} export. */
    public static List<Found> read(List<Manifest> objects) {
        List<Found> found = new ArrayList<>();
        for (Manifest object : objects) {
            String api = Manifest.text(object.object().get("apiVersion"));
            for (Plan.Component component : Plan.Component.values()) {
                if (api.startsWith(FLUX_HELM) && object.kind().equals("HelmRelease")
                        && component.chart().equals(text(object, "/spec/chart/spec/chart"))) {
                    found.add(flux(object, component));
                } else if (api.startsWith(ARGOCD) && object.kind().equals("Application")) {
                    for (String source : sources(object)) {
                        if (component.chart().equals(text(object, source + "/chart"))) {
                            found.add(argocd(object, source, component));
                        }
                    }
                } else if (api.startsWith(SAIL) && object.kind().equals(component.sailKind())) {
                    found.add(sail(object, component));
                } else if (api.equals("apps/v1") && object.kind().equals("DaemonSet") && object.name().equals(component.daemonSet())) {
                    found.add(daemonSet(object, component));
                }
            }
        }
        return found;
    }

    /**
     * {@code spec.ambient} for a plan delivered as {@code mesh} says ({@code to.install}; none: the script): each component
     * from the repository's objects, else from the cluster's DaemonSet.
     */
    public static Result choose(List<Found> repository, List<Found> running, Optional<InstalledMesh> mesh) {
        Map<String, Object> ambient = new LinkedHashMap<>();
        List<Problem> warnings = new ArrayList<>();
        for (Plan.Component component : Plan.Component.values()) {
            List<Found> installs = new ArrayList<>();
            repository.stream().filter(f -> f.component() == component && installs.stream().noneMatch(f::sameAs)).forEach(installs::add);
            if (installs.isEmpty()) {
                // What the cluster runs, when the repository does not say: stage 00 takes it into Git at its version.
                running.stream().filter(f -> f.component() == component && installs.stream().noneMatch(f::sameAs)).forEach(installs::add);
            }
            if (installs.isEmpty()) {
                continue;
            }
            if (installs.size() > 1) {
                StringBuilder which = new StringBuilder();
                installs.forEach(f -> which.append(which.length() == 0 ? "" : "; ").append(f.description()).append(" at ").append(f.at()));
                warnings.add(Problem.warning(installs.get(0).at(), "", installs.size() + " different installations of " + component.label()
                        + ": " + which + "; import cannot tell which runs, so the plan leaves spec.ambient." + component.key()
                        + " out (write it by hand, or import the directory of one cluster)"));
                continue;
            }
            Found found = installs.get(0);
            boolean ztunnel = java.util.stream.Stream.concat(repository.stream(), running.stream())
                    .anyMatch(f -> f.component() == Plan.Component.ZTUNNEL);
            if (component == Plan.Component.CNI && !ztunnel) {
                // istio-cni without ztunnel is sidecar mode's CNI plugin (instead of istio-init), not an ambient node agent: its
                // chart enables ambient only with the ambient profile (istio/istio@1.28.10:manifests/charts/istio-cni/values.yaml,
                // ambient.enabled: false), which meshwave's istio-cni release sets.
                warnings.add(Problem.warning(found.at(), "", found.description() + " runs istio-cni and nothing runs ztunnel: that is"
                        + " sidecar mode's CNI plugin, which spec.ambient (ambient mode's node components) does not upgrade, so the plan"
                        + " leaves it out; upgrade it yourself as Istio's upgrade guide for the CNI plugin says"));
                continue;
            }
            warnings.addAll(found.warnings());
            // The repository says what Git applies; a cluster that runs another version has drifted from it (or not synced yet).
            running.stream().filter(r -> r.component() == component && r != found && r.version().isPresent() && found.version().isPresent()
                    && !r.version().equals(found.version())).findFirst().ifPresent(r -> warnings.add(Problem.warning(r.at(), "",
                            r.description() + " runs " + component.label() + " " + r.version().get() + ", but " + found.description()
                                    + " installs " + found.version().get() + "; the plan takes the repository's version (check that it"
                                    + " has synced)")));
            Optional<String> refusal = refusal(found, mesh, repository.contains(found));
            if (refusal.isPresent()) {
                warnings.add(Problem.warning(found.at(), "", found.description() + " runs " + component.label() + found.version()
                        .map(v -> " " + v).orElse("") + ", " + refusal.get()));
                continue;
            }
            if (found.version().isEmpty()) {
                continue; // its warning says why
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("version", found.version().get().toString());
            found.updateStrategy().ifPresent(s -> entry.put("updateStrategy", s));
            ambient.put(component.key(), entry);
        }
        return new Result(ambient, List.copyOf(warnings));
    }

    /** Why the plan cannot upgrade this installation of a component, or nothing when its stages render it where it runs. */
    private static Optional<String> refusal(Found found, Optional<InstalledMesh> mesh, boolean inRepository) {
        Plan.Component component = found.component();
        if (found.way() == Way.DAEMON_SET && inRepository) {
            return Optional.of("applied as a plain manifest, which no stage can upgrade in place (meshwave upgrades a Helm release or a"
                    + " Sail object); the plan leaves spec.ambient." + component.key() + " out");
        }
        String install = mesh.map(InstalledMesh::install).orElse("istioctl");
        String leftOut = "; the plan leaves spec.ambient." + component.key() + " out";
        if (!install.equals("helm") && !install.equals("sail")) {
            return Optional.of("which the plan cannot upgrade: spec.ambient needs a control plane delivered in Git (to.install: helm or"
                    + " sail, as a repository's istiod shows it), and this plan's " + (mesh.isEmpty() ? "comes from kubectl exports alone"
                    : "is installed by " + install) + ". Upgrade " + component.label() + " yourself after the new control plane serves and"
                    + " before the first wave (a " + component.label() + " of 1.x works with control planes 1.x and 1.x+1)");
        }
        String controller = install.equals("sail") ? "sail" : mesh.map(m -> text(m.to(), "helm", "controller")).orElse("");
        String namespace = install.equals("sail") ? component.sailNamespace() : firstOf(mesh.map(m -> text(m.to(), "helm", "namespace"))
                .orElse(""), "istio-system");
        String expected = install.equals("sail") ? "Sail's " + component.sailKind() + " default in namespace " + namespace
                : "the Helm release " + component.label() + " in namespace " + namespace + (controller.equals("flux") ? " (a Flux HelmRelease)"
                        : " (an Argo CD Application)");
        Way way = install.equals("sail") ? Way.SAIL : controller.equals("flux") ? Way.FLUX : Way.ARGOCD;
        boolean sameWay = found.way() == way || found.way() == Way.DAEMON_SET;
        boolean sameName = found.way() == Way.DAEMON_SET || found.name().equals(install.equals("sail") ? "default" : component.label());
        if (!sameWay || !sameName || !found.namespace().equals(namespace)) {
            return Optional.of("but the plan's stages upgrade " + expected + ", as istiod is delivered" + leftOut + ", since stage 00"
                    + " would install that beside this one: move " + component.label() + " there first, or write spec.ambient by hand"
                    + " once it is");
        }
        return Optional.empty();
    }

    // --- Flux and Argo CD ---

    private static Found flux(Manifest release, Plan.Component component) {
        String description = "HelmRelease " + qualified(release);
        List<Problem> warnings = new ArrayList<>();
        String name = text(release, "/spec/releaseName");
        String target = text(release, "/spec/targetNamespace");
        if (name.isEmpty()) {
            name = target.isEmpty() ? release.name() : target + "-" + release.name();
        }
        Optional<MeshVersion> version = version(release, "/spec/chart/spec/version", description, component, warnings);
        Optional<String> strategy = helmValues(release, "/spec/values", description, component, version, warnings);
        return new Found(component, Way.FLUX, description, release.start(), name, firstOf(target, release.namespace()), version, strategy,
                warnings);
    }

    private static Found argocd(Manifest application, String source, Plan.Component component) {
        String description = "Application " + qualified(application);
        List<Problem> warnings = new ArrayList<>();
        String name = firstOf(text(application, source + "/helm/releaseName"), application.name());
        Optional<MeshVersion> version = version(application, source + "/targetRevision", description, component, warnings);
        Optional<String> strategy = Optional.empty();
        if (value(application, source + "/helm/valuesObject") != null) {
            strategy = helmValues(application, source + "/helm/valuesObject", description, component, version, warnings);
        } else if (value(application, source + "/helm/values") instanceof String text) {
            try {
                List<ManifestFile.Document> documents = ManifestFile.documents(application.at(source + "/helm/values").file(),
                        text.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1 << 20);
                if (!documents.isEmpty() && documents.get(0).value() instanceof Map<?, ?> values) {
                    // Positions are the string's: every warning points at helm.values.
                    strategy = values(values, pointer -> application.at(source + "/helm/values"),
                            description, component, version, warnings);
                }
            } catch (ManifestFile.UnreadableException e) {
                warnings.add(Problem.warning(application.at(source + "/helm/values"), "", description + " has helm.values that are not"
                        + " YAML (" + e.getMessage() + "); its " + component.label() + " values are not read"));
            }
        }
        return new Found(component, Way.ARGOCD, description, application.start(), name,
                text(application, "/spec/destination/namespace"), version, strategy, warnings);
    }

    private static List<String> sources(Manifest application) {
        List<String> pointers = new ArrayList<>();
        if (value(application, "/spec/source") instanceof Map<?, ?>) {
            pointers.add("/spec/source");
        }
        if (value(application, "/spec/sources") instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                pointers.add("/spec/sources/" + i);
            }
        }
        return pointers;
    }

    private static Optional<String> helmValues(Manifest object, String pointer, String description, Plan.Component component,
            Optional<MeshVersion> version, List<Problem> warnings) {
        return value(object, pointer) instanceof Map<?, ?> values
                ? values(values, p -> object.at(pointer + p), description, component, version, warnings)
                : Optional.empty();
    }

    /**
     * A component's chart values: ztunnel's update strategy, and a warning for each value meshwave's release of the
     * component does not write (istio-cni: {@code profile}; ztunnel: {@code revision}, {@code multiCluster.clusterName},
     * {@code updateStrategy.type}; see {@code render.HelmDelivery}), so that nobody loses one unawares at stage 00.
     */
    private static Optional<String> values(Map<?, ?> values, java.util.function.Function<String, SourcePosition> at, String description,
            Plan.Component component, Optional<MeshVersion> version, List<Problem> warnings) {
        Optional<String> strategy = Optional.empty();
        for (Map.Entry<?, ?> entry : values.entrySet()) {
            String key = String.valueOf(entry.getKey());
            String pointer = "/" + escape(key);
            if (component == Plan.Component.CNI && key.equals("profile")) {
                continue;
            }
            // Sail's ZTunnel gets istioNamespace from meshwave when the control plane is not in istio-system (render.SailDelivery).
            if (component == Plan.Component.ZTUNNEL && (key.equals("revision") || key.equals("istioNamespace") && description.startsWith("ZTunnel"))) {
                continue;
            }
            if (component == Plan.Component.ZTUNNEL && key.equals("multiCluster") && entry.getValue() instanceof Map<?, ?> multi
                    && multi.keySet().stream().allMatch("clusterName"::equals)) {
                continue;
            }
            if (component == Plan.Component.ZTUNNEL && key.equals("updateStrategy")) {
                strategy = updateStrategy(entry.getValue(), at.apply(pointer), description, version, warnings);
                continue;
            }
            warnings.add(Problem.warning(at.apply(pointer), "", description + " sets " + component.label() + "'s value " + key
                    + ", which meshwave's " + component.label() + " release does not carry (stage 00 writes it with "
                    + (component == Plan.Component.CNI ? "profile: ambient" : "revision, multiCluster.clusterName and updateStrategy.type")
                    + " only): add it to control-plane/" + component.label() + ".yaml before stage 00 goes live"));
        }
        return strategy;
    }

    /**
     * ztunnel's update strategy as a DaemonSet's {@code updateStrategy} (the chart's value {@code updateStrategy}, from Istio
     * 1.26: istio/istio@1.26.0:manifests/charts/ztunnel/templates/daemonset.yaml; 1.25 and older always roll). Only its
     * type is a plan field; {@code rollingUpdate}'s numbers are a warning.
     */
    private static Optional<String> updateStrategy(Object value, SourcePosition at, String description, Optional<MeshVersion> version,
            List<Problem> warnings) {
        if (!(value instanceof Map<?, ?> strategy)) {
            return Optional.empty();
        }
        String type = Manifest.text(strategy.get("type"));
        if (strategy.containsKey("rollingUpdate")) {
            warnings.add(Problem.warning(at, "", description + " sets ztunnel's updateStrategy.rollingUpdate, which the plan does not"
                    + " carry (its ztunnel keeps the chart's maxSurge 1, maxUnavailable 0)"));
        }
        if (!type.equals("RollingUpdate") && !type.equals("OnDelete")) {
            return Optional.empty();
        }
        if (version.isPresent() && !version.get().atLeast(1, UPDATE_STRATEGY_MINOR)) {
            warnings.add(Problem.warning(at, "", description + " sets ztunnel's updateStrategy " + type + ", which its chart "
                    + version.get() + " ignores (it reads updateStrategy from Istio 1.26 and always rolls); the plan leaves it out"));
            return Optional.empty();
        }
        return Optional.of(type);
    }

    // --- Sail ---

    /**
     * Sail's {@code IstioCNI} and {@code ZTunnel} (istio-ecosystem/sail-operator@1.28.3:api/v1/istiocni_types.go,
     * ztunnel_types.go): {@code spec.version}, {@code spec.namespace} (default istio-cni, ztunnel), and ztunnel's
     * {@code spec.values.ztunnel.updateStrategy} (api/v1/values_types_extra.go, {@code ZTunnelConfig.UpdateStrategy}).
     */
    private static Found sail(Manifest object, Plan.Component component) {
        String description = component.sailKind() + " " + object.name();
        List<Problem> warnings = new ArrayList<>();
        Optional<MeshVersion> version = version(object, "/spec/version", description, component, warnings);
        Optional<String> strategy = Optional.empty();
        if (value(object, "/spec/values") instanceof Map<?, ?> values) {
            for (Map.Entry<?, ?> entry : values.entrySet()) {
                String key = String.valueOf(entry.getKey());
                if (component == Plan.Component.ZTUNNEL && key.equals("ztunnel") && entry.getValue() instanceof Map<?, ?> ztunnel) {
                    strategy = values(ztunnel, p -> object.at("/spec/values/ztunnel" + p), description,
                            component, version, warnings);
                } else {
                    warnings.add(Problem.warning(object.at("/spec/values/" + escape(key)), "", description + " sets values." + key
                            + ", which meshwave's " + component.sailKind() + " does not carry: add it to control-plane/"
                            + component.label() + ".yaml before stage 00 goes live"));
                }
            }
        }
        return new Found(component, Way.SAIL, description, object.start(), object.name(),
                firstOf(text(object, "/spec/namespace"), component.sailNamespace()), version, strategy, warnings);
    }

    // --- kubectl exports ---

    /**
     * A component's DaemonSet as the cluster runs it: the version is its image's tag ({@code install-cni:1.26.3-distroless},
     * {@code ztunnel:1.26.3}: istio/istio@1.28.10:manifests/charts/istio-cni/templates/daemonset.yaml and
     * manifests/charts/ztunnel/templates/daemonset.yaml), the update strategy ztunnel's {@code spec.updateStrategy.type}.
     */
    private static Found daemonSet(Manifest daemonSet, Plan.Component component) {
        String description = "DaemonSet " + qualified(daemonSet);
        List<Problem> warnings = new ArrayList<>();
        Optional<MeshVersion> version = Optional.empty();
        String image = "";
        if (value(daemonSet, "/spec/template/spec/containers") instanceof List<?> containers) {
            for (int i = 0; i < containers.size() && image.isEmpty(); i++) {
                String candidate = text(daemonSet, "/spec/template/spec/containers/" + i + "/image");
                String last = candidate.substring(candidate.lastIndexOf('/') + 1).replaceFirst("@.*", "");
                if (last.replaceFirst(":.*", "").equals(component == Plan.Component.CNI ? "install-cni" : "ztunnel")) {
                    image = candidate;
                    version = last.contains(":") ? tag(last.substring(last.indexOf(':') + 1)) : Optional.empty();
                }
            }
        }
        if (version.isEmpty()) {
            warnings.add(Problem.warning(daemonSet.at("/spec/template/spec/containers"), "", description + " runs "
                    + (image.isEmpty() ? "no " + (component == Plan.Component.CNI ? "install-cni" : "ztunnel") + " image" : "image " + image)
                    + ", whose tag is no exact Istio version; the plan leaves spec.ambient." + component.key() + " out (write its"
                    + " version by hand)"));
        }
        Optional<String> strategy = Optional.empty();
        if (component == Plan.Component.ZTUNNEL && value(daemonSet, "/spec/updateStrategy") != null) {
            String type = text(daemonSet, "/spec/updateStrategy/type");
            // The DaemonSet's own field is always there in an export; only OnDelete says more than the chart's default.
            if (type.equals("OnDelete")) {
                strategy = updateStrategy(Map.of("type", type), daemonSet.at("/spec/updateStrategy/type"), description, version, warnings);
            }
        }
        return new Found(component, Way.DAEMON_SET, description, daemonSet.start(), daemonSet.name(), daemonSet.namespace(), version,
                strategy, warnings);
    }

    private static Optional<MeshVersion> version(Manifest object, String pointer, String description, Plan.Component component,
            List<Problem> warnings) {
        String written = text(object, pointer);
        Optional<MeshVersion> version = tag(written);
        if (version.isEmpty()) {
            warnings.add(Problem.warning(object.at(pointer), "", description + " installs " + component.label() + " at '" + written
                    + "', which is no exact Istio version; the plan leaves spec.ambient." + component.key() + " out (pin the version,"
                    + " then import again, or write it by hand)"));
        }
        return version;
    }

    private static Optional<MeshVersion> tag(String text) {
        Matcher matcher = VERSION.matcher(text);
        return matcher.matches() ? MeshVersion.tryParse(matcher.group(1)) : Optional.empty();
    }

    // --- reading ---

    private static String escape(String key) {
        return InstalledMesh.escape(key);
    }

    private static String qualified(Manifest object) {
        return InstalledMesh.qualified(object);
    }

    private static String firstOf(String value, String otherwise) {
        return InstalledMesh.firstOf(value, otherwise);
    }

    private static String text(Map<String, Object> map, String... keys) {
        Object node = map;
        for (String key : keys) {
            node = node instanceof Map<?, ?> m ? m.get(key) : null;
        }
        return node == null || node instanceof Map<?, ?> || node instanceof List<?> ? "" : node.toString();
    }

    private static String text(Manifest object, String pointer) {
        Object node = value(object, pointer);
        return node == null || node instanceof Map<?, ?> || node instanceof List<?> ? "" : node.toString();
    }

    /** The node at a JSON pointer of plain keys and list indexes, or null. */
    private static Object value(Manifest object, String pointer) {
        return InstalledMesh.value(object.object(), pointer);
    }
}
