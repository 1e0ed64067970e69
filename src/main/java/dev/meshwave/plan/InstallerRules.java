package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What asmcli (and install_asm, istioctl) need and accept: named options, the CAs and option files a
 * release ships, and the cluster facts its flags need. The rules of the one way meshwave delivers the
 * control plane today, kept apart for the others to come.
 */
record InstallerRules(Findings findings, JsonNode spec, PlanDraft draft) {

    /** asmcli named options meshwave renders today (MESH-FACTS §7). */
    static final Set<String> OPTIONS = Set.of("multicluster", "multiproject", "multicloud", "stackdriver", "prometheus",
            "prometheus-and-stackdriver", "legacy-default-ingressgateway");
    /** The ASM minor whose installer first ships an option's file (asm/istio/options/ of each release branch). */
    static final Map<String, Integer> OPTION_SINCE = Map.of("stackdriver", 12, "prometheus-and-stackdriver", 12,
            "legacy-default-ingressgateway", 11);
    /** Options meshwave adds to the phase they belong to; a plan never lists them itself. */
    static final Set<String> CA_MIGRATION_OPTIONS = Set.of(Plan.CaMigration.CITADEL_OPTION, Plan.CaMigration.MESHCA_OPTION);
    /** CA overlays come from {@code to.ca}, as asmcli's {@code --ca} does; listing them again is a mistake. */
    static final Map<String, String> CA_OPTIONS = Map.of(
            "citadel-ca", "citadel", "private-ca", "gcp_cas", "managed_cas", "managed_cas");

