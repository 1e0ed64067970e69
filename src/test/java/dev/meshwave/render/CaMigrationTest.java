package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.Plan;
import dev.meshwave.rollout.Rollout;
import dev.meshwave.rollout.RolloutComposer;
import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StagePlan;
import dev.meshwave.testing.Plans;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Citadel → Mesh CA migration (seed 002, MESH-FACTS §8) as phases, stages, overlays and pull requests. */
class CaMigrationTest {

    private static final String MIGRATION = Plans.BASE
            .replace("    revision: asm-1130-0\n", "    revision: asm-1130-0\n    ca: citadel\n")
            .replace("    version: 1.14.0-asm.0\n", "    version: 1.23.3-asm.2\n");

    private static final String FLEET = MIGRATION.replace("  waves:\n", """
                - name: c2
                  path: clusters/c2
              waves:
            """);

    @TempDir
    Path dir;

    private final Renderer renderer = new Renderer(Templates.builtIn());

    @Test
    void theMigrationIsTwoPhasesWithTheRevisionsOfSeed002() {
        List<Plan> phases = Plans.load(dir, MIGRATION).phases();
        assertEquals(2, phases.size());
        Plan root = phases.get(0);
        assertEquals("asm-1130-0", root.from().revision());
        assertEquals("asm-1233-2-distribute-root", root.to().revision());
        assertEquals(Plan.CertificateAuthority.CITADEL, root.to().ca());
        assertEquals(List.of("ca-migration-citadel"), root.to().options());
        Plan meshCa = phases.get(1);
        assertEquals("asm-1233-2-distribute-root", meshCa.from().revision());
        assertEquals("asm-1233-2-meshca-ca-migration", meshCa.to().revision());
        assertEquals(Plan.CertificateAuthority.MESH_CA, meshCa.to().ca());
        assertEquals(List.of("ca-migration-meshca"), meshCa.to().options());
        assertEquals("asm-1233-2-meshca-ca-migration", Plans.load(dir, MIGRATION).finalRevision());
    }

    @Test
    void spelledAsCaMigrationWithItsOwnRevisionNames() {
        Plan plan = Plans.load(dir, Plans.BASE.replace("    version: 1.14.0-asm.0\n", """
                    version: 1.14.0-asm.0
                  caMigration:
                    distributeRootRevision: roots
                    meshcaRevision: meshca
                """));
        assertEquals(List.of("roots", "meshca"), plan.phases().stream().map(p -> p.to().revision()).toList());
    }

    @Test
    void aPlanThatKeepsItsCaHasOnePhase() {
        Plan plan = Plans.load(dir, MIGRATION.replace("    version: 1.23.3-asm.2\n", "    version: 1.23.3-asm.2\n    ca: citadel\n"));
        assertEquals(List.of(plan), plan.phases());
        assertTrue(plan.caMigration().isEmpty());
    }

    @Test
    void stagesRepeatTheWavesForTheMeshCaPhaseAndEndWithTheCleanup() {
        Plan plan = Plans.load(dir, MIGRATION);
        StagePlan stages = new StagePlan(plan, plan.clusters().get(0));
        assertEquals(List.of("00-control-plane", "01-first", "02-second", "03-finalize", "04-meshca-control-plane", "05-meshca-first",
                "06-meshca-second", "07-meshca-finalize", "08-ca-cleanup"), stages.stages().stream().map(Stage::directory).toList());
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("00-control-plane", "asm-1130-0");
        expected.put("01-first", "asm-1233-2-distribute-root");
        expected.put("04-meshca-control-plane", "asm-1233-2-distribute-root");
        expected.put("05-meshca-first", "asm-1233-2-meshca-ca-migration");
        expected.put("08-ca-cleanup", "asm-1233-2-meshca-ca-migration");
        Rollout rollout = RolloutComposer.compose(stages);
        expected.forEach((stage, revision) ->
                assertEquals(Map.of("istio.io/rev", revision), rollout.labelsAt("a", stages.find(stage).orElseThrow()), stage));
        assertEquals("asm-1233-2-distribute-root", rollout.revisionAt("b", stages.find("meshca-first").orElseThrow()));
        assertTrue(stages.isFirstWaveOfPhase(stages.find("meshca-first").orElseThrow()));
        assertFalse(stages.isFirstWaveOfPhase(stages.find("meshca-second").orElseThrow()));
    }

