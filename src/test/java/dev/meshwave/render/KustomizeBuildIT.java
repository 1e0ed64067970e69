package dev.meshwave.render;

import static dev.meshwave.testing.Kustomize.at;
import static dev.meshwave.testing.Kustomize.find;
import static dev.meshwave.testing.Kustomize.labels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.rollout.Stage;
import dev.meshwave.testing.Kustomize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Builds every stage of every approved render with the real {@code kubectl kustomize} and checks,
 * from the built objects, the state of the mesh after each stage. Expected labels are written out
 * here by hand from the seeds, not computed by meshwave's own code.
 */
class KustomizeBuildIT {

    private static final Map<String, Object> ISTIO_INJECTION = Map.of("istio-injection", "enabled");

    @Nested
    class IstioToAsm {
        private final Path cluster = Path.of("golden/istio-to-asm/clusters/prod-us/mesh");
        private final Map<String, Object> asm = Map.of("istio.io/rev", "asm-1106-2");

        @Test
        void controlPlaneStageKeepsTodaysLabelsAndGatewaySelector() {
            List<Map<String, Object>> objects = build(cluster.resolve("stages/00-control-plane"));
            assertNamespaceLabels(objects, "frontend", ISTIO_INJECTION);
            assertNamespaceLabels(objects, "checkout", ISTIO_INJECTION);
            assertNamespaceLabels(objects, "payments", ISTIO_INJECTION);
            assertEquals("latest", gatewayCanonicalRevision(objects));
            assertEquals(6, objects.size(), "three namespaces, the gateway Service selector, Service istiod and istiod-istio-system as today");
        }

        @Test
        void firstWaveSwitchesGatewayAndMovesOnlyItsNamespace() {
            List<Map<String, Object>> objects = build(cluster.resolve("stages/01-canary"));
            assertNamespaceLabels(objects, "frontend", asm);
            assertNamespaceLabels(objects, "checkout", ISTIO_INJECTION);
            assertNamespaceLabels(objects, "payments", ISTIO_INJECTION);
            assertEquals("asm-1106-2", gatewayCanonicalRevision(objects));
        }

        @Test
        void secondWaveMovesTheRest() {
            List<Map<String, Object>> objects = build(cluster.resolve("stages/02-apps"));
            assertNamespaceLabels(objects, "frontend", asm);
            assertNamespaceLabels(objects, "checkout", asm);
            assertNamespaceLabels(objects, "payments", asm);
            assertEquals("asm-1106-2", gatewayCanonicalRevision(objects));
        }

        /**
         * {@code Service.spec.selector} is an atomic map for server-side apply ({@code +mapType=atomic} on
         * {@code ServiceSpec.Selector} in k8s.io/api core/v1/types.go; {@code x-kubernetes-map-type: atomic} in the
         * OpenAPI): under Flux, or Argo CD with ServerSideApply=true, the applied selector replaces the live one whole,
         * while a client-side apply merges keys. Only a selector rendered whole gives the same Service both ways; a
         * selector of the canonical revision alone would select every gateway of that revision in the namespace.
         */
        @Test
        void everyStageRendersTheGatewaySelectorWhole() {
            Map<String, String> stages = Map.of("00-control-plane", "latest", "01-canary", "asm-1106-2", "02-apps", "asm-1106-2",
                    "03-finalize", "asm-1106-2");
            stages.forEach((stage, canonical) -> {
                Map<String, Object> service = find(build(cluster.resolve("stages/" + stage)), "Service", "istio-system",
                        "istio-ingressgateway").orElseThrow();
                assertEquals(Map.of("app", "istio-ingressgateway", "istio", "ingressgateway",
                        "service.istio.io/canonical-revision", canonical), at(service, "spec", "selector"), stage);
            });
        }

        @Test
        void finalizeAddsIstiodServiceAndDefaultTag() {
            List<Map<String, Object>> objects = build(cluster.resolve("stages/03-finalize"));
            assertNamespaceLabels(objects, "payments", asm);
            assertIstiodService(objects, "asm-1106-2");
            assertDefaultTag(objects, "asm-1106-2", List.of("v1beta1", "v1"));
            assertFalse(find(objects, "ValidatingWebhookConfiguration", null, "istiod-default-validator").isPresent(),
                    "Istio 1.10's istiod patches no istiod-default-validator: it would validate with no caBundle");
            assertLegacyValidator(objects, "istiod-asm-1106-2");
        }

