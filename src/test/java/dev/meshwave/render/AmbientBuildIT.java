package dev.meshwave.render;

import static dev.meshwave.testing.Kustomize.at;
import static dev.meshwave.testing.Kustomize.find;
import static dev.meshwave.testing.Kustomize.labels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Kustomize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ambient components stage by stage (docs/delivery.md, "Ambient components"), as the real {@code kubectl kustomize}
 * builds them: stage 00 holds each at the version it runs today, its own stage moves it to the new version and
 * nothing else, the later stages keep it there, and the stage before it (its rollback) has today's version. Every
 * expected value is written by hand from the example's plan, with the upstream rule next to it.
 */
class AmbientBuildIT {

    private static final String STAGES = "stages/";

    @Nested
    class SailAmbient {
        /** examples/sail-ambient: Istio default from 1.26.3 (default-v1-26-3) to 1.27.1; cni {}, ztunnel OnDelete. */
        private final Path cluster = Path.of("golden/sail-ambient/clusters/ocp-1/mesh");

        @Test
        void stagesAreControlPlaneThenIstioCniThenZtunnelThenTheWaves() throws Exception {
            try (var dirs = Files.list(cluster.resolve(STAGES))) {
                assertEquals(List.of("00-control-plane", "01-istio-cni", "02-ztunnel", "03-canary", "04-apps", "05-finalize", "06-cleanup"),
                        dirs.map(d -> d.getFileName().toString()).sorted().toList());
            }
        }

        @Test
        void controlPlaneStageHoldsIstioCniAndZtunnelAtTodaysVersion() {
            List<Map<String, Object>> objects = build("00-control-plane");
            // Sail 1.28: IstioCNI and ZTunnel are sailoperator.io/v1, cluster-scoped, named default (CEL rule), with
            // spec.version carrying the v and default namespaces istio-cni and ztunnel (api/v1/istiocni_types.go, ztunnel_types.go).
            Map<String, Object> cni = sail(objects, "IstioCNI");
            assertEquals("v1.26.3", at(cni, "spec", "version"), "cni: {} runs at from.version");
            assertEquals("istio-cni", at(cni, "spec", "namespace"));
            // Sail's documented IstioCNI for ambient (docs/common/istio-ambient-mode.adoc): profile ambient.
            assertEquals("ambient", at(cni, "spec", "profile"));
            Map<String, Object> ztunnel = sail(objects, "ZTunnel");
            assertEquals("v1.26.3", at(ztunnel, "spec", "version"));
            assertEquals("ztunnel", at(ztunnel, "spec", "namespace"));
            // Under RevisionBased no Service istiod serves ztunnel: the chart calls istiod-<revision> only with revision set
            // (istio 1.28 manifests/charts/ztunnel/values.yaml xdsAddress comment); today's is the running IstioRevision.
            assertEquals("default-v1-26-3", at(ztunnel, "spec", "values", "ztunnel", "revision"));
            assertNull(at(ztunnel, "spec", "values", "ztunnel", "updateStrategy"), "today's DaemonSet keeps the chart's strategy");
            assertEquals("v1.27.1", at(sail(objects, "Istio"), "spec", "version"), "the control plane first");
        }

        @Test
        void theIstioCniStageMovesOnlyIstioCni() {
            List<Map<String, Object>> before = build("00-control-plane");
            List<Map<String, Object>> objects = build("01-istio-cni");
            assertEquals("v1.27.1", at(sail(objects, "IstioCNI"), "spec", "version"));
            assertEquals("istio-cni", at(sail(objects, "IstioCNI"), "spec", "namespace"), "the namespace is immutable (CEL self == oldSelf)");
            assertEquals(sail(before, "ZTunnel"), sail(objects, "ZTunnel"), "ztunnel waits for its own stage");
            assertEquals(before.size(), objects.size());
            assertNamespace(objects, "frontend", "default-v1-26-3");
        }

        @Test
        void theZtunnelStageMovesZtunnelToTheNewVersionRevisionAndOnDelete() {
            List<Map<String, Object>> objects = build("02-ztunnel");
            Map<String, Object> ztunnel = sail(objects, "ZTunnel");
            assertEquals("v1.27.1", at(ztunnel, "spec", "version"));
            assertEquals("default-v1-27-1", at(ztunnel, "spec", "values", "ztunnel", "revision"));
            // Sail 1.28 ZTunnelConfig.updateStrategy is an apps/v1 DaemonSetUpdateStrategy (api/v1/values_types_extra.go).
            assertEquals(Map.of("type", "OnDelete"), at(ztunnel, "spec", "values", "ztunnel", "updateStrategy"));
            assertEquals("ocp-1", at(ztunnel, "spec", "values", "ztunnel", "multiCluster", "clusterName"), "kept from stage 00");
            assertEquals("v1.27.1", at(sail(objects, "IstioCNI"), "spec", "version"), "istio-cni stays upgraded");
            assertNamespace(objects, "frontend", "default-v1-26-3");
        }

