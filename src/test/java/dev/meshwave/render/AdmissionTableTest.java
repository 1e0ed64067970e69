package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.admission.Admission;
import dev.meshwave.admission.Injector;
import dev.meshwave.admission.LabelSelector.Operator;
import dev.meshwave.admission.LabelSelector.Requirement;
import dev.meshwave.admission.LabelSelector;
import dev.meshwave.plan.Plan;
import dev.meshwave.testing.Plans;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * MESH-FACTS §2 (which webhook injects a pod) and §4 (revision-tag webhooks) as a table, checked
 * against the injector manifests exactly as meshwave renders them, independent of any plan's waves.
 */
class AdmissionTableTest {

    // Injector configuration names (metadata.name of the rendered MutatingWebhookConfigurations).
    static final String DEFAULT_TAG = "istio-revision-tag-default";
    static final String REVISION = "istio-sidecar-injector-asm-1140-0";
    static final String PROD_STABLE = "istio-revision-tag-prod-stable";
    static final String NON_REVISIONED = "istio-sidecar-injector";

    /** The injectors a row may put in front of the API server. */
    enum Kind {
        /** (a) {@code default} tag at asm-1130-0. */
        DEFAULT_TAG,
        /** (b) revision asm-1140-0's own injector. */
        REVISION,
        /** (c) non-default tag {@code prod-stable} at asm-1140-0. */
        PROD_STABLE,
        /** (d) the non-revisioned {@code istio-sidecar-injector}. */
        NON_REVISIONED,
        /** (e) the non-revisioned injector, deactivated. */
        DEACTIVATED
    }

    /** Tag, revision and tag without overlap, plus the deactivated leftover: the usual mid-canary cluster. */
    static final List<Kind> ALL_ACTIVE = List.of(Kind.DEFAULT_TAG, Kind.REVISION, Kind.PROD_STABLE, Kind.DEACTIVATED);

    @TempDir
    static Path dir;

    static final Map<Kind, Injector> INJECTORS = new EnumMap<>(Kind.class);

    @BeforeAll
    static void renderInjectors() throws TemplateException {
        Plan plan = Plans.load(dir, Plans.BASE);
        Injectors injectors = new Injectors(Templates.builtIn(), plan, ClusterFacts.of(plan, plan.clusters().get(0)),
                new TemplateContext()
                        .with("istioNamespace", "istio-system")
                        .with("planName", "p")
                        .with("cluster", "c1")
                        .with("version", "1.14.0-asm.0"));
        INJECTORS.put(Kind.DEFAULT_TAG, parse(injectors.tag("default", "asm-1130-0")));
        INJECTORS.put(Kind.REVISION, parse(injectors.revision("asm-1140-0")));
        INJECTORS.put(Kind.PROD_STABLE, parse(injectors.tag("prod-stable", "asm-1140-0")));
        INJECTORS.put(Kind.NON_REVISIONED, parse(injectors.nonRevisioned()));
        INJECTORS.put(Kind.DEACTIVATED, parse(injectors.deactivatedNonRevisioned()));
    }

