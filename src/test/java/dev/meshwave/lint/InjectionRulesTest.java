package dev.meshwave.lint;

import dev.meshwave.plan.ManifestFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.Problem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules on objects applied together, case by case; LintIT runs them on a repository. */
class InjectionRulesTest {

    private static List<InjectionRules.Hit> check(String yaml) throws ManifestFile.UnreadableException {
        return InjectionRules.check(ManifestFile.read("f.yaml", yaml.getBytes(StandardCharsets.UTF_8), 1 << 20), new java.util.ArrayList<>());
    }

    /** A two-webhook injector for a revision or tag, shaped as MESH-FACTS §4 says. */
    private static String injector(String name, String rev, String tag) {
        return "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: " + name + "\n"
                + "  labels:\n    istio.io/rev: " + rev + "\n" + (tag == null ? "" : "    istio.io/tag: " + tag + "\n")
                + "webhooks:\n"
                + "- name: rev.namespace.sidecar-injector.istio.io\n"
                + "  clientConfig: {service: {name: istiod-" + rev + ", namespace: istio-system}}\n"
                + "  namespaceSelector:\n    matchExpressions:\n"
                + "    - {key: istio.io/rev, operator: In, values: [" + (tag == null ? rev : tag) + "]}\n"
                + "    - {key: istio-injection, operator: DoesNotExist}\n"
                + "- name: rev.object.sidecar-injector.istio.io\n"
                + "  clientConfig: {service: {name: istiod-" + rev + ", namespace: istio-system}}\n"
                + "  namespaceSelector:\n    matchExpressions:\n"
                + "    - {key: istio.io/rev, operator: DoesNotExist}\n"
                + "    - {key: istio-injection, operator: DoesNotExist}\n"
                + "  objectSelector:\n    matchExpressions:\n"
                + "    - {key: istio.io/rev, operator: In, values: [" + (tag == null ? rev : tag) + "]}\n"
                + "---\n";
    }

    @Test
    void aRevisionAndItsTagsDoNotOverlap() throws Exception {
        assertEquals(List.of(), check(injector("istio-sidecar-injector-asm-1233-2", "asm-1233-2", null)
                + injector("istio-revision-tag-prod-stable", "asm-1233-2", "prod-stable")
                + injector("istio-sidecar-injector-asm-1140-0", "asm-1140-0", null)));
    }

    @Test
    void twoInjectorsSelectingTheSameNameOverlapOnce() throws Exception {
        String yaml = injector("istio-sidecar-injector-canary", "canary", null) + injector("istio-revision-tag-canary", "asm-1233-2", "canary");
        List<InjectionRules.Hit> hits = check(yaml);
        // Both kinds of webhook overlap; the pair is reported once, at each injector's name (as Istio's analyzer does).
        assertEquals(3, hits.size(), hits::toString);
        assertEquals(Rule.OVERLAPPING_INJECTORS, hits.get(1).rule());
        assertEquals(Rule.OVERLAPPING_INJECTORS, hits.get(2).rule());
        assertTrue(hits.get(1).message().startsWith("2 sidecar injector webhooks match pods labelled {istio.io/rev=canary} in namespaces labelled {}"
                + " (IST0139), so such pods are injected more than once: istio-sidecar-injector-canary (rev.object.sidecar-injector.istio.io,"
                + " revision canary), istio-revision-tag-canary"), hits::toString);
        int secondName = (int) yaml.substring(0, yaml.indexOf("name: istio-revision-tag-canary")).lines().count();
        assertEquals(4, hits.get(1).position().line(), "at the first injector's name");
        assertEquals(secondName, hits.get(2).position().line(), "at the second injector's name");
        assertEquals(hits.get(1).message(), hits.get(2).message());
        // The tag shares the revision's name, which is the other finding.
        assertEquals(Rule.TAG_NAMED_LIKE_REVISION, hits.get(0).rule());
        assertTrue(hits.get(0).message().contains("has the name of revision canary"), hits::toString);
    }