        /**
         * Rolling finalize back under Argo CD auto-prune or Flux {@code prune: true} deletes whatever finalize added:
         * Service istiod and the validator existed before the upgrade, so stage 00 holds them with today's values and
         * the stage before finalize restores them. The default tag did not exist (a non-revisioned install injects
         * through istio-sidecar-injector), so its prune restores the state before too.
         */
        @Test
        void rollingBackFinalizeRestoresServiceIstiodAndTheValidator() {
            for (String stage : List.of("00-control-plane", "02-apps")) {
                List<Map<String, Object>> objects = build(cluster.resolve("stages/" + stage));
                Map<String, Object> service = find(objects, "Service", "istio-system", "istiod").orElseThrow();
                assertEquals(Map.of("app", "istiod", "istio", "pilot"), at(service, "spec", "selector"), stage);
                assertLegacyValidator(objects, "istiod");
                assertFalse(find(objects, "MutatingWebhookConfiguration", null, "istio-revision-tag-default").isPresent(), stage);
            }
        }

        @Test
        void liveEntryPointBuildsTheFirstStage() {
            assertEquals(buildText(cluster.resolve("stages/00-control-plane")), buildText(cluster));
        }
    }

    @Nested
    class AsmUpgrade {
        private final Path cluster = Path.of("golden/asm-upgrade/clusters/onprem/mesh");
        private final Map<String, Object> old = Map.of("istio.io/rev", "asm-1130-0");
        private final Map<String, Object> asm = Map.of("istio.io/rev", "asm-1140-0");

        @Test
        void namespacesMoveWaveByWave() {
            List<Map<String, Object>> stage0 = build(cluster.resolve("stages/00-control-plane"));
            assertNamespaceLabels(stage0, "ingress", old);
            assertNamespaceLabels(stage0, "app", old);
            List<Map<String, Object>> stage1 = build(cluster.resolve("stages/01-ingress"));
            assertNamespaceLabels(stage1, "ingress", asm);
            assertNamespaceLabels(stage1, "app", old);
            List<Map<String, Object>> stage2 = build(cluster.resolve("stages/02-app"));
            assertNamespaceLabels(stage2, "ingress", asm);
            assertNamespaceLabels(stage2, "app", asm);
            assertEquals(List.of("istiod"), stage2.stream().filter(o -> "Service".equals(o.get("kind"))).map(o -> at(o, "metadata", "name")).toList(),
                    "no gateway declared: only Service istiod, owned from stage 00 so that a rollback restores it");
        }

        @Test
        void finalizeMovesIstiodAndDefaultTag() {
            List<Map<String, Object>> objects = build(cluster.resolve("stages/03-finalize"));
            assertNamespaceLabels(objects, "app", asm);
            assertIstiodService(objects, "asm-1140-0");
            assertDefaultTag(objects, "asm-1140-0", List.of("v1beta1", "v1"));
            assertDefaultValidator(objects, "asm-1140-0");
            assertEquals(5, objects.size());
        }
    }

    /** Revision tags: the namespaces keep their labels; each wave moves a tag's webhooks to the new istiod. */
    @Nested
    class AsmTags {
        private final Path cluster = Path.of("golden/asm-tags/clusters/onprem/mesh");
        private final Map<String, Object> prodStable = Map.of("istio.io/rev", "prod-stable");
        private final Map<String, Object> defaultTag = Map.of("istio.io/rev", "default");

        @Test
        void tagsMoveWaveByWaveWhileNamespaceLabelsStay() {
            Map<String, List<String>> expected = Map.of(
                    "stages/00-control-plane", List.of("asm-1130-0", "asm-1130-0"),
                    "stages/01-apps", List.of("asm-1140-0", "asm-1130-0"),
                    "stages/02-default-tag", List.of("asm-1140-0", "asm-1140-0"),
                    "stages/03-finalize", List.of("asm-1140-0", "asm-1140-0"));
            expected.forEach((stage, revisions) -> {
                List<Map<String, Object>> objects = build(cluster.resolve(stage));
                assertNamespaceLabels(objects, "app", prodStable);
                assertNamespaceLabels(objects, "payments", prodStable);
                assertNamespaceLabels(objects, "ingress", defaultTag);
                assertTag(objects, "prod-stable", revisions.get(0), 2);
                assertTag(objects, "default", revisions.get(1), 4);
            });
        }

        @Test
        void finalizeAddsIstiodServiceAndValidatorButNoSecondDefaultTag() {
            List<Map<String, Object>> objects = build(cluster.resolve("stages/03-finalize"));
            assertIstiodService(objects, "asm-1140-0");
            assertDefaultValidator(objects, "asm-1140-0");
            assertDefaultTag(objects, "asm-1140-0", List.of("v1beta1", "v1"));
            assertEquals(3 + 2 + 2, objects.size(), "three namespaces, two tags, istiod Service and validator");
        }

