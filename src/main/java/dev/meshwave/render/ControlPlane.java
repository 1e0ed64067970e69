package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * The new revision's IstioOperator overlays, in {@code istioctl -f} order, and {@code install.sh}
 * (MESH-FACTS §7): meshwave's revision overlay, the CA overlay, each named option, then the user's
 * own overlays, so that what the user wrote wins.
 */
final class ControlPlane {

    /** One overlay file of {@code control-plane/}. */
    private record OverlayFile(String name, String template, Plan.Overlay userOverlay) {}

    private final Plan plan;
    private final Plan.Cluster cluster;
    private final ClusterFacts facts;
    private final String directory;
    private final List<OverlayFile> files = new ArrayList<>();

    /** The control plane of a plan of one phase, in {@code control-plane/}. */
    ControlPlane(Plan plan, Plan.Cluster cluster) {
        this(plan, cluster, "control-plane");
    }

    /** The control plane a phase installs, in {@code directory} of the cluster. */
    ControlPlane(Plan plan, Plan.Cluster cluster, String directory) {
        this.plan = plan;
        this.cluster = cluster;
        this.directory = directory;
        this.facts = ClusterFacts.of(plan, cluster);
        add("revision", "control-plane/revision.yaml.mustache", null);
        if (plan.clusters().size() > 1 || facts.network().isPresent() || facts.meshID().isPresent() || overridesClusterFacts()) {
            add("cluster-" + cluster.name(), "control-plane/cluster-facts.yaml.mustache", null);
        }
        switch (plan.to().ca()) {
            case CITADEL -> add("ca-citadel", "control-plane/ca-citadel.yaml.mustache", null);
            case GCP_CAS -> add("ca-private-ca", "control-plane/ca-private-ca.yaml.mustache", null);
            case MANAGED_CAS -> add("ca-managed-cas", "control-plane/ca-managed-cas.yaml.mustache", null);
            case MESH_CA -> { } // the asmcli base already is Mesh CA
        }
        for (String option : plan.to().options()) {
            add("option-" + option, "control-plane/option-" + option + ".yaml.mustache", null);
        }
        if (mergesTrustDomainAliases()) {
            add("trust-domain-aliases", "control-plane/trust-domain-aliases.yaml.mustache", null);
        }
        for (Plan.Overlay overlay : plan.to().overlays()) {
            String base = overlay.path().substring(overlay.path().lastIndexOf('/') + 1);
            add("overlay-" + base.replaceAll("\\.ya?ml$", "").replaceAll("[^A-Za-z0-9._-]", "-"), null, overlay);
        }
    }

    private void add(String name, String template, Plan.Overlay userOverlay) {
        files.add(new OverlayFile(String.format(java.util.Locale.ROOT, "%02d-%s.yaml", files.size(), name), template, userOverlay));
    }

    /** The control plane of each phase of a plan, for one cluster. */
    static List<ControlPlane> of(Plan plan, Plan.Cluster cluster) {
        List<ControlPlane> list = new ArrayList<>();
        for (int phase = 0; phase < plan.phases().size(); phase++) {
            list.add(new ControlPlane(plan.phases().get(phase), cluster, directory(plan, phase)));
        }
        return list;
    }

    /** {@code control-plane/}, or with several phases {@code control-plane/<revision of the phase>/}. */
    static String directory(Plan plan, int phase) {
        List<Plan> phases = plan.phases();
        return phases.size() == 1 ? "control-plane" : "control-plane/" + phases.get(phase).to().revision();
    }

    /** Where the files go in the cluster directory: {@code control-plane}, or one directory per phase. */
    String directory() {
        return directory;
    }

    /** The revision this control plane installs. */
    String revision() {
        return plan.to().revision();
    }

    /**
     * Options multiproject and ca-migration-meshca both set {@code trustDomainAliases}, and the later
     * list would replace the earlier: an overlay after both sets the list the mesh needs.
     */
    private boolean mergesTrustDomainAliases() {
        return plan.to().options().contains("multiproject") && plan.to().options().contains(Plan.CaMigration.MESHCA_OPTION);
    }

    /**
     * 1.10's install_asm has no canary "install" beside a running istiod ({@code --mode install} refuses one):
     * {@code upgrade} from an ASM control plane, {@code migrate} from open-source Istio (release-1.10-asm
     * scripts/asm-installer/install_asm, {@code validate_expected_control_plane}, {@code validate_asm_version}).
     */
    private String installAsmMode() {
        boolean fromAsm = plan.from().version().map(dev.meshwave.plan.MeshVersion::isAsm)
                .orElse(plan.from().revision().startsWith("asm-"));
        return fromAsm ? "upgrade" : "migrate";
    }

    List<String> fileNames() {
        return files.stream().map(OverlayFile::name).toList();
    }

    /**
     * ASM's istiod serving certificates: signed by istiod itself from ASM 1.23, by the Kubernetes CA
     * before (MESH-FACTS §7). Plain Istio keeps its own default.
     */
    static String pilotCertProvider(Plan plan) {
        if (!plan.to().version().isAsm()) {
            return "";
        }
        return plan.to().version().atLeast(1, 23) ? "istiod" : "kubernetes";
    }

