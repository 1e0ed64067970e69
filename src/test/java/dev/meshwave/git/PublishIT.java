package dev.meshwave.git;

import static dev.meshwave.testing.GitCli.git;
import static dev.meshwave.testing.Kustomize.at;
import static dev.meshwave.testing.Kustomize.build;
import static dev.meshwave.testing.Kustomize.find;
import static dev.meshwave.testing.Kustomize.labels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.cli.Environment;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitCli;
import dev.meshwave.testing.GitopsRepository;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code meshwave publish} and {@code rollback} into real repositories, checked with the real git
 * command line and the real kustomize.
 */
class PublishIT {

    static final String PLAN = "examples/asm-upgrade/plan.yaml";
    static final String PREFIX = "meshwave/asm-1140/";
    static final List<String> BRANCHES = List.of(PREFIX + "00-control-plane", PREFIX + "01-ingress", PREFIX + "02-app",
            PREFIX + "03-finalize");
    static final String CLUSTER = "clusters/onprem/mesh";

    @TempDir
    Path tmp;

    Path remote;
    Map<String, String> env;

    @BeforeEach
    void gitopsRepository() throws IOException {
        remote = GitopsRepository.create(tmp.resolve("gitops.git"));
        env = GitopsRepository.publishEnvironment(tmp);
    }