        @Test
        void everyLaterStageKeepsBothComponentsUpgraded() {
            for (String stage : List.of("03-canary", "04-apps", "05-finalize", "06-cleanup")) {
                List<Map<String, Object>> objects = build(stage);
                assertEquals("v1.27.1", at(sail(objects, "IstioCNI"), "spec", "version"), stage);
                assertEquals("v1.27.1", at(sail(objects, "ZTunnel"), "spec", "version"), stage);
                assertEquals("default-v1-27-1", at(sail(objects, "ZTunnel"), "spec", "values", "ztunnel", "revision"), stage);
            }
        }

        private List<Map<String, Object>> build(String stage) {
            return Kustomize.build(cluster.resolve(STAGES + stage));
        }
    }

    @Nested
    class HelmAmbient {
        /** examples/helm-ambient: Flux, from revision 1-25-2 at 1.25.2 to 1.26.1; cni {}, ztunnel 1.25.2 RollingUpdate. */
        private final Path cluster = Path.of("golden/helm-ambient/clusters/edge-1/mesh");

        @Test
        void controlPlaneStageHoldsTheReleasesOfIstioCniAndZtunnelAtTodaysVersion() {
            List<Map<String, Object>> objects = Kustomize.build(cluster.resolve(STAGES + "00-control-plane"));
            // Istio's ambient Helm install (istio.io ambient/install/helm): release istio-cni of chart cni with
            // profile=ambient, release ztunnel of chart ztunnel, both in istio-system; chart version = Istio version.
            Map<String, Object> cni = helmRelease(objects, "istio-cni");
            assertEquals("cni", at(cni, "spec", "chart", "spec", "chart"));
            assertEquals("1.25.2", at(cni, "spec", "chart", "spec", "version"));
            assertEquals("istio-cni", at(cni, "spec", "releaseName"));
            assertEquals(Map.of("profile", "ambient"), at(cni, "spec", "values"));
            Map<String, Object> ztunnel = helmRelease(objects, "ztunnel");
            assertEquals("ztunnel", at(ztunnel, "spec", "chart", "spec", "chart"));
            assertEquals("1.25.2", at(ztunnel, "spec", "chart", "spec", "version"));
            // revision selects istiod-<revision> for xDS and CA; multiCluster.clusterName is ztunnel's cluster ID, which
            // must be istiod's (ztunnel chart values.yaml); RollingUpdate is the chart's default, so no updateStrategy.
            assertEquals(Map.of("revision", "1-25-2", "multiCluster", Map.of("clusterName", "edge-1")), at(ztunnel, "spec", "values"));
            for (Map<String, Object> release : List.of(cni, ztunnel)) {
                assertEquals(List.of(Map.of("name", "istio-base", "namespace", "istio-system")), at(release, "spec", "dependsOn"));
            }
        }

        @Test
        void eachComponentStageChangesOnlyItsRelease() {
            List<Map<String, Object>> before = Kustomize.build(cluster.resolve(STAGES + "00-control-plane"));
            List<Map<String, Object>> cniStage = Kustomize.build(cluster.resolve(STAGES + "01-istio-cni"));
            assertEquals("1.26.1", at(helmRelease(cniStage, "istio-cni"), "spec", "chart", "spec", "version"));
            assertEquals(Map.of("profile", "ambient"), at(helmRelease(cniStage, "istio-cni"), "spec", "values"));
            assertEquals(helmRelease(before, "ztunnel"), helmRelease(cniStage, "ztunnel"));
            assertEquals(helmRelease(before, "istiod-1-25-2"), helmRelease(cniStage, "istiod-1-25-2"));

            List<Map<String, Object>> ztunnelStage = Kustomize.build(cluster.resolve(STAGES + "02-ztunnel"));
            Map<String, Object> ztunnel = helmRelease(ztunnelStage, "ztunnel");
            assertEquals("1.26.1", at(ztunnel, "spec", "chart", "spec", "version"));
            assertEquals(Map.of("revision", "1-26-1", "multiCluster", Map.of("clusterName", "edge-1")), at(ztunnel, "spec", "values"));
            assertEquals(helmRelease(cniStage, "istio-cni"), helmRelease(ztunnelStage, "istio-cni"));
            assertEquals(Map.of("istio.io/rev", "1-25-2"), labels(find(ztunnelStage, "Namespace", null, "checkout").orElseThrow()),
                    "the component stages move no namespace");
        }

