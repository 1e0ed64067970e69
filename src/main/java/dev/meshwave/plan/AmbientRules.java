package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * What a plan may say about its ambient components ({@code spec.ambient}): they are upgraded by stages in Git, so
 * only with Helm or Sail; each must stay within the version skew Istio supports while the stages run; and a wave
 * may not take the label of their stages.
 *
 * <p>The skew: "The ztunnel at version 1.x is generally compatible with the control plane at version 1.x+1 and
 * 1.x", and the same of istio-cni, "this means the control plane must be upgraded before" them (istio.io
 * docs/ambient/upgrade/helm, 1.22 to current; ambientmesh.io operations/upgrade: "compatible with a control plane
 * at the same version, or one version higher"). Stage 00 runs today's component with the new control plane, so
 * today's version must be the new one's minor or the one before; and no stage may run a component newer than the
 * control plane it talks to.
 */
record AmbientRules(Findings findings, JsonNode spec, PlanDraft draft) {

    /** The oldest Istio whose ztunnel chart has the value {@code updateStrategy} (istio 1.26.0 manifests/charts/ztunnel/values.yaml; 1.25 hard-codes RollingUpdate). */
    private static final int UPDATE_STRATEGY_MINOR = 26;

    void ambient() {
        JsonNode ambient = spec.path("ambient");
        if (!ambient.isObject()) {
            return;
        }
        String install = spec.path("to").path("install").asText("");
        if (draft.ambient().isEmpty()) {
            return; // namespaces only: they are allowed with every delivery
        }
        if (!draft.delivery().inGit()) {
            findings.error("/spec/ambient", "ambient components (istio-cni, ztunnel) are upgraded by stages in Git, which meshwave"
                    + " renders with to.install: helm or sail; with " + (install.isEmpty() ? "the script (asmcli or istioctl)" : install)
                    + " upgrade them with the installer after the control plane, or deliver the mesh with helm or sail");
            return;
        }
        MeshVersion target = draft.toVersion();
        for (Plan.Component component : Plan.Component.values()) {
            JsonNode node = ambient.path(component.key());
            if (!node.isObject()) {
                continue;
            }
            String pointer = "/spec/ambient/" + component.key();
            if (!node.has("version") && draft.fromVersion().isEmpty()) {
                findings.error(pointer, component.label() + " needs the version it runs today: set ambient." + component.key()
                        + ".version or from.version");
                continue;
            }
            MeshVersion today = draft.ambient().stream().filter(c -> c.component() == component).findFirst().orElseThrow().version();
            String at = node.has("version") ? pointer + "/version" : "/spec/from/version";
            String said = node.has("version") ? "" : " (from.version)";
            if (today.major() != target.major() || today.minor() < target.minor() - 1) {
                findings.error(at, component.label() + " " + today + said + " is more than one minor behind the new control plane " + target
                        + ": " + component.label() + " 1.x works with control planes 1.x and 1.x+1 (istio.io, ambient upgrade), so"
                        + " it would run unsupported from stage 00 until its own stage; upgrade the mesh one minor at a time");
            } else if (today.compareTo(target) > 0) {
                findings.error(at, component.label() + " " + today + said + " is newer than the new control plane " + target
                        + ": " + component.label() + " must never be newer than the control plane it talks to");
            } else if (draft.fromVersion().filter(from -> today.compareTo(from) > 0).isPresent()) {
                findings.error(at, component.label() + " " + today + " is newer than today's control plane " + draft.fromVersion().get()
                        + ": " + component.label() + " must never be newer than the control plane it talks to");
            }
            if (node.path("updateStrategy").asText("").equals("OnDelete") && !target.atLeast(1, UPDATE_STRATEGY_MINOR)) {
                findings.error(pointer + "/updateStrategy", "the ztunnel chart sets the DaemonSet's update strategy from its value"
                        + " updateStrategy from Istio 1.26 on; " + target + " always rolls ztunnel (RollingUpdate): remove updateStrategy");
            }
        }
        JsonNode waves = spec.path("waves");
        for (int w = 0; w < waves.size(); w++) {
            String name = waves.get(w).path("name").asText();
            for (Plan.Component component : Plan.Component.values()) {
                if (ambient.path(component.key()).isObject() && name.equals(component.label())) {
                    findings.error("/spec/waves/" + w + "/name", "'" + name + "' is the name of the stage that upgrades "
                            + component.label() + "; choose another");
                }
            }
        }
    }

    /** The oldest Istio whose ambient mode is generally available (istio.io news, Istio 1.24: "ambient mode ... GA"). */
    private static final int AMBIENT_GA_MINOR = 24;

