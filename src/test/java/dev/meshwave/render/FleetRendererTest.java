package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Plans;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The files of a plan outside its cluster directories: where they go and what --emit puts in them. */
class FleetRendererTest {

    /** Two clusters whose paths do not name the cluster at the same place, and one with a quote in it. */
    static final String FLEET = Plans.BASE.replace("""
              clusters:
                - name: c1
                  path: clusters/c1
            """, """
              clusters:
                - name: prod-us
                  path: clusters/prod-us/mesh
                - name: prod-eu
                  path: fleet/eu/prod-eu's mesh
            """);

    @TempDir
    Path dir;

    private RenderedTree render(String yaml, Renderer.Emit... emit) throws Exception {
        return new Renderer(Templates.builtIn()).render(Plans.load(dir, yaml), Renderer.LiveStages.first(), Set.of(emit));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(RenderedTree tree, String path) {
        String text = tree.text(path);
        assertTrue(text != null, () -> path + " not rendered; have " + tree.files().keySet());
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String... keys) {
        Map<String, Object> node = parent;
        for (String key : keys) {
            node = (Map<String, Object>) node.get(key);
        }
        return node;
    }

    @Nested
    class Paths {
        @Test
        void everyFileOutsideTheClustersIsUnderMeshwavePlanName() throws Exception {
            RenderedTree tree = render(FLEET, Renderer.Emit.FLUX);
            assertEquals(List.of("meshwave/demo/README.md", "meshwave/demo/flux/README.md",
                    "meshwave/demo/flux/prod-eu/kustomization.yaml", "meshwave/demo/flux/prod-eu/mesh-prod-eu.yaml",
                    "meshwave/demo/flux/prod-us/kustomization.yaml", "meshwave/demo/flux/prod-us/mesh-prod-us.yaml"),
                    List.copyOf(tree.outsideRoots().keySet()));
        }

        @Test
        void aFleetHasItsReadmeThereAndNothingAtTheRoot() throws Exception {
            RenderedTree tree = render(FLEET);
            assertEquals(List.of("meshwave/demo/README.md"), List.copyOf(tree.outsideRoots().keySet()));
            assertTrue(tree.text("meshwave/demo/README.md").contains("| `prod-us` | `clusters/prod-us/mesh` | `00-control-plane` |"));
        }

        @Test
        void oneClusterWithoutEmitWritesNothingOutsideIt() throws Exception {
            assertTrue(render(Plans.BASE).outsideRoots().isEmpty());
        }

        @Test
        void oneClusterWithEmitGetsTheControllersReadmeThatSaysWhereTheFilesGo() throws Exception {
            RenderedTree tree = render(Plans.BASE, Renderer.Emit.FLUX);
            assertEquals(List.of("meshwave/demo/flux/README.md", "meshwave/demo/flux/c1/kustomization.yaml",
                    "meshwave/demo/flux/c1/mesh-c1.yaml"), List.copyOf(tree.outsideRoots().keySet()));
            String readme = tree.text("meshwave/demo/flux/README.md");
            assertTrue(readme.contains("- ../../meshwave/demo/flux/<cluster>"), readme);
            assertTrue(readme.contains("| `c1` | `clusters/c1` | `meshwave/demo/flux/c1` |"), readme);
        }

        @Test
        void theFleetReadmeIsTheSameWithOrWithoutEmitSoCheckWithoutEmitFindsNoDrift() throws Exception {
            String settings = FLEET + "  gitops: {argocd: {repoURL: https://github.com/acme/gitops.git}}\n";
            assertEquals(render(settings).text("meshwave/demo/README.md"),
                    render(settings, Renderer.Emit.ARGOCD, Renderer.Emit.FLUX).text("meshwave/demo/README.md"));
        }
    }

    @Nested
    class Flux {
        @Test
        void oneKustomizationPerClusterNamedForTheClusterFromTheBootstrapSource() throws Exception {
            RenderedTree tree = render(FLEET, Renderer.Emit.FLUX);
            for (String cluster : List.of("prod-us", "prod-eu")) {
                Map<String, Object> kustomization = yaml(tree, "meshwave/demo/flux/" + cluster + "/mesh-" + cluster + ".yaml");
                assertEquals("kustomize.toolkit.fluxcd.io/v1", kustomization.get("apiVersion"));
                assertEquals("Kustomization", kustomization.get("kind"));
                assertEquals(Map.of("name", "mesh-" + cluster, "namespace", "flux-system"), kustomization.get("metadata"));
                Map<String, Object> spec = map(kustomization, "spec");
                assertEquals(Map.of("kind", "GitRepository", "name", "flux-system"), spec.get("sourceRef"));
                assertEquals("10m", spec.get("interval"));
                assertEquals(true, spec.get("prune"));
                Map<String, Object> directory = yaml(tree, "meshwave/demo/flux/" + cluster + "/kustomization.yaml");
                assertEquals(List.of("mesh-" + cluster + ".yaml"), directory.get("resources"));
            }
            assertEquals("./clusters/prod-us/mesh", map(yaml(tree, "meshwave/demo/flux/prod-us/mesh-prod-us.yaml"), "spec").get("path"));
            assertEquals("./fleet/eu/prod-eu's mesh", map(yaml(tree, "meshwave/demo/flux/prod-eu/mesh-prod-eu.yaml"), "spec").get("path"));
        }

        @Test
        void thePlanSetsNamespaceIntervalAndSource() throws Exception {
            RenderedTree tree = render(FLEET + """
                      gitops:
                        flux:
                          namespace: gitops
                          interval: 1m30s
                          sourceRef: {kind: OCIRepository, name: platform.fleet, namespace: flux-system}
                    """, Renderer.Emit.FLUX);
            Map<String, Object> kustomization = yaml(tree, "meshwave/demo/flux/prod-us/mesh-prod-us.yaml");
            assertEquals("gitops", map(kustomization, "metadata").get("namespace"));
            assertEquals("1m30s", map(kustomization, "spec").get("interval"));
            assertEquals(Map.of("kind", "OCIRepository", "name", "platform.fleet", "namespace", "flux-system"),
                    map(kustomization, "spec").get("sourceRef"));
        }
    }

    @Nested
    class ArgoCd {
        static final String SETTINGS = """
                  gitops:
                    argocd:
                      repoURL: git@github.com:acme/gitops.git
                      targetRevision: main
                      project: platform
                      namespace: argo
                      destinations:
                        prod-eu: gke_acme-prod_europe-west1_prod-eu
                """;

        @Test
        @SuppressWarnings("unchecked")
        void theApplicationSetTakesRepositoryRevisionProjectAndClustersFromThePlan() throws Exception {
            RenderedTree tree = render(FLEET + SETTINGS, Renderer.Emit.ARGOCD);
            Map<String, Object> set = yaml(tree, "meshwave/demo/argocd/applicationset.yaml");
            assertEquals(Map.of("name", "mesh-demo", "namespace", "argo"), set.get("metadata"));
            Map<String, Object> spec = map(set, "spec");
            assertEquals(true, map(spec, "syncPolicy").get("preserveResourcesOnDeletion"));
            Map<String, Object> list = map((Map<String, Object>) ((List<Object>) spec.get("generators")).get(0), "list");
            assertEquals(List.of(
                    Map.of("cluster", "prod-us", "path", "clusters/prod-us/mesh", "destination", "prod-us"),
                    Map.of("cluster", "prod-eu", "path", "fleet/eu/prod-eu's mesh", "destination", "gke_acme-prod_europe-west1_prod-eu")),
                    list.get("elements"));
            Map<String, Object> template = map(spec, "template");
            assertEquals("mesh-{{ .cluster }}", map(template, "metadata").get("name"));
            assertEquals("platform", map(template, "spec").get("project"));
            assertEquals(Map.of("repoURL", "git@github.com:acme/gitops.git", "targetRevision", "main", "path", "{{ .path }}"),
                    map(template, "spec", "source"));
            assertEquals(Map.of("name", "{{ .destination }}"), map(template, "spec", "destination"));
            String readme = tree.text("meshwave/demo/argocd/README.md");
            assertTrue(readme.contains("| `prod-eu` | `fleet/eu/prod-eu's mesh` | `gke_acme-prod_europe-west1_prod-eu` |"), readme);
            assertTrue(readme.contains("kubectl apply -n argo -f meshwave/demo/argocd/applicationset.yaml"), readme);
        }

        @Test
        void revisionAndProjectDefaultToHeadAndDefault() throws Exception {
            RenderedTree tree = render(FLEET + """
                      gitops:
                        argocd:
                          repoURL: https://github.com/acme/gitops.git
                    """, Renderer.Emit.ARGOCD);
            Map<String, Object> spec = map(yaml(tree, "meshwave/demo/argocd/applicationset.yaml"), "spec", "template", "spec");
            assertEquals("default", spec.get("project"));
            assertEquals("HEAD", map(spec, "source").get("targetRevision"));
            assertEquals("argocd", map(yaml(tree, "meshwave/demo/argocd/applicationset.yaml"), "metadata").get("namespace"));
        }

        @Test
        void withoutARepositoryUrlItRefusesAndNamesThePlanField() {
            RenderException e = assertThrows(RenderException.class, () -> render(FLEET, Renderer.Emit.ARGOCD));
            assertTrue(e.getMessage().matches("(?s).*plan\\.yaml:\\d+:\\d+: spec: --emit argocd needs spec\\.gitops\\.argocd\\.repoURL.*"),
                    e.getMessage());
        }

        @Test
        void theSettingsAloneEmitNothing() throws Exception {
            RenderedTree tree = render(FLEET + SETTINGS);
            assertEquals(List.of("meshwave/demo/README.md"), List.copyOf(tree.outsideRoots().keySet()));
        }
    }
}