    /**
     * Rule (IST0139, istio/istio pkg/config/analysis/analyzers/webhook/webhook.go): every configuration of
     * an overlap is reported, naming the others, and so is every injector webhook whose Service does not
     * exist. Upstream's analyzers_test.go expects three messages on its testdata/webhook.yaml (two
     * overlaps, one missing Service); this is meshwave's own fixture of the same cases.
     */
    @Test
    void likeIstiosAnalyzerEachConfigurationOfAnOverlapAndEachMissingServiceIsReported() throws Exception {
        String yaml = java.nio.file.Files.readString(java.nio.file.Path.of("src/test/resources/lint/analyzer/webhooks.yaml"));
        List<InjectionRules.Hit> hits = check(yaml);
        assertEquals(List.of(Rule.OVERLAPPING_INJECTORS, Rule.OVERLAPPING_INJECTORS, Rule.INJECTOR_SERVICE_NOT_FOUND),
                hits.stream().map(InjectionRules.Hit::rule).toList(), hits::toString);
        assertEquals(List.of(6, 21), List.of(hits.get(0).position().line(), hits.get(1).position().line()), "at each configuration's name");
        assertTrue(hits.get(0).message().startsWith("2 sidecar injector webhooks match pods labelled {} in namespaces labelled"
                + " {istio-injection=enabled} (IST0139)"), hits::toString);
        assertEquals(12, hits.get(2).position().line(), "at the Service's name");
        assertTrue(hits.get(2).message().startsWith("MutatingWebhookConfiguration 'injector-left' (webhook sidecar-injector.istio.io)"
                + " calls Service istio-system/istiod-gone, which is not applied with it"), hits::toString);
    }

    /** Same rule and source: the analyzer counts matches by configuration/webhook, so one configuration can overlap itself. */
    @Test
    void twoWebhooksOfOneConfigurationOverlap() throws Exception {
        String yaml = "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: doubled\n"
                + "webhooks:\n"
                + "- name: namespace.sidecar-injector.istio.io\n  clientConfig: {service: {name: istiod, namespace: istio-system}}\n"
                + "  namespaceSelector: {matchLabels: {istio-injection: enabled}}\n"
                + "- name: object.sidecar-injector.istio.io\n  clientConfig: {service: {name: istiod, namespace: istio-system}}\n"
                + "  objectSelector: {matchLabels: {sidecar.istio.io/inject: \"true\"}}\n";
        List<InjectionRules.Hit> hits = check(yaml);
        assertEquals(List.of(Rule.OVERLAPPING_INJECTORS), hits.stream().map(InjectionRules.Hit::rule).toList(), hits::toString);
        assertTrue(hits.get(0).message().contains("doubled (namespace.sidecar-injector.istio.io), doubled (object.sidecar-injector.istio.io)"),
                hits::toString);
    }

    /** Same source: webhooks are Istio's by a revision named in their selectors even when no webhook name ends in istio.io. */
    @Test
    void aServiceTheRevisionsInstallerCreatesIsTakenAsThere() throws Exception {
        String tag = injector("istio-revision-tag-prod", "asm-1233-2", "prod");
        assertEquals(List.of(), check(tag), "istiod-asm-1233-2 comes with the revision");
        List<InjectionRules.Hit> hits = check(tag.replace("name: istiod-asm-1233-2,", "name: istiod-asm-1140-0,"));
        assertEquals(List.of(Rule.INJECTOR_SERVICE_NOT_FOUND, Rule.INJECTOR_SERVICE_NOT_FOUND),
                hits.stream().map(InjectionRules.Hit::rule).toList(), hits::toString);
        String renamed = injector("third-party", "canary", null).replace(".sidecar-injector.istio.io", ".example.com");
        assertEquals(List.of(), check(renamed));
        assertEquals(2, check(renamed.replace("name: istiod-canary,", "name: nowhere,")).size(), "selected by its istio.io/rev selectors");
    }