    @Test
    void theCaServerIsTurnedOffForAsm123AndOlderOnly() throws Exception {
        String env = "clusters/c1/control-plane/asm-1233-2-meshca-ca-migration/01-option-ca-migration-meshca.yaml";
        assertTrue(renderer.render(Plans.load(dir, MIGRATION), Renderer.LiveStages.first()).text(env).contains("ENABLE_CA_SERVER: \"false\""));
        RenderedTree newer = renderer.render(Plans.load(dir, MIGRATION.replace("1.23.3-asm.2", "1.24.1-asm.3")), Renderer.LiveStages.first());
        assertFalse(newer.text(env.replace("1233-2", "1241-3")).contains("ENABLE_CA_SERVER"));
    }

    @Test
    void withoutMultiprojectNoOverlayRewritesTheAliases() throws Exception {
        RenderedTree tree = renderer.render(Plans.load(dir, MIGRATION), Renderer.LiveStages.first());
        assertFalse(tree.files().keySet().stream().anyMatch(p -> p.contains("trust-domain-aliases")), tree.files().keySet().toString());
    }

    @Test
    void noClusterStartsTheMeshCaPhaseBeforeEveryClusterFinishedTheFirst() throws Exception {
        Plan plan = Plans.load(dir, FLEET);
        RenderException early = assertThrows(RenderException.class, () -> renderer.render(plan,
                new Renderer.LiveStages(Optional.empty(), Map.of("c1", "05-meshca-first", "c2", "02-second"))));
        assertTrue(early.getMessage().contains("cluster c1 is at 05-meshca-first (the Mesh CA phase) while cluster c2 is at 02-second"),
                early.getMessage());
        renderer.render(plan, new Renderer.LiveStages(Optional.empty(), Map.of("c1", "05-meshca-first", "c2", "03-finalize")));
        renderer.render(plan, new Renderer.LiveStages(Optional.empty(), Map.of("c1", "03-finalize", "c2", "01-first")));
    }

    @Test
    void thePullRequestsCarryTheRootCheckAndTheSecretCleanup() throws Exception {
        List<PublishStep> steps = new PublishPlanner(Templates.builtIn()).waves(Plans.load(dir, FLEET), "main");
        assertEquals(9, steps.size());
        PublishStep meshCaControlPlane = steps.get(4);
        assertEquals("[demo] 04-meshca-control-plane: install asm-1233-2-meshca-ca-migration", meshCaControlPlane.title());
        assertTrue(meshCaControlPlane.body().contains("prints `trusts [CITADEL MESHCA]` for every pod"), meshCaControlPlane.body());
        assertTrue(meshCaControlPlane.body().contains("clusters/c2/control-plane/asm-1233-2-meshca-ca-migration/install.sh asmcli"),
                meshCaControlPlane.body());
        PublishStep wave = steps.get(5);
        assertTrue(wave.body().contains("namespaces a get `istio.io/rev=asm-1233-2-meshca-ca-migration`"), wave.body());
        assertTrue(wave.body().contains("mTLS, both ways, with a namespace still on asm-1233-2-distribute-root"), wave.body());
        PublishStep cleanup = steps.get(8);
        assertEquals("[demo] 08-ca-cleanup: delete the Citadel Secrets, restart asm-1233-2-meshca-ca-migration", cleanup.title());
        assertTrue(cleanup.body().contains("kubectl delete secret cacerts istio-ca-secret -n istio-system --ignore-not-found"), cleanup.body());
        assertTrue(cleanup.body().contains("kubectl rollout restart deployment -n istio-system"), cleanup.body());
        assertTrue(steps.get(3).body().contains(Runbook.CHECK_BOTH_ROOTS) || steps.get(2).body().contains(Runbook.CHECK_BOTH_ROOTS),
                "the last wave of phase 1 checks both roots");
    }
}