        /** The cleanup stage deletes today's istiod release only: the components stay, at the new version. */
        @Test
        void cleanupKeepsBothComponentsUpgraded() {
            List<Map<String, Object>> objects = Kustomize.build(cluster.resolve(STAGES + "07-cleanup"));
            assertFalse(find(objects, "HelmRelease", "istio-system", "istiod-1-25-2").isPresent());
            assertEquals("1.26.1", at(helmRelease(objects, "istio-cni"), "spec", "chart", "spec", "version"));
            assertEquals("1-26-1", at(helmRelease(objects, "ztunnel"), "spec", "values", "revision"),
                    "ztunnel talks to the revision that stays");
        }
    }

    /** Argo CD: the component stage patches the Application's targetRevision and valuesObject, and nothing else. */
    @Test
    void argoCdApplicationsMoveTheChartVersionAndZtunnelsValues(@TempDir Path out) throws Exception {
        Path plan = out.resolve("plan.yaml");
        Files.writeString(out.resolve("values.yaml"), "profile: ambient\n"); // an ambient mesh's istiod
        Files.writeString(plan, """
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: argo-ambient
                spec:
                  from: {revision: default, version: 1.26.2}
                  to:
                    version: 1.27.1
                    install: helm
                    helm: {controller: argocd, values: values.yaml}
                  ambient:
                    cni: {}
                    ztunnel: {updateStrategy: OnDelete}
                  clusters:
                    - {name: c1, path: clusters/c1}
                  waves:
                    - {name: apps, namespaces: [app]}
                """);
        Cli.Result result = Cli.run("render", plan.toString(), "--out", out.resolve("tree").toString());
        assertEquals(0, result.exitCode(), result::toString);
        Path stages = out.resolve("tree/clusters/c1/stages");
        Map<String, Object> today = application(Kustomize.build(stages.resolve("00-control-plane")), "ztunnel");
        assertEquals("1.26.2", at(today, "spec", "source", "targetRevision"));
        // The non-revisioned istiod serves Service istiod, which a ztunnel without revision calls (ztunnel chart values.yaml).
        assertEquals(Map.of("multiCluster", Map.of("clusterName", "c1")), at(today, "spec", "source", "helm", "valuesObject"));
        Map<String, Object> upgraded = application(Kustomize.build(stages.resolve("02-ztunnel")), "ztunnel");
        assertEquals("1.27.1", at(upgraded, "spec", "source", "targetRevision"));
        // The chart's updateStrategy value from 1.26 (manifests/charts/ztunnel/templates/daemonset.yaml); Kubernetes accepts
        // OnDelete beside the chart's default rollingUpdate (apps validation ValidateDaemonSetUpdateStrategy).
        assertEquals(Map.of("revision", "1-27-1", "multiCluster", Map.of("clusterName", "c1"), "updateStrategy", Map.of("type", "OnDelete")),
                at(upgraded, "spec", "source", "helm", "valuesObject"));
        assertEquals("ztunnel", at(upgraded, "spec", "source", "chart"));
        assertEquals("1", at(upgraded, "metadata", "annotations", "argocd.argoproj.io/sync-wave"), "after the base release");
        Map<String, Object> cni = application(Kustomize.build(stages.resolve("01-istio-cni")), "istio-cni");
        assertEquals("1.27.1", at(cni, "spec", "source", "targetRevision"));
        assertEquals(Map.of("profile", "ambient"), at(cni, "spec", "source", "helm", "valuesObject"));
    }

    private static Map<String, Object> sail(List<Map<String, Object>> objects, String kind) {
        Map<String, Object> object = find(objects, kind, null, "default").orElseThrow(() -> new AssertionError("no " + kind + " default"));
        assertEquals("sailoperator.io/v1", object.get("apiVersion"), kind);
        assertNull(at(object, "metadata", "namespace"), kind + " is cluster-scoped");
        return object;
    }

    private static Map<String, Object> helmRelease(List<Map<String, Object>> objects, String name) {
        Map<String, Object> release = find(objects, "HelmRelease", "istio-system", name)
                .orElseThrow(() -> new AssertionError("no HelmRelease " + name));
        assertEquals("helm.toolkit.fluxcd.io/v2", release.get("apiVersion"));
        return release;
    }

    private static Map<String, Object> application(List<Map<String, Object>> objects, String name) {
        return find(objects, "Application", "argocd", name).orElseThrow(() -> new AssertionError("no Application " + name));
    }

    private static void assertNamespace(List<Map<String, Object>> objects, String namespace, String revision) {
        assertEquals(Map.of("istio.io/rev", revision), labels(find(objects, "Namespace", null, namespace).orElseThrow()), namespace);
    }
}
