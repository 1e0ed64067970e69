package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What each way of delivering the control plane ({@code spec.to.install}) needs and accepts: the
 * settings of one method are refused with another, Helm and Sail install upstream Istio from its
 * charts (never ASM), and carry none of asmcli's settings. The script's own rules are {@link InstallerRules}.
 */
record DeliveryRules(Findings findings, JsonNode spec, PlanDraft draft) {

    /** asmcli's settings, which Istio's charts and Sail do not take. */
    private static final List<String> SCRIPT_SETTINGS = List.of("ca", "caPool", "citadel", "options");

    /** The oldest Istio whose charts meshwave's Helm and Sail methods were checked against (1.22 to 1.28). */
    private static final int OLDEST_MINOR = 22;

    /** The first Istio whose gateway chart renders {@code replicaCount: 0}. */
    private static final int GATEWAY_SCALE_MINOR = 26;

    void delivery() {
        JsonNode to = spec.path("to");
        JsonNode from = spec.path("from");
        String install = to.path("install").asText("");
        boolean helm = install.equals("helm");
        boolean sail = install.equals("sail");
        if (to.has("helm") && !helm) {
            findings.error("/spec/to/helm", "to.helm applies only with to.install: helm (install is " + shown(install) + ")");
        }
        if (to.has("sail") && !sail) {
            findings.error("/spec/to/sail", "to.sail applies only with to.install: sail (install is " + shown(install) + ")");
        }
        gateways(helm);
        if (from.has("helm") && !helm) {
            findings.error("/spec/from/helm", "from.helm names today's Helm release and applies only with to.install: helm");
        }
        MeshVersion version = draft.toVersion();
        if (install.equals("asmcli") && !version.isAsm()) {
            findings.error("/spec/to/install", "asmcli installs ASM (an -asm. version); Istio " + version
                    + " is installed by istioctl, helm or sail");
        }
        if (install.equals("istioctl") && version.isAsm()) {
            findings.error("/spec/to/install", "ASM " + version + " is installed by asmcli (install: asmcli, the default for it)");
        }
        if (!helm && !sail) {
            return;
        }
        if (version.isAsm()) {
            findings.error("/spec/to/install", "install: " + install + " installs upstream Istio from its charts; ASM " + version
                    + " is installed by asmcli");
            return;
        }
        if (!version.atLeast(1, OLDEST_MINOR)) {
            findings.error("/spec/to/version", "install: " + install + " renders Istio's charts as they are from 1.22 on (values"
                    + " layout, the base chart's defaultRevision); upgrade to " + version + " with istioctl");
        }
        for (String setting : SCRIPT_SETTINGS) {
            if (to.has(setting)) {
                findings.error("/spec/to/" + setting, "to." + setting + " is a setting of asmcli; with install: " + install
                        + " the chart values decide it (remove to." + setting + ")");
            }
        }
        if (spec.has("caMigration") || from.has("ca")) {
            findings.error(spec.has("caMigration") ? "/spec/caMigration" : "/spec/from/ca", "the Citadel to Mesh CA migration is"
                    + " asmcli's; with install: " + install + " the CA is the chart's (remove it)");
        }
        if (spec.path("finalize").path("istiodService").asBoolean(false)) {
            findings.error("/spec/finalize/istiodService", "with install: " + install + " Service istiod belongs to the chart of the"
                    + " non-revisioned istiod; meshwave renders none (remove finalize.istiodService)");
        }
        if (helm && !from.has("version")) {
            findings.error("/spec/from", "with install: helm, from.version is required: it is the chart version of today's istiod"
                    + " release, which stage 00 takes into Git unchanged");
        }
        if (sail) {
            sail(to, from, version);
        }
    }

    /**
     * An ingress gateway is a Service meshwave switches ({@code service}), or with Helm a release of the
     * {@code gateway} chart ({@code release}), whose Service is the chart's: its selector and canonical revision are
     * not meshwave's to set.
     */
    private void gateways(boolean helm) {
        JsonNode clusters = spec.path("clusters");
        for (int i = 0; i < clusters.size(); i++) {
            JsonNode gateway = clusters.get(i).path("ingressGateway");
            String at = "/spec/clusters/" + i + "/ingressGateway";
            if (!gateway.isObject()) {
                continue;
            }
            if (!gateway.has("release")) {
                if (!gateway.has("service")) {
                    findings.error(at, "ingressGateway needs service (the gateway's Service), or with install: helm release"
                            + " (today's release of the gateway chart)");
                }
                if (gateway.has("values")) {
                    findings.error(at + "/values", "values are a gateway chart release's: set release too, or remove values");
                }
                continue;
            }
            if (!helm) {
                findings.error(at + "/release", "a gateway chart release is moved by Helm releases: release applies only"
                        + " with to.install: helm (remove it, and name the gateway's service instead)");
            } else {
                // Before 1.26 the chart drops replicaCount: 0 ("with"), so a release cannot be scaled to no pods
                // (istio/istio#55093, manifests/charts/gateway/templates/deployment.yaml, first in 1.26.0).
                for (String side : List.of("from", "to")) {
                    JsonNode version = spec.path(side).path("version");
                    if (version.isTextual() && !MeshVersion.parse(version.asText()).atLeast(1, GATEWAY_SCALE_MINOR)) {
                        findings.error(at + "/release", "the gateway chart scales a release to no pods from Istio 1.26 on, and "
                                + side + ".version is " + version.asText() + ": move this gateway in place instead (set its release's"
                                + " revision in the wave that suits you) and leave release out");
                        break;
                    }
                }
            }
            for (String field : List.of("selector", "fromCanonicalRevision")) {
                if (gateway.has(field)) {
                    findings.error(at + "/" + field, "the gateway chart's release owns its Service and selector; with release,"
                            + " meshwave moves the pods between releases and never sets the Service's " + field + " (remove it)");
                }
            }
        }
    }

    /** Sail names each revision after its Istio object and version; the plan's revisions must be those names. */
    private void sail(JsonNode to, JsonNode from, MeshVersion version) {
        String name = to.path("sail").path("name").asText("default");
        String expected = Delivery.Sail.revision(name, version);
        if (to.has("revision") && !to.path("revision").asText().equals(expected)) {
            findings.error("/spec/to/revision", "Sail names the revision of Istio " + name + " at v" + version + " " + expected
                    + " (<name>-v<version with dashes>); set to.revision: " + expected + " or leave it out");
        }
        String fromRevision = from.path("revision").asText();
        if (fromRevision.equals(Plan.DEFAULT_REVISION)) {
            findings.error("/spec/from/revision", "with install: sail the revision in use is an IstioRevision of Istio " + name
                    + " (RevisionBased: " + name + "-v<version>); from.revision: default is an InPlace or non-revisioned install");
        } else if (from.has("version") && !fromRevision.equals(Delivery.Sail.revision(name, MeshVersion.parse(from.path("version").asText())))) {
            findings.error("/spec/from/revision", "Sail names the revision of Istio " + name + " at v" + from.path("version").asText() + " "
                    + Delivery.Sail.revision(name, MeshVersion.parse(from.path("version").asText())) + ", not " + fromRevision);
        }
    }

    private static String shown(String install) {
        return install.isEmpty() ? "the default, the script" : install;
    }
}