    void options() {
        JsonNode options = spec.path("to").path("options");
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i).asText();
            String pointer = "/spec/to/options/" + i;
            if (OPTIONS.contains(option)) {
                continue;
            }
            if (CA_MIGRATION_OPTIONS.contains(option)) {
                findings.error(pointer, "option '" + option + "' belongs to one phase of the Citadel to Mesh CA migration;"
                        + " set spec.from.ca: citadel and spec.to.ca: mesh_ca (or spec.caMigration) and meshwave adds it there");
            } else if (CA_OPTIONS.containsKey(option)) {
                findings.error(pointer, "option '" + option + "' is chosen by spec.to.ca: " + CA_OPTIONS.get(option)
                        + "; remove it from options");
            } else {
                findings.error(pointer, "unknown option '" + option + "'" + PlanSchema.didYouMean(option, List.copyOf(OPTIONS))
                        + " (expected one of: " + String.join(", ", OPTIONS.stream().sorted().toList()) + ")");
            }
        }
    }

    /**
     * What the installer of {@code to.version} would refuse at install time, refused by validate first
     * (MESH-FACTS §7; anthos-service-mesh-packages, asm/istio/options/ and asmcli/lib/validate.sh per
     * release branch): an option file that the release does not ship, a CA it does not take, and
     * 1.10's install_asm, which installs only on GKE.
     */
    void installerVersion() {
        JsonNode to = spec.path("to");
        MeshVersion version = draft.toVersion();
        if (!version.isAsm()) {
            return;
        }
        JsonNode options = to.path("options");
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i).asText();
            int since = OPTION_SINCE.getOrDefault(option, 0);
            if (since > 0 && !version.atLeast(1, since)) {
                findings.error("/spec/to/options/" + i, "option '" + option + "' exists from ASM 1." + since + " on; the installer of "
                        + version + " has no such option file and refuses it");
            }
        }
        if (draft.ca() == Plan.CertificateAuthority.MANAGED_CAS && !version.atLeast(1, 14)) {
            findings.error("/spec/to/ca", "ca: managed_cas is accepted by asmcli from ASM 1.14 on; the installer of " + version
                    + " refuses it (expected mesh_ca, citadel or gcp_cas)");
        }
        if (!version.atLeast(1, 11)) {
            JsonNode clusters = spec.path("clusters");
            for (int i = 0; i < clusters.size(); i++) {
                JsonNode cluster = clusters.get(i);
                if (cluster.path("platform").asText("").equals("multicloud") || !(cluster.has("project") && cluster.has("location"))) {
                    findings.error("/spec/clusters/" + i, "ASM " + version + " has no asmcli; its installer install_asm installs only on GKE"
                            + " (it needs the cluster's project and location, and has no --platform multicloud); use ASM 1.11 or later"
                            + " for cluster " + cluster.path("name").asText());
                }
            }
        }
    }

    /** What the installer needs to know of each cluster, and of the fleet, for the options the plan lists. */
    void fleet() {
        JsonNode clusters = spec.path("clusters");
        for (int i = 0; i < clusters.size(); i++) {
            JsonNode cluster = clusters.get(i);
            if (cluster.path("platform").asText("").equals("gke") && !(cluster.has("project") && cluster.has("location"))) {
                List<String> missing = new ArrayList<>();
                List<String> flags = new ArrayList<>();
                if (!cluster.has("project")) {
                    missing.add("project");
                    flags.add("--project_id");
                }
                if (!cluster.has("location")) {
                    missing.add("location");
                    flags.add("--cluster_location");
                }
                findings.error("/spec/clusters/" + i + "/platform", "platform: gke needs the cluster's " + String.join(" and ", missing)
                        + " (asmcli install " + String.join(" ", flags) + ")");
            }
        }
        boolean multiproject = false;
        for (JsonNode option : spec.path("to").path("options")) {
            multiproject |= option.asText().equals("multiproject");
        }
        if (multiproject) {
            for (int i = 0; i < clusters.size(); i++) {
                JsonNode cluster = clusters.get(i);
                for (String field : List.of("project", "fleetProjectNumber")) {
                    if (!cluster.has(field)) {
                        findings.error("/spec/clusters/" + i, "option multiproject needs every cluster's " + field
                                + (field.equals("project") ? " (its trust domain <project>.svc.id.goog is aliased on every cluster)"
                                        : " (meshID is proj-<fleet project number>)"));
                    }
                }
            }
            // One multi-project mesh is one fleet: its meshID (proj-<number>) and trust domain must be the same everywhere.
            for (String field : List.of("fleetProject", "fleetProjectNumber")) {
                String first = null;
                String firstCluster = null;
                for (int i = 0; i < clusters.size(); i++) {
                    JsonNode value = clusters.get(i).get(field);
                    if (value == null) {
                        continue;
                    }
                    if (first == null) {
                        first = value.asText();
                        firstCluster = clusters.get(i).path("name").asText();
                    } else if (!first.equals(value.asText())) {
                        findings.error("/spec/clusters/" + i + "/" + field, "cluster " + clusters.get(i).path("name").asText() + " has " + field
                                + " " + value.asText() + ", but cluster " + firstCluster + " has " + first + "; the clusters of a"
                                + " multi-project mesh are in one fleet" + (field.equals("fleetProjectNumber")
                                        ? ", and a different meshID (proj-" + value.asText() + ") would keep this cluster out of the mesh"
                                        : ", whose project is their trust domain"));
                    }
                }
            }
        }
        // asmcli installs no ingress gateway from 1.11 on; switching the shared Service to a revision
        // without gateway pods would leave it without endpoints.
        boolean legacyGateway = false;
        for (JsonNode option : spec.path("to").path("options")) {
            legacyGateway |= option.asText().equals("legacy-default-ingressgateway");
        }
        if (!legacyGateway && draft.toVersion().atLeast(1, 11)) {
            for (int i = 0; i < clusters.size(); i++) {
                JsonNode gateway = clusters.get(i).path("ingressGateway");
                if (gateway.has("service") && !gateway.has("release")) {
                    findings.warning("/spec/clusters/" + i + "/ingressGateway", "the first wave switches this Service to the new"
                            + " revision, but the plan installs no gateway for it (asmcli installs none from 1.11 on): deploy one"
                            + " (option legacy-default-ingressgateway, an overlay, or a gateway Deployment) before that wave");
                }
            }
        }
    }
}