    @Test
    void tagsShapedLikeRevisionsAreFoundWhateverTheirTarget() throws Exception {
        for (String tag : List.of("asm-1233-2", "1-22-3", "asm-managed-rapid")) {
            List<InjectionRules.Hit> hits = check(injector("istio-revision-tag-" + tag, "asm-1140-0", tag));
            assertEquals(List.of(Rule.TAG_NAMED_LIKE_REVISION), hits.stream().map(InjectionRules.Hit::rule).toList(), tag);
            assertEquals(7, hits.get(0).position().line(), "at the istio.io/tag label");
        }
        assertEquals(List.of(), check(injector("istio-revision-tag-prod-stable", "asm-1140-0", "prod-stable")));
    }

    @Test
    void aValidatorNeedsServiceIstiodInItsNamespaceOrOneWithoutNamespace() throws Exception {
        String validator = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n"
                + "  name: istiod-default-validator\nwebhooks:\n- name: validation.istio.io\n"
                + "  clientConfig:\n    service: {name: istiod, namespace: istio-system}\n---\n";
        String service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: istiod\n";
        assertEquals(List.of(Rule.VALIDATOR_WITHOUT_ISTIOD_SERVICE), check(validator).stream().map(InjectionRules.Hit::rule).toList());
        assertEquals(8, check(validator).get(0).position().line());
        assertEquals(1, check(validator + service + "  namespace: other\n").size(), "another namespace's istiod does not serve it");
        assertEquals(List.of(), check(validator + service + "  namespace: istio-system\n"));
        assertEquals(List.of(), check(validator + service), "the applier may put it in istio-system");
        // A revision's own validator calls istiod-<rev>, installed with the revision: not this rule's business.
        assertEquals(List.of(), check(validator.replace("name: istiod,", "name: istiod-asm-1233-2,")));
    }

    @Test
    void anInjectorTheModelCannotReadIsAWarningNotAHit() throws Exception {
        List<Problem> notChecked = new ArrayList<>();
        String odd = injector("istio-sidecar-injector-canary", "canary", null).replace("operator: DoesNotExist", "operator: Gt");
        assertEquals(List.of(), InjectionRules.check(ManifestFile.read("f.yaml", odd.getBytes(StandardCharsets.UTF_8), 1 << 20), notChecked));
        assertEquals(1, notChecked.size());
        assertTrue(notChecked.get(0).message().startsWith("MutatingWebhookConfiguration 'istio-sidecar-injector-canary' not checked:"),
                notChecked::toString);
    }

