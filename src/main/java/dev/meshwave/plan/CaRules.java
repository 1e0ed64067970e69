package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** The certificate authority: {@code to.ca} and its fields, and the one change of CA meshwave plans (Citadel to Mesh CA). */
final class CaRules {

    static final String DISTRIBUTE_ROOT_SUFFIX = "-distribute-root";
    static final String MESHCA_SUFFIX = "-meshca-ca-migration";

    private final Findings findings;
    private final JsonNode spec;

    CaRules(Findings findings, JsonNode spec) {
        this.findings = findings;
        this.spec = spec;
    }

    /** Whether the plan migrates from Citadel to Mesh CA: {@code spec.caMigration}, or the CAs of from and to. */
    static boolean migratesCa(JsonNode spec) {
        return spec.has("caMigration")
                || (spec.path("from").path("ca").asText("").equals("citadel") && spec.path("to").path("ca").asText("mesh_ca").equals("mesh_ca"));
    }

    /** The Citadel → Mesh CA migration (seed 002): the only CA change meshwave plans, with two new revision names. */
    void migration() {
        JsonNode from = spec.path("from");
        JsonNode to = spec.path("to");
        String fromCa = from.path("ca").asText("");
        String toCa = to.path("ca").asText("mesh_ca");
        if (spec.has("caMigration")) {
            if (!fromCa.isEmpty() && !fromCa.equals("citadel")) {
                findings.error("/spec/from/ca", "spec.caMigration migrates from citadel, but from.ca is " + fromCa);
            }
            if (!toCa.equals("mesh_ca")) {
                findings.error("/spec/to/ca", "spec.caMigration migrates to mesh_ca, but to.ca is " + toCa);
            }
        } else if (!fromCa.isEmpty() && !fromCa.equals(toCa) && !migratesCa(spec)) {
            findings.error("/spec/from/ca", "meshwave plans one change of CA, from citadel to mesh_ca (see docs/ca-migration.md in the meshwave repository); " + fromCa + " to "
                    + toCa + " is not a canary upgrade it can render (keep from.ca and to.ca the same)");
        }
        if (!migratesCa(spec)) {
            return;
        }
        MeshVersion version = MeshVersion.parse(to.path("version").asText());
        if (!version.isAsm()) {
            findings.error("/spec/to/version", "the Citadel to Mesh CA migration needs an ASM version (M.m.p-asm.r): Mesh CA is"
                    + " Google's, and options ca-migration-citadel and ca-migration-meshca are asmcli's");
            return;
        }
        String base = to.has("revision") ? to.path("revision").asText() : version.defaultRevision().orElse("");
        JsonNode migration = spec.path("caMigration");
        Map<String, String> revisions = new LinkedHashMap<>();
        revisions.put("distributeRootRevision", migration.has("distributeRootRevision")
                ? migration.path("distributeRootRevision").asText() : base + DISTRIBUTE_ROOT_SUFFIX);
        revisions.put("meshcaRevision", migration.has("meshcaRevision")
                ? migration.path("meshcaRevision").asText() : base + MESHCA_SUFFIX);
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
        String ca = to.path("ca").asText("mesh_ca");
        if (ca.equals("gcp_cas") && !to.has("caPool")) {
            findings.error("/spec/to/ca", "ca: gcp_cas needs spec.to.caPool (projects/P/locations/L/caPools/NAME)");
        }
        if (!ca.equals("citadel") && !migratesCa(spec) && to.has("citadel")) {
            findings.error("/spec/to/citadel", "the plug-in CA files are only used with ca: citadel (ca is " + ca + ")");
        }
        if (!ca.equals("gcp_cas") && to.has("caPool")) {
            findings.error("/spec/to/caPool", "caPool is only used with ca: gcp_cas (ca is " + ca + ")");
        }
    }
}
