package dev.meshwave.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.ManifestFile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Which revisions and tags a repository's control planes serve, and the namespaces on none of them; LintIT runs it on a repository. */
class ServedRevisionsTest {

    private static List<Manifest> read(String yaml) throws ManifestFile.UnreadableException {
        return ManifestFile.read("f.yaml", yaml.getBytes(StandardCharsets.UTF_8), 1 << 20);
    }

    private static ServedRevisions served(String yaml) throws ManifestFile.UnreadableException {
        return ServedRevisions.of(read(yaml));
    }

    private static List<String> names(ServedRevisions served) {
        return served.served().stream().map(s -> (s.tag() ? "tag " : "") + s.name()).toList();
    }

    private static List<InjectionRules.Hit> unserved(String yaml) throws ManifestFile.UnreadableException {
        List<Manifest> objects = read(yaml);
        return ServedRevisions.of(objects).unserved(objects.stream().filter(m -> m.kind().equals("Namespace")).toList());
    }

    private static String namespace(String name, String label) {
        return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n  labels:\n    " + label + "\n---\n";
    }

    private static String helmRelease(String name, String values) {
        return "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: " + name + "\n  namespace: istio-system\n"
                + "spec:\n  interval: 10m\n  chart:\n    spec:\n      chart: istiod\n      sourceRef: {kind: HelmRepository, name: istio}\n"
                + values + "---\n";
    }

    @Nested
    class Served {

        @Test
        void aHelmReleaseWithoutRevisionServesTheDefaultRevisionAndItsTags() throws Exception {
            assertEquals(List.of("default", "tag prod"), names(served(helmRelease("istiod", "  values:\n    revisionTags: [prod]\n"))));
            assertEquals(List.of("default"), names(served(helmRelease("istiod", "  values:\n    revision: \"\"\n"))));
        }

        @Test
        void onlyTheIstiodChartIsAControlPlane() throws Exception {
            String gateway = helmRelease("gateway", "  values:\n    revision: blue\n").replace("chart: istiod", "chart: gateway");
            ServedRevisions served = served(gateway);
            assertEquals(List.of(), names(served));
            assertTrue(!served.known(), "no control plane: lint cannot know");
        }

        @Test
        void aHelmReleaseFromAnOciRepositoryOfIstiodIsAControlPlane() throws Exception {
            String yaml = "apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata: {name: istiod, namespace: istio-system}\n"
                    + "spec: {url: oci://gcr.io/istio-release/charts/istiod}\n---\n"
                    + "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: istiod-blue, namespace: istio-system}\n"
                    + "spec:\n  chartRef: {kind: OCIRepository, name: istiod}\n  values: {revision: blue}\n";
            assertEquals(List.of("blue"), names(served(yaml)));
        }

        @Test
        void argoCdParametersWinOverValuesObjectAndValues() throws Exception {
            String yaml = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: istiod, namespace: argocd}\nspec:\n  source:\n"
                    + "    chart: istiod\n    helm:\n      valuesObject: {revision: green}\n      values: 'revision: red'\n"
                    + "      parameters:\n      - {name: revision, value: blue}\n      - {name: 'revisionTags[0]', value: canary}\n";
            assertEquals(List.of("blue", "tag canary"), names(served(yaml)));
        }

        @Test
        void sailRevisionNamesFollowTheUpdateStrategy() throws Exception {
            String yaml = "apiVersion: sailoperator.io/v1\nkind: Istio\nmetadata: {name: default}\nspec: {version: v1.28-latest, updateStrategy: {type: RevisionBased}}\n"
                    + "---\napiVersion: sailoperator.io/v1\nkind: Istio\nmetadata: {name: other}\nspec: {version: v1.28.3}\n"
                    + "---\napiVersion: sailoperator.io/v1\nkind: IstioRevision\nmetadata: {name: rev-a}\nspec: {version: v1.28.3}\n";
            assertEquals(List.of("default-v1-28-latest", "other", "rev-a"), names(served(yaml)));
        }