        private void assertTag(List<Map<String, Object>> objects, String tag, String revision, int webhooks) {
            Map<String, Object> webhook = find(objects, "MutatingWebhookConfiguration", null, "istio-revision-tag-" + tag).orElseThrow();
            assertEquals(revision, labels(webhook).get("istio.io/rev"), tag);
            List<?> hooks = (List<?>) webhook.get("webhooks");
            assertEquals(webhooks, hooks.size());
            for (Object hook : hooks) {
                assertEquals("istiod-" + revision, at(hook, "clientConfig", "service", "name"), tag);
            }
        }
    }

    /** Seed 000 across three projects: every cluster's stages alone, canary first, one alias list everywhere. */
    @Nested
    class MultiProject {
        private final Path golden = Path.of("golden/multi-project/clusters");
        private final Map<String, Object> before = Map.of("istio-injection", "enabled");
        private final Map<String, Object> after = Map.of("istio.io/rev", "asm-1106-2");

        @Test
        void theCanaryMovesItsNamespacesOneWaveBeforeTheOthers() {
            List<Map<String, Object>> canary = build(golden.resolve("cluster-1/mesh/stages/01-canary"));
            assertNamespaceLabels(canary, "frontend", after);
            assertNamespaceLabels(canary, "checkout", after);
            for (String cluster : List.of("cluster-2", "cluster-3")) {
                List<Map<String, Object>> stage0 = build(golden.resolve(cluster + "/mesh/stages/00-control-plane"));
                assertNamespaceLabels(stage0, "frontend", before);
                List<Map<String, Object>> fleet = build(golden.resolve(cluster + "/mesh/stages/01-fleet"));
                assertNamespaceLabels(fleet, "frontend", after);
                assertNamespaceLabels(fleet, "checkout", after);
                List<Map<String, Object>> finalize = build(golden.resolve(cluster + "/mesh/stages/02-finalize"));
                assertIstiodService(finalize, "asm-1106-2");
            }
        }

        @Test
        @SuppressWarnings("unchecked")
        void everyClusterCarriesItsOwnFactsAndTheSameTrustDomainAliases() throws Exception {
            Map<String, String> projects = Map.of("cluster-1", "example-project-12345", "cluster-2", "example-project-23456",
                    "cluster-3", "example-project-34567");
            Map<String, String> locations = Map.of("cluster-1", "us-central1", "cluster-2", "us-east1", "cluster-3", "europe-west1");
            for (String cluster : projects.keySet()) {
                Path controlPlane = golden.resolve(cluster + "/mesh/control-plane");
                Map<String, Object> facts = yaml(controlPlane.resolve("01-cluster-" + cluster + ".yaml"));
                assertEquals("cn-" + projects.get(cluster) + "-" + locations.get(cluster) + "-" + cluster,
                        at(facts, "spec", "values", "global", "multiCluster", "clusterName"));
                // On GKE asmcli names the network <project>-<VPC> (asmcli/lib/util.sh populate_cluster_values).
                assertEquals(projects.get(cluster) + "-vpc-" + projects.get(cluster).substring("example-project-".length()),
                        at(facts, "spec", "values", "global", "network"));
                assertEquals("proj-1234567890123", at(facts, "spec", "values", "global", "meshID"));
                Map<String, Object> multiproject = yaml(controlPlane.resolve("02-option-multiproject.yaml"));
                // ASM 1.10's install_asm aliases each project's svc and hub domains (release-1.10-asm install_asm).
                assertEquals(List.of("example-project-12345.svc.id.goog", "example-project-12345.hub.id.goog",
                        "example-project-23456.svc.id.goog", "example-project-23456.hub.id.goog",
                        "example-project-34567.svc.id.goog", "example-project-34567.hub.id.goog"),
                        at(multiproject, "spec", "meshConfig", "trustDomainAliases"));
                assertEquals("asm-gcp-multiproject", at(multiproject, "spec", "profile"));
            }
        }

    }

    /**
     * Seed 002 on two clusters: every namespace moves to the revision that distributes the Mesh CA root,
     * then to the Mesh CA revision; Service istiod, the validator and the default tag follow each finalize.
     */
    @Nested
    class CaMigration {
        private static final String OLD = "asm-1229-3";
        private static final String ROOT = "asm-1233-2-distribute-root";
        private static final String MESHCA = "asm-1233-2-meshca-ca-migration";
        private final Path golden = Path.of("golden/ca-migration/clusters");

