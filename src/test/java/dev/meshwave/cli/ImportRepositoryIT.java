package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshwave import --repository}: today's revision, version, delivery and cluster facts read from what
 * installs istiod in a GitOps repository (hand-written repositories under {@code src/test/resources/import/}),
 * and refusals when the repository does not say which istiod runs.
 */
class ImportRepositoryIT {

    private static final String REPOS = "src/test/resources/import/";

    @TempDir
    Path tmp;

    private Cli.Result importAndValidate(String repository, String toVersion, String... more) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("import", "--repository", REPOS + repository, "--to-version", toVersion));
        args.addAll(List.of(more));
        Cli.Result imported = Cli.run(args.toArray(String[]::new));
        assertEquals(0, imported.exitCode(), imported::toString);
        Path plan = Files.writeString(tmp.resolve(repository + ".yaml"), imported.out());
        Cli.Result validated = Cli.run("validate", plan.toString());
        assertEquals(0, validated.exitCode(), () -> imported + "\n" + validated);
        return imported;
    }

    /** The "done when": a HelmRelease-installed istiod gives a plan that validates and keeps the mesh's cluster facts. */
    @Test
    void aFluxHelmReleaseGivesAValidPlanThatKeepsTheClusterFacts() throws IOException {
        Cli.Result imported = importAndValidate("flux", "1.24.3", "--cluster", "prod-eu");
        String plan = imported.out();
        assertTrue(plan.contains("""
                  from:
                    revision: 1-22-4
                    version: 1.22.4
                  to:
                    version: 1.24.3
                    install: helm
                    helm:
                      controller: flux
                      repository: https://charts.mirror.example.com/istio
                      flux:
                        sourceRef:
                          name: istio-charts
                          namespace: flux-system
                        interval: 30m
                  clusters:
                    - name: prod-eu
                      path: clusters/prod-eu/mesh
                      clusterName: prod-eu-1
                      network: net-eu-west
                      meshID: payments-mesh
                """), plan);
        // The namespaces are the repository's own Namespace objects; istio-injection=disabled stays out.
        assertTrue(plan.contains("        - istio-ingress\n"), plan);
        assertFalse(plan.contains("batch"), plan);
        String istiod = REPOS + "flux/clusters/prod/istio/istiod.yaml";
        assertEquals(List.of(
                istiod + ":27:7: warning: HelmRelease istio-system/istiod-1-22-4 sets the trust domain payments.example.com"
                        + " (meshConfig.trustDomain), which the plan does not carry; keep it in to.helm.values (import --out PLAN writes"
                        + " it there): a new revision on Istio's default trust domain (cluster.local) would not match authorization"
                        + " policies and peers that name payments.example.com",
                istiod + ":28:7: warning: HelmRelease istio-system/istiod-1-22-4 sets meshConfig.accessLogFile, which the plan does not"
                        + " carry; keep it in to.helm.values (import --out PLAN writes it there) so that the new revision has it too",
                istiod + ":30:7: warning: HelmRelease istio-system/istiod-1-22-4 sets pilot.resources, which the plan does not carry;"
                        + " keep it in to.helm.values (import --out PLAN writes it there) so that the new revision has it too"),
                imported.err().lines().toList());
    }

    /**
     * The item 5 with {@code --out}: today's chart values (the trust domain and the rest) go to a values file beside
     * the plan, which names it; the plan validates, and render gives the new istiod release those values, typed as
     * written. What meshwave sets itself (the revision, global.istioNamespace, the cluster facts) and today's image
     * tags stay out.
     */
    @Test
    void withOutTodaysChartValuesGoToAValuesFileThatTheNewReleaseGets() throws IOException {
        Path plan = tmp.resolve("prod/plan.yaml");
        Cli.Result imported = Cli.run("import", "--repository", REPOS + "flux-values", "--to-version", "1.24.3", "--out", plan.toString());
        assertEquals(0, imported.exitCode(), imported::toString);
        Path values = tmp.resolve("prod/plan-values.yaml");
        assertEquals("wrote " + plan + " and, with today's chart values (to.helm.values), " + values + "\n", imported.out());
        String istiod = REPOS + "flux-values/istio/istiod.yaml";
        // Only what the values file cannot keep is still a warning.
        assertEquals(List.of(
                istiod + ":22:7: warning: HelmRelease istio-system/istiod-1-23-2 pins istiod's image to 1.23.2-distroless (pilot.tag),"
                        + " today's version; it is not carried, so that the new revision runs the images of to.version (set to.hub for"
                        + " another registry)",
                istiod + ":27:7: warning: HelmRelease istio-system/istiod-1-23-2 pins istiod's image to 1.23.2 (global.tag), today's"
                        + " version; it is not carried, so that the new revision runs the images of to.version (set to.hub for another"
                        + " registry)"),
                imported.err().lines().toList());
        // In the order written; 2 and false stay a number and a boolean, "true" stays a string (proxyMetadata is a string map).
        String keptValues = """
                pilot:
                  autoscaleEnabled: false
                  replicaCount: 2
                  env:
                    PILOT_ENABLE_STATUS: 'true'
                global:
                  logAsJson: true
                meshConfig:
                  trustDomain: billing.example.com
                  defaultConfig:
                    proxyMetadata:
                      ISTIO_META_DNS_CAPTURE: 'true'
                """;
        assertEquals("# Today's istiod chart values, kept for the new revision by meshwave import (from HelmRelease"
                + " istio-system/istiod-1-23-2).\n"
                + "# Not here, because meshwave sets them: the revision, revisionTags, defaultRevision, global.istioNamespace,\n"
                + "# the cluster's clusterName, network and meshID (spec.clusters), and today's image tag.\n" + keptValues,
                Files.readString(values));
        String planText = Files.readString(plan);
        assertTrue(planText.contains("""
                    helm:
                      controller: flux
                      flux:
                        sourceRef:
                          name: istio
                      values: plan-values.yaml
                  clusters:
                    - name: cluster
                      path: clusters/cluster/mesh
                      clusterName: billing-1
                """), planText);

        Cli.Result validated = Cli.run("validate", plan.toString());
        assertEquals(0, validated.exitCode(), validated::toString);
        Path out = tmp.resolve("out");
        Cli.Result rendered = Cli.run("render", plan.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, rendered.exitCode(), rendered::toString);
        String release = Files.readString(out.resolve("clusters/cluster/mesh/control-plane/istiod-1-24-3.yaml"));
        // The values file first, then meshwave's own keys (the revision first, the cluster's facts last, ChartValuesYaml).
        assertTrue(release.contains("  values:\n    revision: 1-24-3\n" + keptValues.replace("\n", "\n    ").replaceFirst("^", "    ")
                .replace("    global:\n      logAsJson: true\n", "    global:\n      logAsJson: true\n      multiCluster:\n"
                        + "        clusterName: billing-1\n").stripTrailing()), release);
        assertFalse(release.contains("1.23.2"), "today's image tag stays today's: " + release);
    }

    /** Nothing on disk is lost: a plan or values file that exists stops the import before anything is written. */
    @Test
    void withOutAFileThatExistsIsNeverReplaced() throws IOException {
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), "mine\n");
        Cli.Result refused = Cli.run("import", "--repository", REPOS + "flux-values", "--to-version", "1.24.3", "--out", plan.toString());
        assertEquals(3, refused.exitCode(), refused::toString);
        assertTrue(refused.err().endsWith("meshwave: " + plan + " exists; meshwave never writes over a file: name another, or move it"
                + " away first\n"), refused::toString);
        assertEquals("", refused.out());
        assertEquals("mine\n", Files.readString(plan));
        assertFalse(Files.exists(tmp.resolve("plan-values.yaml")), "the values file is not written either");

        // The values file is checked too, and the plan is then not written.
        Path other = tmp.resolve("other.yaml");
        Files.writeString(tmp.resolve("other-values.yaml"), "theirs: 1\n");
        refused = Cli.run("import", "--repository", REPOS + "flux-values", "--to-version", "1.24.3", "--out", other.toString());
        assertEquals(3, refused.exitCode(), refused::toString);
        assertFalse(Files.exists(other), refused::toString);
        assertEquals("theirs: 1\n", Files.readString(tmp.resolve("other-values.yaml")));
        try (var listing = Files.list(tmp)) {
            assertEquals(List.of("other-values.yaml", "plan.yaml"), listing.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file is left behind");
        }
    }

    /**
     * Today's values are checked against the new revision's chart before anything is written: the istiod chart has the
     * profile openshift before 1.24 only (ChartValues), so a 1.23 release's profile cannot go to 1.24 as it is.
     */
    @Test
    void withOutTodaysValuesThatTheNewChartRefusesWriteNothing() throws IOException {
        Path repository = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repository.resolve("istiod.yaml"), """
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata:
                  name: istiod
                  namespace: istio-system
                spec:
                  chart:
                    spec:
                      chart: istiod
                      version: 1.23.2
                  values:
                    profile: openshift
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: shop
                  labels:
                    istio-injection: enabled
                """);
        Path plan = tmp.resolve("out/plan.yaml");
        Cli.Result refused = Cli.run("import", "--repository", repository.toString(), "--to-version", "1.24.3", "--out", plan.toString());
        assertEquals(2, refused.exitCode(), refused::toString);
        assertTrue(refused.err().startsWith(tmp.resolve("out/plan-values.yaml") + ":4:1: profile: today's chart values of HelmRelease"
                + " istio-system/istiod, which import would write here, would be invalid: the istiod chart has the profile openshift"
                + " before 1.24 only"), refused::toString);
        assertFalse(Files.exists(tmp.resolve("out")), "nothing is written");
    }

    /** A Sail Istio whose values are only the cluster's facts: the plan alone, which names no values file. */
    @Test
    void withOutAndNothingToKeepOnlyThePlanIsWritten() throws IOException {
        Path plan = tmp.resolve("sail.yaml");
        Cli.Result imported = Cli.run("import", "--repository", REPOS + "sail", "--to-version", "1.26.1", "--out", plan.toString());
        assertEquals(0, imported.exitCode(), imported::toString);
        assertEquals("wrote " + plan + "\n", imported.out());
        assertFalse(Files.exists(tmp.resolve("sail-values.yaml")));
        assertFalse(Files.readString(plan).contains("values:"));
        assertEquals(0, Cli.run("validate", plan.toString()).exitCode());
    }

    @Test
    void anArgoCdApplicationGivesItsReleaseItsDestinationAndItsValuesString() throws IOException {
        String plan = importAndValidate("argocd", "1.24.3").out();
        assertTrue(plan.contains("""
                  from:
                    revision: 1-23-2
                    version: 1.23.2
                  to:
                    version: 1.24.3
                    install: helm
                    helm:
                      controller: argocd
                      argocd:
                        namespace: gitops
                        project: platform
                        server: https://prod.k8s.example.com
                  clusters:
                    - name: cluster
                      path: clusters/cluster/mesh
                      clusterName: retail-prod
                      network: shop-net
                      meshID: retail
                """), plan);
    }

    @Test
    void anIstioOperatorIsInstalledByIstioctlAndAGatewayOperatorIsNoIstiod() throws IOException {
        Cli.Result imported = importAndValidate("istio-operator", "1.24.3");
        assertTrue(imported.out().contains("""
                  from:
                    revision: 1-22-6
                    version: 1.22.6
                  to:
                    version: 1.24.3
                    revision: 1-24-3
                    install: istioctl
                  clusters:
                    - name: cluster
                      path: clusters/cluster/mesh
                      clusterName: west-1
                      network: dc-west
                      meshID: corp
                """), imported.out());
        assertTrue(imported.err().startsWith(REPOS + "istio-operator/clusters/prod/istio/control-plane.yaml:11:5: warning: IstioOperator"
                + " istio-system/control-plane-1-22-6 sets the trust domain corp.example.org (meshConfig.trustDomain), which the plan"
                + " does not carry; keep it in an IstioOperator overlay (to.overlays)"), imported::toString);
    }

    @Test
    void aSailIstioGivesItsRevisionBasedRevision() throws IOException {
        String plan = importAndValidate("sail", "1.26.1").out();
        assertTrue(plan.contains("""
                  from:
                    revision: default-v1-25-2
                    version: 1.25.2
                  to:
                    version: 1.26.1
                    install: sail
                  clusters:
                    - name: cluster
                      path: clusters/cluster/mesh
                      clusterName: edge-1
                      network: edge-net
                      meshID: edge
                """), plan);
    }

    /**
     * Issue 19 item 2: an ambient mesh's repository (istiod, istio-cni and ztunnel as Flux HelmReleases of Istio's charts
     * istiod, cni and ztunnel: istio/istio@1.28.10:manifests/charts/istio-cni/Chart.yaml, manifests/charts/ztunnel/Chart.yaml)
     * gives spec.ambient with each component's chart version and ztunnel's updateStrategy.type (its chart value from 1.26:
     * istio/istio@1.26.0:manifests/charts/ztunnel/values.yaml), with --out, which keeps today's istiod values (profile:
     * ambient) in the values file validate asks of an ambient mesh. Its ambient namespaces are spec.ambient.namespaces and
     * stay out of the sidecar waves (sidecar injection takes precedence over ztunnel capture:
     * istio/istio@1.28.10:cni/pkg/util/enablement_selector.go skips a pod with a sidecar, and pkg/kube/inject never reads
     * istio.io/dataplane-mode), named in the plan's comment. The plan validates and renders, with a stage per component
     * that every kustomize build accepts.
     */
    @Test
    void anAmbientMeshGivesSpecAmbientAndItsAmbientNamespacesStayOutOfTheWaves() throws IOException {
        Path planFile = tmp.resolve("edge/plan.yaml");
        Cli.Result imported = Cli.run("import", "--repository", REPOS + "ambient-flux", "--to-version", "1.27.1", "--cluster", "edge-1",
                "--out", planFile.toString());
        assertEquals(0, imported.exitCode(), imported::toString);
        assertEquals(0, Cli.run("validate", planFile.toString()).exitCode());
        String plan = Files.readString(planFile);
        assertTrue(plan.contains("""
                  to:
                    version: 1.27.1
                    install: helm
                    helm:
                      controller: flux
                      flux:
                        sourceRef:
                          name: istio
                      values: plan-values.yaml
                  ambient:
                    namespaces:
                      - ledger
                      - reports
                    cni:
                      version: 1.26.2
                    ztunnel:
                      version: 1.26.3
                      updateStrategy: OnDelete
                  clusters:
                """), plan);
        assertTrue(Files.readString(tmp.resolve("edge/plan-values.yaml")).endsWith("\nprofile: ambient\n"));
        assertTrue(plan.startsWith("# Made by meshwave import from what the repository installs today. Review the waves before you use it.\n"
                + "# Ambient namespaces (istio.io/dataplane-mode=ambient; spec.ambient.namespaces), left out of the sidecar waves:\n"
                + "# ledger, reports. ztunnel captures their traffic, and a wave's istio.io/rev would give their pods sidecars at their\n"
                + "# next restart (sidecar injection takes precedence over ztunnel capture). The stage of spec.ambient.ztunnel upgrades\n"
                + "# their data plane in place.\napiVersion:"), plan);
        String waves = plan.substring(plan.indexOf("  waves:"));
        assertTrue(waves.contains("- shop") && waves.contains("- catalog"), waves);
        for (String ambient : List.of("ledger", "reports", "payments")) {
            assertFalse(waves.contains(ambient), ambient + " is in no sidecar wave: " + waves);
        }
        String namespaces = REPOS + "ambient-flux/clusters/edge/apps/namespaces.yaml";
        String ztunnel = REPOS + "ambient-flux/clusters/edge/istio/ztunnel.yaml";
        // istio-injection=disabled with the ambient label injects nobody: reports is plain ambient, payments is not.
        assertEquals(List.of(namespaces + ":35:5: warning: namespace 'payments' is ambient (istio.io/dataplane-mode=ambient) but"
                + " labelled istio.io/rev=1-26-3; sidecar injection takes precedence over ztunnel capture, so its pods get sidecars at"
                + " their next restart. Left out of the sidecar waves: remove the sidecar label, or the ambient one",
                ztunnel + ":22:5: warning: HelmRelease istio-system/ztunnel sets ztunnel's value logLevel, which meshwave's ztunnel"
                + " release does not carry (stage 00 writes it with revision, multiCluster.clusterName and updateStrategy.type only):"
                + " add it to control-plane/ztunnel.yaml before stage 00 goes live"), imported.err().lines().toList());

        Path out = tmp.resolve("out");
        Cli.Result rendered = Cli.run("render", planFile.toString(), "--out", out.toString());
        assertEquals(0, rendered.exitCode(), rendered::toString);
        Path stages = out.resolve("clusters/edge-1/mesh/stages");
        assertTrue(Files.readString(out.resolve("clusters/edge-1/mesh/control-plane/istio-cni.yaml")).contains("version: \"1.26.2\""));
        String ztunnelStage = Files.readString(stages.resolve("02-ztunnel/ztunnel.yaml"));
        assertTrue(ztunnelStage.contains("version: \"1.27.1\"") && ztunnelStage.contains("type: OnDelete"), ztunnelStage);
        for (String stage : List.of("00-control-plane", "01-istio-cni", "02-ztunnel", "03-canary")) {
            Cli.Result built = dev.meshwave.testing.Processes.run(Path.of("."), java.util.Map.of(), List.of("kubectl", "kustomize",
                    stages.resolve(stage).toString()));
            assertEquals(0, built.exitCode(), stage + ": " + built);
        }
    }

    /**
     * Printed on stdout the plan names no values file, so it cannot keep today's istiod values that serve ambient mode, which
     * validate asks of a plan with ambient components: they stay out, and a warning says to import with --out.
     */
    @Test
    void withoutOutTheComponentsStayOutAndTheWarningSaysWhy() throws IOException {
        Cli.Result imported = importAndValidate("ambient-flux", "1.27.1", "--cluster", "edge-1");
        assertTrue(imported.out().contains("  ambient:\n    namespaces:\n      - ledger\n      - reports\n  clusters:\n"), imported::toString);
        assertTrue(imported.out().contains("The plan upgrades no ztunnel (spec.ambient):"), imported::toString);
        assertTrue(imported.err().contains(REPOS + "ambient-flux/clusters/edge/istio/istio-cni.yaml:1:1: warning: spec.ambient.cni and"
                + " spec.ambient.ztunnel left out: an ambient mesh's plan keeps today's istiod values, which turn ambient mode on (profile:"
                + " ambient or pilot.env.PILOT_ENABLE_AMBIENT), in a values file, since stage 00 takes today's release into Git with them;"
                + " import with --out PLAN, which writes them beside the plan\n"), imported::toString);
    }

    /**
     * A component more than one minor behind the target would run unsupported from stage 00 to its own stage (istio.io
     * ambient upgrade: "ztunnel at version 1.x is generally compatible with the control plane at version 1.x+1 and 1.x"):
     * import hands out no plan validate refuses, so it refuses, in validate's words, and writes nothing.
     */
    @Test
    void aComponentTooFarBehindTheTargetIsRefused() {
        Path planFile = tmp.resolve("plan.yaml");
        Cli.Result result = Cli.run("import", "--repository", REPOS + "ambient-flux", "--to-version", "1.28.0", "--out", planFile.toString());
        assertEquals(2, result.exitCode(), result::toString);
        assertFalse(Files.exists(planFile), "nothing is written");
        assertTrue(result.err().contains("istio-cni 1.26.2 is more than one minor behind the new control plane 1.28.0"), result::toString);
    }

    /**
     * Sail's IstioCNI and ZTunnel (istio-ecosystem/sail-operator@1.28.3:api/v1/istiocni_types.go, ztunnel_types.go) give
     * spec.ambient; the Istio's spec.profile (api/v1/istio_types.go) is kept in the values file as the chart's profile.
     */
    @Test
    void sailsIstioCniAndZTunnelGiveSpecAmbient() throws IOException {
        Path planFile = tmp.resolve("sail/plan.yaml");
        Cli.Result imported = Cli.run("import", "--repository", REPOS + "ambient-sail", "--to-version", "1.27.1", "--out", planFile.toString());
        assertEquals(0, imported.exitCode(), imported::toString);
        Cli.Result validated = Cli.run("validate", planFile.toString());
        assertEquals(0, validated.exitCode(), validated::toString);
        String plan = Files.readString(planFile);
        assertTrue(plan.contains("""
                    install: sail
                    sail:
                      values: plan-values.yaml
                  ambient:
                    namespaces:
                      - ledger
                    cni:
                      version: 1.26.3
                    ztunnel:
                      version: 1.26.3
                  clusters:
                """), plan);
        assertTrue(Files.readString(tmp.resolve("sail/plan-values.yaml")).endsWith("\nprofile: ambient\n"));
    }

    @Test
    void twoInstallationsOfIstiodAreRefusedNamingBoth() {
        Cli.Result result = Cli.run("import", "--repository", REPOS + "two-installs", "--to-version", "1.24.3");
        assertEquals(2, result.exitCode(), result::toString);
        assertEquals("", result.out(), "no plan is printed");
        String operator = REPOS + "two-installs/clusters/prod/istio-legacy/operator.yaml:1:1";
        assertTrue(result.err().startsWith(operator + ": 2 different installations of istiod: IstioOperator istio-system/legacy (revision"
                + " 1-21-3) at " + operator + "; HelmRelease istio-system/istiod-1-22-4 (revision 1-22-4) at " + REPOS
                + "two-installs/clusters/prod/istio/istiod.yaml:1:1; a plan moves one cluster from one of them. Import the directory of"
                + " one cluster, or remove the installation that no longer runs\n"), result::toString);
    }

    @Test
    void aRepositoryThatInstallsNoIstiodIsRefused() {
        Cli.Result result = Cli.run("import", "--repository", REPOS + "nothing", "--to-version", "1.24.3");
        assertEquals(2, result.exitCode(), result::toString);
        assertEquals("", result.out(), "no plan is printed");
        assertTrue(result.err().startsWith(REPOS + "nothing:1:1: nothing in " + REPOS + "nothing installs istiod (a Flux HelmRelease or"
                + " Argo CD Application of chart istiod, an IstioOperator, a Sail Istio)"), result::toString);
    }

    @Test
    void theNamespacesExportWinsOverTheRepositorysNamespaces() throws IOException {
        Path ns = Files.writeString(tmp.resolve("ns.yaml"), """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Namespace
                  metadata:
                    name: live-only
                    labels:
                      istio.io/rev: 1-22-4
                """);
        String plan = importAndValidate("flux", "1.24.3", "--namespaces", ns.toString()).out();
        assertTrue(plan.contains("        - live-only\n"), plan);
        assertFalse(plan.contains("checkout"), plan);
    }

    @Test
    void withoutNamespacesOrARepositoryImportIsAUsageError() {
        Cli.Result result = Cli.run("import", "--to-version", "1.24.3");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().startsWith("meshwave: import needs --namespaces FILE"), result::toString);
    }
}