        @Test
        void anIstioOperatorWithoutIstiodServesNothing() throws Exception {
            String yaml = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: gateways}\n"
                    + "spec: {profile: empty, revision: blue}\n";
            assertEquals(List.of(), names(served(yaml)));
        }
    }

    @Nested
    class Unserved {

        @Test
        void aNamespaceOnARevisionNothingServesIsReportedAtItsLabel() throws Exception {
            String yaml = helmRelease("istiod-blue", "  values:\n    revision: blue\n") + namespace("shop", "istio.io/rev: green");
            List<InjectionRules.Hit> hits = unserved(yaml);
            assertEquals(1, hits.size(), hits::toString);
            assertEquals(Rule.UNSERVED_REVISION, hits.get(0).rule());
            assertEquals("f.yaml:20:5", hits.get(0).position().toString());
            assertEquals("namespace 'shop' is labelled istio.io/rev=green, which no control plane of the repository serves, so its pods start"
                    + " without a sidecar (label it with a revision or tag that is served); served: revision blue (HelmRelease"
                    + " istio-system/istiod-blue, f.yaml:13:5)", hits.get(0).message());
        }

        @Test
        void istioInjectionEnabledNeedsTheDefaultRevisionOrADefaultTag() throws Exception {
            String blue = helmRelease("istiod-blue", "  values:\n    revision: blue\n");
            List<InjectionRules.Hit> hits = unserved(blue + namespace("shop", "istio-injection: enabled"));
            assertEquals(1, hits.size(), hits::toString);
            assertTrue(hits.get(0).message().startsWith("namespace 'shop' is labelled istio-injection=enabled, which needs the default revision"
                    + " or a tag named default, and no control plane of the repository serves either, so its pods start without a sidecar"),
                    hits::toString);
            String tagged = helmRelease("istiod-blue", "  values:\n    revision: blue\n    revisionTags: [default]\n");
            assertEquals(List.of(), unserved(tagged + namespace("shop", "istio-injection: enabled")));
            assertEquals(List.of(), unserved(tagged + namespace("shop", "istio.io/rev: default")));
            assertEquals(List.of(), unserved(blue + namespace("shop", "istio-injection: disabled")));
        }

        @Test
        void aSailTagAndAnEarlierRevisionOfARevisionBasedIstioAreServed() throws Exception {
            String sail = "apiVersion: sailoperator.io/v1\nkind: Istio\nmetadata: {name: default}\n"
                    + "spec: {version: v1.25.2, updateStrategy: {type: RevisionBased}}\n---\n"
                    + "apiVersion: sailoperator.io/v1\nkind: IstioRevisionTag\nmetadata: {name: prod}\nspec: {targetRef: {kind: Istio, name: default}}\n---\n";
            assertEquals(List.of(), unserved(sail + namespace("a", "istio.io/rev: prod") + namespace("b", "istio.io/rev: default-v1-24-3")
                    + namespace("c", "istio.io/rev: default-v1-25-2")));
            assertEquals(1, unserved(sail + namespace("a", "istio.io/rev: canary")).size());
            // RevisionBased: there is no revision named after the Istio alone.
            assertEquals(1, unserved(sail + namespace("a", "istio-injection: enabled")).size());
        }

        @Test
        void anInjectorWebhookServesWhatItSelects() throws Exception {
            String tag = "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n"
                    + "  name: istio-revision-tag-stable\n  labels: {istio.io/rev: blue, istio.io/tag: stable}\nwebhooks:\n"
                    + "- name: rev.namespace.sidecar-injector.istio.io\n  clientConfig: {service: {name: istiod-blue, namespace: istio-system}}\n"
                    + "  namespaceSelector:\n    matchExpressions:\n    - {key: istio.io/rev, operator: In, values: [stable]}\n---\n";
            String blue = helmRelease("istiod-blue", "  values:\n    revision: blue\n");
            assertEquals(List.of(), unserved(blue + tag + namespace("a", "istio.io/rev: stable")));
            assertEquals(1, unserved(blue + tag + namespace("a", "istio.io/rev: canary")).size());
        }

        @Test
        void withoutAControlPlaneInTheRepositoryNothingIsReported() throws Exception {
            // The control plane is installed some other way (asmcli, istioctl, meshwave's install.sh).
            assertEquals(List.of(), unserved(namespace("a", "istio.io/rev: asm-1233-2")));
            String operator = "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: asm-1233-2}\nspec: {revision: asm-1233-2}\n---\n";
            assertEquals(List.of(), unserved(operator + namespace("a", "istio.io/rev: asm-1229-3")), "an installer's input alone");
        }

        @Test
        void aControlPlaneWhoseRevisionLintCannotReadSilencesTheRuleWithAWarning() throws Exception {
            String yaml = helmRelease("istiod", "  valuesFrom:\n  - {kind: ConfigMap, name: istiod-values}\n")
                    + helmRelease("istiod-blue", "  values:\n    revision: blue\n") + namespace("a", "istio.io/rev: green");
            List<Manifest> objects = read(yaml);
            ServedRevisions served = ServedRevisions.of(objects);
            assertEquals(List.of(), served.unserved(objects.stream().filter(m -> m.kind().equals("Namespace")).toList()));
            assertEquals(1, served.unknown().size());
            assertEquals("f.yaml:4:3: warning: HelmRelease istio-system/istiod is an istiod control plane whose revision lint cannot read (its"
                    + " values come from valuesFrom); namespaces' istio.io/rev labels were not checked against the repository's control planes",
                    served.unknown().get(0).toString());
        }
    }
}
