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
        add("revision", "control-plane/revision.yaml.mustache", null);
        if (plan.clusters().size() > 1 || cluster.network().isPresent() || cluster.fleetProjectNumber().isPresent()) {
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

    /** Every project of the mesh as a trust domain, in cluster order (seed 000 step 11); the same list on every cluster. */
    static List<String> trustDomainAliases(Plan plan) {
        return plan.clusters().stream().flatMap(c -> c.project().stream()).distinct().map(p -> p + ".svc.id.goog").toList();
    }

    /** Every project's trust domain, then Citadel's {@code cluster.local}. */
    private List<String> mergedTrustDomainAliases() {
        List<String> aliases = new ArrayList<>(trustDomainAliases(plan));
        aliases.add("cluster.local");
        return aliases;
    }

    /** Istio's cluster name: ASM's {@code cn-<project>-<location>-<cluster>} on Google Cloud, else the plan's name. */
    String istioClusterName() {
        if (cluster.project().isPresent() && cluster.location().isPresent()) {
            return "cn-" + cluster.project().get() + "-" + cluster.location().get() + "-" + cluster.name();
        }
        return cluster.name();
    }

    void render(Renderer.Output out, ClusterRenderer.Context common) throws TemplateException {
        ClusterRenderer.Context context = common
                .with("hub", plan.to().hub().orElse(""))
                .with("profile", plan.to().profile().orElse(""))
                .with("caPool", plan.to().caPool().orElse(""))
                .with("istioClusterName", istioClusterName())
                .with("network", cluster.network().orElse(""))
                .with("meshID", cluster.fleetProjectNumber().map(n -> "proj-" + n).orElse(""))
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
        List<String> customOverlays = new ArrayList<>();
        customOverlays.add(files.get(0).name());
        files.stream().filter(f -> f.userOverlay() != null || f.template().equals("control-plane/trust-domain-aliases.yaml.mustache"))
                .forEach(f -> customOverlays.add(f.name()));
        out.emit(directory + "/install.sh", "control-plane/install.sh.mustache", context
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
                .with("asmcliRevision", plan.to().version().defaultRevision().orElse(plan.to().revision()))
                .with("isAsm", plan.to().version().isAsm()));
    }

}
