package dev.meshwave.plan;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An upgrade plan that passed the schema and every semantic check: immutable, with defaults filled
 * in and the target revision resolved. The render layer takes it as its only input.
 */
public record Plan(
        String file,
        String name,
        From from,
        To to,
        Injection injection,
        Map<String, String> tags,
        List<Cluster> clusters,
        List<Wave> waves,
        Restart restart,
        Finalize finishing,
        Existing existing,
        Ordering ordering,
        Optional<CaMigration> caMigration,
        GitOps gitops,
        List<AmbientComponent> ambient,
        List<String> ambientNamespaces,
        Map<String, SourcePosition> positions) {

    public Plan {
        ambient = List.copyOf(ambient);
        ambientNamespaces = List.copyOf(ambientNamespaces);
        // Sorted or insertion-ordered, never Map.copyOf: its iteration order changes between JVM runs,
        // and rendered bytes must not.
        tags = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(tags));
        clusters = List.copyOf(clusters);
        waves = List.copyOf(waves);
        positions = Map.copyOf(positions);
    }

    /** Where a YAML path ({@code spec.waves[1].namespaces[0]}) is in the plan file; the file's start if unknown. */
    public SourcePosition position(String yamlPath) {
        return positions.getOrDefault(yamlPath, new SourcePosition(file, 1, 1));
    }

    /**
     * The Citadel → Mesh CA migration (seed 002, MESH-FACTS §8): a canary to {@code distributeRootRevision}
     * (ca: citadel, option ca-migration-citadel), then one to {@code meshcaRevision} (ca: mesh_ca, option
     * ca-migration-meshca), then the cleanup of the Citadel Secrets.
     */
    public record CaMigration(String distributeRootRevision, String meshcaRevision) {
        public static final String CITADEL_OPTION = "ca-migration-citadel";
        public static final String MESHCA_OPTION = "ca-migration-meshca";
        /** Stage labels of the Mesh CA phase: its waves' names (and finalize) with this prefix. */
        public static final String STAGE_PREFIX = "meshca-";
        /** The label of the last stage, which clears the Citadel Secrets. */
        public static final String CLEANUP_LABEL = "ca-cleanup";
    }

    /**
     * The canary upgrades this plan makes, in order: the plan itself, or for a CA migration its two
     * phases, each a plan of its own whose {@code from} is the revision the phase before installed.
     */
    public List<Plan> phases() {
        if (caMigration.isEmpty()) {
            return List.of(this);
        }
        CaMigration migration = caMigration.get();
        To distributeRoot = new To(to.version(), migration.distributeRootRevision(), to.hub(), to.profile(),
                CertificateAuthority.CITADEL, Optional.empty(), plus(to.options(), CaMigration.CITADEL_OPTION),
                to.overlays(), to.citadel(), to.delivery(), to.chartValues());
        To meshCa = new To(to.version(), migration.meshcaRevision(), to.hub(), to.profile(),
                CertificateAuthority.MESH_CA, Optional.empty(), plus(to.options(), CaMigration.MESHCA_OPTION),
                to.overlays(), Optional.empty(), to.delivery(), to.chartValues());
        return List.of(
                phase(from, distributeRoot),
                phase(new From(migration.distributeRootRevision(), Optional.of(to.version())), meshCa));
    }

    /**
     * Whether a phase ends with a finalize stage: it renders objects of its own, or its delivery keeps the
     * default revision in Git (Helm's base release), which finalize moves.
     */
    public boolean finalizes() {
        return finishing.rendersObjects() || to.delivery().inGit();
    }

    /** Whether a last stage (cleanup) takes the old control plane out of Git, which uninstalls it. */
    public boolean retiresInGit() {
        return to.delivery().inGit() && finishing.removeOldRevision();
    }

    /** The revision the plan ends on: {@code to.revision}, or the Mesh CA revision of a CA migration. */
    public String finalRevision() {
        List<Plan> phases = phases();
        return phases.get(phases.size() - 1).to().revision();
    }

    private Plan phase(From phaseFrom, To phaseTo) {
        return new Plan(file, name, phaseFrom, phaseTo, injection, tags, clusters, waves, restart, finishing, existing,
                ordering, Optional.empty(), gitops, ambient, ambientNamespaces, positions);
    }

    private static List<String> plus(List<String> list, String element) {
        List<String> copy = new java.util.ArrayList<>(list);
        copy.add(element);
        return copy;
    }

    /**
     * An ambient mode node component of the mesh ({@code spec.ambient}): one cluster-wide DaemonSet with no revision
     * canary, upgraded in place to {@code to.version} by a stage of its own after the control plane's.
     *
     * @param version the version it runs today
     * @param updateStrategy the DaemonSet's update strategy from its stage on (ztunnel only; istio-cni keeps the chart's)
     */
    public record AmbientComponent(Component component, MeshVersion version, UpdateStrategy updateStrategy) {}

    /**
     * The two ambient components, in the order they are upgraded (istio-cni, then ztunnel: istio.io ambient Helm upgrade
     * guide). {@code release} is the Helm release and {@code chart} the chart of Istio's ambient Helm install (istio.io
     * ambient/install/helm: {@code helm install istio-cni istio/cni}, {@code helm install ztunnel istio/ztunnel}); the
     * DaemonSet is the chart's ({@code istio-cni-node}: istio 1.28 manifests/charts/istio-cni/templates/daemonset.yaml;
     * {@code ztunnel}: manifests/charts/ztunnel/templates/daemonset.yaml); {@code sailKind} and {@code sailNamespace} are
     * the Sail Operator's object and its default namespace (sail-operator 1.28.3 api/v1/istiocni_types.go, ztunnel_types.go).
     */
    public enum Component {
        CNI("istio-cni", "cni", "istio-cni-node", "k8s-app=istio-cni-node", "IstioCNI", "istio-cni"),
        ZTUNNEL("ztunnel", "ztunnel", "ztunnel", "app=ztunnel", "ZTunnel", "ztunnel");

        private final String label;
        private final String chart;
        private final String daemonSet;
        private final String podSelector;
        private final String sailKind;
        private final String sailNamespace;

        Component(String label, String chart, String daemonSet, String podSelector, String sailKind, String sailNamespace) {
            this.label = label;
            this.chart = chart;
            this.daemonSet = daemonSet;
            this.podSelector = podSelector;
            this.sailKind = sailKind;
            this.sailNamespace = sailNamespace;
        }

        /** Its stage's label and its Helm release's name: {@code istio-cni}, {@code ztunnel}. */
        public String label() {
            return label;
        }

        /** Its key under {@code spec.ambient}. */
        public String key() {
            return this == CNI ? "cni" : "ztunnel";
        }

        public String chart() {
            return chart;
        }

        public String daemonSet() {
            return daemonSet;
        }

        /** The label selector of its pods. */
        public String podSelector() {
            return podSelector;
        }

        public String sailKind() {
            return sailKind;
        }

        public String sailNamespace() {
            return sailNamespace;
        }
    }

    /** A DaemonSet's update strategy, spelled as Kubernetes spells it. */
    public enum UpdateStrategy {
        ROLLING_UPDATE("RollingUpdate"), ON_DELETE("OnDelete");

        private final String spelling;

        UpdateStrategy(String spelling) {
            this.spelling = spelling;
        }

        public String spelling() {
            return spelling;
        }

        public static UpdateStrategy of(String spelling) {
            return spelling.equals("OnDelete") ? ON_DELETE : ROLLING_UPDATE;
        }
    }

    /**
     * What the files of {@code render --emit} say about the repository and the controllers
     * ({@code spec.gitops}), with the defaults filled in.
     */
    public record GitOps(ArgoCd argocd, Flux flux) {}

    /**
     * The Argo CD ApplicationSet: where Argo CD clones the repository from (no default: only the user
     * knows it), which revision and project, and each plan cluster's name in Argo CD.
     */
    public record ArgoCd(Optional<String> repoURL, String targetRevision, String project, String namespace,
            Map<String, String> destinations) {
        public static final String DEFAULT_TARGET_REVISION = "HEAD";
        public static final String DEFAULT_PROJECT = "default";
        public static final String DEFAULT_NAMESPACE = "argocd";

        public ArgoCd {
            destinations = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(destinations));
        }

        /** The Argo CD cluster a plan cluster's Application syncs to: its own name unless the plan maps it. */
        public String destination(Cluster cluster) {
            return destinations.getOrDefault(cluster.name(), cluster.name());
        }
    }

    /** The Flux Kustomizations: their namespace and interval, and the source that holds the repository. */
    public record Flux(String namespace, String interval, SourceRef sourceRef) {
        /** flux bootstrap installs into flux-system and names its GitRepository flux-system. */
        public static final String DEFAULT_NAMESPACE = "flux-system";
        public static final String DEFAULT_INTERVAL = "10m";
        public static final String DEFAULT_SOURCE_KIND = "GitRepository";
        public static final String DEFAULT_SOURCE_NAME = "flux-system";
    }

    /** A Flux {@code spec.sourceRef}; no namespace means the Kustomization's own. */
    public record SourceRef(String kind, String name, Optional<String> namespace) {}

    /** Injectors in the cluster that Git does not hold; they take part in the injection checks. */
    public record Existing(NonRevisionedInjector nonRevisionedInjector, Map<String, String> tags) {
        public Existing {
            tags = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(tags));
        }
    }

    /** What happens to a non-revisioned {@code istio-sidecar-injector} when a default tag arrives. */
    public enum NonRevisionedInjector { ABSENT, PRESENT, DEACTIVATE }

    /** The revision in use now; {@link #DEFAULT_REVISION} is the non-revisioned install. */
    public record From(String revision, Optional<MeshVersion> version) {
        public boolean isNonRevisioned() {
            return DEFAULT_REVISION.equals(revision);
        }
    }

    /**
     * @param chartValues with Helm or Sail, the istiod chart values the values file and the overlays translate to
     *     ({@link ChartValues}); {@link ChartValues#NONE} for the script, which installs the overlays themselves
     */
    public record To(
            MeshVersion version,
            String revision,
            Optional<String> hub,
            Optional<String> profile,
            CertificateAuthority ca,
            Optional<String> caPool,
            List<String> options,
            List<Overlay> overlays,
            Optional<CitadelCa> citadel,
            Delivery delivery,
            ChartValues chartValues) {
        public To {
            options = List.copyOf(options);
            overlays = List.copyOf(overlays);
        }

    }

    /** Paths to a plug-in CA for {@code ca: citadel}; passed to asmcli by path, never read. */
    public record CitadelCa(String caCert, String caKey, String rootCert, String certChain) {}

    /** A user's IstioOperator overlay: its path as written in the plan and its text. */
    public record Overlay(String path, String text) {}

    public record Cluster(
            String name,
            String path,
            Optional<String> project,
            Optional<String> location,
            Optional<String> network,
            Optional<String> fleetProject,
            Optional<IngressGateway> ingressGateway,
            Optional<String> namespacesFrom,
            Optional<String> fleetProjectNumber,
            Platform platform,
            Optional<String> kubeconfig,
            boolean canary,
            Optional<String> clusterName,
            Optional<String> meshID,
            Optional<String> namespacesIn,
            Optional<NamespacesBuilt> namespacesBuilt) {

        /** A cluster as the plan file says it, before its {@code namespacesFrom} kustomization was built. */
        public Cluster(String name, String path, Optional<String> project, Optional<String> location, Optional<String> network,
                Optional<String> fleetProject, Optional<IngressGateway> ingressGateway, Optional<String> namespacesFrom,
                Optional<String> fleetProjectNumber, Platform platform, Optional<String> kubeconfig, boolean canary,
                Optional<String> clusterName, Optional<String> meshID, Optional<String> namespacesIn) {
            this(name, path, project, location, network, fleetProject, ingressGateway, namespacesFrom, fleetProjectNumber, platform,
                    kubeconfig, canary, clusterName, meshID, namespacesIn, Optional.empty());
        }

        /** Whether the waves edit the team's own Namespace manifests ({@code namespacesIn}) instead of meshwave's stages. */
        public boolean inPlace() {
            return namespacesIn.isPresent();
        }

        /** This cluster with what its {@code namespacesFrom} kustomization builds. */
        public Cluster withNamespacesBuilt(NamespacesBuilt built) {
            return new Cluster(name, path, project, location, network, fleetProject, ingressGateway, namespacesFrom, fleetProjectNumber,
                    platform, kubeconfig, canary, clusterName, meshID, namespacesIn, Optional.of(built));
        }

        /** On Google Cloud asmcli finds the cluster by project and location; elsewhere by kubeconfig. */
        public boolean onGoogleCloud() {
            return platform == Platform.GKE;
        }
    }

    /**
     * The plan's namespaces as a cluster's {@code namespacesFrom} kustomization builds them ({@code kubectl kustomize},
     * run by {@code cli} against the repository): the labels they really carry before the upgrade and whether they
     * are protected from deletion. {@code from} is the kustomization's path as the plan writes it.
     */
    public record NamespacesBuilt(String from, Map<String, BuiltNamespace> namespaces) {
        public NamespacesBuilt {
            namespaces = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(namespaces));
        }
    }

    /**
     * One built Namespace: its labels (sorted), whether it carries Argo CD's {@code Delete=false} sync option and
     * Flux's {@code prune: disabled}, and where its source file declares it.
     */
    public record BuiltNamespace(String name, Map<String, String> labels, boolean argoCdDeleteFalse, boolean fluxPruneDisabled,
            SourcePosition position) {
        public BuiltNamespace {
            labels = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(labels));
        }
    }

    /** This plan with these clusters in place of its own (the same clusters, with what their repository builds). */
    public Plan withClusters(List<Cluster> replaced) {
        return new Plan(file, name, from, to, injection, tags, replaced, waves, restart, finishing, existing, ordering, caMigration,
                gitops, ambient, ambientNamespaces, positions);
    }

    public enum Platform { GKE, MULTICLOUD }

    public enum Ordering { WAVES, CANARY_FIRST }

    /**
     * The shared gateway Service whose {@code service.istio.io/canonical-revision} selector follows the canary.
     * {@code selector} holds the gateway's other selector keys: the Service's selector is an atomic map under
     * server-side apply, so every stage renders it whole. With {@code release} the gateway is a release of Istio's
     * {@code gateway} chart (install: helm): the chart owns the Service, and the waves move the gateway from that
     * release to a new-revision release instead; {@code values} are today's release's chart values.
     */
    public record IngressGateway(String namespace, String service, String fromCanonicalRevision, Map<String, String> selector,
            Optional<String> release, Map<String, Object> values) {
        public static final Map<String, String> DEFAULT_SELECTOR = defaultSelector();

        public IngressGateway {
            selector = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(selector));
            values = ChartValues.frozenCopy(values);
        }

        /** A gateway whose Service meshwave takes into Git and switches. */
        public IngressGateway(String namespace, String service, String fromCanonicalRevision, Map<String, String> selector) {
            this(namespace, service, fromCanonicalRevision, selector, Optional.empty(), Map.of());
        }

        /** The release of Istio's {@code gateway} chart at {@code revision}: {@code <release>-<revision>}. */
        public String releaseAt(String revision) {
            return release.orElseThrow() + "-" + revision;
        }

        private static Map<String, String> defaultSelector() {
            Map<String, String> selector = new java.util.LinkedHashMap<>();
            selector.put("app", "istio-ingressgateway");
            selector.put("istio", "ingressgateway");
            return java.util.Collections.unmodifiableMap(selector);
        }
    }

    /**
     * A wave: the namespaces whose pods it re-injects, and the Gateway API gateways and waypoints it moves. A namespace in
     * {@code followsTag} keeps {@code istio.io/rev=<tag>} and moves with the tag; every other one is relabelled to the new
     * revision. An ambient wave ({@link Dataplane#AMBIENT}) instead moves its namespaces from sidecars to ambient mode,
     * each onto the waypoint {@code waypoints} names for it, if any.
     */
    public record Wave(String name, List<String> namespaces, List<String> clusters, Map<String, String> followsTag,
            Dataplane dataplane, Map<String, String> waypoints, List<Gateway> gateways) {
        public Wave {
            namespaces = List.copyOf(namespaces);
            clusters = List.copyOf(clusters);
            followsTag = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(followsTag)); // plan order
            waypoints = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(waypoints));
            gateways = List.copyOf(gateways);
        }

        /** A sidecar wave that moves namespaces only. */
        public Wave(String name, List<String> namespaces, List<String> clusters, Map<String, String> followsTag) {
            this(name, namespaces, clusters, followsTag, Dataplane.SIDECAR, Map.of(), List.of());
        }

        /** The namespaces this wave relabels (istio.io/rev=<new revision>, istio-injection removed). */
        public List<String> relabelled() {
            return dataplane == Dataplane.AMBIENT ? List.of() : namespaces.stream().filter(ns -> !followsTag.containsKey(ns)).toList();
        }

        /** The namespaces this wave moves from sidecars to ambient mode. */
        public List<String> toAmbient() {
            return dataplane == Dataplane.AMBIENT ? namespaces : List.of();
        }

        /** The namespaces whose pods this wave gives the new revision's sidecars (relabelled or following a moved tag). */
        public List<String> sidecarNamespaces() {
            return dataplane == Dataplane.AMBIENT ? List.of() : namespaces;
        }

        /** A wave without {@code clusters} applies to every cluster. */
        public boolean appliesTo(Cluster cluster) {
            return clusters.isEmpty() || clusters.contains(cluster.name());
        }
    }

    /** What carries a wave's namespaces' traffic once it is applied: the new revision's sidecars, or ztunnel (ambient mode). */
    public enum Dataplane { SIDECAR, AMBIENT }

    /**
     * A Gateway API gateway or waypoint ({@code gateway.networking.k8s.io} {@code Gateway}) a wave moves to the new revision by
     * its own {@code istio.io/rev} label, which beats its namespace's (istio 1.28 pkg/revisions/tag_watcher.go {@code IsMine}).
     *
     * @param follows the {@code istio.io/rev} it carries today (a revision or a tag); empty when it carries none, so that it
     *     follows its namespace's label, else the default revision
     */
    public record Gateway(String namespace, String name, Optional<String> follows) {
        /** {@code namespace/name}, as messages and READMEs name it. */
        public String id() {
            return namespace + "/" + name;
        }
    }

    public record Finalize(boolean istiodService, boolean defaultTag, boolean removeOldRevision) {
        public boolean rendersObjects() {
            return istiodService || defaultTag;
        }
    }

    public enum Injection { REVISION, TAG }

    public enum Restart { ANNOTATION, JOB, MANUAL }

    public enum CertificateAuthority {
        MESH_CA, CITADEL, GCP_CAS, MANAGED_CAS;

        /** The spelling of plans and of asmcli's {@code --ca}. */
        public String flag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final String DEFAULT_REVISION = "default";

    /** The label of the stage that deploys the waypoints of a plan's ambient waves, before its first wave. */
    public static final String WAYPOINTS_LABEL = "waypoints";

    /** The waypoints the plan's ambient waves put namespaces on, in wave order: each namespace with its waypoint's name. */
    public List<Gateway> waypoints(Cluster cluster) {
        List<Gateway> waypoints = new java.util.ArrayList<>();
        for (Wave wave : wavesFor(cluster)) {
            wave.waypoints().forEach((namespace, name) -> waypoints.add(new Gateway(namespace, name, Optional.empty())));
        }
        return waypoints;
    }

    /** The directory of the output root under which meshwave writes every plan's files that are no cluster's. */
    public static final String MESHWAVE_DIRECTORY = "meshwave";

    /** Where this plan's files outside its cluster directories go (fleet README, --emit), from the output root. */
    public String directory() {
        return MESHWAVE_DIRECTORY + "/" + name;
    }

    /** The tags a wave moves to the new revision, sorted. */
    public List<String> tagsMovedBy(Wave wave) {
        return tags.entrySet().stream().filter(e -> e.getValue().equals(wave.name())).map(Map.Entry::getKey).sorted().toList();
    }

    /** Waves that apply to a cluster, in plan order. */
    public List<Wave> wavesFor(Cluster cluster) {
        return waves.stream().filter(w -> w.appliesTo(cluster)).toList();
    }
}
