package dev.meshwave.inplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Kustomize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository shaped like the public Flux repositories teams keep (src/test/resources/inplace/team-repo, written for
 * this test): team folders with their own namespace files under a base, two overlays, a label set by an overlay's
 * patch and one by a Component only prod includes, the cluster directory a Flux Kustomization pointing at its overlay.
 * The real {@code kubectl kustomize} says where each label comes from, and builds the edited copy.
 */
class LabelSitesIT {

    private static final Path REPO = Path.of("src/test/resources/inplace/team-repo");
    private static final List<String> NAMESPACES = List.of("frontend", "payments", "checkout", "orders");

    @Test
    void eachLabelIsFoundWhereItIsWrittenThroughTheFluxKustomizationTheBaseTheOverlayAndTheComponent() throws Exception {
        LabelSites.Found found = LabelSites.find("kubectl", System.getenv(), REPO, "repo", "clusters/prod", NAMESPACES);
        assertEquals(List.of(), found.problems());
        assertEquals(Map.of(
                "frontend", "apps/base/frontend/namespace.yaml:8 istio-injection=enabled",
                "payments", "apps/base/payments/namespace.yaml:5 istio.io/rev=1-26-5",
                "checkout", "apps/overlays/prod/checkout-mesh.yaml:6 istio.io/rev=1-26-5",
                "orders", "components/mesh-orders/kustomization.yaml:11 istio.io/rev=1-26-5"), where(found));
        assertEquals(Map.of("istio.io/rev", "1-26-5"), found.labels("checkout"), "the labels the tree builds, not the plan's assumption");
    }

    @Test
    void theSameNamespacesInAnotherClusterComeFromItsOwnOverlay() throws Exception {
        LabelSites.Found found = LabelSites.find("kubectl", System.getenv(), REPO, "repo", "clusters/staging", NAMESPACES);
        assertEquals(Map.of(), found.labels("checkout"), "staging's checkout has no injection label: no overlay patch, no Component");
        assertEquals(Map.of(), found.labels("orders"));
        assertEquals("apps/base/frontend/namespace.yaml:8 istio-injection=enabled", where(found).get("frontend"));
    }

    @Test
    void aNamespaceTheTreeDoesNotBuildIsAnError() throws Exception {
        LabelSites.Found found = LabelSites.find("kubectl", System.getenv(), REPO, "repo", "clusters/prod", List.of("frontend", "billing"));
        assertEquals(1, found.problems().size(), found.problems().toString());
        assertTrue(found.problems().get(0).message().startsWith("namespace billing is not built by clusters/prod"),
                found.problems().toString());
    }