        /**
         * Stage → revisions of istio-ingress, frontend, checkout, then of Service istiod, the validator and the default tag
         * (null: absent). Service istiod is owned from stage 00 with the old revision's selector, so rolling back the first
         * finalize restores it; validator and default tag did not exist before (no default tag in the cluster), so a
         * rollback's prune restores their absence.
         */
        private final Map<String, List<String>> expected = new java.util.LinkedHashMap<>();

        CaMigration() {
            expected.put("00-control-plane", java.util.Arrays.asList(OLD, OLD, OLD, OLD, null, null));
            expected.put("01-gateways", java.util.Arrays.asList(ROOT, OLD, OLD, OLD, null, null));
            expected.put("02-apps", java.util.Arrays.asList(ROOT, ROOT, ROOT, OLD, null, null));
            expected.put("03-finalize", java.util.Arrays.asList(ROOT, ROOT, ROOT, ROOT, ROOT, ROOT));
            expected.put("04-meshca-control-plane", java.util.Arrays.asList(ROOT, ROOT, ROOT, ROOT, ROOT, ROOT));
            expected.put("05-meshca-gateways", java.util.Arrays.asList(MESHCA, ROOT, ROOT, ROOT, ROOT, ROOT));
            expected.put("06-meshca-apps", java.util.Arrays.asList(MESHCA, MESHCA, MESHCA, ROOT, ROOT, ROOT));
            expected.put("07-meshca-finalize", java.util.Arrays.asList(MESHCA, MESHCA, MESHCA, MESHCA, MESHCA, MESHCA));
            expected.put("08-ca-cleanup", java.util.Arrays.asList(MESHCA, MESHCA, MESHCA, MESHCA, MESHCA, MESHCA));
        }

        @Test
        void eachStageOfEachPhaseHasTheRevisionsOfSeed002() throws Exception {
            for (String cluster : List.of("cluster-1", "cluster-2")) {
                Path stages = golden.resolve(cluster + "/mesh/stages");
                try (Stream<Path> dirs = Files.list(stages)) {
                    assertEquals(List.copyOf(expected.keySet()), dirs.map(d -> d.getFileName().toString()).sorted().toList());
                }
                for (Map.Entry<String, List<String>> stage : expected.entrySet()) {
                    List<Map<String, Object>> objects = build(stages.resolve(stage.getKey()));
                    List<String> revisions = stage.getValue();
                    String where = cluster + " " + stage.getKey();
                    List<String> namespaces = List.of("istio-ingress", "frontend", "checkout");
                    for (int i = 0; i < namespaces.size(); i++) {
                        assertNamespaceLabels(objects, namespaces.get(i), Map.of("istio.io/rev", revisions.get(i)));
                    }
                    assertEquals(revisions.get(3), find(objects, "Service", "istio-system", "istiod")
                            .map(s -> at(s, "spec", "selector", "istio.io/rev")).orElse(null), where + ": Service istiod");
                    if (revisions.get(3) != null) {
                        assertIstiodService(objects, revisions.get(3));
                    }
                    assertEquals(revisions.get(4), find(objects, "ValidatingWebhookConfiguration", null, "istiod-default-validator")
                            .map(v -> labels(v).get("istio.io/rev")).orElse(null), where + ": validator");
                    Map<String, Object> tag = find(objects, "MutatingWebhookConfiguration", null, "istio-revision-tag-default").orElse(null);
                    assertEquals(revisions.get(5), tag == null ? null : labels(tag).get("istio.io/rev"), where + ": default tag");
                    if (tag != null) {
                        for (Object hook : (List<?>) tag.get("webhooks")) {
                            assertEquals("istiod-" + revisions.get(5), at(hook, "clientConfig", "service", "name"), where);
                        }
                    }
                }
                assertEquals(buildText(stages.resolve("07-meshca-finalize")), buildText(stages.resolve("08-ca-cleanup")),
                        "the cleanup changes nothing in Git");
            }
        }

