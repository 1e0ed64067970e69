package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The certificate authority: {@code to.ca} and its fields, and the one change of CA meshwave plans (Citadel to Mesh CA). */
record CaRules(Findings findings, JsonNode spec, PlanDraft draft) {

    /** The Citadel → Mesh CA migration (seed 002): the only CA change meshwave plans, with two new revision names. */
    void migration() {
        JsonNode from = spec.path("from");
        JsonNode to = spec.path("to");
        Optional<String> fromCa = draft.fromCa().map(Plan.CertificateAuthority::flag);
        Plan.CertificateAuthority toCa = draft.ca();
        if (spec.has("caMigration")) {
            if (fromCa.isPresent() && draft.fromCa().get() != Plan.CertificateAuthority.CITADEL) {
                findings.error("/spec/from/ca", "spec.caMigration migrates from citadel, but from.ca is " + fromCa.get());
            }
            if (toCa != Plan.CertificateAuthority.MESH_CA) {
                findings.error("/spec/to/ca", "spec.caMigration migrates to mesh_ca, but to.ca is " + toCa.flag());
            }
        } else if (fromCa.isPresent() && draft.fromCa().get() != toCa && !draft.migratesCa()) {
            findings.error("/spec/from/ca", "meshwave plans one change of CA, from citadel to mesh_ca (see docs/ca-migration.md in the meshwave repository); " + fromCa.get() + " to "
                    + toCa.flag() + " is not a canary upgrade it can render (keep from.ca and to.ca the same)");
        }
        if (!draft.migratesCa()) {
            return;
        }
        MeshVersion version = draft.toVersion();
        if (!version.isAsm()) {
            findings.error("/spec/to/version", "the Citadel to Mesh CA migration needs an ASM version (M.m.p-asm.r): Mesh CA is"
                    + " Google's, and options ca-migration-citadel and ca-migration-meshca are asmcli's");
            return;
        }
        JsonNode migration = spec.path("caMigration");
        Map<String, String> revisions = new LinkedHashMap<>();
        revisions.put("distributeRootRevision", draft.caMigration().get().distributeRootRevision());
        revisions.put("meshcaRevision", draft.caMigration().get().meshcaRevision());
        String fromRevision = from.path("revision").asText();
        revisions.forEach((field, revision) -> {
            String pointer = migration.has(field) ? "/spec/caMigration/" + field : to.has("revision") ? "/spec/to/revision" : "/spec/to/version";
            if (revision.length() > 56) {
                findings.error(pointer, "the derived revision '" + revision + "' is longer than 56 characters (Service istiod-<revision>"
                        + " must stay a DNS label); set spec.caMigration." + field + " or a shorter spec.to.revision");
            } else if (revision.equals(fromRevision)) {
                findings.error(pointer, "revision '" + revision + "' (spec.caMigration." + field + ") is the revision in use"
                        + " (spec.from.revision); each phase of the migration needs a new revision");
            }
        });
        if (revisions.get("distributeRootRevision").equals(revisions.get("meshcaRevision"))) {
            findings.error(migration.has("meshcaRevision") ? "/spec/caMigration/meshcaRevision" : "/spec/caMigration",
                    "both phases of the migration would install revision '" + revisions.get("meshcaRevision")
                            + "'; the Mesh CA phase needs a revision of its own");
        }
        JsonNode waves = spec.path("waves");
        for (int w = 0; w < waves.size(); w++) {
            String name = waves.get(w).path("name").asText();
            if (name.startsWith(Plan.CaMigration.STAGE_PREFIX) || name.equals(Plan.CaMigration.CLEANUP_LABEL)) {
                findings.error("/spec/waves/" + w + "/name", "in a CA migration the Mesh CA phase repeats every wave as stage '"
                        + Plan.CaMigration.STAGE_PREFIX + "<wave>', and the last stage is '" + Plan.CaMigration.CLEANUP_LABEL + "'; rename wave '" + name + "'");
            }
        }
    }

    /** What to.ca needs, and the fields that belong to another CA. */
    void ca() {
        JsonNode to = spec.path("to");
        Plan.CertificateAuthority ca = draft.ca();
        if (ca == Plan.CertificateAuthority.GCP_CAS && !to.has("caPool")) {
            findings.error("/spec/to/ca", "ca: gcp_cas needs spec.to.caPool (projects/P/locations/L/caPools/NAME)");
        }
        if (ca != Plan.CertificateAuthority.CITADEL && !draft.migratesCa() && to.has("citadel")) {
            findings.error("/spec/to/citadel", "the plug-in CA files are only used with ca: citadel (ca is " + ca.flag() + ")");
        }
        if (ca != Plan.CertificateAuthority.GCP_CAS && to.has("caPool")) {
            findings.error("/spec/to/caPool", "caPool is only used with ca: gcp_cas (ca is " + ca.flag() + ")");
        }
    }
}
