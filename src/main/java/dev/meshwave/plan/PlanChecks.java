package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * The semantic rules a schema cannot express (MESH-FACTS §1, DESIGN "The plan"). Runs on a document
 * that already passed the schema, so every field has the type the schema promises; defaults and derived
 * values come from the {@link PlanDraft}. The rules live in one class per concern; this class runs them
 * in a fixed order, which is the order problems at the same position (and warnings) are reported in.
 */
final class PlanChecks {

    private PlanChecks() {}

    static List<Problem> check(YamlDocument document, PlanDraft draft) {
        Findings findings = new Findings(document);
        JsonNode spec = document.root().path("spec");
        VersionRules versions = new VersionRules(findings, spec, draft);
        CaRules ca = new CaRules(findings, spec, draft);
        InstallerRules installer = new InstallerRules(findings, spec, draft);
        ClusterRules clusters = new ClusterRules(findings, spec);
        WaveRules waves = new WaveRules(findings, spec, draft);
        versions.revisions();
        new DeliveryRules(findings, spec, draft).delivery();
        new AmbientRules(findings, spec, draft).ambient();
        versions.deactivation();
        ca.migration();
        waves.restart();
        ca.ca();
        installer.options();
        installer.installerVersion();
        Set<String> clusterNames = clusters.clusters();
        waves.waves(clusterNames);
        new AmbientRules(findings, spec, draft).waves();
        new GatewayRules(findings, spec, draft).gateways();
        new TagRules(findings, spec, draft).tags();
        clusters.distinctPaths();
        installer.fleet();
        waves.canaryFirst(clusterNames);
        clusters.gitOps(clusterNames);
        return findings.problems();
    }
}