        @Test
        void phaseOneDistributesTheMeshCaRootOfTheSpec() throws Exception {
            Path controlPlane = golden.resolve("cluster-1/mesh/control-plane/" + ROOT);
            Map<String, Object> citadel = yaml(controlPlane.resolve("02-ca-citadel.yaml"));
            assertEquals("cluster.local", at(citadel, "spec", "meshConfig", "trustDomain"));
            Map<String, Object> option = yaml(controlPlane.resolve("05-option-ca-migration-citadel.yaml"));
            String pem = (String) at(option, "spec", "meshConfig", "caCertificates", 0, "pem");
            // The spec's data/meshca-root.pem, copied with a note above its BEGIN line (RFC 7468 explanatory text).
            String spec = Files.readString(Path.of("src/test/resources/spec-data/meshca-root.pem"));
            assertEquals(spec.substring(spec.indexOf("-----BEGIN CERTIFICATE-----")).strip(), pem.strip());
            java.security.cert.X509Certificate root = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory
                    .getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            // MESH-FACTS §8: SHA-256 61:48:49:A4:…:C5:26:F0
            String fingerprint = java.util.HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(root.getEncoded()));
            assertTrue(fingerprint.startsWith("61:48:49:A4:") && fingerprint.endsWith(":C5:26:F0"), fingerprint);
            assertEquals("true", at(option, "spec", "values", "pilot", "env", "ISTIO_MULTIROOT_MESH"));
            assertEquals("true", at(option, "spec", "meshConfig", "defaultConfig", "proxyMetadata", "PROXY_CONFIG_XDS_AGENT"));
            String install = Files.readString(controlPlane.resolve("install.sh"));
            assertTrue(install.contains("--ca 'citadel'") && install.contains("--option 'ca-migration-citadel'")
                    && install.contains("--ca_key \"ca/ca-key.pem\"") && install.contains("--revision_name '" + ROOT + "'"), install);
        }

