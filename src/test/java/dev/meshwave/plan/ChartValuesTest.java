package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The istiod chart values a Helm or Sail plan gets from its values file, its IstioOperator overlays and its
 * {@code to.hub} / {@code to.profile}, and each refusal at the {@code file:line:col} of what says it.
 */
class ChartValuesTest {

    private static final String IOP = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n";

    @TempDir
    Path dir;

    /** A Helm plan from 1.26.0 to 1.27.1; {@code to} is the lines below install and helm (values, overlays, hub, profile). */
    private String helmPlan(String fromVersion, String toVersion, String to) {
        return """
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: demo
                spec:
                  from:
                    revision: 1-%s
                    version: %s
                  to:
                    version: %s
                    install: helm
                    helm:
                      controller: flux
                %s  clusters:
                    - name: c1
                      path: clusters/c1
                  waves:
                    - name: first
                      namespaces: [a]
                """.formatted(fromVersion.replace('.', '-'), fromVersion, toVersion, to);
    }

    private Plan load(String plan, Map<String, String> files) throws InvalidPlanException, IOException {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue());
        }
        Path planFile = dir.resolve("plan.yaml");
        Files.writeString(planFile, plan);
        return new PlanLoader(PlanSchema.load()).load(planFile).plan();
    }

    /** The values of a 1.26.0 → 1.27.1 Helm plan with a values file and overlays o1.yaml, o2.yaml, …. */
    private Map<String, Object> values(String valuesFile, String... overlays) throws Exception {
        return load(plan(valuesFile, overlays), files(valuesFile, overlays)).to().chartValues().toMap();
    }

    private String plan(String valuesFile, String... overlays) {
        StringBuilder to = new StringBuilder();
        if (valuesFile != null) {
            to.append("      values: values.yaml\n");
        }
        if (overlays.length > 0) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= overlays.length; i++) {
                names.add("o" + i + ".yaml");
            }
            to.append("    overlays: [").append(String.join(", ", names)).append("]\n");
        }
        return helmPlan("1.26.0", "1.27.1", to.toString());
    }

    private static Map<String, String> files(String valuesFile, String... overlays) {
        Map<String, String> files = new LinkedHashMap<>();
        if (valuesFile != null) {
            files.put("values.yaml", valuesFile);
        }
        for (int i = 0; i < overlays.length; i++) {
            files.put("o" + (i + 1) + ".yaml", overlays[i]);
        }
        return files;
    }

    /** The problems of a plan that must be refused, as printed. */
    private List<String> problems(String plan, Map<String, String> files) {
        InvalidPlanException e = assertThrows(InvalidPlanException.class, () -> load(plan, files));
        return e.problems().stream().map(Problem::toString).toList();
    }

    private List<String> overlayProblems(String... overlays) {
        return problems(plan(null, overlays), files(null, overlays));
    }

    private void assertRefused(List<String> problems, String file, String at, String fragment) {
        String prefix = dir.resolve(file) + ":" + at + ": ";
        assertEquals(1, problems.size(), () -> "one problem: " + problems);
        assertTrue(problems.get(0).startsWith(prefix), () -> "expected " + prefix + "…, was " + problems.get(0));
        assertTrue(problems.get(0).contains(fragment), () -> "expected '" + fragment + "' in " + problems.get(0));
    }

    private static Object at(Map<String, Object> values, String... path) {
        Object node = values;
        for (String key : path) {
            node = ((Map<?, ?>) node).get(key);
        }
        return node;
    }

    @Nested
    class Mapping {

        @Test
        void theValuesFileIsTakenVerbatim() throws Exception {
            Map<String, Object> values = values("""
                    pilot:
                      resources:
                        requests:
                          cpu: 500m
                    meshConfig:
                      accessLogFile: /dev/stdout
                    """);
            assertEquals("{pilot={resources={requests={cpu=500m}}}, meshConfig={accessLogFile=/dev/stdout}}", values.toString());
        }

        @Test
        void hubTagMeshConfigAndCompatibilityVersionAreTheChartsGlobalAndTopLevelValues() throws Exception {
            Map<String, Object> values = values(null, IOP + """
                      hub: registry.example.com/istio
                      tag: 1.27.1-distroless
                      compatibilityVersion: "1.26"
                      meshConfig:
                        enableTracing: true
                    """);
            assertEquals("{global={hub=registry.example.com/istio, tag=1.27.1-distroless}, compatibilityVersion=1.26,"
                    + " meshConfig={enableTracing=true}}", values.toString());
        }

        @Test
        void pilotK8sSettingsBecomeThePilotValues() throws Exception {
            Map<String, Object> values = values(null, IOP + """
                      components:
                        pilot:
                          hub: mirror.example.com/istio
                          k8s:
                            resources:
                              requests: {cpu: "1", memory: 4Gi}
                            env:
                              - name: PILOT_TRACE_SAMPLING
                                value: "5"
                              - name: TOKEN
                                valueFrom:
                                  secretKeyRef: {name: t, key: k}
                            hpaSpec:
                              minReplicas: 2
                              maxReplicas: 6
                            replicaCount: 2
                            nodeSelector: {pool: system}
                            tolerations: [{key: dedicated, operator: Exists}]
                            affinity: {podAntiAffinity: {}}
                            podAnnotations: {a: b}
                            serviceAnnotations: {c: d}
                            priorityClassName: system-cluster-critical
                    """);
            assertEquals(Map.of("hub", "mirror.example.com/istio"), Map.of("hub", at(values, "pilot", "hub")));
            assertEquals(Map.of("cpu", "1", "memory", "4Gi"), at(values, "pilot", "resources", "requests"));
            assertEquals(Map.of("PILOT_TRACE_SAMPLING", "5"), at(values, "pilot", "env"));
            assertEquals(List.of(Map.of("name", "TOKEN", "valueFrom", Map.of("secretKeyRef", Map.of("name", "t", "key", "k")))),
                    at(values, "pilot", "envVarFrom"));
            assertEquals(2, at(values, "pilot", "autoscaleMin"));
            assertEquals(6, at(values, "pilot", "autoscaleMax"));
            assertEquals(2, at(values, "pilot", "replicaCount"));
            assertEquals(Map.of("pool", "system"), at(values, "pilot", "nodeSelector"));
            assertEquals(List.of(Map.of("key", "dedicated", "operator", "Exists")), at(values, "pilot", "tolerations"));
            assertEquals(Map.of("podAntiAffinity", Map.of()), at(values, "pilot", "affinity"));
            assertEquals(Map.of("a", "b"), at(values, "pilot", "podAnnotations"));
            assertEquals(Map.of("c", "d"), at(values, "pilot", "serviceAnnotations"));
            assertEquals("system-cluster-critical", at(values, "global", "priorityClassName"));
        }

        @Test
        void anOverlaysValuesWinOverWhatItsApiFieldsSay() throws Exception {
            Map<String, Object> values = values(null, IOP + """
                      hub: a.example.com
                      values:
                        global:
                          hub: b.example.com
                          proxy: {privileged: true}
                    """);
            assertEquals("{global={hub=b.example.com, proxy={privileged=true}}}", values.toString());
        }

        @Test
        void laterOverlaysWinAndMappingsMergeOverTheValuesFile() throws Exception {
            Map<String, Object> values = values("""
                    global:
                      logging: {level: "default:info"}
                    pilot:
                      tolerations: [{key: a}]
                    """, IOP + """
                      values:
                        global:
                          logAsJson: true
                        pilot:
                          tolerations: [{key: b}]
                    """, IOP + """
                      values:
                        global:
                          logAsJson: false
                    """);
            assertEquals("{global={logging={level=default:info}, logAsJson=false}, pilot={tolerations=[{key=b}]}}", values.toString());
        }

        @Test
        void thePlansHubAndProfileComeLast() throws Exception {
            Files.writeString(dir.resolve("o1.yaml"), IOP + "  hub: overlay.example.com\n  profile: demo\n");
            Plan plan = load(helmPlan("1.26.0", "1.27.1", "    hub: plan.example.com\n    profile: ambient\n    overlays: [o1.yaml]\n"),
                    Map.of());
            assertEquals("{global={hub=plan.example.com}, profile=ambient}", plan.to().chartValues().toString());
        }

        @Test
        void theDefaultProfileIsNoChartProfile() throws Exception {
            Files.writeString(dir.resolve("o1.yaml"), IOP + "  profile: stable\n");
            Plan plan = load(helmPlan("1.26.0", "1.27.1", "    profile: default\n    overlays: [o1.yaml]\n"), Map.of());
            assertTrue(plan.to().chartValues().isEmpty(), plan.to().chartValues().toString());
        }

        @Test
        void clusterFactsThatAgreeWithThePlanAreAccepted() throws Exception {
            Map<String, Object> values = values("""
                    global:
                      multiCluster:
                        clusterName: c1
                    """);
            assertEquals("{global={multiCluster={clusterName=c1}}}", values.toString());
        }

        @Test
        void theScriptInstallsItsOverlaysItselfAndGetsNoChartValues() throws Exception {
            Files.writeString(dir.resolve("o1.yaml"), IOP + "  hub: overlay.example.com\n");
            Plan plan = load(dev.meshwave.testing.Plans.BASE.replace("    version: 1.14.0-asm.0\n",
                    "    version: 1.14.0-asm.0\n    overlays: [o1.yaml]\n"), Map.of());
            assertSame(ChartValues.NONE, plan.to().chartValues());
        }

        @Test
        void sailTakesItsValuesFileToo() throws Exception {
            Files.writeString(dir.resolve("values.yaml"), "pilot:\n  autoscaleEnabled: false\n");
            Plan plan = load("""
                    apiVersion: meshwave.dev/v1alpha1
                    kind: UpgradePlan
                    metadata:
                      name: demo
                    spec:
                      from:
                        revision: default-v1-26-0
                        version: 1.26.0
                      to:
                        version: 1.27.1
                        install: sail
                        sail:
                          values: values.yaml
                      clusters:
                        - name: c1
                          path: clusters/c1
                      waves:
                        - name: first
                          namespaces: [a]
                    """, Map.of());
            assertEquals("{pilot={autoscaleEnabled=false}}", plan.to().chartValues().toString());
        }
    }

    @Nested
    class Refusals {

        @Test
        void k8sSettingsTheChartHasNoValueFor() {
            String k8s = IOP + "  components:\n    pilot:\n      k8s:\n";
            assertRefused(overlayProblems(k8s + "        overlays: []\n"), "o1.yaml", "7:9",
                    "spec.components.pilot.k8s.overlays: k8s.overlays patch the objects istioctl rendered");
            assertRefused(overlayProblems(k8s + "        readinessProbe: {}\n"), "o1.yaml", "7:9",
                    "spec.components.pilot.k8s.readinessProbe: components.pilot.k8s.readinessProbe is a patch istioctl applies");
            assertRefused(overlayProblems(k8s + "        service: {}\n"), "o1.yaml", "7:9", "spec.components.pilot.k8s.service:");
            assertRefused(overlayProblems(k8s + "        securityContext: {}\n"), "o1.yaml", "7:9",
                    "spec.components.pilot.k8s.securityContext:");
            assertRefused(overlayProblems(k8s + "        strategy: {type: Recreate}\n"), "o1.yaml", "7:9",
                    "spec.components.pilot.k8s.strategy: the istiod chart has no Deployment strategy value");
            assertRefused(overlayProblems(k8s + "        hpaSpec:\n          metrics: []\n"), "o1.yaml", "8:11",
                    "spec.components.pilot.k8s.hpaSpec.metrics: the istiod chart has no value for hpaSpec.metrics");
        }

        @Test
        void otherComponentsAreOtherCharts() {
            assertRefused(overlayProblems(IOP + "  components:\n    ingressGateways:\n      - name: istio-ingressgateway\n"), "o1.yaml",
                    "5:5", "spec.components.ingressGateways: with install: helm meshwave renders the istiod chart only");
            assertRefused(overlayProblems(IOP + "  components:\n    egressGateways: []\n"), "o1.yaml", "5:5",
                    "spec.components.egressGateways:");
            assertRefused(overlayProblems(IOP + "  components:\n    cni:\n      enabled: true\n"), "o1.yaml", "5:5",
                    "spec.components.cni:");
            assertRefused(overlayProblems(IOP + "  components:\n    ztunnel:\n      enabled: true\n"), "o1.yaml", "5:5",
                    "spec.components.ztunnel:");
        }

        @Test
        void theRevisionIsMeshwaves() {
            assertRefused(overlayProblems(IOP + "  revision: 1-27-1\n"), "o1.yaml", "4:3",
                    "spec.revision: meshwave sets each release's revision");
            assertRefused(overlayProblems(IOP + "  values:\n    revision: x\n"), "o1.yaml", "5:5",
                    "spec.values.revision: meshwave sets each release's revision");
        }

        @Test
        void tagsDefaultRevisionAndNamespaceAreMeshwavesOrTheBaseReleases() {
            assertRefused(overlayProblems(IOP + "  values:\n    revisionTags: [prod]\n"), "o1.yaml", "5:5",
                    "spec.values.revisionTags: meshwave renders the revision tags");
            assertRefused(overlayProblems(IOP + "  values:\n    defaultRevision: x\n"), "o1.yaml", "5:5",
                    "spec.values.defaultRevision: the default revision is the base release's");
            assertRefused(overlayProblems(IOP + "  values:\n    global:\n      istioNamespace: istio-system\n"), "o1.yaml", "6:7",
                    "spec.values.global.istioNamespace: the control plane's namespace is to.helm.namespace");
        }

        @Test
        void theValuesFileCannotSetThemEither() {
            assertRefused(problems(plan("revisionTags: [prod]\n"), files("revisionTags: [prod]\n")), "values.yaml", "1:1",
                    "revisionTags: meshwave renders the revision tags");
            String namespace = "pilot: {}\nglobal:\n  istioNamespace: istio-system\n";
            assertRefused(problems(plan(namespace), files(namespace)), "values.yaml", "3:3",
                    "global.istioNamespace: the control plane's namespace is to.helm.namespace (remove global.istioNamespace from the values file)");
        }

        @Test
        void clusterFactsThatDisagreeWithThePlan() {
            String network = "global:\n  network: net-2\n";
            assertRefused(problems(plan(network), files(network)), "values.yaml", "2:3",
                    "global.network: global.network is 'net-2' but cluster c1 has none (spec.clusters[0].network)");
            assertRefused(overlayProblems(IOP + "  values:\n    global:\n      multiCluster:\n        clusterName: other\n"), "o1.yaml",
                    "7:9", "spec.values.global.multiCluster.clusterName: global.multiCluster.clusterName is 'other' but cluster c1 has 'c1'");
            assertRefused(overlayProblems(IOP + "  values:\n    global:\n      meshID: m2\n"), "o1.yaml", "6:7",
                    "spec.values.global.meshID: global.meshID is 'm2' but cluster c1 has none");
        }

        @Test
        void profilesTheChartDoesNotHave() throws IOException {
            assertRefused(overlayProblems(IOP + "  profile: minimal\n"), "o1.yaml", "4:3",
                    "spec.profile: 'minimal' is not a profile of the istiod chart");
            List<String> plan = problems(helmPlan("1.26.0", "1.27.1", "    profile: asm-multicloud\n"), Map.of());
            assertRefused(plan, "plan.yaml", "14:14", "spec.to.profile: 'asm-multicloud' is not a profile of the istiod chart");
            List<String> remote = problems(helmPlan("1.23.4", "1.24.3", "    profile: remote\n"), Map.of());
            assertRefused(remote, "plan.yaml", "14:14", "spec.to.profile: the istiod chart has the profile remote from 1.24 on,"
                    + " and this plan renders the chart of 1.23.4");
        }

        @Test
        void envFromValueFromBeforeTheChartTakesIt() throws IOException {
            Files.writeString(dir.resolve("o1.yaml"), IOP + "  components:\n    pilot:\n      k8s:\n        env:\n"
                    + "          - name: T\n            valueFrom: {secretKeyRef: {name: t, key: k}}\n");
            List<String> problems = problems(helmPlan("1.25.2", "1.26.3", "    overlays: [o1.yaml]\n"), Map.of());
            assertRefused(problems, "o1.yaml", "9:13", "spec.components.pilot.k8s.env[0].valueFrom: the istiod chart takes env from"
                    + " valueFrom (envVarFrom) from 1.26 on, and this plan renders the chart of 1.25.2");
        }

        @Test
        void everyProblemOfEveryFileIsReportedTogether() {
            List<String> problems = problems(plan("revision: x\n", IOP + "  revision: y\n  tag: t\n  installPackagePath: /x\n"),
                    files("revision: x\n", IOP + "  revision: y\n  tag: t\n  installPackagePath: /x\n"));
            assertEquals(List.of(
                    dir.resolve("o1.yaml") + ":4:3: spec.revision: meshwave sets each release's revision (to.revision, from.revision);"
                            + " remove spec.revision from the overlay",
                    dir.resolve("o1.yaml") + ":6:3: spec.installPackagePath: spec.installPackagePath has no istiod chart value"
                            + " (istioctl manifest translate maps hub, tag, profile, meshConfig, compatibilityVersion, values and"
                            + " components.pilot); remove it from the overlay",
                    dir.resolve("values.yaml") + ":1:1: revision: meshwave sets each release's revision (to.revision, from.revision)"
                            + " (remove it from the values file)"), problems);
        }

        @Test
        void theValuesFileIsReadLikeAnOverlay() {
            List<String> missing = problems(plan("a: b\n"), Map.of());
            assertRefused(missing, "plan.yaml", "14:15", "spec.to.helm.values: values file 'values.yaml' does not exist");
            List<String> outside = problems(helmPlan("1.26.0", "1.27.1", "      values: ../values.yaml\n"), Map.of());
            assertRefused(outside, "plan.yaml", "14:15", "spec.to.helm.values: values file path '../values.yaml' leaves the plan's directory");
            List<String> list = problems(plan("- a\n"), files("- a\n"));
            assertRefused(list, "values.yaml", "1:1", "the document must be a mapping");
        }
    }
}
