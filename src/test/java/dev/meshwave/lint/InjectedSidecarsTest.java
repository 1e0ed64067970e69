package dev.meshwave.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.ManifestFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Workloads committed as istioctl kube-inject writes them (istio/istio@1.28.10 pkg/kube/inject/inject.go
 * IntoObject, webhook.go applyMetadata): a container istio-proxy, in containers or as a native sidecar in
 * initContainers, and the sidecar.istio.io/status annotation; for a CronJob on spec.jobTemplate.metadata.
 */
class InjectedSidecarsTest {

    private static List<InjectionRules.Hit> check(String yaml) throws ManifestFile.UnreadableException {
        List<InjectionRules.Hit> hits = new ArrayList<>();
        // Through InjectionRules, as lint runs it: the rule must be part of the checks of objects applied together.
        hits.addAll(InjectionRules.check(ManifestFile.read("w.yaml", yaml.getBytes(StandardCharsets.UTF_8), 1 << 20), new ArrayList<>()));
        return hits;
    }

    private static String deployment(String kind, String podSpec) {
        return "apiVersion: apps/v1\nkind: " + kind + "\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n"
                + "    spec:\n" + podSpec;
    }

    @Test
    void aProxyContainerIsReportedAtItsNameWithItsImageAndRevision() throws Exception {
        String yaml = deployment("StatefulSet", "      containers:\n      - name: web\n        image: web:1\n      - image: proxyv2:1.22.9\n"
                + "        name: istio-proxy\n").replace("      labels: {app: web}\n", "      labels: {app: web}\n      annotations:\n"
                + "        sidecar.istio.io/status: '{\"containers\":[\"istio-proxy\"],\"revision\":\"asm-1229-3\"}'\n");
        List<InjectionRules.Hit> hits = check(yaml);
        assertEquals(1, hits.size(), hits::toString);
        assertEquals(Rule.INJECTED_SIDECAR_IN_MANIFEST, hits.get(0).rule());
        assertEquals("w.yaml:16:9", hits.get(0).position().toString());
        assertTrue(hits.get(0).message().startsWith("StatefulSet 'web' carries an injected sidecar (container istio-proxy, image proxyv2:1.22.9,"
                + " revision asm-1229-3, sidecar.istio.io/status) in its manifest"), hits::toString);
    }

    @Test
    void aNativeSidecarInInitContainersIsFoundInEveryWorkloadKind() throws Exception {
        String pod = "      initContainers:\n      - name: istio-proxy\n        image: proxyv2:1.28.1\n        restartPolicy: Always\n"
                + "      containers:\n      - name: web\n        image: web:1\n";
        for (String kind : List.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job")) {
            List<InjectionRules.Hit> hits = check(deployment(kind, pod));
            assertEquals(1, hits.size(), kind + ": " + hits);
            assertEquals("w.yaml:11:9", hits.get(0).position().toString(), kind);
        }
        String bare = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  initContainers:\n  - name: istio-proxy\n    image: proxyv2:1.28.1\n";
        assertEquals("w.yaml:7:5", check(bare).get(0).position().toString());
    }

    @Test
    void aCronJobCarriesItsStatusOnTheJobTemplate() throws Exception {
        String yaml = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report\nspec:\n  schedule: '@daily'\n  jobTemplate:\n"
                + "    metadata:\n      annotations:\n        sidecar.istio.io/status: '{\"revision\":\"default\"}'\n    spec:\n      template:\n"
                + "        spec:\n          containers:\n          - name: report\n            image: report:1\n";
        List<InjectionRules.Hit> hits = check(yaml);
        assertEquals(1, hits.size(), hits::toString);
        // No proxy container left (someone deleted it): the annotation is where the injection is written.
        assertEquals("w.yaml:10:9", hits.get(0).position().toString());
        assertTrue(hits.get(0).message().startsWith("CronJob 'report' carries the sidecar.istio.io/status annotation of an injected sidecar"
                + " (revision default)"), hits::toString);
    }

    /** istio/istio@1.28.10 manifests/charts/gateway/templates/deployment.yaml: a gateway's istio-proxy with image auto. */
    @Test
    void aCustomizedProxyIsReportedOnlyWhenItPinsAnImage() throws Exception {
        String gateway = "      containers:\n      - name: istio-proxy\n        image: auto\n";
        assertEquals(List.of(), check(deployment("Deployment", gateway)));
        assertEquals(List.of(), check(deployment("Deployment", "      containers:\n      - name: istio-proxy\n        resources: {}\n")));
        List<InjectionRules.Hit> hits = check(deployment("Deployment", gateway.replace("image: auto", "image: proxyv2:1.22.9")));
        assertEquals(1, hits.size(), hits::toString);
        assertEquals("w.yaml:11:9", hits.get(0).position().toString());
        assertTrue(hits.get(0).message().startsWith("Deployment 'web' sets the image of its istio-proxy container to proxyv2:1.22.9 in its"
                + " manifest: an injector keeps a pod's own istio-proxy fields over its template"), hits::toString);
    }

    @Test
    void workloadsWithoutAnInjectedSidecarAndOtherKindsAreNoFinding() throws Exception {
        assertEquals(List.of(), check(deployment("Deployment", "      containers:\n      - name: web\n        image: web:1\n")));
        // A Service or ConfigMap mentioning istio-proxy is no workload.
        assertEquals(List.of(), check("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n"
                + "      containers:\n      - name: istio-proxy\n"));
    }
}
