package dev.meshwave.render;

import dev.meshwave.plan.Delivery;
import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * The script delivery ({@link Delivery.Script}): the new revision's IstioOperator overlays, in
 * {@code istioctl -f} order, and {@code install.sh} (MESH-FACTS §7): meshwave's revision overlay, the CA
 * overlay, each named option, then the user's own overlays, so that what the user wrote wins.
 */
final class ControlPlane implements DeliveryMethod {

    private static final String TEMPLATES = "control-plane/";

    /** One overlay file of {@code control-plane/}. */
    private record OverlayFile(String name, String template, Plan.Overlay userOverlay) {}

    private final Plan plan;
    private final Plan.Cluster cluster;
    private final ClusterFacts facts;
    private final String directory;
    private final Delivery.Installer installer;
    private final List<OverlayFile> files = new ArrayList<>();

    /** The control plane a phase installs with {@code script}, in {@code directory} of the cluster. */
    ControlPlane(Plan plan, Plan.Cluster cluster, String directory, Delivery.Script script) {
        this.plan = plan;
        this.cluster = cluster;
        this.directory = directory;
        this.installer = script.installer();
        this.facts = ClusterFacts.of(plan, cluster);
        add("revision", TEMPLATES + "revision.yaml.mustache", null);
        if (plan.clusters().size() > 1 || facts.network().isPresent() || facts.meshID().isPresent() || overridesClusterFacts()) {
            add("cluster-" + cluster.name(), TEMPLATES + "cluster-facts.yaml.mustache", null);
        }
        switch (plan.to().ca()) {
            case CITADEL -> add("ca-citadel", TEMPLATES + "ca-citadel.yaml.mustache", null);
            case GCP_CAS -> add("ca-private-ca", TEMPLATES + "ca-private-ca.yaml.mustache", null);
            case MANAGED_CAS -> add("ca-managed-cas", TEMPLATES + "ca-managed-cas.yaml.mustache", null);
            case MESH_CA -> { } // the asmcli base already is Mesh CA
        }
        for (String option : plan.to().options()) {
            add("option-" + option, TEMPLATES + "option-" + option + ".yaml.mustache", null);
        }
        if (mergesTrustDomainAliases()) {
            add("trust-domain-aliases", TEMPLATES + "trust-domain-aliases.yaml.mustache", null);
        }
        for (Plan.Overlay overlay : plan.to().overlays()) {
            String base = overlay.path().substring(overlay.path().lastIndexOf('/') + 1);
            add("overlay-" + base.replaceAll("\\.ya?ml$", "").replaceAll("[^A-Za-z0-9._-]", "-"), null, overlay);
        }
    }

    private void add(String name, String template, Plan.Overlay userOverlay) {
        files.add(new OverlayFile(String.format(java.util.Locale.ROOT, "%02d-%s.yaml", files.size(), name), template, userOverlay));
    }

    @Override
    public String templateDirectory() {
        return TEMPLATES;
    }

    @Override
    public String directory() {
        return directory;
    }

    @Override
    public String revision() {
        return plan.to().revision();
    }

    /** A person runs {@code install.sh} before the stage goes live: the stage applies nothing of it. */
    @Override
    public List<String> stageResources(String stageDirectory) {
        return List.of();
    }

    /** istioctl, asmcli and install_asm all install the revision's injector as {@code istio-sidecar-injector-<rev>}. */
    @Override
    public String injector(Injectors injectors) throws TemplateException {
        return injectors.revision(revision());
    }

    @Override
    public List<String> verify() {
        return List.of("kubectl get pods -n istio-system -l istio.io/rev=" + revision(),
                "kubectl get mutatingwebhookconfigurations istio-sidecar-injector-" + revision());
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

    @Override
    public List<String> fileNames() {
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
    private List<String> trustDomainAliases() {
        List<String> aliases = new ArrayList<>();
        boolean installAsm = installer == Delivery.Installer.INSTALL_ASM;
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
        List<String> aliases = new ArrayList<>(trustDomainAliases());
        aliases.add("cluster.local");
        return aliases;
    }

    @Override
    public void render(Renderer.Output out, TemplateContext common) throws TemplateException {
        TemplateContext context = common.copy()
                .with("hub", plan.to().hub().orElse(""))
                .with("profile", plan.to().profile().orElse(""))
                .with("caPool", plan.to().caPool().orElse(""))
                .with("istioClusterName", facts.clusterName())
                .with("network", facts.network().orElse(""))
                .with("meshID", facts.meshID().orElse(""))
                .with("trustDomainAliases", trustDomainAliases())
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
                        || f.template().equals(TEMPLATES + "trust-domain-aliases.yaml.mustache")
                        || f.template().equals(TEMPLATES + "cluster-facts.yaml.mustache") && overridesClusterFacts())
                .forEach(f -> customOverlays.add(f.name()));
        out.emit(directory + "/install.sh", TEMPLATES + "install.sh.mustache", context
                .with("asmcli", installer == Delivery.Installer.ASMCLI)
                .with("installAsm", installer == Delivery.Installer.INSTALL_ASM)
                .with("plainIstio", installer == Delivery.Installer.ISTIOCTL)
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
                .with("citadel", plan.to().citadel().map(c -> (Object) new TemplateContext()
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
