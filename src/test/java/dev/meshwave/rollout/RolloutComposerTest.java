package dev.meshwave.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.StageChange.TagOwner;
import dev.meshwave.testing.Plans;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each stage changes is decided here, once: the Kustomize layout and the admission check only read it. */
class RolloutComposerTest {

    @TempDir
    Path dir;

    private static final String TAGGED = Plans.BASE.replace("  clusters:",
            "  tags: {prod: second}\n  existing: {nonRevisionedInjector: deactivate}\n  clusters:");

    @Test
    void stage00OwnsWhatLaterStagesChangeWithTheirValuesOfToday() {
        Rollout rollout = compose(TAGGED);
        Stage first = stage(rollout, "control-plane");
        StageChange.NamespacesOwned owned = rollout.change(first, StageChange.NamespacesOwned.class).orElseThrow();
        assertEquals(Optional.empty(), owned.from());
        assertEquals(Map.of("a", today(), "b", today(), "c", today()), owned.labels());
        assertEquals(List.of(new StageChange.TagCreated("prod", "asm-1130-0", TagOwner.PLAN, false)),
                rollout.changes(first, StageChange.TagCreated.class));
        assertEquals("asm-1130-0", rollout.change(first, StageChange.IstiodServiceOwned.class).orElseThrow()
                .service().selector().get("istio.io/rev"));
        assertEquals(kinds("NamespacesOwned", "TagCreated", "IstiodServiceOwned", "ControlPlaneInstalled"), kinds(rollout, first));
        assertEquals(new StageChange.ControlPlaneInstalled(0, "asm-1140-0"), rollout.changes(first).get(3));
    }

    /**
     * istio-cni, then ztunnel, each in a stage of its own after the control plane and before the first wave: both work
     * with control planes of their minor and the next (istio.io ambient/upgrade/helm), so the control plane goes first.
     */
    @Test
    void ambientComponentsAreUpgradedInPlaceCniThenZtunnelAfterTheControlPlaneAndBeforeTheWaves() {
        Rollout rollout = compose("""
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: demo
                spec:
                  from: {revision: default-v1-25-2, version: 1.25.2}
                  to: {version: 1.26.1, install: sail, sail: {values: values.yaml}}
                  ambient:
                    ztunnel: {updateStrategy: OnDelete}
                    cni: {}
                  clusters:
                    - {name: c1, path: clusters/c1}
                  waves:
                    - {name: first, namespaces: [a]}
                    - {name: second, namespaces: [b]}
                """);
        assertEquals(List.of("00-control-plane", "01-istio-cni", "02-ztunnel", "03-first", "04-second", "05-finalize", "06-cleanup"),
                rollout.stages().stages().stream().map(Stage::directory).toList());
        Stage cni = stage(rollout, "istio-cni");
        Stage ztunnel = stage(rollout, "ztunnel");
        dev.meshwave.plan.MeshVersion target = dev.meshwave.plan.MeshVersion.parse("1.26.1");
        assertEquals(List.of(new StageChange.AmbientComponentUpgraded(new Plan.AmbientComponent(Plan.Component.CNI,
                dev.meshwave.plan.MeshVersion.parse("1.25.2"), Plan.UpdateStrategy.ROLLING_UPDATE), target, "default-v1-26-1")),
                rollout.changes(cni));
        assertEquals(List.of(new StageChange.AmbientComponentUpgraded(new Plan.AmbientComponent(Plan.Component.ZTUNNEL,
                dev.meshwave.plan.MeshVersion.parse("1.25.2"), Plan.UpdateStrategy.ON_DELETE), target, "default-v1-26-1")),
                rollout.changes(ztunnel));
        // The component stages move no namespace: every namespace keeps today's labels until its wave.
        assertEquals(Map.of("istio.io/rev", "default-v1-25-2"), rollout.labelsAt("a", ztunnel));
        assertEquals("default-v1-25-2", rollout.revisionAt("a", ztunnel));
        assertEquals(List.of(3), rollout.movesOf("a"));
    }

    @Test
    void aWaveRelabelsItsNamespacesMovesItsTagsAndRestartsThem() {
        Rollout rollout = compose(TAGGED);
        Stage second = stage(rollout, "second");
        assertEquals(List.of(
                new StageChange.NamespacesRelabelled(List.of("b", "c"), "asm-1140-0"),
                new StageChange.TagMoved("prod", "asm-1140-0", TagOwner.PLAN, false),
                new StageChange.WorkloadsRestarted(List.of("b", "c"), "asm-1140-0")), rollout.changes(second));
        assertEquals(List.of(0, 0, 2, 2), rollout.stages().stages().stream().map(s -> rollout.labelsAt("b", s))
                .map(labels -> labels.equals(today()) ? 0 : 2).toList());
        assertEquals(List.of(2), rollout.movesOf("b"));
    }

