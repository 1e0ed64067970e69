package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Plans;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base release renders {@code istiod-default-validator} from stage 00 on, and Helm takes over an object that
 * exists only if it carries the release's ownership label and annotations (helm/helm pkg/action/validate.go,
 * {@code checkOwnership}: {@code app.kubernetes.io/managed-by=Helm}, {@code meta.helm.sh/release-name},
 * {@code meta.helm.sh/release-namespace}). The runbook of a Flux plan says how to adopt one made by istioctl: at once
 * when the plan knows (a default tag outside Git), after a check otherwise. Argo CD applies the rendered objects itself
 * (argo-cd v3.5.1 docs/user-guide/helm.md: Helm only inflates the chart), so its runbook has no such step.
 */
class HelmValidatorAdoptionTest {

    private static final String LABEL = "kubectl label validatingwebhookconfiguration istiod-default-validator"
            + " app.kubernetes.io/managed-by=Helm --overwrite";
    private static final String CHECK = "kubectl get validatingwebhookconfiguration istiod-default-validator -o jsonpath=";

    @TempDir
    Path dir;

    private String readme(String controller, String existing, String namespace) throws Exception {
        String plan = """
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: adopt
                spec:
                  from:
                    revision: 1-22-3
                    version: 1.22.3
                  to:
                    version: 1.23.4
                    install: helm
                    helm:
                      controller: %s
                      baseRelease: mesh-base
                      namespace: %s
                %s  clusters:
                    - name: c1
                      path: clusters/c1
                  waves:
                    - name: canary
                      namespaces: [frontend]
                """.formatted(controller, namespace, existing);
        RenderedTree tree = new Renderer(Templates.builtIn()).render(Plans.load(dir, plan), Renderer.LiveStages.first());
        return new String(tree.files().get("clusters/c1/README.md"), StandardCharsets.UTF_8);
    }

    @Test
    void aDefaultTagMadeOutsideGitMeansItsValidatorIsAdoptedBeforeStage00() throws Exception {
        String readme = readme("flux", "  existing:\n    tags:\n      default: 1-22-3\n", "mesh-system");
        assertTrue(readme.contains("`existing.tags.default`, `istioctl tag set default`): Helm does not own it."), readme);
        assertTrue(readme.contains("**Before merging `00-control-plane`**, give the validator the release's metadata:\n\n```sh\n"
                + LABEL + "\nkubectl annotate validatingwebhookconfiguration istiod-default-validator meta.helm.sh/release-name=mesh-base"
                + " meta.helm.sh/release-namespace=mesh-system --overwrite\n```\n"), readme);
        assertFalse(readme.contains(CHECK), "the plan knows: no check first");
    }

    @Test
    void otherwiseTheRunbookChecksWhoOwnsItFirst() throws Exception {
        String readme = readme("flux", "", "istio-system");
        assertTrue(readme.contains("**Before merging `00-control-plane`**, check who owns it, and adopt it unless the base release does:"
                + "\n\n```sh\n" + CHECK + "'{.metadata.labels.app\\.kubernetes\\.io/managed-by}"
                + " {.metadata.annotations.meta\\.helm\\.sh/release-name}{\"\\n\"}'   # expect: Helm mesh-base, or NotFound; else adopt it:\n"
                + LABEL + "\n"), readme);
    }

    @Test
    void argoCdAppliesTheValidatorItselfSoNothingIsAdopted() throws Exception {
        String readme = readme("argocd", "  existing:\n    tags:\n      default: 1-22-3\n", "istio-system");
        assertFalse(readme.contains("istiod-default-validator app.kubernetes.io/managed-by=Helm"), readme);
        assertFalse(readme.contains(CHECK), readme);
    }
}