    /**
     * Waves and ambient mode: no wave names a namespace that is ambient today; an ambient wave moves namespaces only (no
     * tags), on a control plane that serves ambient mode, with the node components the plan upgrades; a waypoint belongs to
     * an ambient wave. Runs after {@link WaveRules#waves}.
     */
    void waves() {
        JsonNode waves = spec.path("waves");
        java.util.Set<String> ambientToday = new java.util.HashSet<>();
        spec.path("ambient").path("namespaces").forEach(n -> ambientToday.add(n.asText()));
        java.util.Set<String> movedTagWaves = new java.util.HashSet<>();
        spec.path("tags").properties().forEach(e -> movedTagWaves.add(e.getValue().asText()));
        boolean inPlace = false;
        for (JsonNode cluster : spec.path("clusters")) {
            inPlace |= cluster.has("namespacesIn");
        }
        boolean waypoints = false;
        for (int w = 0; w < waves.size(); w++) {
            JsonNode wave = waves.get(w);
            String pointer = "/spec/waves/" + w;
            boolean ambient = wave.path("dataplane").asText("sidecar").equals("ambient");
            JsonNode namespaces = wave.path("namespaces");
            for (int n = 0; n < namespaces.size(); n++) {
                JsonNode entry = namespaces.get(n);
                String namespace = entry.isObject() ? entry.path("name").asText() : entry.asText();
                String at = pointer + "/namespaces/" + n;
                if (ambientToday.contains(namespace)) {
                    findings.error(at, "namespace '" + namespace + "' is ambient today (spec.ambient.namespaces): " + (ambient
                            ? "it has nothing to migrate"
                            : "a sidecar wave would label it istio.io/rev, and sidecar injection takes precedence over ztunnel capture,"
                                    + " so its next restart would add sidecars; ambient namespaces move with ztunnel, not in a wave"));
                }
                if (entry.isObject() && !entry.has("tag") && !entry.has("waypoint")) {
                    findings.error(at + (ambient ? "/waypoint" : "/tag"), "is required (" + (ambient
                            ? "the waypoint the namespace uses from its wave on; or write the namespace as a plain name"
                            : "a revision tag: a DNS-1123 label of at most 43 characters (Service istiod-revision-tag-<tag> must be"
                                    + " a valid name)") + ")");
                }
                if (entry.has("waypoint") && !ambient) {
                    findings.error(at + "/waypoint", "a waypoint belongs to an ambient wave (dataplane: ambient): a sidecar"
                            + " namespace's own proxies enforce its L7 policy");
                }
                if (entry.has("tag") && ambient) {
                    findings.error(at + "/tag", "an ambient wave takes its namespaces off sidecar injection, so they follow no tag");
                }
                waypoints |= entry.has("waypoint");
            }
            if (!ambient) {
                continue;
            }
            if (movedTagWaves.contains(wave.path("name").asText())) {
                findings.error(pointer + "/name", "an ambient wave moves no revision tag: move the tag in a sidecar wave");
            }
            if (!draft.toVersion().atLeast(1, AMBIENT_GA_MINOR)) {
                findings.error(pointer + "/dataplane", "ambient mode is generally available from Istio 1.24; to.version "
                        + draft.toVersion() + " is older");
            }
            if (draft.delivery().inGit() && draft.ambient().size() < Plan.Component.values().length) {
                findings.error(pointer + "/dataplane", "an ambient wave needs istio-cni and ztunnel on every node: name both under"
                        + " spec.ambient (cni, ztunnel) so that their stages run before the first wave");
            }
            if (spec.has("caMigration")) {
                findings.error(pointer + "/dataplane", "ambient waves are not part of a CA migration: migrate the CA first,"
                        + " then move namespaces to ambient mode in a plan of their own");
            }
            if (inPlace) {
                findings.error(pointer + "/dataplane", "ambient waves are not yet rendered as in-place edits (namespacesIn):"
                        + " use meshwave's Namespaces or namespacesFrom for this plan");
            }
        }
        if (waypoints) {
            for (int w = 0; w < waves.size(); w++) {
                if (waves.get(w).path("name").asText().equals(WAYPOINTS_STAGE)) {
                    findings.error("/spec/waves/" + w + "/name", "'" + WAYPOINTS_STAGE + "' is the name of the stage that deploys"
                            + " the plan's waypoints; choose another");
                }
            }
        }
    }

    /** The label of the stage that deploys an ambient migration's waypoints. */
    static final String WAYPOINTS_STAGE = Plan.WAYPOINTS_LABEL;

    /**
     * A mesh with ambient components or ambient waves needs an istiod that serves ambient mode: the istiod chart's
     * {@code ambient} profile (istio 1.26 manifests/charts/istio-control/istio-discovery/files/profile-ambient.yaml sets
     * {@code pilot.env.PILOT_ENABLE_AMBIENT}), in today's values as much as the new revision's, since stage 00 takes today's
     * release into Git with the values file alone.
     */
    static List<Problem> istiodServesAmbient(YamlDocument document, PlanDraft draft, ChartValues values) {
        JsonNode spec = document.root().path("spec");
        boolean ambientWaves = false;
        for (JsonNode wave : spec.path("waves")) {
            ambientWaves |= wave.path("dataplane").asText("").equals("ambient");
        }
        Findings findings = new Findings(document);
        if (!draft.delivery().inGit() || (draft.ambient().isEmpty() && !ambientWaves)) {
            return findings.problems();
        }
        List<Map<String, Object>> releases = List.of(values.todayToMap(), values.toMap());
        for (int release = 0; release < releases.size(); release++) {
            if (!servesAmbient(releases.get(release))) {
                boolean today = release == 0;
                findings.error(draft.ambient().isEmpty() ? "/spec/waves" : "/spec/ambient", "istiod serves ambient mode only with the"
                        + " chart's ambient profile: set profile: ambient in to.helm.values' file" + (today ? "" : " or to.profile")
                        + " (or pilot.env.PILOT_ENABLE_AMBIENT: \"true\"), for today's release as much as the new one; without it"
                        + " ztunnel and the waypoints get no configuration from the revision stage 00 takes into Git");
                break;
            }
        }
        return findings.problems();
    }

    /** Whether istiod chart values turn ambient mode on (also what {@code import} asks of today's values before it plans components). */
    static boolean servesAmbient(Map<String, Object> values) {
        if ("ambient".equals(values.get("profile"))) {
            return true;
        }
        Object pilot = values.get("pilot");
        Object env = pilot instanceof Map<?, ?> p ? p.get("env") : null;
        Object enabled = env instanceof Map<?, ?> e ? e.get("PILOT_ENABLE_AMBIENT") : null;
        return enabled != null && String.valueOf(enabled).equals("true");
    }
}
