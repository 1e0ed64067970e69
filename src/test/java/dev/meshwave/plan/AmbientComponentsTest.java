package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Plans;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code spec.ambient}: defaults, and the version skew Istio supports (istio.io docs/ambient/upgrade/helm: "The ztunnel at
 * version 1.x is generally compatible with the control plane at version 1.x+1 and 1.x", the same of istio-cni; the
 * control plane is upgraded first).
 */
class AmbientComponentsTest {

    @TempDir
    Path dir;

    /** Today's istiod values: an ambient mesh's istiod runs the chart's ambient profile (AmbientRules.istiodServesAmbient). */
    @org.junit.jupiter.api.BeforeEach
    void ambientProfile() throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve("values.yaml"), "profile: ambient\n");
    }

    private static String plan(String to, String ambient) {
        return """
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: demo
                spec:
                  from:
                    revision: 1-25-2
                    version: 1.25.2
                  to:
                    version: %s
                    install: helm
                    helm: {controller: flux, values: values.yaml}
                  ambient:
                %s
                  clusters:
                    - name: c1
                      path: clusters/c1
                  waves:
                    - name: apps
                      namespaces: [a]
                """.formatted(to, ambient);
    }

    @Test
    void aComponentRunsAtTodaysControlPlaneVersionAndRollsUnlessThePlanSaysOtherwise() {
        Plan plan = Plans.load(dir, plan("1.26.1", "    cni: {}\n    ztunnel: {}"));
        assertEquals(List.of(
                new Plan.AmbientComponent(Plan.Component.CNI, MeshVersion.parse("1.25.2"), Plan.UpdateStrategy.ROLLING_UPDATE),
                new Plan.AmbientComponent(Plan.Component.ZTUNNEL, MeshVersion.parse("1.25.2"), Plan.UpdateStrategy.ROLLING_UPDATE)),
                plan.ambient());
    }

    @Test
    void istioCniIsAlwaysUpgradedBeforeZtunnelWhateverOrderThePlanNamesThem() {
        Plan plan = Plans.load(dir, plan("1.26.1", "    ztunnel: {version: 1.25.0, updateStrategy: OnDelete}\n    cni: {version: 1.25.2}"));
        assertEquals(List.of(Plan.Component.CNI, Plan.Component.ZTUNNEL), plan.ambient().stream().map(Plan.AmbientComponent::component).toList());
        assertEquals(Plan.UpdateStrategy.ON_DELETE, plan.ambient().get(1).updateStrategy());
        assertEquals(MeshVersion.parse("1.25.0"), plan.ambient().get(1).version());
    }

    @Test
    void aPlanWithoutAmbientHasNoComponents() {
        assertTrue(Plans.load(dir, Plans.BASE).ambient().isEmpty());
    }

    /** The schema names RollingUpdate, the chart's own default (istio 1.26-1.28 manifests/charts/ztunnel/values.yaml updateStrategy.type). */
    @Test
    void theDefaultStrategyIsTheOneTheSchemaNames() throws Exception {
        try (var in = PlanSchema.class.getResourceAsStream("plan.schema.json")) {
            String schemaDefault = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in)
                    .at("/properties/spec/properties/ambient/properties/ztunnel/properties/updateStrategy/default").asText();
            assertEquals(Plan.UpdateStrategy.ROLLING_UPDATE.spelling(), schemaDefault);
        }
    }

    /** Today's component with the new control plane: same minor or one behind, never newer, never another major. */
    @ParameterizedTest
    @CsvSource({
            "1.26.1, 1.25.2, true",   // one minor behind the new control plane: supported
            "1.26.1, 1.26.0, false",  // newer than today's control plane 1.25.2
            "1.26.1, 1.24.9, false",  // two minors behind
            "1.27.0, 1.25.2, false",  // a plan that skips a minor leaves the component two behind at stage 00
            "1.25.4, 1.25.2, true",   // a patch upgrade
            "2.0.0, 1.25.2, false"})  // another major
    void theSkewIstioSupportsIsAccepted(String to, String today, boolean valid) throws Exception {
        Path file = dir.resolve("plan.yaml");
        Files.writeString(file, plan(to, "    ztunnel: {version: " + today + "}"));
        try {
            new PlanLoader(PlanSchema.load()).load(file);
            assertTrue(valid, "accepted ztunnel " + today + " with control plane " + to);
        } catch (InvalidPlanException e) {
            assertTrue(!valid, e.problems().toString());
            assertTrue(e.problems().stream().anyMatch(p -> p.yamlPath().equals("spec.ambient.ztunnel.version")), e.problems().toString());
        }
    }
}
