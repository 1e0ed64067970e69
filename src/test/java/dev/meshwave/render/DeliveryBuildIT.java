package dev.meshwave.render;

import static dev.meshwave.testing.Kustomize.at;
import static dev.meshwave.testing.Kustomize.find;
import static dev.meshwave.testing.Kustomize.labels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Kustomize;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The Helm (Flux, Argo CD) and Sail deliveries, stage by stage (docs/delivery.md), as the real {@code kubectl kustomize}
 * builds the approved goldens: each stage alone, and the stage a rollback points at. Every expected value is written
 * here by hand from the example's plan, with the upstream rule that makes it right next to it (sources as in
 * research/17-helm-sail.md); none is computed by meshwave's own code.
 */
class DeliveryBuildIT {

    private static final String STAGES = "stages/";

    @Nested
    class HelmFlux {
        /** examples/helm-flux: from revision 1-22-3 at 1.22.3, to 1.23.4 (revision 1-23-4 derived), tag prod-stable → wave apps. */
        private final Path cluster = Path.of("golden/helm-flux/clusters/edge-1/mesh");

        @Test
        void controlPlaneStageHoldsBaseTodaysReleaseUnchangedAndTheNewReleaseBesideIt() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "00-control-plane"));
            // Istio's Helm docs (istio.io upgrade/helm): the base chart is release istio-base, chart base, in istio-system,
            // and its defaultRevision names the default revision (base templates/defaultrevision-validatingwebhookconfiguration.yaml).
            Map<String, Object> base = helmRelease(objects, "istio-base");
            // Istio's Helm canary upgrades istio-base first (istio.io upgrade/helm): the base chart is the new version's.
            assertChart(base, "base", "1.23.4");
            assertEquals("istio-base", at(base, "spec", "releaseName"));
            assertEquals("1-22-3", at(base, "spec", "values", "defaultRevision"), "today's revision stays the default until finalize");
            // Up to 1.23 the base chart's CRDs are in crds/, which helm-controller skips on upgrade by default (upgrade.crds: Skip).
            assertEquals("CreateReplace", at(base, "spec", "upgrade", "crds"));
            assertEquals("CreateReplace", at(base, "spec", "install", "crds"));

            // Today's release: chart istiod at from.version, values.revision = from.revision, as it runs now.
            Map<String, Object> today = helmRelease(objects, "istiod-1-22-3");
            assertChart(today, "istiod", "1.22.3");
            assertEquals("istiod-1-22-3", at(today, "spec", "releaseName"));
            assertEquals("1-22-3", at(today, "spec", "values", "revision"));

            // The new release: chart version = Istio version without v (release-builder stampChartForRelease); revision via
            // values.revision (istiod chart values.yaml); releaseName explicit because Flux's default is
            // [<targetNamespace>-]<name> and changing it later uninstalls and reinstalls (helm-controller v2 API docs).
            Map<String, Object> next = helmRelease(objects, "istiod-1-23-4");
            assertChart(next, "istiod", "1.23.4");
            assertEquals("istiod-1-23-4", at(next, "spec", "releaseName"));
            assertEquals("1-23-4", at(next, "spec", "values", "revision"));
            // base (CRDs, shared objects) first: HelmRelease spec.dependsOn [{name, namespace}] (helm-controller v2).
            assertEquals(List.of(Map.of("name", "istio-base", "namespace", "istio-system")), at(next, "spec", "dependsOn"));
            assertEquals(List.of(Map.of("name", "istio-base", "namespace", "istio-system")), at(today, "spec", "dependsOn"));

            // HelmRepository of Istio's documented chart repository (istio.io helm-prereqs), source.toolkit.fluxcd.io/v1.
            Map<String, Object> repository = find(objects, "HelmRepository", "istio-system", "istio").orElseThrow();
            assertEquals("source.toolkit.fluxcd.io/v1", repository.get("apiVersion"));
            assertEquals("https://istio-release.storage.googleapis.com/charts", at(repository, "spec", "url"));
            for (String release : List.of("istio-base", "istiod-1-22-3", "istiod-1-23-4")) {
                assertEquals(Map.of("kind", "HelmRepository", "name", "istio", "namespace", "istio-system"),
                        at(helmRelease(objects, release), "spec", "chart", "spec", "sourceRef"), release);
            }

            for (String namespace : List.of("frontend", "checkout", "payments")) {
                assertNamespaceLabels(objects, namespace, "1-22-3");
            }
            assertTagWebhook(objects, "prod-stable", "1-22-3");
            assertEquals(3 + 1 + 3 + 1, objects.size(), "namespaces, HelmRepository, three releases, tag prod-stable; nothing else");
        }

        @Test
        void wavesRelabelNamespacesAndMoveTheTagWithoutTouchingTheReleases() {
            List<Map<String, Object>> canary = build(cluster.resolve(STAGES + "01-canary"));
            assertNamespaceLabels(canary, "frontend", "1-23-4");
            assertNamespaceLabels(canary, "checkout", "1-22-3");
            assertNamespaceLabels(canary, "payments", "1-22-3");
            assertTagWebhook(canary, "prod-stable", "1-22-3");
            List<Map<String, Object>> apps = build(cluster.resolve(STAGES + "02-apps"));
            for (String namespace : List.of("frontend", "checkout", "payments")) {
                assertNamespaceLabels(apps, namespace, "1-23-4");
            }
            assertTagWebhook(apps, "prod-stable", "1-23-4");
            for (List<Map<String, Object>> stage : List.of(canary, apps)) {
                assertEquals("1-22-3", at(helmRelease(stage, "istio-base"), "spec", "values", "defaultRevision"));
                assertChart(helmRelease(stage, "istiod-1-22-3"), "istiod", "1.22.3");
                assertChart(helmRelease(stage, "istiod-1-23-4"), "istiod", "1.23.4");
            }
        }

        @Test
        void finalizeMovesTheBaseReleasesDefaultRevisionAndTheDefaultTag() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "03-finalize"));
            // Istio's Helm canary docs, last step: helm upgrade istio-base --set defaultRevision=<rev>; the base chart renders
            // istiod-default-validator → Service istiod-<defaultRevision>. The istiod chart never does (§2.4).
            Map<String, Object> base = helmRelease(objects, "istio-base");
            assertEquals("1-23-4", at(base, "spec", "values", "defaultRevision"));
            assertChart(base, "base", "1.23.4"); // the patch touches values only: chart, source and releaseName stay
            assertEquals("istio-base", at(base, "spec", "releaseName"));
            assertTagWebhook(objects, "default", "1-23-4");
            assertTrue(find(objects, "HelmRelease", "istio-system", "istiod-1-22-3").isPresent(), "today's release stays until cleanup");
        }

        /**
         * Flux: a HelmRelease removed from Git is deleted by kustomize-controller's prune ({@code prune: true}), and
         * helm-controller's finalizer {@code finalizers.fluxcd.io} then runs {@code helm uninstall} (research §0.9).
         * So cleanup's build must not hold today's release, and must still hold everything else.
         */
        @Test
        void cleanupLeavesTodaysReleaseOutOfTheBuild() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "04-cleanup"));
            assertFalse(find(objects, "HelmRelease", null, "istiod-1-22-3").isPresent(), "istiod-1-22-3 must be gone: " + objects);
            assertChart(helmRelease(objects, "istiod-1-23-4"), "istiod", "1.23.4");
            assertEquals("1-23-4", at(helmRelease(objects, "istio-base"), "spec", "values", "defaultRevision"));
            assertTagWebhook(objects, "default", "1-23-4");
            assertTagWebhook(objects, "prod-stable", "1-23-4");
            assertEquals(3 + 1 + 2 + 2, objects.size(), "namespaces, HelmRepository, base and the new release, two tags");
        }

        /** Rolling cleanup back = pointing the live kustomization at finalize: today's release is applied again. */
        @Test
        void rollingBackCleanupBringsTodaysReleaseBackUnchanged() {
            List<Map<String, Object>> previous = build(cluster.resolve(STAGES + "03-finalize"));
            Map<String, Object> today = helmRelease(previous, "istiod-1-22-3");
            assertEquals(helmRelease(build(cluster.resolve(STAGES + "00-control-plane")), "istiod-1-22-3"), today,
                    "the release the rollback reinstalls is the one stage 00 took into Git");
            assertChart(today, "istiod", "1.22.3");
            assertEquals("1-22-3", at(today, "spec", "values", "revision"));
        }

        @Test
        void liveEntryPointBuildsTheFirstStage() {
            assertEquals(buildText(cluster.resolve(STAGES + "00-control-plane")), buildText(cluster));
        }

        private static void assertChart(Map<String, Object> release, String chart, String version) {
            assertEquals("helm.toolkit.fluxcd.io/v2", release.get("apiVersion"));
            assertEquals(chart, at(release, "spec", "chart", "spec", "chart"));
            assertEquals(version, at(release, "spec", "chart", "spec", "version"), "chart version = Istio version, no v");
        }

        private static Map<String, Object> helmRelease(List<Map<String, Object>> objects, String name) {
            return find(objects, "HelmRelease", "istio-system", name).orElseThrow(() -> new AssertionError("no HelmRelease " + name));
        }
    }

    /**
     * A gateway of Istio's {@code gateway} chart moved between releases (examples/helm-gateway: release istio-ingress in
     * istio-ingress, from 1-26-5 at 1.26.5 to 1.27.3, today's values revision 1-26-5, autoscaling.minReplicas 2, a Service
     * annotation). Chart facts, istio manifests/charts/gateway 1.26-1.28: Deployment, Service, ServiceAccount, Role and
     * PodDisruptionBudget are named after the release unless {@code name}/{@code serviceAccount.name} say otherwise
     * (_helpers.tpl); {@code labels.app}/{@code labels.istio} are the selector labels of Deployment and Service;
     * {@code service.type: None} renders no Service; {@code revision} labels the pod template {@code istio.io/rev};
     * {@code replicaCount: 0} renders {@code replicas: 0} from 1.26.0 on (istio/istio#55093); autoscaling is on by default.
     * Kustomize merges a patch of a custom resource as a JSON merge patch: {@code null} deletes a key, a list is replaced.
     */
    @Nested
    class HelmGateway {
        private final Path cluster = Path.of("golden/helm-gateway/clusters/store-0042/mesh");

        @Test
        void stageZeroKeepsTodaysGatewayReleaseAndInstallsTheNewOneWithNoPodsNoServiceAndTodaysIdentity() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "00-control-plane"));
            Map<String, Object> today = gatewayRelease(objects, "istio-ingress");
            assertEquals("gateway", at(today, "spec", "chart", "spec", "chart"));
            assertEquals("1.26.5", at(today, "spec", "chart", "spec", "version"));
            assertEquals(Map.of("revision", "1-26-5", "autoscaling", Map.of("minReplicas", 2),
                    "service", Map.of("annotations", Map.of("networking.gke.io/load-balancer-type", "Internal"))),
                    at(today, "spec", "values"), "today's release exactly as the plan says it runs");
            assertNull(at(today, "spec", "dependsOn"));

            Map<String, Object> next = gatewayRelease(objects, "istio-ingress-1-27-3");
            assertEquals("1.27.3", at(next, "spec", "chart", "spec", "version"));
            assertEquals("istio-ingress-1-27-3", at(next, "spec", "releaseName"));
            assertEquals("1-27-3", at(next, "spec", "values", "revision"));
            assertEquals(0, at(next, "spec", "values", "replicaCount"));
            assertEquals(false, at(next, "spec", "values", "autoscaling", "enabled"));
            assertEquals(2, at(next, "spec", "values", "autoscaling", "minReplicas"), "today's values carried over");
            assertEquals("None", at(next, "spec", "values", "service", "type"), "today's release keeps the only Service");
            assertEquals(Map.of("app", "istio-ingress", "istio", "ingress"), at(next, "spec", "values", "labels"),
                    "the selector labels today's Service selects (chart defaults for release istio-ingress)");
            assertEquals(Map.of("create", false, "name", "istio-ingress"), at(next, "spec", "values", "serviceAccount"));
            assertEquals(false, at(next, "spec", "values", "rbac", "enabled"), "today's Role is named after the account");
            assertEquals(Map.of(), at(next, "spec", "values", "podDisruptionBudget"), "one budget per pod: eviction refuses two");
            // The new istiod first (it injects the pods); today's gateway release too, so that rolling the wave back scales
            // today's up before this one down (helm-controller checkDependencies: Ready at the latest generation).
            assertEquals(List.of(Map.of("name", "istiod-1-27-3", "namespace", "istio-system"),
                    Map.of("name", "istio-ingress", "namespace", "istio-ingress")), at(next, "spec", "dependsOn"));
        }

        @Test
        @SuppressWarnings("unchecked")
        void firstWaveScalesTheNewReleaseUpAndTodaysDownAfterIt() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "01-canary"));
            Map<String, Object> next = gatewayRelease(objects, "istio-ingress-1-27-3");
            Map<String, Object> values = (Map<String, Object>) at(next, "spec", "values");
            assertFalse(values.containsKey("replicaCount"), "today's replica settings: none, the chart's default: " + values);
            assertEquals(Map.of("minReplicas", 2), values.get("autoscaling"), "autoscaling.enabled back to the chart's default (true)");
            assertEquals(List.of(Map.of("name", "istiod-1-27-3", "namespace", "istio-system")), at(next, "spec", "dependsOn"),
                    "no cycle: the new release no longer waits for today's");

            Map<String, Object> today = gatewayRelease(objects, "istio-ingress");
            assertEquals(0, at(today, "spec", "values", "replicaCount"));
            assertEquals(false, at(today, "spec", "values", "autoscaling", "enabled"));
            assertEquals("1.26.5", at(today, "spec", "chart", "spec", "version"), "today's release is scaled, not upgraded");
            assertEquals(List.of(Map.of("name", "istio-ingress-1-27-3", "namespace", "istio-ingress")), at(today, "spec", "dependsOn"));
            assertEquals(gatewayRelease(objects, "istio-ingress"), gatewayRelease(build(cluster.resolve(STAGES + "02-apps")), "istio-ingress"),
                    "later waves keep the gateway where the first one put it");
        }

        @Test
        void cleanupKeepsTodaysGatewayReleaseWhichOwnsTheService() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "04-cleanup"));
            assertEquals(0, at(gatewayRelease(objects, "istio-ingress"), "spec", "values", "replicaCount"));
            assertTrue(find(objects, "HelmRelease", "istio-ingress", "istio-ingress-1-27-3").isPresent());
            assertFalse(find(objects, "HelmRelease", null, "istiod-1-26-5").isPresent());
        }

        /**
         * Argo CD: the same releases as Applications in Argo CD's namespace, deploying into the gateway's namespace; the wave
         * patches valuesObject, and sync waves order the new release (2) before today's (3). Argo CD waits for an
         * Application's health between waves only where its health check is enabled (argo-cd docs, sync-waves).
         */
        @Test
        void withArgoCdTheWavePatchesTheApplicationsValuesInOrder(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
            Path plan = java.nio.file.Files.writeString(tmp.resolve("plan.yaml"), java.nio.file.Files.readString(
                    Path.of("examples/helm-gateway/plan.yaml")).replace("controller: flux", "controller: argocd"));
            dev.meshwave.testing.Cli.Result render = dev.meshwave.testing.Cli.run("render", plan.toString(), "--out", tmp.resolve("out").toString());
            assertEquals(0, render.exitCode(), render::toString);
            Path argo = tmp.resolve("out/clusters/store-0042/mesh");
            Map<String, Object> before = application(Kustomize.build(argo.resolve(STAGES + "00-control-plane")), "istio-ingress-1-27-3");
            assertEquals("istio-ingress", at(before, "spec", "destination", "namespace"));
            assertEquals("gateway", at(before, "spec", "source", "chart"));
            assertEquals(0, at(before, "spec", "source", "helm", "valuesObject", "replicaCount"));
            assertEquals("2", at(before, "metadata", "annotations", "argocd.argoproj.io/sync-wave"));
            assertNull(at(before, "spec", "ignoreDifferences"), "a gateway release has no webhooks to ignore");

            List<Map<String, Object>> wave = Kustomize.build(argo.resolve(STAGES + "01-canary"));
            Map<String, Object> next = application(wave, "istio-ingress-1-27-3");
            assertFalse(((Map<?, ?>) at(next, "spec", "source", "helm", "valuesObject")).containsKey("replicaCount"));
            assertEquals("2", at(next, "metadata", "annotations", "argocd.argoproj.io/sync-wave"));
            Map<String, Object> today = application(wave, "istio-ingress");
            assertEquals(0, at(today, "spec", "source", "helm", "valuesObject", "replicaCount"));
            assertEquals(false, at(today, "spec", "source", "helm", "valuesObject", "autoscaling", "enabled"));
            assertEquals("3", at(today, "metadata", "annotations", "argocd.argoproj.io/sync-wave"));
        }

        private static Map<String, Object> application(List<Map<String, Object>> objects, String name) {
            return find(objects, "Application", "argocd", name).orElseThrow(() -> new AssertionError("no Application " + name));
        }

        private static Map<String, Object> gatewayRelease(List<Map<String, Object>> objects, String name) {
            return find(objects, "HelmRelease", "istio-ingress", name).orElseThrow(() -> new AssertionError("no HelmRelease " + name));
        }
    }

    @Nested
    class HelmArgoCd {
        /** examples/helm-argocd: from the non-revisioned release istiod at 1.23.4, to 1.24.3 (revision 1-24-3), no tags. */
        private final Path cluster = Path.of("golden/helm-argocd/clusters/prod-eu/mesh");

        @Test
        void controlPlaneStageHoldsBaseTodaysReleaseUnchangedAndTheNewReleaseBesideIt() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "00-control-plane"));
            Map<String, Object> base = application(objects, "istio-base");
            assertSource(base, "base", "1.24.3", "istio-base");
            assertEquals("default", at(base, "spec", "source", "helm", "valuesObject", "defaultRevision"),
                    "the non-revisioned istiod is the default revision (base chart values.yaml default \"default\")");
            // Today's non-revisioned release: upstream's install guide names it istiod, revision "" (istiod chart values.yaml).
            Map<String, Object> today = application(objects, "istiod");
            assertSource(today, "istiod", "1.23.4", "istiod");
            assertEquals("", at(today, "spec", "source", "helm", "valuesObject", "revision"));
            Map<String, Object> next = application(objects, "istiod-1-24-3");
            assertSource(next, "istiod", "1.24.3", "istiod-1-24-3");
            assertEquals("1-24-3", at(next, "spec", "source", "helm", "valuesObject", "revision"));

            // Sync waves: lower waves apply first within one sync (Argo CD user-guide/sync-waves.md): base before istiod.
            assertEquals("0", at(base, "metadata", "annotations", "argocd.argoproj.io/sync-wave"));
            assertEquals("1", at(today, "metadata", "annotations", "argocd.argoproj.io/sync-wave"));
            assertEquals("1", at(next, "metadata", "annotations", "argocd.argoproj.io/sync-wave"));
            for (Map<String, Object> application : List.of(base, today, next)) {
                String name = (String) at(application, "metadata", "name");
                assertEquals("argoproj.io/v1alpha1", application.get("apiVersion"));
                // Only with this finalizer does deleting an Application delete its resources (Argo CD app-deletion docs, §0.10).
                assertEquals(List.of("resources-finalizer.argocd.argoproj.io"), at(application, "metadata", "finalizers"), name);
                // automated sync and prune are off unless set (Argo CD application.yaml reference): without them no stage's
                // change of an Application would reach the cluster, and cleanup would leave today's release running.
                assertEquals(true, at(application, "spec", "syncPolicy", "automated", "prune"), name);
                assertEquals(Map.of("server", "https://kubernetes.default.svc", "namespace", "istio-system"),
                        at(application, "spec", "destination"), name);
                // istiod writes caBundle and flips validators' failurePolicy (istio/istio#44285, #52785): ignored, and
                // RespectIgnoreDifferences=true so that a sync does not undo it (Argo CD sync-options.md).
                assertEquals(List.of(
                        Map.of("group", "admissionregistration.k8s.io", "kind", "ValidatingWebhookConfiguration",
                                "jqPathExpressions", List.of(".webhooks[]?.clientConfig.caBundle", ".webhooks[]?.failurePolicy")),
                        Map.of("group", "admissionregistration.k8s.io", "kind", "MutatingWebhookConfiguration",
                                "jqPathExpressions", List.of(".webhooks[]?.clientConfig.caBundle"))),
                        at(application, "spec", "ignoreDifferences"), name);
                assertEquals(List.of("RespectIgnoreDifferences=true"), at(application, "spec", "syncPolicy", "syncOptions"), name);
            }
            for (String namespace : List.of("frontend", "checkout", "payments")) {
                assertEquals(Map.of("istio-injection", "enabled"), labels(find(objects, "Namespace", null, namespace).orElseThrow()),
                        namespace + " keeps today's label");
            }
            assertEquals(3 + 3, objects.size(), "namespaces and three Applications; no tag webhook before finalize");
        }

        @Test
        void wavesRelabelNamespaces() {
            List<Map<String, Object>> canary = build(cluster.resolve(STAGES + "01-canary"));
            assertNamespaceLabels(canary, "frontend", "1-24-3");
            assertEquals(Map.of("istio-injection", "enabled"), labels(find(canary, "Namespace", null, "checkout").orElseThrow()));
            List<Map<String, Object>> apps = build(cluster.resolve(STAGES + "02-apps"));
            for (String namespace : List.of("frontend", "checkout", "payments")) {
                // istio-injection removed: it would win over istio.io/rev (rev webhooks require istio-injection DoesNotExist).
                assertNamespaceLabels(apps, namespace, "1-24-3");
            }
        }

        @Test
        void finalizeMovesTheBaseApplicationsDefaultRevisionAndTheDefaultTag() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "03-finalize"));
            Map<String, Object> base = application(objects, "istio-base");
            assertEquals("1-24-3", at(base, "spec", "source", "helm", "valuesObject", "defaultRevision"));
            assertSource(base, "base", "1.24.3", "istio-base");
            assertEquals(List.of("resources-finalizer.argocd.argoproj.io"), at(base, "metadata", "finalizers"), "the patch keeps it");
            assertTagWebhook(objects, "default", "1-24-3");
            assertTrue(find(objects, "Application", "argocd", "istiod").isPresent(), "today's release stays until cleanup");
        }

        /** Deleting an Application with resources-finalizer.argocd.argoproj.io deletes its resources (research §0.10). */
        @Test
        void cleanupLeavesTodaysApplicationOutOfTheBuild() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "04-cleanup"));
            assertFalse(find(objects, "Application", null, "istiod").isPresent(), "Application istiod must be gone: " + objects);
            assertSource(application(objects, "istiod-1-24-3"), "istiod", "1.24.3", "istiod-1-24-3");
            assertEquals("1-24-3", at(application(objects, "istio-base"), "spec", "source", "helm", "valuesObject", "defaultRevision"));
            assertEquals(3 + 2 + 1, objects.size(), "namespaces, base and the new release, the default tag");
        }

        /**
         * Rolling cleanup back = pointing the live kustomization at finalize: today's release comes back as finalize
         * left it, which is stage 00's but for one value. Finalize tells this non-revisioned release to render no
         * injector webhook ({@code global.operatorManageWebhooks: true}; istiod chart mutatingwebhook.yaml renders
         * none then), so that its istio-sidecar-injector and the default tag never both match istio-injection=enabled.
         */
        @Test
        @SuppressWarnings("unchecked")
        void rollingBackCleanupBringsTodaysApplicationBackAsFinalizeLeftIt() {
            Map<String, Object> today = application(build(cluster.resolve(STAGES + "03-finalize")), "istiod");
            assertSource(today, "istiod", "1.23.4", "istiod");
            Map<String, Object> global = (Map<String, Object>) at(today, "spec", "source", "helm", "valuesObject", "global");
            assertEquals(true, global.remove("operatorManageWebhooks"), "finalize turns the release's injector webhook off");
            assertEquals(application(build(cluster.resolve(STAGES + "00-control-plane")), "istiod"), today,
                    "apart from that, stage 00's Application unchanged");
            assertEquals(null, at(application(build(cluster.resolve(STAGES + "02-apps")), "istiod"), "spec", "source", "helm",
                    "valuesObject", "global", "operatorManageWebhooks"), "the waves leave the release as it is");
        }

        private static void assertSource(Map<String, Object> application, String chart, String version, String release) {
            // Argo CD Helm source: repoURL + chart + targetRevision (the chart version) + helm.releaseName (default: app name).
            assertEquals("https://istio-release.storage.googleapis.com/charts", at(application, "spec", "source", "repoURL"));
            assertEquals(chart, at(application, "spec", "source", "chart"));
            assertEquals(version, at(application, "spec", "source", "targetRevision"));
            assertEquals(release, at(application, "spec", "source", "helm", "releaseName"));
        }

        private static Map<String, Object> application(List<Map<String, Object>> objects, String name) {
            return find(objects, "Application", "argocd", name).orElseThrow(() -> new AssertionError("no Application " + name));
        }
    }

    @Nested
    class Sail {
        /** examples/sail: Istio default, from IstioRevision default-v1-24-3 to v1.25.2, tag prod-stable → wave apps. */
        private final Path cluster = Path.of("golden/sail/clusters/ocp-1/mesh");
        /** RevisionBased: IstioRevision name = <Istio name>-<spec.version with . → -> (sail-operator istio_controller.go). */
        private static final String OLD = "default-v1-24-3";
        private static final String NEW = "default-v1-25-2";

        @Test
        void controlPlaneStageSetsTheNewVersionRevisionBasedWithALongGracePeriod() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "00-control-plane"));
            Map<String, Object> istio = istio(objects);
            assertEquals("sailoperator.io/v1", istio.get("apiVersion"));
            assertNull(at(istio, "metadata", "namespace"), "Istio is cluster-scoped (+kubebuilder:resource:scope=Cluster)");
            assertEquals("v1.25.2", at(istio, "spec", "version"), "spec.version carries the v (sail docs/README.adoc)");
            assertEquals("istio-system", at(istio, "spec", "namespace"));
            // RevisionBased keeps the old IstioRevision beside the new (default InPlace would upgrade in place).
            assertEquals("RevisionBased", at(istio, "spec", "updateStrategy", "type"));
            // Sail's default grace period is 30 s; the plan's default 30 days keeps the old revision until cleanup.
            assertEquals(2592000, at(istio, "spec", "updateStrategy", "inactiveRevisionDeletionGracePeriodSeconds"));
            for (String namespace : List.of("frontend", "checkout", "payments")) {
                assertNamespaceLabels(objects, namespace, OLD);
            }
            assertRevisionTag(objects, "prod-stable", OLD);
            assertFalse(find(objects, "MutatingWebhookConfiguration", null, "istio-revision-tag-prod-stable").isPresent(),
                    "with Sail the IstioRevisionTag renders the tag's webhook; Git holds no second one");
            assertEquals(3 + 1 + 1, objects.size(), "namespaces, Istio, IstioRevisionTag prod-stable");
        }

        @Test
        void wavesRelabelNamespacesAndMoveTheTagToTheNewIstioRevision() {
            List<Map<String, Object>> canary = build(cluster.resolve(STAGES + "01-canary"));
            assertNamespaceLabels(canary, "frontend", NEW);
            assertNamespaceLabels(canary, "checkout", OLD);
            assertRevisionTag(canary, "prod-stable", OLD);
            List<Map<String, Object>> apps = build(cluster.resolve(STAGES + "02-apps"));
            for (String namespace : List.of("frontend", "checkout", "payments")) {
                assertNamespaceLabels(apps, namespace, NEW);
            }
            assertRevisionTag(apps, "prod-stable", NEW);
            for (List<Map<String, Object>> stage : List.of(canary, apps)) {
                assertEquals(2592000, at(istio(stage), "spec", "updateStrategy", "inactiveRevisionDeletionGracePeriodSeconds"));
            }
        }

        @Test
        void finalizeAddsTheDefaultIstioRevisionTag() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "03-finalize"));
            // Tag default also serves istio-injection=enabled and installs the default validator (istiorevisiontag_controller.go).
            assertRevisionTag(objects, "default", NEW);
            assertEquals(2592000, at(istio(objects), "spec", "updateStrategy", "inactiveRevisionDeletionGracePeriodSeconds"));
        }

        /** Sail deletes a non-active IstioRevision no pod uses once the grace period passed (getPruningGracePeriod). */
        @Test
        void cleanupRestoresSailsThirtySecondGracePeriodAndKeepsEverythingElse() {
            List<Map<String, Object>> objects = build(cluster.resolve(STAGES + "04-cleanup"));
            Map<String, Object> istio = istio(objects);
            assertEquals(30, at(istio, "spec", "updateStrategy", "inactiveRevisionDeletionGracePeriodSeconds"));
            assertEquals("RevisionBased", at(istio, "spec", "updateStrategy", "type"));
            assertEquals("v1.25.2", at(istio, "spec", "version"));
            assertRevisionTag(objects, "default", NEW);
            assertRevisionTag(objects, "prod-stable", NEW);
        }

        @Test
        void rollingBackCleanupRestoresTheLongGracePeriod() {
            assertEquals(2592000, at(istio(build(cluster.resolve(STAGES + "03-finalize"))), "spec", "updateStrategy",
                    "inactiveRevisionDeletionGracePeriodSeconds"));
        }

        /**
         * A tag of kind Istio follows status.activeRevisionName, so it would move the moment stage 00 changes the version
         * (istiorevisiontag_controller.go getIstioRevision): every stage's tags name an IstioRevision.
         */
        @Test
        void noStageHasATagFollowingTheIstioObject() {
            for (String stage : List.of("00-control-plane", "01-canary", "02-apps", "03-finalize", "04-cleanup")) {
                for (Map<String, Object> tag : build(cluster.resolve(STAGES + stage)).stream()
                        .filter(o -> "IstioRevisionTag".equals(o.get("kind"))).toList()) {
                    assertEquals("IstioRevision", at(tag, "spec", "targetRef", "kind"), stage);
                    assertTrue(List.of(OLD, NEW).contains(at(tag, "spec", "targetRef", "name")), stage + ": " + tag);
                }
            }
        }

        private static Map<String, Object> istio(List<Map<String, Object>> objects) {
            return find(objects, "Istio", null, "default").orElseThrow(() -> new AssertionError("no Istio default"));
        }

        private static void assertRevisionTag(List<Map<String, Object>> objects, String tag, String revision) {
            Map<String, Object> object = find(objects, "IstioRevisionTag", null, tag).orElseThrow(() -> new AssertionError("no tag " + tag));
            assertEquals("sailoperator.io/v1", object.get("apiVersion"));
            assertEquals(Map.of("kind", "IstioRevision", "name", revision), at(object, "spec", "targetRef"), tag);
        }
    }

    private static void assertNamespaceLabels(List<Map<String, Object>> objects, String namespace, String revision) {
        Map<String, Object> ns = find(objects, "Namespace", null, namespace).orElseThrow(() -> new AssertionError("no Namespace " + namespace));
        assertEquals(Map.of("istio.io/rev", revision), labels(ns), "labels of namespace " + namespace);
    }

    /** meshwave's tag webhook (Helm: no release sets revisionTags, docs/delivery.md): at the revision's Service. */
    private static void assertTagWebhook(List<Map<String, Object>> objects, String tag, String revision) {
        Map<String, Object> webhook = find(objects, "MutatingWebhookConfiguration", null, "istio-revision-tag-" + tag)
                .orElseThrow(() -> new AssertionError("no tag " + tag));
        assertEquals(revision, labels(webhook).get("istio.io/rev"), tag);
        for (Object hook : (List<?>) webhook.get("webhooks")) {
            assertEquals("istiod-" + revision, at(hook, "clientConfig", "service", "name"), tag);
        }
    }

    private static final Map<Path, String> BUILT = new ConcurrentHashMap<>();

    private static String buildText(Path dir) {
        return BUILT.computeIfAbsent(dir.toAbsolutePath().normalize(), Kustomize::buildText);
    }

    private static List<Map<String, Object>> build(Path dir) {
        return Kustomize.objects(buildText(dir));
    }
}