        @Test
        void phaseTwoSwitchesToMeshCaAndKeepsEveryTrustDomain() throws Exception {
            Path controlPlane = golden.resolve("cluster-2/mesh/control-plane/" + MESHCA);
            try (Stream<Path> files = Files.list(controlPlane)) {
                assertFalse(files.anyMatch(f -> f.getFileName().toString().contains("ca-citadel")), "Mesh CA needs no CA overlay");
            }
            Map<String, Object> option = yaml(controlPlane.resolve("04-option-ca-migration-meshca.yaml"));
            assertEquals(List.of("cluster.local"), at(option, "spec", "meshConfig", "trustDomainAliases"));
            assertEquals("true", at(option, "spec", "values", "pilot", "env", "ISTIO_MULTIROOT_MESH"));
            assertEquals("false", at(option, "spec", "values", "pilot", "env", "ENABLE_CA_SERVER"), "ASM 1.23 and older");
            // Lists replace: the last overlay to set the aliases decides them, for istioctl -f and asmcli alike.
            Map<String, Object> last = yaml(controlPlane.resolve("05-trust-domain-aliases.yaml"));
            // asmcli's own <fleet>.svc.id.goog and <fleet>.hub.id.goog first (asmcli/components/ca/mesh-ca.sh).
            assertEquals(List.of("example-fleet-98765.svc.id.goog", "example-fleet-98765.hub.id.goog",
                    "example-project-12345.svc.id.goog", "example-project-23456.svc.id.goog", "cluster.local"),
                    at(last, "spec", "meshConfig", "trustDomainAliases"));
            String install = Files.readString(controlPlane.resolve("install.sh"));
            assertTrue(install.contains("--ca 'mesh_ca'") && install.contains("--option 'ca-migration-meshca'")
                    && install.contains("--custom_overlay '05-trust-domain-aliases.yaml'"), install);
            assertTrue(install.indexOf("--option 'ca-migration-meshca'") < install.indexOf("--custom_overlay '05-trust-domain-aliases.yaml'"),
                    "asmcli stacks custom overlays after options");
            assertFalse(install.contains("--ca_key"), "no Citadel material once the CA is Mesh CA");
        }

    }

    /**
     * MESH-FACTS §5. A non-revisioned install's Service istiod selects {app: istiod, istio: pilot}; revisioned istiod
     * pods carry istio: istiod (istio-discovery chart deployment.yaml). How each controller ends:
     * <ul>
     * <li>server-side apply (Flux; Argo CD with ServerSideApply=true): Service.spec.selector is {@code +mapType=atomic}
     * (k8s.io/api core/v1 types.go), so the applied selector replaces the live one whole;
     * <li>Argo CD with {@code Replace=true} on the object (which takes precedence over ServerSideApply=true, Argo CD
     * docs user-guide/sync-options.md): {@code kubectl replace}, a PUT of the whole object; the API server keeps the
     * allocated clusterIP (pkg/registry/core/service/storage {@code patchAllocatedValues});
     * <li>Argo CD's default client-side apply without Replace: a three-way strategic merge that keeps every live key
     * the applied object neither sets nor had in its last-applied configuration, so {@code istio: pilot} would stay
     * and the Service would select nothing.
     * </ul>
     * Checked for every golden's last stage, from a non-revisioned source and from the plan's own revision.
     */
    @Test
    void afterFinalizeServiceIstiodSelectsTheNewRevisionOnlyUnderEveryApply() throws Exception {
        Map<String, String> finalRevisions = Map.of("golden/istio-to-asm/clusters/prod-us/mesh/stages/03-finalize", "asm-1106-2",
                "golden/asm-upgrade/clusters/onprem/mesh/stages/03-finalize", "asm-1140-0",
                "golden/ca-migration/clusters/cluster-1/mesh/stages/07-meshca-finalize", "asm-1233-2-meshca-ca-migration");
        for (Map.Entry<String, String> entry : finalRevisions.entrySet()) {
            String revision = entry.getValue();
            Map<String, Object> service = find(build(Path.of(entry.getKey())), "Service", "istio-system", "istiod").orElseThrow();
            @SuppressWarnings("unchecked")
            Map<String, Object> applied = (Map<String, Object>) at(service, "spec", "selector");
            List<String> options = List.of(String.valueOf(at(service, "metadata", "annotations", "argocd.argoproj.io/sync-options"))
                    .split(","));
            Map<String, Object> newPods = Map.of("app", "istiod", "istio", "istiod", "istio.io/rev", revision);
            List<Map<String, Object>> otherPods = List.of(Map.of("app", "istiod", "istio", "pilot", "istio.io/rev", "default"),
                    Map.of("app", "istiod", "istio", "istiod", "istio.io/rev", "asm-1130-0"),
                    Map.of("app", "istio-ingressgateway", "istio", "ingressgateway", "istio.io/rev", revision));
            for (Map<String, Object> live : List.of(Map.<String, Object>of("app", "istiod", "istio", "pilot"),
                    Map.<String, Object>of("app", "istiod", "istio.io/rev", "asm-1130-0"))) {
                Map<String, Object> serverSide = applied;
                Map<String, Object> clientSide = new java.util.HashMap<>(live);
                if (options.contains("Replace=true")) {
                    clientSide = applied;
                } else {
                    clientSide.putAll(applied);
                }
                for (Map<String, Object> selector : List.of(serverSide, clientSide)) {
                    assertTrue(selects(selector, newPods), entry.getKey() + " from " + live + ": " + selector);
                    for (Map<String, Object> pods : otherPods) {
                        assertFalse(selects(selector, pods), entry.getKey() + " from " + live + ": " + selector + " selects " + pods);
                    }
                }
            }
            for (Map<String, Object> validator : objectsOf(build(Path.of(entry.getKey())), "ValidatingWebhookConfiguration")) {
                assertEquals("istiod-" + revision, at(((List<?>) validator.get("webhooks")).get(0), "clientConfig", "service", "name"),
                        "the validator calls the revision's own Service, as upstream's default validator");
            }
        }
    }

    /**
     * MESH-FACTS §9: istiod patches caBundle and flips a validator's failurePolicy at run time. Flux applies
     * server-side and owns every field it applies, so it resets any such field it renders at each interval; it
     * has no per-field ignore, so neither field may be in any built stage (upstream's base chart leaves
     * failurePolicy out on upgrade for the same reason). Argo CD needs ignoreDifferences for the diff and
     * RespectIgnoreDifferences=true so that a sync does not apply them either (user-guide/sync-options.md).
     */
    @Test
    void noBuiltStageOwnsWhatIstiodPatchesAndArgoCdIgnoresIt() throws Exception {
        try (Stream<Path> stages = Files.find(Path.of("golden"), 7,
                (p, a) -> a.isDirectory() && p.getParent() != null && p.getParent().getFileName().toString().equals("stages"))) {
            for (Path stage : stages.sorted().toList()) {
                List<Map<String, Object>> objects = build(stage);
                for (String kind : List.of("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")) {
                    for (Map<String, Object> webhook : objectsOf(objects, kind)) {
                        for (Object hook : (List<?>) webhook.get("webhooks")) {
                            assertFalse(((Map<?, ?>) at(hook, "clientConfig")).containsKey("caBundle"), stage + " " + kind);
                            if (kind.startsWith("Validating")) {
                                assertFalse(((Map<?, ?>) hook).containsKey("failurePolicy"), stage + ": failurePolicy of a validator");
                            }
                        }
                    }
                }
                Map<String, Object> argocd = yaml(stage.getParent().getParent().resolve("argocd/ignore-differences.yaml"));
                assertEquals(List.of("RespectIgnoreDifferences=true"), at(argocd, "syncPolicy", "syncOptions"), stage.toString());
            }
        }
    }

    private static List<Map<String, Object>> objectsOf(List<Map<String, Object>> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    private static boolean selects(Map<String, Object> selector, Map<String, Object> podLabels) {
        return !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> e.getValue().equals(podLabels.get(e.getKey())));
    }

    @Test
    void everyStageOfEveryGoldenBuilds() throws Exception {
        try (Stream<Path> stages = Files.find(Path.of("golden"), 7,
                (p, a) -> a.isDirectory() && p.getParent() != null && p.getParent().getFileName().toString().equals("stages"))) {
            List<Path> all = stages.sorted().toList();
            assertTrue(all.size() >= 21, "every example has stages: " + all);
            all.forEach(KustomizeBuildIT::build);
        }
    }

    /**
     * Nothing changes golden/ while these tests run (re-approving runs one test JVM, and GoldenIT is another
     * class): each directory is built by kubectl once, however many tests look at it. Each call still gets
     * objects of its own.
     */
    private static final Map<Path, String> BUILT = new ConcurrentHashMap<>();

    private static String buildText(Path dir) {
        return BUILT.computeIfAbsent(dir.toAbsolutePath().normalize(), Kustomize::buildText);
    }

    private static List<Map<String, Object>> build(Path dir) {
        return Kustomize.objects(buildText(dir));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) throws java.io.IOException {
        return (Map<String, Object>) new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                .loadFromString(Files.readString(file));
    }

    private static void assertNamespaceLabels(List<Map<String, Object>> objects, String namespace, Map<String, Object> expected) {
        Map<String, Object> ns = find(objects, "Namespace", null, namespace)
                .orElseThrow(() -> new AssertionError("no Namespace " + namespace));
        assertEquals(expected, labels(ns), "labels of namespace " + namespace);
    }

    private static Object gatewayCanonicalRevision(List<Map<String, Object>> objects) {
        Map<String, Object> service = find(objects, "Service", "istio-system", "istio-ingressgateway").orElseThrow();
        return at(service, "spec", "selector", "service.istio.io/canonical-revision");
    }

    /** MESH-FACTS §5, istioctl's flavour. */
    private static void assertDefaultValidator(List<Map<String, Object>> objects, String revision) {
        Map<String, Object> validator = find(objects, "ValidatingWebhookConfiguration", null, "istiod-default-validator").orElseThrow();
        assertEquals(Map.of("istio.io/rev", revision, "istio.io/tag", "default"), labels(validator));
        List<?> hooks = (List<?>) validator.get("webhooks");
        assertEquals(1, hooks.size());
        Object hook = hooks.get(0);
        assertEquals("validation.istio.io", at(hook, "name"));
        assertEquals(Map.of("name", "istiod-" + revision, "namespace", "istio-system", "path", "/validate", "port", 443),
                at(hook, "clientConfig", "service"));
        assertFalse(((Map<?, ?>) hook).containsKey("failurePolicy"), "istiod flips it at run time");
        assertEquals("None", at(hook, "sideEffects"));
        assertEquals(List.of("v1"), at(hook, "admissionReviewVersions"));
        assertEquals(List.of(exists("istio.io/rev", false)), at(hook, "objectSelector", "matchExpressions"));
        assertEquals(List.of(Map.of("apiGroups", List.of("security.istio.io", "networking.istio.io", "telemetry.istio.io",
                "extensions.istio.io"), "apiVersions", List.of("*"), "operations", List.of("CREATE", "UPDATE"),
                "resources", List.of("*"))), at(hook, "rules"));
    }

    /** Istio 1.10's validator, istiod-istio-system (base chart validatingwebhookconfiguration.yaml of 1.10). */
    private static void assertLegacyValidator(List<Map<String, Object>> objects, String service) {
        Map<String, Object> validator = find(objects, "ValidatingWebhookConfiguration", null, "istiod-istio-system").orElseThrow();
        Object hook = ((List<?>) validator.get("webhooks")).get(0);
        assertEquals("validation.istio.io", at(hook, "name"));
        assertEquals(Map.of("name", service, "namespace", "istio-system", "path", "/validate", "port", 443),
                at(hook, "clientConfig", "service"));
        assertFalse(((Map<?, ?>) hook).containsKey("failurePolicy"), "istiod flips it at run time");
        assertEquals(List.of("security.istio.io", "networking.istio.io"), at(((List<?>) at(hook, "rules")).get(0), "apiGroups"));
    }

    private static void assertIstiodService(List<Map<String, Object>> objects, String revision) {
        Map<String, Object> service = find(objects, "Service", "istio-system", "istiod").orElseThrow();
        assertEquals(Map.of("app", "istiod", "istio.io/rev", revision), at(service, "spec", "selector"));
        assertEquals(Map.of("app", "istiod", "istio", "pilot", "istio.io/rev", revision, "release", "istio"), labels(service));
        List<?> ports = (List<?>) at(service, "spec", "ports");
        assertEquals(List.of(
                Map.of("name", "grpc-xds", "port", 15010, "protocol", "TCP", "targetPort", 15010),
                Map.of("name", "https-dns", "port", 15012, "protocol", "TCP", "targetPort", 15012),
                Map.of("name", "https-webhook", "port", 443, "protocol", "TCP", "targetPort", 15017),
                Map.of("name", "http-monitoring", "port", 15014, "protocol", "TCP", "targetPort", 15014)), ports);
    }

    /** MESH-FACTS §4, field by field, for the default tag. */
    private static void assertDefaultTag(List<Map<String, Object>> objects, String revision, List<String> reviewVersions) {
        Map<String, Object> webhook = find(objects, "MutatingWebhookConfiguration", null, "istio-revision-tag-default").orElseThrow();
        assertEquals(Map.of("app", "sidecar-injector", "istio.io/rev", revision, "istio.io/tag", "default"), labels(webhook));
        List<?> hooks = (List<?>) webhook.get("webhooks");
        assertEquals(List.of("rev.namespace.sidecar-injector.istio.io", "rev.object.sidecar-injector.istio.io",
                        "namespace.sidecar-injector.istio.io", "object.sidecar-injector.istio.io"),
                hooks.stream().map(h -> at(h, "name")).toList());
        for (Object hook : hooks) {
            assertEquals(Map.of("name", "istiod-" + revision, "namespace", "istio-system", "path", "/inject", "port", 443),
                    at(hook, "clientConfig", "service"));
            assertFalse(((Map<?, ?>) at(hook, "clientConfig")).containsKey("caBundle"), "caBundle is patched in at run time");
            assertEquals(List.of(Map.of("apiGroups", List.of(""), "apiVersions", List.of("v1"), "operations", List.of("CREATE"),
                    "resources", List.of("pods"))), at(hook, "rules"));
            assertEquals("Fail", at(hook, "failurePolicy"));
            assertEquals("None", at(hook, "sideEffects"));
            assertEquals("Never", at(hook, "reinvocationPolicy"));
            assertEquals(reviewVersions, at(hook, "admissionReviewVersions"));
        }
        Map<String, Object> notFalse = expression("sidecar.istio.io/inject", "NotIn", List.of("false"));
        assertEquals(List.of(expression("istio.io/rev", "In", List.of("default")), exists("istio-injection", false)),
                at(hooks.get(0), "namespaceSelector", "matchExpressions"));
        assertEquals(List.of(notFalse), at(hooks.get(0), "objectSelector", "matchExpressions"));
        assertEquals(List.of(exists("istio.io/rev", false), exists("istio-injection", false)),
                at(hooks.get(1), "namespaceSelector", "matchExpressions"));
        assertEquals(List.of(notFalse, expression("istio.io/rev", "In", List.of("default"))),
                at(hooks.get(1), "objectSelector", "matchExpressions"));
        assertEquals(List.of(expression("istio-injection", "In", List.of("enabled"))),
                at(hooks.get(2), "namespaceSelector", "matchExpressions"));
        assertEquals(List.of(notFalse), at(hooks.get(2), "objectSelector", "matchExpressions"));
        assertEquals(List.of(exists("istio-injection", false), exists("istio.io/rev", false)),
                at(hooks.get(3), "namespaceSelector", "matchExpressions"));
        assertEquals(List.of(expression("sidecar.istio.io/inject", "In", List.of("true")), exists("istio.io/rev", false)),
                at(hooks.get(3), "objectSelector", "matchExpressions"));
    }

    private static Map<String, Object> expression(String key, String operator, List<String> values) {
        return Map.of("key", key, "operator", operator, "values", values);
    }

    private static Map<String, Object> exists(String key, boolean exists) {
        return Map.of("key", key, "operator", exists ? "Exists" : "DoesNotExist");
    }
}