    /**
     * Labels that Flux or Argo CD add when they apply: a Flux Kustomization's {@code spec.patches} (kustomize-controller
     * api/v1, Patches) and an Argo CD Application's {@code syncPolicy.managedNamespaceMetadata.labels} with
     * {@code CreateNamespace=true} (argo-cd types.go, SyncPolicy). Both are lines of the cluster's own files.
     */
    @Test
    void labelsAddedByAFluxPatchOrAnArgoCdManagedNamespaceAreFoundInThoseObjects(@TempDir Path tmp) throws Exception {
        Path repo = tmp.resolve("repo");
        write(repo.resolve("clusters/edge/kustomization.yaml"), "resources:\n  - apps.yaml\n  - legacy.yaml\n");
        write(repo.resolve("clusters/edge/apps.yaml"), """
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: apps
                  namespace: flux-system
                spec:
                  path: ./apps
                  patches:
                    - target:
                        kind: Namespace
                        name: shop
                      patch: |
                        apiVersion: v1
                        kind: Namespace
                        metadata:
                          name: shop
                          labels:
                            istio.io/rev: 1-26-5
                """);
        write(repo.resolve("apps/kustomization.yaml"), "resources:\n  - shop.yaml\n");
        write(repo.resolve("apps/shop.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");
        write(repo.resolve("clusters/edge/legacy.yaml"), """
                apiVersion: argoproj.io/v1alpha1
                kind: Application
                metadata:
                  name: legacy
                  namespace: argocd
                spec:
                  destination:
                    namespace: legacy
                  syncPolicy:
                    syncOptions: [CreateNamespace=true]
                    managedNamespaceMetadata:
                      labels:
                        istio-injection: enabled
                """);
        LabelSites.Found found = LabelSites.find("kubectl", System.getenv(), repo, "repo", "clusters/edge", List.of("shop", "legacy"));
        assertEquals(List.of(), found.problems());
        assertEquals(Map.of("shop", "clusters/edge/apps.yaml:18 istio.io/rev=1-26-5",
                "legacy", "clusters/edge/legacy.yaml:13 istio-injection=enabled"), where(found));
    }

    /** A YAML file that is not UTF-8 (a stray Latin-1 file) is copied as it is, not a reason to stop. */
    @Test
    void aFileThatIsNotUtf8IsLeftAsItIs(@TempDir Path tmp) throws Exception {
        Path repo = tmp.resolve("repo");
        dev.meshwave.cli.GoldenITAccess.copyTree(REPO, repo);
        Files.write(repo.resolve("apps/notes.yaml"), new byte[] {'c', 'a', 'f', (byte) 0xE9, ':', ' ', 'x', '\n'});
        LabelSites.Found found = LabelSites.find("kubectl", System.getenv(), repo, "repo", "clusters/prod", NAMESPACES);
        assertEquals(List.of(), found.problems());
        assertEquals(Map.of("istio.io/rev", "1-26-5"), found.labels("checkout"));
    }

    private static void write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** Every namespace moved to 1-27-3 by rewriting its line: the build says so, and only those lines changed. */
    @Test
    void theEditsMoveEveryNamespaceAndTouchOnlyTheLabelLines(@TempDir Path tmp) throws Exception {
        LabelSites.Found found = LabelSites.find("kubectl", System.getenv(), REPO, "repo", "clusters/prod", NAMESPACES);
        Path copy = tmp.resolve("repo");
        dev.meshwave.cli.GoldenITAccess.copyTree(REPO, copy);
        Map<String, List<LabelLine.Rewrite>> byFile = new TreeMap<>();
        for (String namespace : NAMESPACES) {
            for (LabelLine.Rewrite rewrite : LabelLine.toward(found.sites().get(namespace), Map.of("istio.io/rev", "1-27-3"))) {
                byFile.computeIfAbsent(rewrite.at().file(), f -> new ArrayList<>()).add(rewrite);
            }
        }
        int changedLines = 0;
        for (Map.Entry<String, List<LabelLine.Rewrite>> file : byFile.entrySet()) {
            String before = found.files().get(file.getKey());
            String after = LabelLine.apply(before, file.getValue());
            Files.writeString(copy.resolve(file.getKey()), after, StandardCharsets.UTF_8);
            List<String> a = before.lines().toList();
            List<String> b = after.lines().toList();
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).equals(b.get(i))) {
                    changedLines++;
                    assertTrue(b.get(i).contains("1-27-3"), b.get(i));
                }
            }
        }
        assertEquals(4, changedLines, "one line per namespace");
        assertEquals("    istio.io/rev: 1-27-3 # sidecars on", Files.readAllLines(copy.resolve("apps/base/frontend/namespace.yaml")).get(7));
        assertEquals("  labels: {team: payments, \"istio.io/rev\": '1-27-3', tier: critical}",
                Files.readAllLines(copy.resolve("apps/base/payments/namespace.yaml")).get(4));
        List<Map<String, Object>> built = Kustomize.build(copy.resolve("apps/overlays/prod"));
        for (String namespace : NAMESPACES) {
            Map<String, Object> object = Kustomize.find(built, "Namespace", null, namespace).orElseThrow();
            Map<String, Object> labels = Kustomize.labels(object);
            assertEquals("1-27-3", labels.get("istio.io/rev"), namespace);
            assertTrue(!labels.containsKey("istio-injection"), namespace);
        }
    }

    private static Map<String, String> where(LabelSites.Found found) {
        Map<String, String> where = new TreeMap<>();
        found.sites().forEach((namespace, lines) -> lines.values().forEach(l ->
                where.put(namespace, l.file() + ":" + l.line() + " " + l.key() + "=" + l.value())));
        return where;
    }

}
