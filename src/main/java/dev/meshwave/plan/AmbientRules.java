package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;

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
}