    @Test
    void finalizePointsTheUnrevisionedNamesAtTheRevisionAndRetiresTheOldInjectorWhereTheDefaultTagArrives() {
        Rollout rollout = compose(TAGGED);
        Stage finalize = stage(rollout, "finalize");
        assertEquals(kinds("IstiodServiceSelects", "ValidatorCreated", "TagCreated", "InjectorRetired"), kinds(rollout, finalize));
        assertEquals(new StageChange.TagCreated(Rollout.DEFAULT_TAG, "asm-1140-0", TagOwner.FINALIZE, false),
                rollout.change(finalize, StageChange.TagCreated.class).orElseThrow());
        assertEquals(new StageChange.InjectorRetired(true), rollout.change(finalize, StageChange.InjectorRetired.class).orElseThrow());
        // Without deactivate, a person removes it: the same stage, retired by hand.
        Rollout byHand = compose(TAGGED.replace("nonRevisionedInjector: deactivate", "nonRevisionedInjector: present"));
        assertEquals(new StageChange.InjectorRetired(false),
                byHand.change(stage(byHand, "finalize"), StageChange.InjectorRetired.class).orElseThrow());
    }

    @Test
    void aTagFollowerKeepsItsLabelsWhileTheRevisionThatInjectsItChangesInItsWave() {
        Rollout rollout = compose("""
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata: {name: tags}
                spec:
                  from: {revision: asm-1130-0, version: 1.13.0-asm.0}
                  to: {version: 1.14.0-asm.0}
                  injection: tag
                  tags: {prod-stable: apps}
                  clusters: [{name: c1, path: clusters/c1}]
                  waves:
                    - {name: apps, namespaces: [app]}
                """);
        Stage apps = stage(rollout, "apps");
        assertEquals(kinds("TagMoved", "WorkloadsRestarted"), kinds(rollout, apps));
        for (Stage stage : rollout.stages().stages()) {
            assertEquals(Map.of("istio.io/rev", "prod-stable"), rollout.labelsAt("app", stage), stage.directory());
        }
        assertEquals(List.of("asm-1130-0", "asm-1140-0"), rollout.stages().stages().stream()
                .filter(s -> s.kind() != Stage.Kind.FINALIZE).map(s -> rollout.revisionAt("app", s)).toList());
        assertEquals(List.of(1), rollout.movesOf("app"));
    }

    @Test
    void aNonRevisionedInstallGetsItsTagsInTheirWaveAndEachPhaseSwitchesTheGatewayInItsFirstWave() {
        Rollout rollout = compose("""
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata: {name: istio}
                spec:
                  from: {revision: default, version: 1.13.4}
                  to: {version: 1.14.0-asm.0, options: [legacy-default-ingressgateway]}
                  tags: {default: second}
                  clusters:
                    - name: c1
                      path: clusters/c1
                      ingressGateway: {namespace: istio-system, service: istio-ingressgateway}
                  waves:
                    - {name: first, namespaces: [a]}
                    - {name: second, namespaces: [b]}
                """);
        assertEquals(Map.of("istio-injection", "enabled"),
                rollout.change(stage(rollout, "control-plane"), StageChange.NamespacesOwned.class).orElseThrow().labels().get("a"));
        assertEquals(kinds("NamespacesOwned", "GatewayServiceOwned", "IstiodServiceOwned", "ValidatorOwned", "ControlPlaneInstalled"),
                kinds(rollout, stage(rollout, "control-plane")));
        assertEquals(kinds("NamespacesRelabelled", "GatewaySwitched", "WorkloadsRestarted"), kinds(rollout, stage(rollout, "first")));
        assertEquals(kinds("NamespacesRelabelled", "TagCreated", "InjectorRetired", "WorkloadsRestarted"),
                kinds(rollout, stage(rollout, "second")));
    }

    private static Map<String, String> today() {
        return Map.of("istio.io/rev", "asm-1130-0");
    }

    private static List<String> kinds(String... names) {
        return List.of(names);
    }

    private static List<String> kinds(Rollout rollout, Stage stage) {
        return rollout.changes(stage).stream().map(c -> c.getClass().getSimpleName()).toList();
    }

    private static Stage stage(Rollout rollout, String selector) {
        return rollout.stages().find(selector).orElseThrow();
    }

    private Rollout compose(String yaml) {
        try {
            java.nio.file.Files.writeString(dir.resolve("values.yaml"), "profile: ambient\n"); // an ambient mesh's istiod
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Plan plan = Plans.load(dir, yaml);
        return RolloutComposer.compose(new StagePlan(plan, plan.clusters().get(0)));
    }
}