    /**
     * The trust domains every cluster accepts: first what asmcli itself aliases for Mesh CA, the fleet's
     * {@code <fleet>.svc.id.goog} and {@code <fleet>.hub.id.goog} (anthos-service-mesh-packages
     * asmcli/components/ca/mesh-ca.sh {@code configure_trust_domain_aliases}), then every project of the mesh
     * in cluster order (seed 000 step 11). An overlay's list replaces asmcli's, so it must keep both. 1.10's
     * install_asm has no fleet: it aliases the cluster's own {@code <project>.svc.id.goog} and
     * {@code <project>.hub.id.goog} (release-1.10-asm scripts/asm-installer/install_asm). The same list on
     * every cluster.
     */
    static List<String> trustDomainAliases(Plan plan) {
        List<String> aliases = new ArrayList<>();
        boolean installAsm = plan.to().installer() == Plan.Installer.INSTALL_ASM;
        plan.clusters().stream().flatMap(c -> (installAsm ? c.project() : c.fleetProject().or(c::project)).stream()).distinct()
                .forEach(fleet -> aliases.addAll(List.of(fleet + ".svc.id.goog", fleet + ".hub.id.goog")));
        plan.clusters().stream().flatMap(c -> c.project().stream()).map(p -> p + ".svc.id.goog")
                .filter(alias -> !aliases.contains(alias)).distinct().forEach(aliases::add);
        return aliases;
    }

    /**
     * The plan names the cluster or its mesh itself: the installer must then be told, so the facts overlay
     * goes to asmcli as a {@code --custom_overlay} too (it wins over asmcli's own values).
     */
    private boolean overridesClusterFacts() {
        return cluster.clusterName().isPresent() || cluster.meshID().isPresent();
    }

    /** Every project's trust domain, then Citadel's {@code cluster.local}. */
    private List<String> mergedTrustDomainAliases() {
        List<String> aliases = new ArrayList<>(trustDomainAliases(plan));
        aliases.add("cluster.local");
        return aliases;
    }

    void render(Renderer.Output out, ClusterRenderer.Context common) throws TemplateException {
        ClusterRenderer.Context context = common
                .with("hub", plan.to().hub().orElse(""))
                .with("profile", plan.to().profile().orElse(""))
                .with("caPool", plan.to().caPool().orElse(""))
                .with("istioClusterName", facts.clusterName())
                .with("network", facts.network().orElse(""))
                .with("meshID", facts.meshID().orElse(""))
                .with("trustDomainAliases", trustDomainAliases(plan))
                .with("pilotCertProvider", pilotCertProvider(plan))
                // ca-migration-meshca turns istiod's CA server off for ASM 1.23 and older only (MESH-FACTS §7).
                .with("disableCaServer", !plan.to().version().atLeast(1, 24))
                .with("mergedTrustDomainAliases", mergedTrustDomainAliases());
        for (OverlayFile file : files) {
            if (file.userOverlay() != null) {
                out.copy(directory + "/" + file.name(), file.userOverlay().path(), file.userOverlay().text());
            } else {
                out.emit(directory + "/" + file.name(), file.template(), context);
            }
        }
        boolean onGoogleCloud = cluster.onGoogleCloud();
        // asmcli and install_asm apply their own CA and option files; what only meshwave knows goes in as custom overlays.
        List<String> customOverlays = new ArrayList<>();
        customOverlays.add(files.get(0).name());
        files.stream().filter(f -> f.userOverlay() != null
                        || f.template().equals("control-plane/trust-domain-aliases.yaml.mustache")
                        || f.template().equals("control-plane/cluster-facts.yaml.mustache") && overridesClusterFacts())
                .forEach(f -> customOverlays.add(f.name()));
        Plan.Installer installer = plan.to().installer();
        out.emit(directory + "/install.sh", "control-plane/install.sh.mustache", context
                .with("asmcli", installer == Plan.Installer.ASMCLI)
                .with("installAsm", installer == Plan.Installer.INSTALL_ASM)
                .with("plainIstio", installer == Plan.Installer.ISTIOCTL)
                .with("defaultMode", installer.name().toLowerCase(java.util.Locale.ROOT))
                // asmcli takes --offline from ASM 1.12 (anthos-service-mesh-packages release-1.12 asmcli/lib/parse.sh).
                .with("offline", plan.to().version().atLeast(1, 12))
                // On Google Cloud asmcli derives the network from the cluster's VPC and ignores --network_id.
                .with("networkId", onGoogleCloud ? "" : cluster.network().orElse(""))
                .with("installAsmMode", installAsmMode())
                .with("onGoogleCloud", onGoogleCloud)
                .with("project", cluster.project().orElse(""))
                .with("location", cluster.location().orElse(""))
                .with("fleetProject", cluster.fleetProject().or(cluster::project).orElse(""))
                .with("kubeconfig", cluster.kubeconfig().orElse(""))
                .with("citadel", plan.to().citadel().map(c -> (Object) new ClusterRenderer.Context()
                        .with("caCert", c.caCert()).with("caKey", c.caKey())
                        .with("rootCert", c.rootCert()).with("certChain", c.certChain())).orElse(false))
                .with("ca", plan.to().ca().flag())
                .with("options", plan.to().options())
                .with("customOverlays", customOverlays)
                .with("overlayFiles", fileNames())
                // One asmcli per ASM version: both phases of a CA migration use the same binary.
                .with("asmcliRevision", plan.to().version().defaultRevision().orElse(plan.to().revision())));
    }

}
