package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshwave render} end to end through {@link Main#run}, against temporary directories. */
class RenderCommandIT {

    static final String PLAN = "examples/istio-to-asm/plan.yaml";
    static final String CLUSTER = "clusters/prod-us/mesh";

    @TempDir
    Path tmp;

    @Nested
    class Writing {
        @Test
        void writesExactlyTheApprovedTree() throws IOException {
            Path out = tmp.resolve("out");
            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(textOf(read(Path.of("golden/istio-to-asm"))), textOf(read(out)));
            assertTrue(result.err().contains("rendered " + out.resolve(CLUSTER)), result::toString);
        }

        @Test
        void samePlanSameBytes() throws IOException {
            Cli.run("render", PLAN, "--out", tmp.resolve("a").toString());
            Cli.run("render", PLAN, "--out", tmp.resolve("b").toString());
            Map<String, byte[]> a = read(tmp.resolve("a"));
            Map<String, byte[]> b = read(tmp.resolve("b"));
            assertEquals(a.keySet(), b.keySet());
            a.forEach((path, bytes) -> assertArrayEquals(bytes, b.get(path), path));
            a.forEach((path, bytes) -> assertFalse(new String(bytes, StandardCharsets.UTF_8).contains("\r"), path + " has CR"));
        }

        @Test
        void installScriptIsExecutable() throws IOException {
            Path out = tmp.resolve("out");
            Cli.run("render", PLAN, "--out", out.toString());
            assertTrue(Files.isExecutable(out.resolve(CLUSTER).resolve("control-plane/install.sh")));
        }

        @Test
        void reRenderReplacesStaleFilesAndLeavesNoTemporaryDirectories() throws IOException {
            Path out = tmp.resolve("out");
            Path stale = out.resolve(CLUSTER).resolve("stages/07-old");
            Cli.run("render", PLAN, "--out", out.toString());
            Files.createDirectories(stale);
            Files.writeString(stale.resolve("kustomization.yaml"), "resources: []\n");
            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertFalse(Files.exists(stale));
            try (Stream<Path> siblings = Files.list(out.resolve("clusters/prod-us"))) {
                assertEquals(List.of("mesh"), siblings.map(p -> p.getFileName().toString()).toList());
            }
        }

        @Test
        void restartComponentsFollowTheLiveStage() throws IOException {
            Path out = tmp.resolve("out");
            assertEquals(0, Cli.run("render", PLAN, "--out", out.toString(), "--live", "canary").exitCode());
            assertTrue(Files.readString(out.resolve(CLUSTER).resolve("components/restart/frontend/kustomization.yaml"))
                    .contains("meshwave.dev/revision: \"asm-1106-2\""));
            assertTrue(Files.readString(out.resolve(CLUSTER).resolve("components/restart/checkout/kustomization.yaml"))
                    .contains("meshwave.dev/revision: \"default\""));
            assertTrue(Files.readString(out.resolve(CLUSTER).resolve("kustomization.yaml")).contains("- stages/01-canary\n"));
        }

        @Test
        void liveStageByNumberNameOrDirectoryIsTheSame() throws IOException {
            for (String selector : List.of("2", "02", "apps", "02-apps")) {
                Path out = tmp.resolve("live-" + selector);
                assertEquals(0, Cli.run("render", PLAN, "--out", out.toString(), "--live", selector).exitCode());
                assertTrue(Files.readString(out.resolve(CLUSTER).resolve("kustomization.yaml")).contains("- stages/02-apps\n"), selector);
            }
        }

        @Test
        void unknownLiveStageIsAUsageError() {
            Cli.Result result = Cli.run("render", PLAN, "--out", tmp.resolve("out").toString(), "--live", "bogus");
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("no stage 'bogus'") && result.err().contains("00-control-plane, 01-canary, 02-apps, 03-finalize"),
                    result::toString);
            assertFalse(Files.exists(tmp.resolve("out")));
        }
    }

    /** The live stage moves only when --live asks, and every move is said on stderr (issue: a plain render rolled the mesh back). */
    @Nested
    class LiveStage {
        String live(Path out) throws IOException {
            return Files.readString(out.resolve(CLUSTER).resolve("kustomization.yaml"));
        }

        @Test
        void aNewDirectoryStartsAtTheFirstStageAndNothingIsSaidToMove() throws IOException {
            Path out = tmp.resolve("out");
            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(live(out).contains("- stages/00-control-plane\n"), live(out));
            assertFalse(result.err().contains(": live "), result::toString);
        }

        @Test
        void withoutLiveARenderKeepsTheStageOnDisk() throws IOException {
            Path out = tmp.resolve("out");
            assertEquals(0, Cli.run("render", PLAN, "--out", out.toString(), "--live", "apps").exitCode());
            Cli.Result again = Cli.run("render", PLAN, "--out", out.toString());
            assertEquals(0, again.exitCode(), again::toString);
            assertTrue(live(out).contains("- stages/02-apps\n"), live(out));
            assertTrue(Files.readString(out.resolve(CLUSTER).resolve("components/restart/checkout/kustomization.yaml"))
                    .contains("meshwave.dev/revision: \"asm-1106-2\""), "the restart components stay at the live stage too");
            assertFalse(again.err().contains(": live "), again::toString);
        }

        @Test
        void aMoveIsSaidOnStderrEvenWhenQuietAndBackwardsNeedsAnExplicitLive() throws IOException {
            Path out = tmp.resolve("out");
            Cli.Result created = Cli.run("render", PLAN, "--out", out.toString(), "--live", "canary");
            assertFalse(created.err().contains(": live "), "a new directory is not a move: " + created);
            Cli.Result forward = Cli.run("render", PLAN, "--out", out.toString(), "--live", "apps");
            assertTrue(forward.err().contains("cluster prod-us: live 01-canary \u2192 02-apps\n"), forward::toString);
            Cli.Result back = Cli.run("render", PLAN, "--out", out.toString(), "--live", "0", "--quiet");
            assertEquals(0, back.exitCode(), back::toString);
            assertTrue(back.err().contains("cluster prod-us: live 02-apps \u2192 00-control-plane\n"), back::toString);
            assertTrue(live(out).contains("- stages/00-control-plane\n"), live(out));
        }

        @Test
        void aLiveStageThePlanNoLongerHasIsRefusedWithoutLiveAndNothingIsWritten(@TempDir Path plans) throws IOException {
            Path out = tmp.resolve("out");
            Cli.run("render", PLAN, "--out", out.toString(), "--live", "apps");
            byte[] before = Files.readAllBytes(out.resolve(CLUSTER).resolve("kustomization.yaml"));
            Path renamed = Files.writeString(plans.resolve("plan.yaml"), Files.readString(Path.of(PLAN)).replace("name: apps", "name: rest"));
            Cli.Result result = Cli.run("render", renamed.toString(), "--out", out.toString());
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("cluster prod-us: its live kustomization.yaml points at stages/02-apps")
                    && result.err().contains("--live"), result::toString);
            assertArrayEquals(before, Files.readAllBytes(out.resolve(CLUSTER).resolve("kustomization.yaml")));
            Cli.Result chosen = Cli.run("render", renamed.toString(), "--out", out.toString(), "--live", "rest");
            assertEquals(0, chosen.exitCode(), chosen::toString);
            assertTrue(chosen.err().contains("cluster prod-us: live 02-apps \u2192 02-rest"), chosen::toString);
        }
    }

    /** --check compares the stages a directory carries: those up to its live stage, and any later ones it holds. */
    @Nested
    class CarriedStages {
        @Test
        void aDirectoryHoldingTheStagesUpToItsLiveOneIsUpToDate() throws IOException {
            Path out = tmp.resolve("out");
            Cli.run("render", PLAN, "--out", out.toString(), "--live", "canary");
            deleteTree(out.resolve(CLUSTER).resolve("stages/02-apps"));
            deleteTree(out.resolve(CLUSTER).resolve("stages/03-finalize"));
            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString(), "--check");
            assertEquals(0, result.exitCode(), result::toString);
        }

        @Test
        void aMissingStageBeforeTheLastOneHeldIsDrift() throws IOException {
            Path out = tmp.resolve("out");
            Cli.run("render", PLAN, "--out", out.toString(), "--live", "canary");
            deleteTree(out.resolve(CLUSTER).resolve("stages/02-apps"));
            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString(), "--check");
            assertEquals(1, result.exitCode(), result::toString);
            assertTrue(result.out().contains("+++ b/" + CLUSTER + "/stages/02-apps/kustomization.yaml"), result::toString);
        }

        @Test
        void aMissingLiveStageIsDrift() throws IOException {
            Path out = tmp.resolve("out");
            Cli.run("render", PLAN, "--out", out.toString(), "--live", "apps");
            deleteTree(out.resolve(CLUSTER).resolve("stages/02-apps"));
            deleteTree(out.resolve(CLUSTER).resolve("stages/03-finalize"));
            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString(), "--check");
            assertEquals(1, result.exitCode(), result::toString);
            assertTrue(result.out().contains("+++ b/" + CLUSTER + "/stages/02-apps/kustomization.yaml"), result::toString);
        }

        @Test
        void aStageDirectoryThePlanDoesNotHaveIsDrift() throws IOException {
            Path out = tmp.resolve("out");
            Cli.run("render", PLAN, "--out", out.toString());
            Path extra = Files.createDirectories(out.resolve(CLUSTER).resolve("stages/09-extra"));
            Files.writeString(extra.resolve("kustomization.yaml"), "resources: []\n");
            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString(), "--check");
            assertEquals(1, result.exitCode(), result::toString);
            assertTrue(result.out().contains("--- a/" + CLUSTER + "/stages/09-extra/kustomization.yaml"), result::toString);
        }

        private void deleteTree(Path dir) throws IOException {
            dev.meshwave.output.TreeWriter.deleteTree(dir);
        }
    }

    @Nested
    class Check {
        @Test
        void driftIsExitOneWithAUnifiedDiffAndNothingWritten() throws IOException {
            Path out = tmp.resolve("out");
            Cli.run("render", PLAN, "--out", out.toString());
            Path namespaces = out.resolve(CLUSTER).resolve("stages/00-control-plane/namespaces.yaml");
            String edited = Files.readString(namespaces).replace("istio-injection: \"enabled\"", "istio-injection: \"disabled\"");
            Files.writeString(namespaces, edited);
            Files.writeString(out.resolve(CLUSTER).resolve("extra.yaml"), "a: 1\n");
            Map<String, byte[]> before = read(out);

            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString(), "--check");

            assertEquals(1, result.exitCode(), result::toString);
            assertTrue(result.out().contains("--- a/" + CLUSTER + "/stages/00-control-plane/namespaces.yaml\n"
                    + "+++ b/" + CLUSTER + "/stages/00-control-plane/namespaces.yaml\n"), result::toString);
            assertTrue(result.out().contains("\n-    istio-injection: \"disabled\"\n"), result::toString);
            assertTrue(result.out().contains("\n+    istio-injection: \"enabled\"\n"), result::toString);
            assertTrue(result.out().contains("--- a/" + CLUSTER + "/extra.yaml\n+++ /dev/null\n"), result::toString);
            assertEquals(read(out).keySet(), before.keySet());
            before.forEach((path, bytes) -> assertArrayEquals(bytes, readUnchecked(out.resolve(path)), path));
        }

        @Test
        void missingOutputIsDrift() {
            Cli.Result result = Cli.run("render", PLAN, "--out", tmp.resolve("nothing").toString(), "--check");
            assertEquals(1, result.exitCode(), result::toString);
            assertTrue(result.out().contains("--- /dev/null\n+++ b/" + CLUSTER + "/kustomization.yaml\n"), result::toString);
            assertFalse(Files.exists(tmp.resolve("nothing")));
        }

        @Test
        void aLiveStageThePlanNoLongerHasIsDriftNotAUsageError(@TempDir Path plans) throws IOException {
            Path out = tmp.resolve("out");
            Cli.run("render", PLAN, "--out", out.toString(), "--live", "apps");
            Path renamed = Files.writeString(plans.resolve("plan.yaml"), Files.readString(Path.of(PLAN)).replace("name: apps", "name: rest"));
            Cli.Result result = Cli.run("render", renamed.toString(), "--out", out.toString(), "--check");
            assertEquals(1, result.exitCode(), result::toString);
        }

        @Test
        void withoutLiveTheStageOnDiskIsUsed() {
            Path out = tmp.resolve("out");
            Cli.run("render", PLAN, "--out", out.toString(), "--live", "2");
            assertEquals(0, Cli.run("render", PLAN, "--out", out.toString(), "--check").exitCode());
            Cli.Result other = Cli.run("render", PLAN, "--out", out.toString(), "--check", "--live", "0");
            assertEquals(1, other.exitCode(), other::toString);
            assertTrue(other.out().contains("+- stages/00-control-plane"), other::toString);
        }
    }

    @Nested
    class Safety {
        @Test
        void refusesToOverwriteADirectoryMeshwaveDidNotRender() throws IOException {
            Path out = tmp.resolve("out");
            Path mine = out.resolve(CLUSTER).resolve("my-notes.txt");
            Files.createDirectories(mine.getParent());
            Files.writeString(mine, "precious\n");
            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString());
            assertEquals(3, result.exitCode(), result::toString);
            assertTrue(result.err().contains("did not render"), result::toString);
            assertEquals("precious\n", Files.readString(mine));
            assertEquals(Map.of(CLUSTER + "/my-notes.txt", "precious\n"), textOf(read(out)));
        }

        @Test
        void refusesToWriteThroughASymlinkOutOfTheOutputDirectory() throws IOException {
            Path out = tmp.resolve("out");
            Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
            Files.createDirectories(out);
            Files.createSymbolicLink(out.resolve("clusters"), elsewhere);
            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString());
            assertEquals(3, result.exitCode(), result::toString);
            try (Stream<Path> files = Files.list(elsewhere)) {
                assertEquals(0, files.count());
            }
        }

        @Test
        void aFailedRenderLeavesThePreviousOutputUntouched() throws IOException {
            Path out = tmp.resolve("out");
            Cli.run("render", PLAN, "--out", out.toString());
            Map<String, byte[]> before = read(out);
            Path templates = Files.createDirectories(tmp.resolve("templates"));
            Files.writeString(templates.resolve("namespaces.yaml.mustache"), "kind: [unclosed\n");

            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString(), "--templates", templates.toString());

            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("namespaces.yaml.mustache renders invalid YAML here"), result::toString);
            assertEquals(before.keySet(), read(out).keySet());
            before.forEach((path, bytes) -> assertArrayEquals(bytes, readUnchecked(out.resolve(path)), path));
        }

        @Test
        void anEnvironmentFailureHasNoStackTraceUnlessAsked() throws IOException {
            Path notADirectory = Files.writeString(tmp.resolve("file"), "x");
            Cli.Result plain = Cli.run("render", PLAN, "--out", notADirectory.toString());
            assertEquals(4, plain.exitCode(), plain::toString);
            assertFalse(plain.err().contains("\tat "), plain::toString);
            Cli.Result traced = Cli.run("render", PLAN, "--out", notADirectory.toString(), "--stacktrace");
            assertEquals(4, traced.exitCode(), traced::toString);
            assertTrue(traced.err().contains("\tat "), traced::toString);
        }
    }

    @Nested
    class Templates {
        @Test
        void anOverrideReplacesOneTemplateByFileName() throws IOException {
            Path templates = Files.createDirectories(tmp.resolve("templates"));
            Files.writeString(templates.resolve("kustomization.yaml.mustache"),
                    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n# team layout\nresources:\n- stages/{{liveStage}}\n");
            Path out = tmp.resolve("out");
            Cli.Result result = Cli.run("render", PLAN, "--out", out.toString(), "--templates", templates.toString());
            assertEquals(0, result.exitCode(), result::toString);
            String live = Files.readString(out.resolve(CLUSTER).resolve("kustomization.yaml"));
            assertTrue(live.startsWith("# Generated by meshwave from " + templates + "/kustomization.yaml.mustache."), live);
            assertTrue(live.contains("# team layout\n"), live);
            assertTrue(Files.readString(out.resolve(CLUSTER).resolve("stages/00-control-plane/namespaces.yaml"))
                    .startsWith("# Generated by meshwave from templates/stages/namespaces.yaml.mustache."));
        }

        @Test
        void anUndefinedVariableIsAnError() throws IOException {
            Path templates = Files.createDirectories(tmp.resolve("templates"));
            Files.writeString(templates.resolve("kustomization.yaml.mustache"), "resources:\n- stages/{{liveStge}}\n");
            Cli.Result result = Cli.run("render", PLAN, "--out", tmp.resolve("out").toString(), "--templates", templates.toString());
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("kustomization.yaml.mustache") && result.err().contains("liveStge"), result::toString);
            assertFalse(Files.exists(tmp.resolve("out")));
        }

        @Test
        void aMissingTemplatesDirectoryIsAUsageError() {
            Cli.Result result = Cli.run("render", PLAN, "--out", tmp.resolve("out").toString(), "--templates", tmp.resolve("nope").toString());
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("is not a directory"), result::toString);
        }

        @Test
        void aTemplateCarryingAPrivateKeyIsRefused() throws IOException {
            Path templates = Files.createDirectories(tmp.resolve("templates"));
            Files.writeString(templates.resolve("istiod-service.yaml.mustache"),
                    "# key: |\n#  -----BEGIN EC PRIVATE KEY-----\nkind: Service\n");
            Cli.Result result = Cli.run("render", PLAN, "--out", tmp.resolve("out").toString(), "--templates", templates.toString());
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("istiod-service.yaml.mustache:2:1: the template holds a private key"), result::toString);
            assertFalse(result.err().contains("BEGIN"), "the key is never printed: " + result);
            assertFalse(Files.exists(tmp.resolve("out")));
        }

        @Test
        void anUnknownTemplateNameIsAnError() throws IOException {
            Path templates = Files.createDirectories(tmp.resolve("templates"));
            Files.writeString(templates.resolve("namespace.yaml.mustache"), "a: b\n");
            Cli.Result result = Cli.run("render", PLAN, "--out", tmp.resolve("out").toString(), "--templates", templates.toString());
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("no built-in template is named namespace.yaml.mustache"), result::toString);
        }
    }

    static Map<String, byte[]> read(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return files;
    }

    private static Map<String, String> textOf(Map<String, byte[]> files) {
        Map<String, String> text = new TreeMap<>();
        files.forEach((k, v) -> text.put(k, new String(v, StandardCharsets.UTF_8)));
        return text;
    }

    private static byte[] readUnchecked(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
