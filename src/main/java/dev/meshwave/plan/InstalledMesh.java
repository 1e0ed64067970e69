package dev.meshwave.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What installs istiod in a GitOps repository, read from its objects as written ({@code meshwave import
 * --repository}): a Flux {@code HelmRelease} or an Argo CD {@code Application} of chart {@code istiod}, an
 * {@code IstioOperator}, or a Sail {@code Istio}. It gives the plan's {@code from} (revision, version, today's
 * release), {@code to.install} with the settings the repository does not leave at their defaults, and the
 * cluster facts the new revision must keep (clusterName, network, meshID). The other chart values of a Helm
 * release or a Sail {@code Istio} are {@link #values}, which a values file beside the plan can keep
 * ({@code import --out}); what no plan can carry is a warning at the place it is written. Two different
 * installations, or none, are refused: import never guesses which istiod a cluster runs.
 *
 * @param install {@code to.install}: helm, sail, istioctl or asmcli
 * @param revision {@code from.revision}
 * @param from the rest of {@code from} (version, helm.release), in plan order
 * @param to {@code to}'s delivery fields (install, helm, sail), in plan order
 * @param cluster the cluster's clusterName, network and meshID that the repository sets
 * @param warnings what the plan does not carry, at the place it is written, in the order written
 * @param values today's chart values that a values file ({@code to.helm.values}, {@code to.sail.values}) keeps for
 *     the new revision, in the order they are written, numbers and booleans typed as written; without what
 *     meshwave sets itself ({@link Reading#valuesFrom}); empty for an IstioOperator, whose settings are no chart values
 * @param kept those of the {@code warnings} that are about {@code values}: a values file keeps what they warn about
 * @param installedBy the object that installs istiod, as messages name it ({@code HelmRelease istio-system/istiod})
 */
public record InstalledMesh(String install, String revision, Map<String, Object> from, Map<String, Object> to,
        Map<String, String> cluster, List<Problem> warnings, Map<String, Object> values, List<Problem> kept, String installedBy) {

    /** The {@code to} field that names a values file for this installation: {@code helm} or {@code sail}. */
    public Optional<String> valuesField() {
        return install.equals("helm") || install.equals("sail") ? Optional.of(install) : Optional.empty();
    }

    private static final String FLUX_HELM = "helm.toolkit.fluxcd.io/";
    private static final String ARGOCD = "argoproj.io/";
    private static final String ISTIO_OPERATOR = "install.istio.io/";
    private static final String SAIL = "sailoperator.io/";
    /** An exact version at the start of a chart version or image tag ({@code 1.22.3}, {@code 1.22.3-distroless}). */
    private static final Pattern VERSION = Pattern.compile("^v?([0-9]+\\.[0-9]+\\.[0-9]+(-asm\\.[0-9]+)?)(-[a-z]+)?$");
    private static final String DEFAULT_SERVER = "https://kubernetes.default.svc";

    /** One object that installs istiod, as the plan would carry it. */
    private record Candidate(String description, SourcePosition at, String install, String revision, Map<String, Object> from,
            Map<String, Object> to, Map<String, String> cluster, List<Problem> warnings, List<Problem> errors,
            Map<String, Object> values, List<Problem> kept) {

        /** Two copies of one installation (a base and its overlay, both read as written) are one. */
        boolean sameAs(Candidate other) {
            return install.equals(other.install) && revision.equals(other.revision) && from.equals(other.from)
                    && to.equals(other.to) && cluster.equals(other.cluster);
        }
    }

    /**
     * The installation of istiod among a repository's objects. {@code toVersion} and {@code toRevision} are the
     * target's: an istiod that already runs the target revision is not today's. {@code repository} names the
     * repository in the error when nothing installs istiod.
     */
    public static InstalledMesh find(String repository, List<Manifest> objects, String toVersion, Optional<String> toRevision)
            throws InvalidPlanException {
        Optional<MeshVersion> target = MeshVersion.tryParse(toVersion);
        Map<String, String> repositories = new LinkedHashMap<>();
        List<String> baseReleases = new ArrayList<>();
        for (Manifest object : objects) {
            if (object.kind().equals("HelmRepository") && text(object.object(), "spec", "url").length() > 0) {
                String url = text(object.object(), "spec", "url");
                repositories.put(object.namespace() + "/" + object.name(), "oci".equals(text(object.object(), "spec", "type"))
                        && !url.startsWith("oci://") ? "oci://" + url : url);
            }
        }
        List<Candidate> candidates = new ArrayList<>();
        List<Problem> unread = new ArrayList<>();
        for (Manifest object : objects) {
            String api = Manifest.text(object.object().get("apiVersion"));
            if (api.startsWith(FLUX_HELM) && object.kind().equals("HelmRelease")) {
                String chart = text(object.object(), "spec", "chart", "spec", "chart");
                if (chart.equals("istiod")) {
                    candidates.add(flux(object, repositories));
                } else if (chart.equals("base")) {
                    baseReleases.add(fluxRelease(object));
                } else if (chart.isEmpty() && text(object.object(), "spec", "chartRef", "name").contains("istiod")) {
                    // An OCIRepository or HelmChart names the chart in another object, and its version in a tag or digest.
                    unread.add(Problem.warning(object.at("/spec/chartRef"), "", "HelmRelease " + qualified(object) + " takes its chart"
                            + " from spec.chartRef (" + text(object.object(), "spec", "chartRef", "kind") + " "
                            + text(object.object(), "spec", "chartRef", "name") + "), which import does not follow; if it installs"
                            + " istiod, write from.revision, from.version and to.helm by hand"));
                }
            } else if (api.startsWith(ARGOCD) && object.kind().equals("Application")) {
                List<String> pointers = new ArrayList<>();
                if (object.object().get("spec") instanceof Map<?, ?> spec) {
                    if (spec.get("source") instanceof Map<?, ?>) {
                        pointers.add("/spec/source");
                    }
                    if (spec.get("sources") instanceof List<?> sources) {
                        for (int i = 0; i < sources.size(); i++) {
                            pointers.add("/spec/sources/" + i);
                        }
                    }
                }
                for (String pointer : pointers) {
                    Object source = value(object.object(), pointer);
                    String chart = source instanceof Map<?, ?> s ? Manifest.text(s.get("chart")) : "";
                    if (chart.equals("istiod")) {
                        candidates.add(argocd(object, pointer));
                    } else if (chart.equals("base")) {
                        String release = textAt(object.object(), pointer + "/helm/releaseName");
                        baseReleases.add(release.isEmpty() ? object.name() : release);
                    }
                }
            } else if (api.startsWith(ISTIO_OPERATOR) && object.kind().equals("IstioOperator") && installsIstiod(object)) {
                candidates.add(istioOperator(object, target));
            } else if (api.startsWith(SAIL) && object.kind().equals("Istio")) {
                candidates.add(sail(object));
            }
        }
        // An istiod that already runs the target revision is the upgrade's, not today's.
        List<Candidate> today = new ArrayList<>();
        for (Candidate candidate : candidates) {
            if (!candidate.revision().equals(targetRevision(candidate, target, toRevision).orElse(null))
                    && today.stream().noneMatch(candidate::sameAs)) {
                today.add(candidate);
            }
        }
        if (today.isEmpty()) {
            List<Problem> problems = new ArrayList<>(unread);
            problems.add(0, Problem.error(new SourcePosition(repository, 1, 1), "", "nothing in " + repository
                    + " installs istiod" + (candidates.isEmpty() ? "" : " other than the target revision")
                    + " (a Flux HelmRelease or Argo CD Application of chart istiod, an IstioOperator, a Sail Istio);"
                    + " import reads today's revision and version from what installs it: name the repository or directory that"
                    + " holds it, or import from kubectl exports alone"));
            throw new InvalidPlanException(problems);
        }
        if (today.size() > 1) {
            StringBuilder installs = new StringBuilder();
            for (Candidate candidate : today) {
                installs.append(installs.length() == 0 ? "" : "; ").append(candidate.description()).append(" (revision ")
                        .append(candidate.revision()).append(") at ").append(candidate.at());
            }
            throw new InvalidPlanException(List.of(Problem.error(today.get(0).at(), "", today.size() + " different installations of istiod: "
                    + installs + "; a plan moves one cluster from one of them. Import the directory of one cluster, or remove the"
                    + " installation that no longer runs")));
        }
        Candidate found = today.get(0);
        if (!found.errors().isEmpty()) {
            throw new InvalidPlanException(found.errors());
        }
        Map<String, Object> to = new LinkedHashMap<>(found.to());
        if (found.install().equals("helm")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> helm = (Map<String, Object>) to.get("helm");
            List<String> bases = baseReleases.stream().distinct().toList();
            if (bases.size() == 1 && !bases.get(0).equals("istio-base")) {
                helm.put("baseRelease", bases.get(0));
            }
        }
        List<Problem> warnings = new ArrayList<>(unread);
        warnings.addAll(found.warnings());
        return new InstalledMesh(found.install(), found.revision(), found.from(), to, found.cluster(), List.copyOf(warnings),
                found.values(), found.kept(), found.description());
    }

    /** The revision the plan would install for this kind of installation, as {@link PlanDraft} derives it. */
    private static Optional<String> targetRevision(Candidate candidate, Optional<MeshVersion> target, Optional<String> toRevision) {
        if (toRevision.isPresent()) {
            return toRevision;
        }
        return target.flatMap(v -> switch (candidate.install()) {
            case "sail" -> Optional.of(Delivery.Sail.revision(sailName(candidate), v));
            case "helm", "istioctl" -> Optional.of(v.major() + "-" + v.minor() + "-" + v.patch());
            default -> v.defaultRevision();
        });
    }

    private static String sailName(Candidate candidate) {
        return candidate.to().get("sail") instanceof Map<?, ?> sail && sail.get("name") != null ? sail.get("name").toString() : "default";
    }

    // --- Flux ---

    private static String fluxRelease(Manifest release) {
        String name = text(release.object(), "spec", "releaseName");
        if (!name.isEmpty()) {
            return name;
        }
        String target = text(release.object(), "spec", "targetNamespace");
        return target.isEmpty() ? release.name() : target + "-" + release.name();
    }

    private static Candidate flux(Manifest release, Map<String, String> repositories) {
        Reading reading = new Reading(release, "HelmRelease " + qualified(release));
        String namespace = firstOf(text(release.object(), "spec", "targetNamespace"), release.namespace());
        Map<String, Object> helm = new LinkedHashMap<>();
        helm.put("controller", "flux");
        String sourceName = text(release.object(), "spec", "chart", "spec", "sourceRef", "name");
        String sourceNamespace = firstOf(text(release.object(), "spec", "chart", "spec", "sourceRef", "namespace"), release.namespace());
        String sourceKind = firstOf(text(release.object(), "spec", "chart", "spec", "sourceRef", "kind"), "HelmRepository");
        reading.repository(helm, repositories.get(sourceNamespace + "/" + sourceName), "/spec/chart/spec/sourceRef");
        reading.namespace(helm, namespace);
        if (!sourceKind.equals("HelmRepository")) {
            // meshwave's releases name a HelmRepository; a chart from a GitRepository or Bucket is not one.
            reading.warn("/spec/chart/spec/sourceRef", "takes the chart from a " + sourceKind + "; meshwave's releases take it from a"
                    + " HelmRepository, so the plan renders one for to.helm.repository (Istio's charts unless you set it)");
        } else if (!sourceName.isEmpty()) {
            Map<String, Object> flux = new LinkedHashMap<>();
            Map<String, Object> sourceRef = new LinkedHashMap<>();
            sourceRef.put("name", sourceName);
            if (!sourceNamespace.isEmpty() && !sourceNamespace.equals(firstOf(namespace, "istio-system"))) {
                sourceRef.put("namespace", sourceNamespace);
            }
            flux.put("sourceRef", sourceRef);
            String interval = text(release.object(), "spec", "interval");
            if (!interval.isEmpty() && !interval.equals("10m") && interval.matches("([0-9]+(s|m|h))+")) {
                flux.put("interval", interval);
            }
            helm.put("flux", flux);
        }
        if (value(release.object(), "/spec/valuesFrom") != null) {
            reading.warn("/spec/valuesFrom", "takes values from ConfigMaps or Secrets, which import does not read; check that the plan"
                    + " keeps what they set (clusterName, network, meshID) and keep the rest in to.helm.values");
        }
        return reading.helm(helm, fluxRelease(release), text(release.object(), "spec", "chart", "spec", "version"),
                "/spec/chart/spec/version", "/spec/values");
    }

    // --- Argo CD ---

    private static Candidate argocd(Manifest application, String source) {
        Reading reading = new Reading(application, "Application " + qualified(application));
        Map<String, Object> helm = new LinkedHashMap<>();
        helm.put("controller", "argocd");
        String repoUrl = textAt(application.object(), source + "/repoURL");
        // Argo CD names an OCI registry without its scheme.
        reading.repository(helm, repoUrl.isEmpty() || repoUrl.contains("://") ? repoUrl : "oci://" + repoUrl, source + "/repoURL");
        reading.namespace(helm, text(application.object(), "spec", "destination", "namespace"));
        Map<String, Object> argocd = new LinkedHashMap<>();
        String appNamespace = application.namespace();
        if (!appNamespace.isEmpty() && !appNamespace.equals("argocd")) {
            argocd.put("namespace", appNamespace);
        }
        String project = text(application.object(), "spec", "project");
        if (!project.isEmpty() && !project.equals("default")) {
            argocd.put("project", project);
        }
        String server = text(application.object(), "spec", "destination", "server");
        if (!server.isEmpty() && !server.equals(DEFAULT_SERVER)) {
            argocd.put("server", server);
        }
        if (!text(application.object(), "spec", "destination", "name").isEmpty() && server.isEmpty()) {
            reading.warn("/spec/destination/name", "names its cluster (destination.name); the plan names it by API server: set"
                    + " to.helm.argocd.server to that cluster's server");
        }
        if (!argocd.isEmpty()) {
            helm.put("argocd", argocd);
        }
        String release = textAt(application.object(), source + "/helm/releaseName");
        String valuesPointer = source + "/helm/valuesObject";
        if (value(application.object(), valuesPointer) == null && value(application.object(), source + "/helm/values") instanceof String values) {
            reading.valuesText(values, source + "/helm/values");
            valuesPointer = null;
        }
        if (value(application.object(), source + "/helm/valueFiles") != null) {
            reading.warn(source + "/helm/valueFiles", "takes values from files of the chart's repository, which import does not read;"
                    + " check that the plan keeps what they set (clusterName, network, meshID) and keep the rest in to.helm.values");
        }
        return reading.helm(helm, release.isEmpty() ? application.name() : release, textAt(application.object(), source + "/targetRevision"),
                source + "/targetRevision", valuesPointer);
    }

    // --- IstioOperator ---

    /** An IstioOperator installs istiod unless it turns pilot off or starts from a profile without it (a gateway's). */
    private static boolean installsIstiod(Manifest operator) {
        String pilot = text(operator.object(), "spec", "components", "pilot", "enabled");
        if (!pilot.isEmpty()) {
            return pilot.equals("true");
        }
        String profile = text(operator.object(), "spec", "profile");
        return !List.of("empty", "remote", "external").contains(profile);
    }

    private static Candidate istioOperator(Manifest operator, Optional<MeshVersion> target) {
        Reading reading = new Reading(operator, "IstioOperator " + qualified(operator));
        String install = target.map(MeshVersion::isAsm).orElse(false) ? "asmcli" : "istioctl";
        String revision = firstOf(text(operator.object(), "spec", "revision"), Plan.DEFAULT_REVISION);
        Map<String, Object> from = new LinkedHashMap<>();
        String tag = text(operator.object(), "spec", "tag");
        if (!tag.isEmpty()) {
            reading.version(tag, "/spec/tag", false).ifPresent(v -> from.put("version", v));
        }
        String advice = "keep it in an IstioOperator overlay (to.overlays)";
        reading.values("/spec/values", advice);
        reading.meshConfig("/spec/meshConfig", advice);
        for (String field : List.of("hub", "components")) {
            if (value(operator.object(), "/spec/" + field) != null) {
                reading.warn("/spec/" + field, "sets " + field + ", which the plan does not carry; " + advice + " so that the new"
                        + " revision has it too");
            }
        }
        Map<String, Object> to = new LinkedHashMap<>();
        to.put("install", install);
        return reading.candidate(install, revision, from, to);
    }

    // --- Sail ---

    private static Candidate sail(Manifest istio) {
        Reading reading = new Reading(istio, "Istio " + istio.name());
        String name = istio.name();
        String version = text(istio.object(), "spec", "version");
        Map<String, Object> from = new LinkedHashMap<>();
        String revision = name;
        Optional<String> parsed = reading.version(version, "/spec/version", true);
        if (!text(istio.object(), "spec", "updateStrategy", "type").equals("RevisionBased")) {
            reading.error("/spec/updateStrategy", "updates in place (updateStrategy InPlace, Sail's default): its one revision is named "
                    + name + " and changes version where it runs, while meshwave plans RevisionBased canaries (revisions <name>-v<version>);"
                    + " set updateStrategy.type: RevisionBased first, then import again");
        } else if (parsed.isPresent()) {
            revision = Delivery.Sail.revision(name, MeshVersion.parse(parsed.get()));
            from.put("version", parsed.get());
        }
        Map<String, Object> sail = new LinkedHashMap<>();
        if (!name.equals("default")) {
            sail.put("name", name);
        }
        String namespace = text(istio.object(), "spec", "namespace");
        if (!namespace.isEmpty() && !namespace.equals("istio-system")) {
            sail.put("namespace", namespace);
        }
        reading.keepValues(firstOf(namespace, "istio-system"), "to.sail.namespace");
        reading.values("/spec/values", "keep it in to.sail.values (import --out PLAN writes it there)");
        // Sail's spec.profile is the chart's profile value (sail-operator 1.28.3 api/v1/istio_types.go, values_types.gen.go
        // Values.Profile); an ambient mesh's istiod needs it kept (profile: ambient), as its other values.
        String profile = text(istio.object(), "spec", "profile");
        if (!profile.isEmpty() && !(value(istio.object(), "/spec/values/profile") != null)) {
            reading.keepProfile(profile, "/spec/profile", "keep it in to.sail.values (import --out PLAN writes it there)");
        }
        Map<String, Object> to = new LinkedHashMap<>();
        to.put("install", "sail");
        if (!sail.isEmpty()) {
            to.put("sail", sail);
        }
        return reading.candidate("sail", revision, from, to);
    }

    /** What one object says, with the warnings and errors found on the way. */
    private static final class Reading {
        private final Manifest object;
        private final String description;
        private final Map<String, String> cluster = new LinkedHashMap<>();
        private final List<Problem> warnings = new ArrayList<>();
        private final List<Problem> errors = new ArrayList<>();
        /** Values written as one string (Argo CD's helm.values): positions are the string's. */
        private Object valuesText;
        private String valuesTextPointer;
        private java.util.Set<String> valuesTextTyped = java.util.Set.of();
        /** Whether the values are a chart's, which a values file keeps (Helm, Sail), and the namespace meshwave sets. */
        private boolean keepsValues;
        private String namespace = "";
        private String namespaceField = "";
        /** The values a values file keeps, as {@link InstalledMesh#values}, and the warnings about them. */
        private final Map<String, Object> kept = new LinkedHashMap<>();
        private final List<Problem> keptWarnings = new ArrayList<>();

        Reading(Manifest object, String description) {
            this.object = object;
            this.description = description;
        }

        void warn(String pointer, String message) {
            warnings.add(Problem.warning(object.at(pointer), "", description + " " + message));
        }

        /** The values read are a chart's, in {@code namespace} (which {@code namespaceField} of the plan sets). */
        void keepValues(String namespace, String namespaceField) {
            this.keepsValues = true;
            this.namespace = namespace;
            this.namespaceField = namespaceField;
        }

        void error(String pointer, String message) {
            errors.add(Problem.error(object.at(pointer), "", description + " " + message));
        }

        void namespace(Map<String, Object> helm, String namespace) {
            keepValues(firstOf(namespace, "istio-system"), "to.helm.namespace");
            if (namespace.isEmpty()) {
                warn("/metadata", "names no namespace for its release; the plan takes istio-system (set to.helm.namespace if it is another)");
            } else if (!namespace.equals("istio-system")) {
                helm.put("namespace", namespace);
            }
        }

        /** The chart repository, when it is not Istio's and the plan can carry it (https:// or oci://, as the schema says). */
        void repository(Map<String, Object> helm, String url, String pointer) {
            if (url == null || url.isEmpty() || url.equals(Delivery.Helm.ISTIO_CHARTS)) {
                return;
            }
            if (url.matches("(https://|oci://)[A-Za-z0-9._~:/@%+-]+") && url.length() <= 512) {
                helm.put("repository", url);
            } else {
                warn(pointer, "installs from the chart repository " + url + ", which the plan cannot name (to.helm.repository is an"
                        + " https:// or oci:// URL); the new release would use Istio's charts unless you set it");
            }
        }

        void valuesText(String text, String pointer) {
            try {
                List<ManifestFile.Document> documents = ManifestFile.documents(object.at(pointer).file(),
                        text.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1 << 20);
                valuesText = documents.isEmpty() ? null : documents.get(0).value();
                valuesTextTyped = documents.isEmpty() ? java.util.Set.of() : documents.get(0).typed();
                valuesTextPointer = pointer;
            } catch (ManifestFile.UnreadableException e) {
                error(pointer, "has helm.values that are not YAML (" + e.getMessage() + ")");
            }
        }

        /** A version as the plan writes it; a range, an alias or a tag of no version is an error or, when it may be left out, nothing. */
        Optional<String> version(String text, String pointer, boolean required) {
            Matcher matcher = VERSION.matcher(text);
            if (matcher.matches() && MeshVersion.tryParse(matcher.group(1)).isPresent()) {
                return Optional.of(matcher.group(1));
            }
            if (required) {
                error(pointer, "runs version '" + text + "', which is no exact Istio version; meshwave needs the version today's"
                        + " istiod runs (from.version): pin it, then import again");
            }
            return Optional.empty();
        }

        Candidate helm(Map<String, Object> helm, String release, String version, String versionPointer, String valuesPointer) {
            Map<String, Object> from = new LinkedHashMap<>();
            Object values = valuesPointer == null ? valuesText : value(object.object(), valuesPointer);
            String revision = values instanceof Map<?, ?> map ? Manifest.text(map.get("revision")) : "";
            revision = firstOf(revision, Plan.DEFAULT_REVISION);
            version(version.isEmpty() ? "*" : version, versionPointer, true).ifPresent(v -> from.put("version", v));
            if (!release.equals(Delivery.Helm.istiodRelease(revision))) {
                from.put("helm", Map.of("release", release));
            }
            String advice = "keep it in to.helm.values (import --out PLAN writes it there)";
            if (valuesPointer != null) {
                values(valuesPointer, advice);
            } else if (valuesText instanceof Map<?, ?>) {
                valuesFrom(valuesText, valuesTextPointer, advice, false);
            }
            Map<String, Object> to = new LinkedHashMap<>();
            to.put("install", "helm");
            to.put("helm", helm);
            return candidate("helm", revision, from, to);
        }

        Candidate candidate(String install, String revision, Map<String, Object> from, Map<String, Object> to) {
            // In the plan's order, whatever order the values were written in.
            Map<String, String> facts = new LinkedHashMap<>();
            for (String field : List.of("clusterName", "network", "meshID")) {
                if (cluster.containsKey(field)) {
                    facts.put(field, cluster.get(field));
                }
            }
            return new Candidate(description, object.start(), install, revision, from, to, facts, warnings, errors,
                    kept, keptWarnings);
        }

        /** A Sail {@code Istio}'s {@code spec.profile}, kept as the values' {@code profile}. */
        void keepProfile(String profile, String pointer, String advice) {
            keep(List.of("profile"), profile, pointer, pointer, "profile", advice);
        }

        void values(String pointer, String advice) {
            valuesFrom(value(object.object(), pointer), pointer, advice, true);
        }

        /**
         * The cluster facts of chart values, and every other value either kept (a chart's values, for a values file
         * beside the plan) or warned about. Not kept, because meshwave sets them itself: {@code revision} (each
         * release's), {@code revisionTags} and {@code defaultRevision} (meshwave's tag webhooks or IstioRevisionTags,
         * and the base release; {@code ChartValues} refuses all three in a values file), {@code global.istioNamespace}
         * (the plan's namespace), the cluster facts (the plan's cluster), and the image tags {@code global.tag},
         * {@code pilot.tag} and a {@code pilot.image} with a tag or digest: today's version, which the new revision
         * must not run.
         */
        private void valuesFrom(Object values, String pointer, String advice, boolean precise) {
            if (!(values instanceof Map<?, ?> map)) {
                return;
            }
            // Positions: the value's own node, or the whole string of Argo CD's helm.values. Types: as written in either.
            String base = precise ? pointer : "";
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                String at = precise ? pointer + "/" + escape(key) : pointer;
                String inner = base + "/" + escape(key);
                switch (key) {
                    case "revision" -> { }
                    case "revisionTags", "defaultRevision" -> warn(at, "sets " + key + ", which meshwave sets itself ("
                            + (key.equals("revisionTags") ? "the revision tags are spec.tags" : "finalize moves the default revision")
                            + "); it is not carried");
                    case "global" -> global(entry.getValue(), at, inner, advice, precise);
                    case "meshConfig" -> meshConfigFrom(entry.getValue(), at, inner, advice, precise);
                    case "pilot" -> pilot(entry.getValue(), at, inner, advice, precise);
                    default -> keep(List.of(key), entry.getValue(), inner, at, key, advice);
                }
            }
        }

        private void global(Object value, String at, String inner, String advice, boolean precise) {
            if (!(value instanceof Map<?, ?> global)) {
                keep(List.of("global"), value, inner, at, "global", advice);
                return;
            }
            for (Map.Entry<?, ?> g : global.entrySet()) {
                String name = String.valueOf(g.getKey());
                String gat = precise ? at + "/" + escape(name) : at;
                String ginner = inner + "/" + escape(name);
                if (name.equals("network") || name.equals("meshID")) {
                    fact(name, g.getValue(), gat);
                } else if (name.equals("multiCluster") && g.getValue() instanceof Map<?, ?> multi) {
                    multi.forEach((k, v) -> {
                        String mat = precise ? gat + "/" + escape(String.valueOf(k)) : gat;
                        if (k.equals("clusterName")) {
                            fact("clusterName", v, mat);
                        } else {
                            keep(List.of("global", "multiCluster", String.valueOf(k)), v, ginner + "/" + escape(String.valueOf(k)), mat,
                                    "global.multiCluster." + k, advice);
                        }
                    });
                } else if (name.equals("istioNamespace") && keepsValues) {
                    if (!Manifest.text(g.getValue()).equals(namespace)) {
                        warn(gat, "sets global.istioNamespace " + Manifest.text(g.getValue()) + ", but the plan's control plane is in "
                                + namespace + " (" + namespaceField + "), which meshwave sets it to; it is not carried");
                    }
                } else if (name.equals("tag") && keepsValues) {
                    pinned(gat, "global.tag", g.getValue());
                } else {
                    keep(List.of("global", name), g.getValue(), ginner, gat, "global." + name, advice);
                }
            }
        }

        private void pilot(Object value, String at, String inner, String advice, boolean precise) {
            if (!(value instanceof Map<?, ?> pilot) || !keepsValues) {
                keep(List.of("pilot"), value, inner, at, "pilot", advice);
                return;
            }
            for (Map.Entry<?, ?> p : pilot.entrySet()) {
                String name = String.valueOf(p.getKey());
                String pat = precise ? at + "/" + escape(name) : at;
                String image = Manifest.text(p.getValue());
                if (name.equals("tag") || (name.equals("image") && (image.contains("@") || image.substring(image.lastIndexOf('/') + 1).contains(":")))) {
                    pinned(pat, "pilot." + name, p.getValue());
                } else {
                    keep(List.of("pilot", name), p.getValue(), inner + "/" + escape(name), pat, "pilot." + name, advice);
                }
            }
        }

        /** An image tag of today's version: the new revision runs {@code to.version}'s images. */
        private void pinned(String at, String name, Object value) {
            warn(at, "pins istiod's image to " + Manifest.text(value) + " (" + name + "), today's version; it is not carried, so that"
                    + " the new revision runs the images of to.version (set to.hub for another registry)");
        }

        void meshConfig(String pointer, String advice) {
            meshConfigFrom(value(object.object(), pointer), pointer, pointer, advice, true);
        }

        private void meshConfigFrom(Object meshConfig, String pointer, String inner, String advice, boolean precise) {
            if (!(meshConfig instanceof Map<?, ?> map)) {
                keep(List.of("meshConfig"), meshConfig, inner, pointer, "meshConfig", advice);
                return;
            }
            map.forEach((k, v) -> {
                String key = String.valueOf(k);
                String at = precise ? pointer + "/" + escape(key) : pointer;
                if (key.equals("trustDomain")) {
                    keep(List.of("meshConfig", key), v, inner + "/" + escape(key), null, "", advice);
                    keptWarnings(Problem.warning(object.at(at), "", description + " sets the trust domain " + Manifest.text(v)
                            + " (meshConfig.trustDomain), which the plan does not carry; " + advice + ": a new revision on Istio's"
                            + " default trust domain (cluster.local) would not match authorization policies and peers that name "
                            + Manifest.text(v)));
                } else {
                    keep(List.of("meshConfig", key), v, inner + "/" + escape(key), at, "meshConfig." + key, advice);
                }
            });
        }

        /**
         * A value a values file keeps, at {@code path} of the values; {@code inner} is its pointer in the document it
         * was read from (for its type), {@code at} where a warning points (none when the caller warns).
         */
        @SuppressWarnings("unchecked")
        private void keep(List<String> path, Object value, String inner, String at, String name, String advice) {
            if (keepsValues) {
                Map<String, Object> parent = kept;
                for (String key : path.subList(0, path.size() - 1)) {
                    parent = (Map<String, Object>) parent.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
                }
                parent.put(path.get(path.size() - 1), valuesText != null && valuesTextPointer != null
                        ? ManifestFile.typed(value, inner, valuesTextTyped) : object.typedValue(value, inner));
            }
            if (at != null) {
                keptWarnings(Problem.warning(object.at(at), "", description + " sets " + name + ", which the plan does not carry; "
                        + advice + " so that the new revision has it too"));
            }
        }

        private void keptWarnings(Problem warning) {
            warnings.add(warning);
            if (keepsValues) {
                keptWarnings.add(warning);
            }
        }

        private void fact(String field, Object value, String pointer) {
            if (value != null && !Manifest.text(value).isEmpty()) {
                cluster.put(field, Manifest.text(value));
            } else {
                warn(pointer, "sets " + field + ", which the plan does not carry; check it so that the new revision has it too");
            }
        }
    }

    /** A key as one JSON Pointer segment. */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /** {@code namespace/name}, or the name of a cluster-scoped object. */
    static String qualified(Manifest object) {
        return object.namespace().isEmpty() ? object.name() : object.namespace() + "/" + object.name();
    }

    static String firstOf(String value, String otherwise) {
        return value.isEmpty() ? otherwise : value;
    }

    private static String[] path(String pointer) {
        return pointer.substring(1).split("/");
    }

    /** The text at a path of keys, or "" when it is absent or not a scalar. */
    private static String text(Map<String, Object> object, String... keys) {
        Object node = object;
        for (String key : keys) {
            node = node instanceof Map<?, ?> map ? map.get(key) : null;
        }
        return node == null || node instanceof Map<?, ?> || node instanceof List<?> ? "" : node.toString();
    }

    private static String textAt(Map<String, Object> object, String pointer) {
        Object node = value(object, pointer);
        return node == null || node instanceof Map<?, ?> || node instanceof List<?> ? "" : node.toString();
    }

    /** The node at a JSON pointer of plain keys and list indexes, or null. */
    static Object value(Map<String, Object> object, String pointer) {
        Object node = object;
        for (String key : path(pointer)) {
            if (node instanceof Map<?, ?> map) {
                node = map.get(key);
            } else if (node instanceof List<?> list && key.matches("[0-9]+") && Integer.parseInt(key) < list.size()) {
                node = list.get(Integer.parseInt(key));
            } else {
                return null;
            }
        }
        return node;
    }
}