    @SuppressWarnings("unchecked")
    static Injector parse(String manifest) {
        return Injector.fromManifest((Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(manifest));
    }

    static List<Injector> present(List<Kind> kinds) {
        return kinds.stream().map(INJECTORS::get).toList();
    }

    /** One line of the table: labels, the injectors present, and who injects (empty = nobody, two or more = overlap). */
    record Row(String why, Map<String, String> namespace, Map<String, String> pod, List<Kind> injectors, List<String> expected) {
        @Override
        public String toString() {
            String result = expected.isEmpty() ? "nobody" : expected.size() > 1 ? "OVERLAP " + expected : expected.get(0);
            return why + ": ns" + Admission.describe(namespace) + " pod" + Admission.describe(pod) + " with " + injectors
                    + " -> " + result;
        }
    }

    static Row row(String why, Map<String, String> namespace, Map<String, String> pod, List<Kind> injectors, String... expected) {
        return new Row(why, namespace, pod, injectors, List.of(expected));
    }

    /** Labels from alternating keys and values. */
    static Map<String, String> labels(String... keysAndValues) {
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            labels.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return labels;
    }

    static final String INJECTION = "istio-injection";
    static final String REV = "istio.io/rev";
    static final String INJECT = "sidecar.istio.io/inject";
    static final Map<String, String> NONE = Map.of();

    static Stream<Row> rows() {
        List<Kind> s = ALL_ACTIVE;
        return Stream.of(
                // §2 line 1: istio-injection=enabled -> default tag; istio.io/rev on ns and pod ignored; pod inject=false opts out.
                row("§2.1 enabled", labels(INJECTION, "enabled"), NONE, s, DEFAULT_TAG),
                row("§2.1 enabled, pod inject=true", labels(INJECTION, "enabled"), labels(INJECT, "true"), s, DEFAULT_TAG),
                row("§2.1 enabled, pod inject=false", labels(INJECTION, "enabled"), labels(INJECT, "false"), s),
                row("§2.1 enabled wins over ns rev", labels(INJECTION, "enabled", REV, "asm-1140-0"), NONE, s, DEFAULT_TAG),
                row("§2.1 enabled wins over ns rev (tag), pod inject=true", labels(INJECTION, "enabled", REV, "prod-stable"),
                        labels(INJECT, "true"), s, DEFAULT_TAG),
                row("§2.1 enabled + ns rev, pod inject=false", labels(INJECTION, "enabled", REV, "asm-1140-0"),
                        labels(INJECT, "false"), s),
                row("§2.1 enabled, pod rev ignored", labels(INJECTION, "enabled"), labels(REV, "asm-1140-0"), s, DEFAULT_TAG),
                row("§2.1 enabled, pod inject=true + rev ignored", labels(INJECTION, "enabled"),
                        labels(INJECT, "true", REV, "prod-stable"), s, DEFAULT_TAG),
                // §2 line 2: any other istio-injection value -> nobody, whatever else.
                row("§2.2 disabled", labels(INJECTION, "disabled"), NONE, s),
                row("§2.2 disabled, pod inject=true", labels(INJECTION, "disabled"), labels(INJECT, "true"), s),
                row("§2.2 disabled, pod inject=true + rev", labels(INJECTION, "disabled"),
                        labels(INJECT, "true", REV, "asm-1140-0"), s),
                row("§2.2 disabled + ns rev", labels(INJECTION, "disabled", REV, "asm-1140-0"), NONE, s),
                row("§2.2 disabled + ns rev=default, pod rev=default", labels(INJECTION, "disabled", REV, "default"),
                        labels(REV, "default"), s),
                row("§2.2 other value", labels(INJECTION, "yes"), labels(INJECT, "true"), s),
                // §2 line 3: ns istio.io/rev=X, pod inject absent/true -> X; pod istio.io/rev ignored.
                row("§2.3 ns rev=revision", labels(REV, "asm-1140-0"), NONE, s, REVISION),
                row("§2.3 ns rev=revision, pod inject=true", labels(REV, "asm-1140-0"), labels(INJECT, "true"), s, REVISION),
                row("§2.3 ns rev=tag", labels(REV, "prod-stable"), NONE, s, PROD_STABLE),
                row("§2.3 ns rev=default tag", labels(REV, "default"), NONE, s, DEFAULT_TAG),
                row("§2.3 ns rev=revision, pod rev=tag ignored", labels(REV, "asm-1140-0"), labels(REV, "prod-stable"), s, REVISION),
                row("§2.3 ns rev=tag, pod inject=true + rev=revision ignored", labels(REV, "prod-stable"),
                        labels(INJECT, "true", REV, "asm-1140-0"), s, PROD_STABLE),
                row("§2.3 ns rev=default tag's revision is not the tag", labels(REV, "asm-1130-0"), NONE, s),
                // §2 line 4: ns istio.io/rev=X, pod inject=false -> nobody.
                row("§2.4 ns rev=revision, pod inject=false", labels(REV, "asm-1140-0"), labels(INJECT, "false"), s),
                row("§2.4 ns rev=tag, pod inject=false + rev", labels(REV, "prod-stable"),
                        labels(INJECT, "false", REV, "prod-stable"), s),
                // §2 line 5: no ns labels, pod istio.io/rev=X (inject absent/true) -> X.
                row("§2.5 pod rev=revision", NONE, labels(REV, "asm-1140-0"), s, REVISION),
                row("§2.5 pod rev=tag, inject=true", NONE, labels(INJECT, "true", REV, "prod-stable"), s, PROD_STABLE),
                row("§2.5 pod rev=default", NONE, labels(REV, "default"), s, DEFAULT_TAG),
                row("§2.5 pod rev=revision, inject=false", NONE, labels(INJECT, "false", REV, "asm-1140-0"), s),
                // §2 line 6: no ns labels, pod inject=true and no rev -> default.
                row("§2.6 pod inject=true", NONE, labels(INJECT, "true"), s, DEFAULT_TAG),
                // no labels anywhere -> nobody.
                row("no labels", NONE, NONE, s),
                row("no ns labels, pod inject=false", NONE, labels(INJECT, "false"), s),
                // §2: a non-revisioned injector and a default tag overlap (IST0139).
                row("non-revisioned + default tag overlap", labels(INJECTION, "enabled"), NONE,
                        List.of(Kind.NON_REVISIONED, Kind.DEFAULT_TAG), NON_REVISIONED, DEFAULT_TAG),
                row("non-revisioned + default tag overlap, pod inject=true", NONE, labels(INJECT, "true"),
                        List.of(Kind.NON_REVISIONED, Kind.DEFAULT_TAG), NON_REVISIONED, DEFAULT_TAG),
                row("non-revisioned + default tag overlap, ns rev=default", labels(REV, "default"), NONE,
                        List.of(Kind.NON_REVISIONED, Kind.DEFAULT_TAG), NON_REVISIONED, DEFAULT_TAG),
                row("non-revisioned alone", labels(INJECTION, "enabled"), NONE, List.of(Kind.NON_REVISIONED), NON_REVISIONED),
                // the deactivated injector never matches.
                row("deactivated + default tag", labels(INJECTION, "enabled"), NONE,
                        List.of(Kind.DEACTIVATED, Kind.DEFAULT_TAG), DEFAULT_TAG),
                row("deactivated alone, enabled", labels(INJECTION, "enabled"), NONE, List.of(Kind.DEACTIVATED)),
                row("deactivated alone, pod inject=true", NONE, labels(INJECT, "true"), List.of(Kind.DEACTIVATED)),
                row("deactivated alone, ns rev=default", labels(REV, "default"), NONE, List.of(Kind.DEACTIVATED)),
                // §4: a tag and a revision with different names (same istiod) never overlap.
                row("revision + tag, ns rev=revision", labels(REV, "asm-1140-0"), NONE,
                        List.of(Kind.REVISION, Kind.PROD_STABLE), REVISION),
                row("revision + tag, ns rev=tag", labels(REV, "prod-stable"), NONE,
                        List.of(Kind.REVISION, Kind.PROD_STABLE), PROD_STABLE),
                row("revision + tag, pod rev=tag", NONE, labels(REV, "prod-stable"),
                        List.of(Kind.REVISION, Kind.PROD_STABLE), PROD_STABLE),
                row("revision + tag, no default, enabled", labels(INJECTION, "enabled"), NONE,
                        List.of(Kind.REVISION, Kind.PROD_STABLE)),
                row("revision + tag, no default, pod inject=true", NONE, labels(INJECT, "true"),
                        List.of(Kind.REVISION, Kind.PROD_STABLE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void whoInjects(Row row) {
        List<String> matched = Admission.admit(present(row.injectors()), row.namespace(), row.pod()).stream()
                .map(m -> m.injector().name()).toList();
        assertEquals(row.expected(), matched, row.toString());
    }

    @Test
    void tableHasAtLeastFifteenRowsAndUsesEveryInjector() {
        List<Row> rows = rows().toList();
        assertTrue(rows.size() >= 15, "only " + rows.size() + " rows");
        Set<Kind> used = rows.stream().flatMap(r -> r.injectors().stream()).collect(Collectors.toCollection(() -> EnumSet.noneOf(Kind.class)));
        assertEquals(EnumSet.allOf(Kind.class), used);
        assertEquals(rows.size(), rows.stream().map(Row::why).distinct().count(), "row names must be unique");
    }

    @Test
    void injectorsAreNamedAndRevisionedAsRendered() {
        assertEquals(DEFAULT_TAG, INJECTORS.get(Kind.DEFAULT_TAG).name());
        assertEquals("asm-1130-0", INJECTORS.get(Kind.DEFAULT_TAG).revision());
        assertEquals(4, INJECTORS.get(Kind.DEFAULT_TAG).webhooks().size());
        assertEquals(REVISION, INJECTORS.get(Kind.REVISION).name());
        assertEquals("asm-1140-0", INJECTORS.get(Kind.REVISION).revision());
        assertEquals(2, INJECTORS.get(Kind.REVISION).webhooks().size());
        assertEquals(PROD_STABLE, INJECTORS.get(Kind.PROD_STABLE).name());
        assertEquals("asm-1140-0", INJECTORS.get(Kind.PROD_STABLE).revision());
        assertEquals(2, INJECTORS.get(Kind.PROD_STABLE).webhooks().size());
        assertEquals(NON_REVISIONED, INJECTORS.get(Kind.NON_REVISIONED).name());
        assertEquals(4, INJECTORS.get(Kind.NON_REVISIONED).webhooks().size());
        assertEquals(NON_REVISIONED, INJECTORS.get(Kind.DEACTIVATED).name());
        assertEquals(4, INJECTORS.get(Kind.DEACTIVATED).webhooks().size());
        INJECTORS.get(Kind.DEFAULT_TAG).webhooks().forEach(w -> assertEquals("istiod-asm-1130-0", w.service()));
        INJECTORS.get(Kind.PROD_STABLE).webhooks().forEach(w -> assertEquals("istiod-asm-1140-0", w.service()));
        INJECTORS.get(Kind.NON_REVISIONED).webhooks().forEach(w -> assertEquals("istiod", w.service()));
    }

    /**
     * IST0139 over the analyzer's whole label space (§2): the usual mid-canary set never injects twice,
     * the non-revisioned injector next to the default tag does.
     */
    @Test
    void analyzerLabelSpace() {
        List<String> names = List.of("default", "asm-1130-0", "asm-1140-0", "prod-stable");
        List<Map<String, String>> namespaceSets = new ArrayList<>();
        for (Map<String, String> base : List.of(NONE, labels(INJECTION, "enabled"), labels(INJECTION, "disabled"))) {
            namespaceSets.add(base);
            for (String name : names) {
                Map<String, String> ns = new TreeMap<>(base);
                ns.put(REV, name);
                namespaceSets.add(ns);
            }
        }
        List<Map<String, String>> podSets = Admission.podLabelSets(names);
        int overlapsWithNonRevisioned = 0;
        for (Map<String, String> ns : namespaceSets) {
            for (Map<String, String> pod : podSets) {
                assertTrue(Admission.admit(present(ALL_ACTIVE), ns, pod).size() <= 1,
                        "overlap for ns" + Admission.describe(ns) + " pod" + Admission.describe(pod));
                assertTrue(Admission.admit(present(List.of(Kind.DEACTIVATED)), ns, pod).isEmpty());
                if (Admission.admit(present(List.of(Kind.NON_REVISIONED, Kind.DEFAULT_TAG)), ns, pod).size() > 1) {
                    overlapsWithNonRevisioned++;
                }
            }
        }
        assertTrue(overlapsWithNonRevisioned > 0);
    }

    // --- LabelSelector semantics (Kubernetes API server) ---

    static LabelSelector selector(Requirement... requirements) {
        return new LabelSelector(Map.of(), List.of(requirements));
    }

    @Test
    void selectorOperatorsOnAMissingKey() {
        Map<String, String> without = Map.of("other", "x");
        assertFalse(selector(new Requirement("k", Operator.IN, List.of("v"))).matches(without));
        assertTrue(selector(new Requirement("k", Operator.NOT_IN, List.of("v"))).matches(without));
        assertFalse(selector(new Requirement("k", Operator.EXISTS, List.of())).matches(without));
        assertTrue(selector(new Requirement("k", Operator.DOES_NOT_EXIST, List.of())).matches(without));
    }

    @Test
    void selectorOperatorsOnAPresentKey() {
        Map<String, String> with = Map.of("k", "v");
        assertTrue(selector(new Requirement("k", Operator.IN, List.of("v", "w"))).matches(with));
        assertFalse(selector(new Requirement("k", Operator.IN, List.of("w"))).matches(with));
        assertFalse(selector(new Requirement("k", Operator.NOT_IN, List.of("v"))).matches(with));
        assertTrue(selector(new Requirement("k", Operator.NOT_IN, List.of("w"))).matches(with));
        assertTrue(selector(new Requirement("k", Operator.EXISTS, List.of())).matches(with));
        assertFalse(selector(new Requirement("k", Operator.DOES_NOT_EXIST, List.of())).matches(with));
        // every term must hold
        assertFalse(selector(new Requirement("k", Operator.EXISTS, List.of()),
                new Requirement("k", Operator.NOT_IN, List.of("v"))).matches(with));
        assertTrue(new LabelSelector(Map.of("k", "v"), List.of()).matches(with));
        assertFalse(new LabelSelector(Map.of("k", "w"), List.of()).matches(with));
        assertFalse(new LabelSelector(Map.of("j", "v"), List.of()).matches(with));
    }

    @Test
    void emptySelectorMatchesEverything() {
        LabelSelector empty = new LabelSelector(Map.of(), List.of());
        for (Map<String, String> labels : List.of(Map.<String, String>of(), Map.of("k", "v"), Map.of(INJECTION, "disabled"))) {
            assertTrue(empty.matches(labels));
            assertTrue(LabelSelector.EVERYTHING.matches(labels));
        }
    }

    @Test
    void podLabelSetsAreTheAnalyzersNine() {
        List<Map<String, String>> sets = Admission.podLabelSets(List.of("a", "b"));
        assertEquals(9, sets.size());
        Set<Map<String, String>> expected = Set.of(
                Map.of(),
                Map.of(REV, "a"),
                Map.of(REV, "b"),
                Map.of(INJECT, "true"),
                Map.of(INJECT, "true", REV, "a"),
                Map.of(INJECT, "true", REV, "b"),
                Map.of(INJECT, "false"),
                Map.of(INJECT, "false", REV, "a"),
                Map.of(INJECT, "false", REV, "b"));
        assertEquals(expected, new HashSet<>(sets));
    }
}