    Cli.Result meshwave(String... args) {
        return Cli.run(new Environment(env, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)), args);
    }

    Cli.Result publish(String plan, String... extra) {
        String[] args = new String[5 + extra.length];
        args[0] = "publish";
        args[1] = plan;
        args[2] = "--repo";
        args[3] = remote.toUri().toString();
        args[4] = "--push";
        System.arraycopy(extra, 0, args, 5, extra.length);
        return meshwave(args);
    }

    String tip(String branch) {
        return git(remote, "rev-parse", "refs/heads/" + branch);
    }

    @Nested
    class Publish {
        @Test
        void createsOneStackedBranchPerStageThatBuildsToThatWave() throws IOException {
            Cli.Result result = publish(PLAN);
            assertEquals(0, result.exitCode(), result::toString);
            for (String branch : BRANCHES) {
                assertTrue(result.out().contains("created " + branch + " "), result::toString);
            }

            Path clone = tmp.resolve("check");
            git(tmp, "clone", "-q", remote.toString(), clone.toString());
            git(clone, "fsck", "--strict");
            assertEquals(List.of("main", PREFIX + "00-control-plane", PREFIX + "01-ingress", PREFIX + "02-app", PREFIX + "03-finalize"),
                    git(remote, "for-each-ref", "--format=%(refname:short)", "refs/heads/").lines().sorted().toList());

            String parent = tip("main");
            for (String branch : BRANCHES) {
                assertEquals(tip(branch) + " " + parent, git(remote, "rev-list", "--parents", "-n", "1", branch),
                        branch + " adds exactly one commit on the branch before it");
                parent = tip(branch);
            }

            Map<String, List<String>> expected = Map.of(
                    BRANCHES.get(0), List.of("asm-1130-0", "asm-1130-0"),
                    BRANCHES.get(1), List.of("asm-1140-0", "asm-1130-0"),
                    BRANCHES.get(2), List.of("asm-1140-0", "asm-1140-0"),
                    BRANCHES.get(3), List.of("asm-1140-0", "asm-1140-0"));
            for (String branch : BRANCHES) {
                git(clone, "checkout", "-q", branch);
                var objects = build(clone.resolve(CLUSTER));
                assertEquals(Map.of("istio.io/rev", expected.get(branch).get(0)),
                        labels(find(objects, "Namespace", null, "ingress").orElseThrow()), branch);
                assertEquals(Map.of("istio.io/rev", expected.get(branch).get(1)),
                        labels(find(objects, "Namespace", null, "app").orElseThrow()), branch);
                // Service istiod is held from stage 00 with the old selector (a rollback restores it); finalize moves it.
                assertEquals(Map.of("app", "istiod", "istio.io/rev", branch.endsWith("finalize") ? "asm-1140-0" : "asm-1130-0"),
                        at(find(objects, "Service", "istio-system", "istiod").orElseThrow(), "spec", "selector"), branch);
                assertEquals(GitopsRepository.README, Files.readString(clone.resolve("README.md")),
                        "files outside the cluster path are kept");
            }
            git(clone, "checkout", "-q", BRANCHES.get(1));
            assertFalse(Files.exists(clone.resolve(CLUSTER + "/stages/02-app")), "a branch holds the stages up to its own");
        }

        @Test
        void commitsCarryTheConfiguredAuthorTimeAndTrailers() {
            assertEquals(0, publish(PLAN, "--author", "Platform Bot <bot@example.com>").exitCode());
            assertEquals("Platform Bot <bot@example.com> 1767225600 +0000|Platform Bot <bot@example.com>",
                    git(remote, "log", "-1", "--format=%an <%ae> %at %ad|%cn <%ce>", "--date=format:%z", BRANCHES.get(1)));
            String message = git(remote, "log", "-1", "--format=%B", BRANCHES.get(1));
            assertTrue(message.startsWith("asm-1140: 01-ingress — move ingress to asm-1140-0\n"), message);
            assertTrue(message.endsWith("Meshwave-Plan: asm-1140\nMeshwave-Stage: 01-ingress"), message);
        }

        @Test
        void theSamePlanGivesTheSameCommitIdsInTwoRepositories() {
            assertEquals(0, publish(PLAN).exitCode());
            Map<String, String> first = tips();
            Path otherRemote = remote;
            remote = tmp.resolve("second.git");
            git(tmp, "clone", "-q", "--bare", otherRemote.toString(), remote.toString());
            for (String branch : BRANCHES) {
                git(remote, "branch", "-D", branch);
            }
            env.put("XDG_CACHE_HOME", tmp.resolve("cache2").toString());
            assertEquals(0, publish(PLAN).exitCode());
            assertEquals(first, tips());
        }

        @Test
        void republishingAnUnchangedPlanChangesNothing() throws IOException {
            assertEquals(0, publish(PLAN).exitCode());
            Map<String, String> before = tips();
            Cli.Result again = publish(PLAN);
            assertEquals(0, again.exitCode(), again::toString);
            for (String branch : BRANCHES) {
                assertTrue(again.out().contains("unchanged " + branch + " "), again::toString);
                assertTrue(again.out().contains("pull request " + branch + ": unchanged "), again::toString);
            }
            assertFalse(again.out().contains("(pushed)"), again::toString);
            assertEquals(before, tips());
            assertRemoteHolds(WAVE_STATE);
        }

        @Test
        void aChangedPlanAddsCommitsOnTopWithoutForcing() throws IOException {
            assertEquals(0, publish(PLAN).exitCode());
            Map<String, String> before = tips();
            Path changed = copyPlan(Files.readString(Path.of(PLAN)).replace("namespaces: [app]", "namespaces: [app, shop]"));
            Cli.Result result = publish(changed.toString());
            assertEquals(0, result.exitCode(), result::toString);
            Map<String, String> after = tips();
            for (String branch : BRANCHES) {
                assertFalse(before.get(branch).equals(after.get(branch)), branch + " changes: stage 00 lists the new namespace");
                GitCli.git(remote, "merge-base", "--is-ancestor", before.get(branch), after.get(branch));
            }
            Map<String, Map<String, String>> withShop = new HashMap<>();
            WAVE_STATE.forEach((branch, state) -> {
                Map<String, String> namespaces = new HashMap<>(state);
                namespaces.put("shop", state.get("app"));
                withShop.put(branch, namespaces);
            });
            assertRemoteHolds(withShop);
        }

        @Test
        void aRunbookChangeAddsOneCommitPerBranchOnTopOfTheNewParent() throws IOException {
            assertEquals(0, publish(PLAN).exitCode());
            Map<String, String> before = tips();
            Path changed = copyPlan(Files.readString(Path.of(PLAN)).replace("removeOldRevision: true", "removeOldRevision: false"));
            Cli.Result result = publish(changed.toString());
            assertEquals(0, result.exitCode(), result::toString);
            // Only the README runbook changes, and it is on every branch: all four get one new commit each.
            for (String branch : BRANCHES) {
                assertEquals(tip(branch) + " " + before.get(branch) + (branch.endsWith("00-control-plane") ? "" : " " + tips0(branch)),
                        git(remote, "rev-list", "--parents", "-n", "1", branch), branch);
            }
        }

        private String tips0(String branch) {
            return tip(BRANCHES.get(BRANCHES.indexOf(branch) - 1));
        }
    }

    @Nested
    class Fleet {
        @Test
        void oneBranchPerPlanWaveMovesEachClusterToItsOwnStage() {
            Cli.Result result = publish("examples/multi-project/plan.yaml");
            assertEquals(0, result.exitCode(), result::toString);
            String prefix = "meshwave/multi-project/";
            Map<String, List<String>> live = Map.of(
                    "00-control-plane", List.of("00-control-plane", "00-control-plane", "00-control-plane"),
                    "01-canary", List.of("01-canary", "00-control-plane", "00-control-plane"),
                    "02-fleet", List.of("01-canary", "01-fleet", "01-fleet"),
                    "03-finalize", List.of("02-finalize", "02-finalize", "02-finalize"));
            Path clone = tmp.resolve("fleet-check");
            git(tmp, "clone", "-q", remote.toString(), clone.toString());
            live.forEach((branch, stages) -> {
                git(clone, "checkout", "-q", prefix + branch);
                for (int c = 0; c < 3; c++) {
                    Path cluster = clone.resolve("clusters/cluster-" + (c + 1) + "/mesh");
                    assertEquals(List.of("- stages/" + stages.get(c)), readLines(cluster.resolve("kustomization.yaml")).stream()
                            .filter(l -> l.startsWith("- stages/")).toList(), branch + " cluster-" + (c + 1));
                    build(cluster);
                }
                assertEquals(List.of(GitopsRepository.README.strip()), readLines(clone.resolve("README.md")),
                        "the repository's own README is never touched");
                List<String> overview = readLines(clone.resolve("meshwave/multi-project/README.md"));
                assertTrue(overview.get(0).contains("Generated by meshwave"), branch + ": the fleet overview is committed");
                assertTrue(overview.stream().anyMatch(l -> l.contains("cluster-2") && l.contains(stages.get(1))),
                        branch + ": the overview shows each cluster's live stage on the branch: " + overview);
            });
        }

        @Test
        void aRollbackTouchesOnlyTheClustersItsWaveMoved() {
            assertEquals(0, publish("examples/multi-project/plan.yaml").exitCode());
            String prefix = "meshwave/multi-project/";
            mergeIntoMain(prefix + "02-fleet");
            Cli.Result result = meshwave("rollback", "examples/multi-project/plan.yaml", "--wave", "fleet",
                    "--repo", remote.toUri().toString(), "--push");
            assertEquals(0, result.exitCode(), result::toString);
            List<String> changed = git(remote, "diff", "--name-only", "main", prefix + "rollback-fleet").lines().toList();
            assertFalse(changed.isEmpty());
            assertTrue(changed.stream().noneMatch(p -> p.startsWith("clusters/cluster-1/")), "the canary stays: " + changed);
            assertTrue(changed.stream().noneMatch(p -> p.contains("/stages/")), "no stage is deleted: " + changed);
            assertTrue(changed.contains("clusters/cluster-2/mesh/kustomization.yaml"), changed.toString());
        }

        private List<String> readLines(Path file) {
            try {
                return Files.readAllLines(file);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * Helm and Sail deliver the control plane through Git, so their plans publish one branch more, cleanup, whose build
     * uninstalls today's control plane (docs/delivery.md); rolling it back is a branch whose build holds it again.
     */
    @Nested
    class Deliveries {
        private static final List<String> STAGES = List.of("00-control-plane", "01-canary", "02-apps", "03-finalize", "04-cleanup");

        /** Example (= plan name), its cluster's path, and today's control plane object: kind, namespace, name. */
        @ParameterizedTest
        @CsvSource({"helm-flux, clusters/edge-1/mesh, HelmRelease, istio-system, istiod-1-22-3",
                "helm-argocd, clusters/prod-eu/mesh, Application, argocd, istiod",
                "helm-gateway, clusters/store-0042/mesh, HelmRelease, istio-system, istiod-1-26-5",
                "sail, clusters/ocp-1/mesh, Istio, , default"})
        void eachStageIsABranchAndRollingBackCleanupBringsTodaysControlPlaneBack(String example, String cluster, String kind,
                String namespace, String name) throws IOException {
            Cli.Result result = publish("examples/" + example + "/plan.yaml");
            assertEquals(0, result.exitCode(), result::toString);
            String prefix = "meshwave/" + example + "/";
            assertEquals(STAGES.stream().map(s -> prefix + s).toList(),
                    git(remote, "for-each-ref", "--format=%(refname:short)", "refs/heads/" + prefix).lines().sorted().toList());

            Path clone = tmp.resolve("check");
            git(tmp, "clone", "-q", remote.toString(), clone.toString());
            for (String stage : STAGES) {
                git(clone, "checkout", "-q", prefix + stage);
                assertEquals(List.of("- stages/" + stage), Files.readAllLines(clone.resolve(cluster + "/kustomization.yaml")).stream()
                        .filter(l -> l.startsWith("- stages/")).toList(), stage);
                assertTodaysControlPlane(build(clone.resolve(cluster)), !stage.equals("04-cleanup"), kind, namespace, name, stage);
            }

            mergeIntoMain(prefix + "04-cleanup");
            Cli.Result rollback = meshwave("rollback", "examples/" + example + "/plan.yaml", "--wave", "cleanup",
                    "--repo", remote.toUri().toString(), "--push");
            assertEquals(0, rollback.exitCode(), rollback::toString);
            git(clone, "fetch", "-q");
            git(clone, "checkout", "-q", "origin/" + prefix + "rollback-cleanup");
            assertTodaysControlPlane(build(clone.resolve(cluster)), true, kind, namespace, name, "rollback-cleanup");
            assertTrue(git(remote, "diff", "--name-only", "main", prefix + "rollback-cleanup").lines()
                    .anyMatch(p -> p.equals(cluster + "/kustomization.yaml")), "the rollback moves the live entry point");
        }

        /**
         * Ambient components: each has a stage, so a branch and a pull request, of its own after the control plane's
         * (istio-cni, then ztunnel); rolling back the ztunnel stage is a branch whose build runs ztunnel at today's
         * version again while istio-cni stays upgraded (docs/delivery.md, "Ambient components").
         *
         * @param ztunnel kind and namespace of the ztunnel object, name of it, and the path to its version
         */
        @ParameterizedTest
        @CsvSource({"sail-ambient, clusters/ocp-1/mesh, ZTunnel, , default, 03-canary:04-apps:05-finalize:06-cleanup, v1.26.3, v1.27.1",
                "helm-ambient, clusters/edge-1/mesh, HelmRelease, istio-system, ztunnel, 03-waypoints:04-ingress:05-apps:06-finalize:07-cleanup, 1.25.2, 1.26.1"})
        void eachAmbientComponentIsABranchAndRollingBackZtunnelRestoresTodaysVersion(String example, String cluster, String kind,
                String namespace, String name, String laterStages, String today, String upgraded) throws IOException {
            Cli.Result result = publish("examples/" + example + "/plan.yaml");
            assertEquals(0, result.exitCode(), result::toString);
            String prefix = "meshwave/" + example + "/";
            List<String> stages = new java.util.ArrayList<>(List.of("00-control-plane", "01-istio-cni", "02-ztunnel"));
            stages.addAll(List.of(laterStages.split(":")));
            assertEquals(stages.stream().map(s -> prefix + s).toList(),
                    git(remote, "for-each-ref", "--format=%(refname:short)", "refs/heads/" + prefix).lines().sorted().toList());
            Path clone = tmp.resolve("check");
            git(tmp, "clone", "-q", remote.toString(), clone.toString());
            for (String stage : stages) {
                git(clone, "checkout", "-q", prefix + stage);
                assertEquals(stage.startsWith("00") || stage.startsWith("01") ? today : upgraded,
                        componentVersion(build(clone.resolve(cluster)), kind, namespace, name), stage);
            }

            mergeIntoMain(prefix + "02-ztunnel");
            Cli.Result rollback = meshwave("rollback", "examples/" + example + "/plan.yaml", "--wave", "ztunnel",
                    "--repo", remote.toUri().toString(), "--push");
            assertEquals(0, rollback.exitCode(), rollback::toString);
            git(clone, "fetch", "-q");
            git(clone, "checkout", "-q", "origin/" + prefix + "rollback-ztunnel");
            List<Map<String, Object>> rolledBack = build(clone.resolve(cluster));
            assertEquals(today, componentVersion(rolledBack, kind, namespace, name), "rollback-ztunnel");
            assertEquals(List.of("- stages/01-istio-cni"), Files.readAllLines(clone.resolve(cluster + "/kustomization.yaml")).stream()
                    .filter(l -> l.startsWith("- stages/")).toList());
        }

        /**
         * The sidecar → ambient migration publishes like any plan: a branch per stage (the waypoints stage included), and
         * rolling back an ambient wave is a branch whose build gives its namespace back its injection label and drops the
         * ambient label and its waypoint, while the waypoint itself stays deployed (docs/ambient.md).
         */
        @Test
        void theAmbientMigrationIsABranchPerStageAndRollingBackAWaveGivesTheSidecarsBack() throws IOException {
            Cli.Result result = publish("examples/ambient-migration/plan.yaml");
            assertEquals(0, result.exitCode(), result::toString);
            String prefix = "meshwave/ambient-migration/";
            List<String> stages = List.of("00-control-plane", "01-istio-cni", "02-ztunnel", "03-waypoints", "04-frontend", "05-orders",
                    "06-backends", "07-finalize", "08-cleanup");
            assertEquals(stages.stream().map(s -> prefix + s).toList(),
                    git(remote, "for-each-ref", "--format=%(refname:short)", "refs/heads/" + prefix).lines().sorted().toList());
            Path clone = tmp.resolve("check");
            git(tmp, "clone", "-q", remote.toString(), clone.toString());
            String cluster = "clusters/store-1/mesh";
            for (String stage : stages) {
                git(clone, "checkout", "-q", prefix + stage);
                List<Map<String, Object>> built = build(clone.resolve(cluster));
                boolean moved = stage.compareTo("05-orders") >= 0;
                assertEquals(moved ? Map.of("istio.io/dataplane-mode", "ambient", "istio.io/use-waypoint", "waypoint")
                        : Map.of("istio.io/rev", "1-27-3"), at(find(built, "Namespace", null, "orders").orElseThrow(), "metadata", "labels"), stage);
                assertEquals(stage.compareTo("03-waypoints") >= 0, find(built, "Gateway", "orders", "waypoint").isPresent(), stage);
                assertEquals(moved ? "ambient" : "1-27-3", restartRevision(clone.resolve(cluster + "/components/restart/orders")), stage);
            }
            assertTrue(git(remote, "log", "-1", "--format=%B", prefix + "05-orders").contains("orders to ambient mode"),
                    "the commit says the wave moves to ambient mode");

            mergeIntoMain(prefix + "05-orders");
            Cli.Result rollback = meshwave("rollback", "examples/ambient-migration/plan.yaml", "--wave", "orders",
                    "--repo", remote.toUri().toString(), "--push");
            assertEquals(0, rollback.exitCode(), rollback::toString);
            git(clone, "fetch", "-q");
            git(clone, "checkout", "-q", "origin/" + prefix + "rollback-orders");
            List<Map<String, Object>> rolledBack = build(clone.resolve(cluster));
            assertEquals(Map.of("istio.io/rev", "1-27-3"), at(find(rolledBack, "Namespace", null, "orders").orElseThrow(), "metadata", "labels"));
            assertTrue(find(rolledBack, "Gateway", "orders", "waypoint").isPresent(), "the waypoint stays deployed");
            assertEquals("1-27-3", restartRevision(clone.resolve(cluster + "/components/restart/orders")),
                    "the restart component restarts the pods again, with sidecars");
        }

        private String restartRevision(Path component) throws IOException {
            return Files.readAllLines(component.resolve("kustomization.yaml")).stream().filter(l -> l.contains("meshwave.dev/revision:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim().replace("\"", "")).findFirst().orElseThrow();
        }

        private String componentVersion(List<Map<String, Object>> objects, String kind, String namespace, String name) {
            Map<String, Object> object = find(objects, kind, namespace, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name));
            return String.valueOf(kind.equals("HelmRelease") ? at(object, "spec", "chart", "spec", "version") : at(object, "spec", "version"));
        }

        /**
         * Helm: today's release object is what the controller keeps installed (Flux prune + helm-controller finalizer,
         * Argo CD resources finalizer uninstall it once it leaves the build). Sail: the old IstioRevision stays while the
         * grace period lasts; cleanup brings back Sail's default of 30 seconds (sail-operator istio_types.go).
         */
        private void assertTodaysControlPlane(List<Map<String, Object>> objects, boolean kept, String kind, String namespace,
                String name, String where) {
            var object = find(objects, kind, namespace, name);
            if (kind.equals("Istio")) {
                assertEquals(kept ? 2592000 : 30, at(object.orElseThrow(), "spec", "updateStrategy",
                        "inactiveRevisionDeletionGracePeriodSeconds"), where);
            } else {
                assertEquals(kept, object.isPresent(), where + ": " + kind + " " + name);
            }
        }
    }

    @Nested
    class AfterMerges {
        @Test
        void mergedWavesAreLeftAloneAndTheRestIsRebuiltOnTheNewMain() throws IOException {
            assertEquals(0, publish(PLAN).exitCode());
            Map<String, String> before = tips();
            mergeIntoMain(BRANCHES.get(1));
            Path human = tmp.resolve("human");
            git(tmp, "clone", "-q", remote.toString(), human.toString());
            Files.writeString(human.resolve("platform/other.yaml"), "kind: ConfigMap\n");
            git(human, "add", "-A");
            git(human, "commit", "-q", "-m", "an unrelated change on main");
            git(human, "push", "-q", "origin", "HEAD:main");

            Cli.Result result = publish(PLAN);

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.out().contains("merged " + BRANCHES.get(0) + " "), result::toString);
            assertTrue(result.out().contains("merged " + BRANCHES.get(1) + " "), result::toString);
            assertFalse(result.out().contains("pull request " + BRANCHES.get(1)), "no pull request for a merged wave: " + result);
            assertEquals(before.get(BRANCHES.get(0)), tip(BRANCHES.get(0)));
            assertEquals(before.get(BRANCHES.get(1)), tip(BRANCHES.get(1)));
            git(remote, "merge-base", "--is-ancestor", "main", BRANCHES.get(2));
            git(remote, "merge-base", "--is-ancestor", before.get(BRANCHES.get(2)), BRANCHES.get(2));
            List<String> changed = git(remote, "diff", "--name-only", "main", BRANCHES.get(2)).lines().toList();
            assertTrue(changed.stream().allMatch(p -> p.startsWith(CLUSTER + "/")), changed.toString());
            assertFalse(changed.stream().anyMatch(p -> p.contains("stages/01-ingress")), "the merged stage stays: " + changed);
            assertTrue(result.out().contains("pull request " + BRANCHES.get(2) + ": "), result::toString);
        }

        @Test
        void theNextUpgradeInTheSameDirectoryIsNotMistakenForMerged() throws IOException {
            assertEquals(0, publish(PLAN).exitCode());
            mergeIntoMain(BRANCHES.get(3));
            Path next = copyPlan(Files.readString(Path.of(PLAN)).replace("name: asm-1140", "name: asm-1150")
                    .replace("revision: asm-1130-0", "revision: asm-1140-0").replace("version: 1.13.0-asm.0", "version: 1.14.0-asm.0")
                    .replace("    version: 1.14.0-asm.0\n    ca:", "    version: 1.15.0-asm.1\n    ca:"));
            Cli.Result result = publish(next.toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.out().contains("created meshwave/asm-1150/00-control-plane"), result::toString);
            assertFalse(result.out().contains("merged "), result::toString);
        }

        @Test
        void aClusterPathHoldingSomeoneElsesFilesIsRefused() throws IOException {
            assertPublishRefusesTheClusterPathHolding("NOTES.md", "ours\n");
            assertEquals("", git(remote, "branch", "--list", "meshwave/*"));
        }

        /** As render decides on disk (RenderedTree.writtenByMeshwave): only the first line's header makes a file meshwave's. */
        @Test
        void aKustomizationThatOnlyQuotesTheMarkerIsSomeoneElses() throws IOException {
            assertPublishRefusesTheClusterPathHolding("kustomization.yaml", "# ours\n# not \"Generated by meshwave\"\nresources: []\n");
        }

        /** Someone else commits {@code file} in the cluster directory on main; publishing then stops with exit 3. */
        private void assertPublishRefusesTheClusterPathHolding(String file, String text) throws IOException {
            Path human = tmp.resolve("human");
            git(tmp, "clone", "-q", remote.toString(), human.toString());
            Files.createDirectories(human.resolve(CLUSTER));
            Files.writeString(human.resolve(CLUSTER + "/" + file), text);
            git(human, "add", "-A");
            git(human, "commit", "-q", "-m", "ours");
            git(human, "push", "-q", "origin", "HEAD:main");
            Cli.Result result = publish(PLAN);
            assertEquals(3, result.exitCode(), result::toString);
            assertTrue(result.err().contains(CLUSTER + " on the base branch holds files meshwave did not render"), result::toString);
        }
    }

    @Nested
    class Rollback {
        @Test
        void pointsTheLiveStageBackAtTheStageBeforeTheWave() {
            assertEquals(0, publish(PLAN).exitCode());
            mergeIntoMain(BRANCHES.get(2));
            Cli.Result result = meshwave("rollback", PLAN, "--wave", "app", "--repo", remote.toUri().toString(), "--push");
            assertEquals(0, result.exitCode(), result::toString);
            String branch = PREFIX + "rollback-app";
            assertEquals(tip(branch) + " " + tip("main"), git(remote, "rev-list", "--parents", "-n", "1", branch),
                    "on top of main, where the wave was merged, and proposed into it");
            assertTrue(result.out().contains("pull request " + branch + ": created"), result::toString);
            Path clone = tmp.resolve("check");
            git(tmp, "clone", "-q", "-b", branch, remote.toString(), clone.toString());
            var objects = build(clone.resolve(CLUSTER));
            assertEquals(Map.of("istio.io/rev", "asm-1130-0"), labels(find(objects, "Namespace", null, "app").orElseThrow()));
            assertEquals(Map.of("istio.io/rev", "asm-1140-0"), labels(find(objects, "Namespace", null, "ingress").orElseThrow()));
            assertEquals(List.of("clusters/onprem/mesh/README.md", "clusters/onprem/mesh/components/restart/app/kustomization.yaml",
                            "clusters/onprem/mesh/kustomization.yaml"),
                    git(remote, "diff", "--name-only", BRANCHES.get(2), branch).lines().toList());
            Map<String, Map<String, String>> state = new HashMap<>(WAVE_STATE);
            state.put(branch, WAVE_STATE.get(BRANCHES.get(1)));
            assertRemoteHolds(state);
        }

        @Test
        void aWaveNotMergedYetHasNothingToRollBack() {
            assertEquals(0, publish(PLAN).exitCode());
            Cli.Result result = meshwave("rollback", PLAN, "--wave", "app", "--repo", remote.toUri().toString());
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("nothing to roll back on " + CLUSTER + ": the base branch 'main' is not past stage 01-ingress"),
                    result::toString);
        }

        @Test
        void laterMergedWavesAreRolledBackFirst() {
            assertEquals(0, publish(PLAN).exitCode());
            mergeIntoMain(BRANCHES.get(2));
            Cli.Result result = meshwave("rollback", PLAN, "--wave", "ingress", "--repo", remote.toUri().toString());
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("roll back the later waves first"), result::toString);
        }

        @Test
        void theControlPlaneStageIsNotAWave() {
            Cli.Result result = meshwave("rollback", PLAN, "--wave", "0", "--repo", remote.toUri().toString());
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("no wave '0' to roll back (expected one of: ingress, app, finalize)"), result::toString);
        }
    }

    @Nested
    class Safety {
        @Test
        void aWaveBranchWithSomeoneElsesCommitIsRefusedAndLeftAlone() throws IOException {
            assertEquals(0, publish(PLAN).exitCode());
            Path clone = tmp.resolve("human");
            git(tmp, "clone", "-q", "-b", BRANCHES.get(1), remote.toString(), clone.toString());
            Files.writeString(clone.resolve("notes.txt"), "hand-made\n");
            git(clone, "add", "notes.txt");
            git(clone, "commit", "-q", "-m", "a hand-made change");
            git(clone, "push", "-q", "origin", BRANCHES.get(1));
            Map<String, String> before = tips();

            Cli.Result result = publish(copyPlan(Files.readString(Path.of(PLAN)).replace("[app]", "[app, shop]")).toString());

            assertEquals(3, result.exitCode(), result::toString);
            assertTrue(result.err().contains("branch " + BRANCHES.get(1) + " on ") && result.err().contains("a hand-made change"),
                    result::toString);
            assertEquals(before, tips());
        }

        @Test
        void aWorkingCopyWithUncommittedChangesInTheClusterPathIsRefused() throws IOException {
            Path working = tmp.resolve("working");
            git(tmp, "clone", "-q", remote.toString(), working.toString());
            Files.createDirectories(working.resolve(CLUSTER));
            Files.writeString(working.resolve(CLUSTER + "/draft.yaml"), "work in progress\n");
            Cli.Result result = meshwave("publish", PLAN, "--repo", working.toString());
            assertEquals(3, result.exitCode(), result::toString);
            assertTrue(result.err().contains("uncommitted changes in " + CLUSTER), result::toString);
            assertEquals("work in progress\n", Files.readString(working.resolve(CLUSTER + "/draft.yaml")));
            assertEquals("", git(working, "branch", "--list", "meshwave/*"));
        }

        @Test
        void aWorkingCopyGetsBranchesAndKeepsItsFilesAndCheckout() throws IOException {
            Path working = tmp.resolve("working");
            git(tmp, "clone", "-q", remote.toString(), working.toString());
            Files.writeString(working.resolve("elsewhere.txt"), "unrelated and uncommitted\n");
            String head = git(working, "rev-parse", "HEAD");
            Cli.Result result = meshwave("publish", PLAN, "--repo", working.toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(BRANCHES, git(working, "branch", "--list", "meshwave/*", "--format=%(refname:short)").lines().toList());
            assertEquals(head, git(working, "rev-parse", "HEAD"));
            assertEquals("main", git(working, "branch", "--show-current"));
            assertEquals("?? elsewhere.txt", git(working, "status", "--porcelain"));
            assertTrue(Files.isRegularFile(working.resolve(".git/.meshwave/pull-requests/" + BRANCHES.get(0) + ".md")));
            assertEquals("", git(remote, "branch", "--list", "meshwave/*"), "nothing pushed without --push");
        }

        @Test
        void aSecondRunOnTheSameWorkDirectoryWaitsThenGivesUp() throws IOException {
            Path workdir = tmp.resolve("work");
            Files.createDirectories(workdir);
            try (FileChannel channel = FileChannel.open(workdir.resolve(".meshwave.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock held = channel.lock()) {
                assertTrue(held.isValid());
                Cli.Result result = publish(PLAN, "--workdir", workdir.toString());
                assertEquals(3, result.exitCode(), result::toString);
                assertTrue(result.err().contains("another meshwave run holds"), result::toString);
            }
            assertEquals(0, publish(PLAN, "--workdir", workdir.toString()).exitCode());
        }

        /** Without --push the branches of a bare repository or URL exist only in meshwave's work clone: the output says so. */
        @Test
        void withoutPushTheBranchesAreSaidToBeLocalAndWhere() throws IOException {
            Cli.Result result = meshwave("publish", PLAN, "--repo", remote.toUri().toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertEquals("", git(remote, "branch", "--list", "meshwave/*"), "nothing reached the remote");
            for (String branch : BRANCHES) {
                assertTrue(result.out().lines().anyMatch(l -> l.startsWith("created " + branch + " ") && l.endsWith(" (local, not pushed)")),
                        result::toString);
            }
            String last = result.out().lines().reduce((x, y) -> y).orElse("");
            assertTrue(last.startsWith("not pushed: 4 branches are only in meshwave's work repository " + tmp.resolve("cache/meshwave/repos/")),
                    result::toString);
            assertTrue(last.endsWith("/repo.git, not in " + remote.toUri() + "; run again with --push to push them"), result::toString);
            Path work = Path.of(last.substring(last.indexOf(tmp.toString()), last.indexOf(", not in ")));
            assertEquals(4, git(work, "branch", "--list", "meshwave/*").lines().count(), "the branches are where it says");

            Cli.Result json = meshwave("publish", PLAN, "--repo", remote.toUri().toString(), "--format", "json");
            assertEquals(0, json.exitCode(), json::toString);
            var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
            assertEquals(work.toString(), report.path("localRepository").asText(), json.out());
            assertTrue(report.path("branches").get(0).path("localOnly").asBoolean(), json.out());
            assertFalse(report.path("branches").get(0).path("pushed").asBoolean(), json.out());

            Cli.Result pushed = publish(PLAN);
            assertEquals(0, pushed.exitCode(), pushed::toString);
            assertFalse(pushed.out().contains("not pushed"), pushed::toString);
            assertEquals(4, pushed.out().lines().filter(l -> l.endsWith(" (pushed)")).count(), pushed::toString);
            Cli.Result again = meshwave("publish", PLAN, "--repo", remote.toUri().toString());
            assertFalse(again.out().contains("not pushed"), "the remote has every branch now: " + again);
        }

        @Test
        void dryRunChangesNothing() {
            Cli.Result result = publish(PLAN, "--dry-run");
            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.out().contains("would be created " + BRANCHES.get(0)), result::toString);
            assertEquals("", git(remote, "branch", "--list", "meshwave/*"));
        }
    }

    /** Expected revision of each namespace on each wave branch of the example plan. */
    static final Map<String, Map<String, String>> WAVE_STATE = Map.of(
            BRANCHES.get(0), Map.of("ingress", "asm-1130-0", "app", "asm-1130-0"),
            BRANCHES.get(1), Map.of("ingress", "asm-1140-0", "app", "asm-1130-0"),
            BRANCHES.get(2), Map.of("ingress", "asm-1140-0", "app", "asm-1140-0"),
            BRANCHES.get(3), Map.of("ingress", "asm-1140-0", "app", "asm-1140-0"));

    /**
     * What every test checks after publishing: the real git CLI clones the remote, fsck is clean, the
     * branches are there and stacked, and kustomize of the live entry point on each branch gives the
     * namespace labels of that wave.
     */
    void assertRemoteHolds(Map<String, Map<String, String>> expected) {
        Path clone = tmp.resolve("check-" + System.nanoTime());
        git(tmp, "clone", "-q", remote.toString(), clone.toString());
        git(clone, "fsck", "--strict");
        List<String> branches = expected.keySet().stream().sorted().toList();
        assertTrue(git(remote, "for-each-ref", "--format=%(refname:short)", "refs/heads/").lines().toList().containsAll(branches));
        for (int i = 1; i < BRANCHES.size(); i++) {
            if (expected.containsKey(BRANCHES.get(i))) {
                git(remote, "merge-base", "--is-ancestor", tip(BRANCHES.get(i - 1)), tip(BRANCHES.get(i)));
            }
        }
        for (String branch : branches) {
            git(clone, "checkout", "-q", branch);
            var objects = build(clone.resolve(CLUSTER));
            expected.get(branch).forEach((namespace, revision) -> assertEquals(Map.of("istio.io/rev", revision),
                    labels(find(objects, "Namespace", null, namespace).orElseThrow()), branch + " " + namespace));
        }
    }

    /** What a reviewer's merge does: main fast-forwards to a wave branch. */
    void mergeIntoMain(String branch) {
        git(remote, "update-ref", "refs/heads/main", tip(branch));
    }

    Path copyPlan(String text) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("plan-" + System.nanoTime()));
        Files.createDirectories(dir.resolve("overlays"));
        Files.copy(Path.of("examples/asm-upgrade/overlays/tuning.yaml"), dir.resolve("overlays/tuning.yaml"));
        return Files.writeString(dir.resolve("plan.yaml"), text);
    }

    Map<String, String> tips() {
        Map<String, String> tips = new HashMap<>();
        BRANCHES.forEach(b -> tips.put(b, tip(b)));
        return tips;
    }
}