    @Test
    void aBuiltObjectIsTracedToTheDocumentWithTheLongestNameItContains() throws Exception {
        List<Manifest> sources = ManifestFile.read("v.yaml", ("apiVersion: v1\nkind: Service\nmetadata: {name: istiod}\n---\n"
                + "apiVersion: v1\nkind: Service\nmetadata: {name: istiod-legacy}\n---\n"
                + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: prod-istiod-legacy}\n").getBytes(StandardCharsets.UTF_8), 1 << 20);
        Manifest built = ManifestFile.read("b.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: prod-istiod-legacy}\n"
                .getBytes(StandardCharsets.UTF_8), 1 << 20).get(0);
        assertEquals(5, KustomizeBuild.match(built, sources).orElseThrow().start().line(), "istiod-legacy, not istiod nor the ConfigMap");
    }

    /**
     * Rule: sidecar injection takes precedence over ztunnel capture, so an ambient namespace that an injector selects
     * gets sidecars at its next restart (MESH-FACTS §12; istio.io/latest/docs/ambient/migrate/enable-ambient-mode/:
     * "The sidecar takes precedence over ztunnel for pods that have both"; istio/istio pkg/kube/inject does not read
     * istio.io/dataplane-mode).
     */
    @Test
    void anAmbientNamespaceWithASidecarLabelIsFound() throws Exception {
        String namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ledger\n  labels:\n    istio.io/dataplane-mode: ambient\n";
        assertEquals(List.of(), check(namespace));
        assertEquals(List.of(), check(namespace + "    istio-injection: disabled\n"), "disabled injects nobody");
        for (String label : List.of("istio.io/rev: asm-1233-2", "istio-injection: enabled")) {
            List<InjectionRules.Hit> hits = check(namespace + "    " + label + "\n");
            assertEquals(List.of(Rule.AMBIENT_WITH_SIDECAR_LABEL), hits.stream().map(InjectionRules.Hit::rule).toList(), label);
            assertEquals(7, hits.get(0).position().line(), "at the sidecar label");
            assertTrue(hits.get(0).message().startsWith("namespace 'ledger' is ambient (istio.io/dataplane-mode=ambient) and labelled "
                    + label.replace(": ", "=") + "; sidecar injection takes precedence over ztunnel capture"), hits::toString);
        }
    }

    /**
     * The same precedence for a workload whose pods enrol in ambient by their own label, in a namespace an injector selects
     * (istio/istio@1.28.10:cni/pkg/util/enablement_selector.go reads the pod's istio.io/dataplane-mode and skips a pod with a
     * sidecar); sidecar.istio.io/inject "false" opts the pod out of injection (istio-discovery mutatingwebhook.yaml objectSelector,
     * pkg/kube/inject/inject.go injectRequired for the annotation).
     */
    @Test
    void anAmbientWorkloadInASidecarNamespaceIsFoundAtItsPodLabel() throws Exception {
        String namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    istio.io/rev: prod-stable\n---\n";
        String deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\n  namespace: shop\nspec:\n  template:\n"
                + "    metadata:\n      labels:\n        app: cart\n        istio.io/dataplane-mode: ambient\n";
        List<InjectionRules.Hit> hits = check(namespace + deployment);
        assertEquals(List.of(Rule.AMBIENT_WITH_SIDECAR_LABEL), hits.stream().map(InjectionRules.Hit::rule).toList(), hits::toString);
        assertEquals(18, hits.get(0).position().line(), "at the pod's ambient label");
        assertEquals(6, hits.get(0).related().get(0).line(), "naming the namespace's label");
        assertEquals("Deployment 'cart' enrols its pods in ambient (istio.io/dataplane-mode=ambient) in namespace 'shop', which is labelled"
                + " istio.io/rev=prod-stable; sidecar injection takes precedence over ztunnel capture, so its pods get sidecars and ztunnel"
                + " leaves them out (label its pods sidecar.istio.io/inject: \"false\" to keep them ambient)", hits.get(0).message());
        assertEquals(List.of(), check(namespace + deployment + "        sidecar.istio.io/inject: \"false\"\n"), "opted out of injection");
        assertEquals(List.of(), check(namespace + deployment + "      annotations:\n        sidecar.istio.io/inject: \"false\"\n"),
                "opted out by the annotation");
        assertEquals(List.of(), check(namespace.replace("istio.io/rev: prod-stable", "istio-injection: disabled") + deployment),
                "a namespace no injector selects");
        assertEquals(List.of(), check(deployment), "without its Namespace lint cannot tell");
        List<InjectionRules.Hit> ambientNamespace = check(namespace.replace("  labels:\n", "  labels:\n    istio.io/dataplane-mode: ambient\n")
                + deployment);
        assertEquals(1, ambientNamespace.size(), "the namespace's finding says it once: " + ambientNamespace);
        assertTrue(ambientNamespace.get(0).message().startsWith("namespace 'shop'"), ambientNamespace::toString);
    }

    @Test
    void bothLabelsOnlyWhenBothArePresent() throws Exception {
        String namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n";
        assertEquals(List.of(), check(namespace + "    istio.io/rev: canary\n"));
        assertEquals(List.of(), check(namespace + "    istio-injection: enabled\n"));
        assertEquals(List.of(), check(namespace + "    istio-injection: ~\n    istio.io/rev: canary\n"), "null removes a label");
        List<InjectionRules.Hit> hits = check(namespace + "    istio.io/rev: canary\n    istio-injection: disabled\n");
        assertEquals(Rule.BOTH_INJECTION_LABELS, hits.get(0).rule());
        assertEquals(7, hits.get(0).position().line(), "at istio-injection, the label to remove");
    }
}
