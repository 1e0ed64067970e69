package dev.meshwave.render;

import static dev.meshwave.testing.Kustomize.at;
import static dev.meshwave.testing.Kustomize.find;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.Plan;
import dev.meshwave.testing.Kustomize;
import dev.meshwave.testing.Plans;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Helm or Sail plan with a chart values file and an IstioOperator overlay: the translated values reach
 * both istiod HelmReleases (each with its own revision) and Sail's {@code Istio} object, meshwave's keys
 * win, and stage 00 builds with the real {@code kubectl kustomize}.
 */
class ChartValuesRenderIT {

    private static final String VALUES = """
            pilot:
              autoscaleEnabled: false
            meshConfig:
              accessLogFile: /dev/stdout
            """;

    private static final String OVERLAY = """
            apiVersion: install.istio.io/v1alpha1
            kind: IstioOperator
            spec:
              hub: registry.example.com/istio
              meshConfig:
                enableTracing: true
              components:
                pilot:
                  k8s:
                    resources:
                      requests: {cpu: 750m}
            """;

    @TempDir
    Path dir;

    private List<Map<String, Object>> stage00(String plan) throws Exception {
        Files.writeString(dir.resolve("values.yaml"), VALUES);
        Files.writeString(dir.resolve("tuning.yaml"), OVERLAY);
        Plan loaded = Plans.load(dir, plan);
        RenderedTree tree = new Renderer(Templates.builtIn()).render(loaded, Renderer.LiveStages.first());
        Path out = dir.resolve("out");
        for (Map.Entry<String, byte[]> file : tree.files().entrySet()) {
            Path path = out.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.write(path, file.getValue());
        }
        return Kustomize.build(out.resolve("clusters/c1/stages/00-control-plane"));
    }

    /** What the values file and the overlay say, translated, with the cluster's fact meshwave adds. */
    private static Map<String, Object> expected(String revision) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (revision != null) {
            values.put("revision", revision);
        }
        values.put("pilot", Map.of("autoscaleEnabled", false, "resources", Map.of("requests", Map.of("cpu", "750m"))));
        values.put("meshConfig", Map.of("accessLogFile", "/dev/stdout", "enableTracing", true));
        values.put("global", Map.of("hub", "registry.example.com/istio", "multiCluster", Map.of("clusterName", "c1")));
        return values;
    }

    @Test
    void bothIstiodHelmReleasesCarryTheTranslatedValues() throws Exception {
        List<Map<String, Object>> objects = stage00("""
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: values
                spec:
                  from:
                    revision: 1-26-0
                    version: 1.26.0
                  to:
                    version: 1.27.1
                    install: helm
                    helm:
                      controller: flux
                      values: values.yaml
                    overlays: [tuning.yaml]
                  clusters:
                    - name: c1
                      path: clusters/c1
                  waves:
                    - name: first
                      namespaces: [a]
                """);
        Map<String, Object> release = find(objects, "HelmRelease", "istio-system", "istiod-1-27-1").orElseThrow();
        assertEquals(expected("1-27-1"), at(release, "spec", "values"));
        // Today's release keeps today's values (the values file alone): the overlay and to.hub are the new revision's,
        // and a stage 00 that changed them would upgrade the running istiod in place, defeating the canary.
        Map<String, Object> today = find(objects, "HelmRelease", "istio-system", "istiod-1-26-0").orElseThrow();
        assertEquals(Map.of("revision", "1-26-0", "pilot", Map.of("autoscaleEnabled", false),
                "meshConfig", Map.of("accessLogFile", "/dev/stdout"), "global", Map.of("multiCluster", Map.of("clusterName", "c1"))),
                at(today, "spec", "values"));
        Map<String, Object> base = find(objects, "HelmRelease", "istio-system", "istio-base").orElseThrow();
        assertEquals(Map.of("defaultRevision", "1-26-0"), at(base, "spec", "values"), "the base release takes none of istiod's values");
    }

    @Test
    void argoCdApplicationsCarryThemAsValuesObject() throws Exception {
        List<Map<String, Object>> objects = stage00("""
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: values
                spec:
                  from:
                    revision: 1-26-0
                    version: 1.26.0
                  to:
                    version: 1.27.1
                    install: helm
                    helm:
                      controller: argocd
                      values: values.yaml
                    overlays: [tuning.yaml]
                  clusters:
                    - name: c1
                      path: clusters/c1
                  waves:
                    - name: first
                      namespaces: [a]
                """);
        Map<String, Object> application = find(objects, "Application", "argocd", "istiod-1-27-1").orElseThrow();
        assertEquals(expected("1-27-1"), at(application, "spec", "source", "helm", "valuesObject"));
    }

    @Test
    void sailsIstioObjectCarriesThemAsSpecValues() throws Exception {
        List<Map<String, Object>> objects = stage00("""
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: values
                spec:
                  from:
                    revision: default-v1-26-0
                    version: 1.26.0
                  to:
                    version: 1.27.1
                    install: sail
                    sail:
                      values: values.yaml
                    overlays: [tuning.yaml]
                  clusters:
                    - name: c1
                      path: clusters/c1
                  waves:
                    - name: first
                      namespaces: [a]
                """);
        Map<String, Object> istio = find(objects, "Istio", null, "default").orElseThrow();
        assertEquals(expected(null), at(istio, "spec", "values"), "Sail sets values.revision itself");
        assertEquals("v1.27.1", at(istio, "spec", "version"));
        assertTrue(Files.readString(dir.resolve("out/clusters/c1/control-plane/istio.yaml")).contains("clusterName: \"c1\""),
                "the cluster's facts stay quoted as before");
    }
}
