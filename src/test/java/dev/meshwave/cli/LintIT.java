package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshwave lint} on a repository built to hold each problem once (src/test/resources/lint/repo,
 * whose files say what must be found in them), on meshwave's own approved output, and through the launcher.
 */
class LintIT {

    private static final String REPO = "src/test/resources/lint/repo";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Namespace {@code a} with labels written as {@code key: value}; its last label is on line 5 + their count. */
    private static String namespace(String... labels) {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n");
        for (String label : labels) {
            yaml.append("    ").append(label).append('\n');
        }
        return yaml.toString();
    }

    /** A namespace with both injection labels: istio-injection at 6:5. */
    private static final String BOTH_LABELS = namespace("istio-injection: enabled", "istio.io/rev: canary");

    /** Writes a file under the test's temporary directory, creating its directories. */
    private Path write(String relative, String text) throws IOException {
        Path file = tmp.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    /** stdout lines that are findings ({@code file:line:col: error: … [rule]}). */
    private static List<String> findings(Cli.Result result) {
        return result.out().lines().filter(l -> l.contains(": error: ")).toList();
    }

    @Nested
    class Text {

        @Test
        void findsEachProblemAtTheLineToFix() {
            Cli.Result result = Cli.run("lint", REPO);
            assertEquals(1, result.exitCode(), result::toString);
            List<String> findings = findings(result);
            assertEquals(6, findings.size(), result::toString);
            // Sorted by file and line; each points at the node a reader must change.
            assertTrue(findings.get(0).startsWith(REPO + "/apps/namespaces.yaml:7:5: error: namespace 'payments' carries both"
                    + " istio-injection=enabled and istio.io/rev=asm-1233-2"), result::toString);
            assertTrue(findings.get(0).endsWith("[both-injection-labels]"), result::toString);
            assertTrue(findings.get(1).startsWith(REPO + "/mesh/base/injectors.yaml:5:3: error: 2 sidecar injector webhooks match"), result::toString);
            assertTrue(findings.get(1).contains("istio-revision-tag-default (") && findings.get(1).contains("istio-sidecar-injector ("),
                    result::toString);
            assertTrue(findings.get(1).endsWith("(IST0139), so such pods are injected more than once: istio-revision-tag-default"
                    + " (rev.object.sidecar-injector.istio.io, revision asm-1233-2), istio-sidecar-injector"
                    + " (rev.object.sidecar-injector.istio.io, revision default) [overlapping-injectors]"), result::toString);
            // Like Istio's analyzer, each configuration of the overlap is reported: the tag too.
            assertEquals(findings.get(1).replace("injectors.yaml:5:3:", "injectors.yaml:93:3:"), findings.get(2), result::toString);
            assertTrue(findings.get(3).startsWith(REPO + "/mesh/base/namespaces.yaml:6:5: error: namespace 'checkout' carries both"),
                    result::toString);
            assertTrue(findings.get(4).startsWith(REPO + "/mesh/tags/tag.yaml:9:5: error: revision tag 'asm-1233-2'"), result::toString);
            assertTrue(findings.get(4).endsWith("[tag-named-like-revision]"), result::toString);
            assertTrue(findings.get(5).startsWith(REPO + "/mesh/validator/validator.yaml:13:7: error: ValidatingWebhookConfiguration"
                    + " 'istiod-default-validator' (webhook validation.istio.io) calls Service istiod in istio-system"), result::toString);
            assertTrue(findings.get(5).endsWith("[validator-without-istiod-service]"), result::toString);
            assertTrue(result.out().endsWith(REPO + ": 6 injection problems (6 kustomizations built, 1 directory of plain YAML read;"
                    + " 2 not checked, see stderr)\n"), result::toString);
        }

        @Test
        void aProblemSharedByBuildsIsOneFindingNamingThem() {
            Cli.Result result = Cli.run("lint", REPO);
            List<String> lines = result.out().lines().toList();
            int overlap = lines.indexOf(findings(result).get(1));
            assertEquals("  seen in " + REPO + "/mesh/base, " + REPO + "/mesh/overlays/prod, " + REPO + "/mesh/overlays/staging",
                    lines.get(overlap + 1), result::toString);
            // The base file is fine alone; only the prod overlay's patch adds the second label.
            int checkout = lines.indexOf(findings(result).get(3));
            assertEquals("  seen in " + REPO + "/mesh/overlays/prod", lines.get(checkout + 1), result::toString);
            // The validator is fine where Service istiod is built with it (mesh/finalize), so only its own directory shows it.
            assertFalse(result.out().contains("mesh/finalize"), result::toString);
        }

        @Test
        void saysWhatItCouldNotCheckAndGoesOn() {
            Cli.Result result = Cli.run("lint", REPO);
            List<String> warnings = result.err().lines().toList();
            assertEquals(2, warnings.size(), result::toString);
            assertTrue(warnings.get(0).startsWith(REPO + "/apps/broken.yaml:3:1: warning: not valid YAML"), result::toString);
            assertTrue(warnings.get(1).startsWith(REPO + "/mesh/broken/kustomization.yaml:1:1: warning: not checked: kubectl kustomize failed:"),
                    result::toString);
            assertTrue(warnings.get(1).contains(REPO + "/mesh/broken/missing.yaml: no such file or directory"), result::toString);
            assertFalse(warnings.get(1).contains(Path.of("").toAbsolutePath().toString()), "paths as the user typed them: " + result);
            // Helm charts are templates, not YAML; components are built only inside their users.
            assertFalse(result.toString().contains("charts/"), result::toString);
            assertFalse(result.toString().contains("components/"), result::toString);
        }

        @Test
        void meshwavesOwnOutputIsClean() {
            for (String golden : List.of("golden/asm-tags", "golden/ca-migration", "golden/istio-to-asm", "golden/multi-project",
                    "golden/helm-flux", "golden/helm-argocd", "golden/helm-gateway", "golden/sail")) {
                Cli.Result result = Cli.run("lint", golden);
                assertEquals(0, result.exitCode(), result::toString);
                assertEquals("", result.err(), result::toString);
                assertTrue(result.out().startsWith(golden + ": no injection problems ("), result::toString);
                assertFalse(result.out().contains(" 0 kustomizations built"), "every stage was built: " + result);
            }
        }

        @Test
        void anInventoryExportIsPlainYaml() {
            Cli.Result result = Cli.run("lint", "examples/inventory");
            assertEquals(1, result.exitCode(), result::toString);
            assertEquals(List.of("examples/inventory/ns.yaml:199:7: error: namespace 'legacy-billing' carries both istio-injection=enabled"
                    + " and istio.io/rev=asm-1229-3; istio-injection wins and istio.io/rev is ignored (remove istio-injection to move it"
                    + " to a revision) [both-injection-labels]"), findings(result), result::toString);
        }

        @Test
        void aSingleFileCanBeLinted() {
            Cli.Result result = Cli.run("lint", REPO + "/apps/namespaces.yaml");
            assertEquals(1, result.exitCode(), result::toString);
            assertEquals(1, findings(result).size(), result::toString);
            assertTrue(findings(result).get(0).startsWith(REPO + "/apps/namespaces.yaml:7:5: "), result::toString);
            assertFalse(result.out().contains("seen in"), "the file is what was linted: " + result);
        }

        @Test
        void theSameRepositoryGivesTheSameBytes() {
            assertEquals(Cli.run("lint", REPO).toString(), Cli.run("lint", REPO).toString());
        }
    }

    @Nested
    class Input {

        @Test
        void aMissingPathIsAUsageError() {
            Cli.Result result = Cli.run("lint", "no/such/repo");
            assertEquals(2, result.exitCode(), result::toString);
            assertEquals("meshwave: no/such/repo: no such file or directory\n", result.err());
            assertEquals("", result.out());
        }

        /** Without kubectl no kustomization builds: the plain YAML's findings are shown, but the run is a usage error (exit 2). */
        @Test
        void withoutKubectlNothingIsBuiltAndTheRunFailsSayingWhy() throws IOException {
            Map<String, String> variables = new HashMap<>(System.getenv());
            variables.put("MESHWAVE_KUBECTL", tmp.resolve("no-kubectl").toString());
            Cli.Result result = Cli.run(new Environment(variables, Clock.systemUTC()), "lint", REPO);
            assertEquals(2, result.exitCode(), result::toString);
            assertEquals(1, findings(result).size(), "only apps/ is plain YAML: " + result);
            // Said once for the run, not once per kustomization.
            assertEquals(1, result.err().split("cannot run ", -1).length - 1, result::toString);
            assertFalse(result.err().contains("mesh/base/kustomization.yaml"), result::toString);
            assertTrue(result.out().contains("(0 kustomizations built, 1 directory of plain YAML read; 8 not checked, see stderr)"),
                    result::toString);
            String last = result.err().lines().reduce((a, b) -> b).orElse("");
            assertTrue(last.startsWith("meshwave: lint could build none of the 7 kustomizations under " + REPO + ": cannot run "
                    + tmp.resolve("no-kubectl") + " kustomize ("), result::toString);
            assertTrue(last.endsWith("); install kubectl or set MESHWAVE_KUBECTL"), result::toString);

            Cli.Result json = Cli.run(new Environment(variables, Clock.systemUTC()), "lint", REPO, "--format", "json");
            assertEquals(2, json.exitCode(), json::toString);
            assertEquals(7, JSON.readTree(json.out()).path("checked").path("notBuilt").asInt(), json::toString);
            Cli.Result sarif = Cli.run(new Environment(variables, Clock.systemUTC()), "lint", REPO, "--format", "sarif");
            assertEquals(2, sarif.exitCode(), sarif::toString);
            assertFalse(JSON.readTree(sarif.out()).path("runs").get(0).path("invocations").get(0).path("executionSuccessful").asBoolean(true),
                    sarif::toString);
        }

        /** Through the launcher, with a PATH that has what it needs (bash, find, java) and no kubectl. */
        @Test
        void withoutKubectlOnThePathTheLauncherExitsTwo() throws IOException {
            write("repo/mesh/kustomization.yaml", "resources: []\n");
            Path bin = Files.createDirectories(tmp.resolve("bin"));
            for (String tool : List.of("bash", "dirname", "find")) {
                Path found = java.util.stream.Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, tool)).filter(Files::isExecutable)
                        .findFirst().orElseThrow();
                Files.createSymbolicLink(bin.resolve(tool), found);
            }
            Files.createSymbolicLink(bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
            Cli.Result result = Processes.run(Path.of("."), Map.of("PATH", bin.toString()),
                    List.of(Path.of("meshwave").toAbsolutePath().toString(), "lint", tmp.resolve("repo").toString()));
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("meshwave: lint could not build the kustomization under " + tmp.resolve("repo")
                    + ": cannot run kubectl kustomize ("), result::toString);
        }

        @Test
        void onlyPlainYamlIsNotAFailureToBuild() throws IOException {
            write("repo/ns/ns.yaml", BOTH_LABELS);
            Map<String, String> variables = new HashMap<>(System.getenv());
            variables.put("MESHWAVE_KUBECTL", tmp.resolve("no-kubectl").toString());
            Cli.Result result = Cli.run(new Environment(variables, Clock.systemUTC()), "lint", tmp.resolve("repo").toString());
            assertEquals(1, result.exitCode(), "no kustomization to build; its one plain file was read: " + result);
            assertEquals("", result.err(), result::toString);
        }

        @Test
        void aRepositoryWithoutProblemsExitsZero() throws IOException {
            Path repo = tmp.resolve("repo");
            Files.createDirectories(repo.resolve("ns"));
            Files.writeString(repo.resolve("ns/ns.yaml"), namespace("istio.io/rev: asm-1233-2") + "---\n# a document that is no object\n- 1\n");
            Files.writeString(repo.resolve("values.yml"), "replicas: 3\n");
            Cli.Result result = Cli.run("lint", repo.toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(repo + ": no injection problems (0 kustomizations built, 2 directories of plain YAML read)\n", result.out());
        }
    }

    /** What a review of lint found: each case once made lint crash, skip files, repeat itself or point elsewhere. */
    @Nested
    class Review {

        private static final String K = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

        @Test
        void kustomizationsThatAreDeepOrNotUtf8AreWarningsNotCrashes() throws IOException {
            write("repo/deep/kustomization.yaml", "x: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
            Files.createDirectories(tmp.resolve("repo/latin1"));
            Files.write(tmp.resolve("repo/latin1/kustomization.yaml"), "# caf\u00e9\nresources: []\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                    java.nio.file.StandardOpenOption.CREATE_NEW);
            Cli.Result result = Cli.run("lint", tmp.resolve("repo").toString());
            assertEquals(2, result.exitCode(), "no kustomization built, nothing checked: " + result);
            assertEquals(2, result.err().lines().filter(l -> l.contains("warning: not checked: kubectl kustomize failed")).count(), result::toString);
            assertTrue(result.err().endsWith("meshwave: lint could build none of the 2 kustomizations under " + tmp.resolve("repo")
                    + " (see their 'not checked' warnings); nothing they apply was checked\n"), result::toString);
            write("repo/ok/kustomization.yaml", K + "resources: []\n");
            assertEquals(0, Cli.run("lint", tmp.resolve("repo").toString()).exitCode(), "one build is enough to have checked something");
        }

        @Test
        void aSymlinkedRootAndSymlinkedFilesInsideAreRead() throws IOException {
            write("repo/mesh/kustomization.yaml", K + "resources:\n- validator.yaml\n- istiod-service.yaml\n");
            Files.copy(Path.of(REPO, "mesh/validator/validator.yaml"), tmp.resolve("repo/mesh/validator.yaml"));
            Files.createDirectories(tmp.resolve("repo/common"));
            Files.copy(Path.of(REPO, "mesh/finalize/istiod-service.yaml"), tmp.resolve("repo/common/istiod-service.yaml"));
            // A relative link, resolved from repo/mesh/: to repo/common/, a file of the linted tree.
            Files.createSymbolicLink(tmp.resolve("repo/mesh/istiod-service.yaml"), Path.of("../common/istiod-service.yaml"));
            write("repo/apps/ns.yaml", BOTH_LABELS);
            Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("repo"));
            Cli.Result result = Cli.run("lint", tmp.resolve("link").toString());
            // kustomize refuses the link that leaves mesh/ (a warning), and that was the only kustomization: exit 2.
            assertEquals(2, result.exitCode(), result::toString);
            // Only the plain file behind the linked root is a finding: mesh/, with its validator, did not build.
            assertEquals(List.of(tmp.resolve("link") + "/apps/ns.yaml:6:5"), findings(result).stream()
                    .map(f -> f.substring(0, f.indexOf(": error"))).toList(), result::toString);
        }

        @Test
        void namePrefixesDoNotRepeatAFinding() throws IOException {
            write("repo/base/kustomization.yaml", K + "resources:\n- tag.yaml\n");
            Files.copy(Path.of(REPO, "mesh/tags/tag.yaml"), tmp.resolve("repo/base/tag.yaml"));
            for (String overlay : List.of("prod", "staging")) {
                write("repo/" + overlay + "/kustomization.yaml", K + "namePrefix: " + overlay + "-\nresources:\n- ../base\n");
            }
            Cli.Result result = Cli.run("lint", tmp.resolve("repo").toString());
            assertEquals(1, findings(result).size(), result::toString);
            assertTrue(result.out().contains("  seen in " + tmp.resolve("repo/base") + ", " + tmp.resolve("repo/prod") + ", "
                    + tmp.resolve("repo/staging") + "\n"), result::toString);
        }

        @Test
        void aBaseOutsideThePathIsWhereTheFindingIs() throws IOException {
            write("repo/base/kustomization.yaml", K + "resources:\n- ns.yaml\n");
            write("repo/base/ns.yaml", namespace("istio.io/rev: canary"));
            write("repo/overlay/kustomization.yaml", K + "resources:\n- ../base\npatches:\n- path: label.yaml\n");
            write("repo/overlay/label.yaml", namespace("istio-injection: enabled"));
            Cli.Result result = Processes.run(tmp.resolve("repo"), Map.of(),
                    List.of(Path.of("meshwave").toAbsolutePath().toString(), "lint", "overlay"));
            assertEquals(1, result.exitCode(), result::toString);
            assertTrue(result.out().startsWith("base/ns.yaml:6:5: error: namespace 'a' carries both"), result::toString);
            assertTrue(result.out().contains("\n  seen in overlay\n"), result::toString);
        }

        /** A repository controls its file names: escape sequences and newlines in them are printed escaped, one finding a line. */
        @Test
        void fileNamesWithEscapeSequencesAndNewlinesCannotForgeOrHideLines() throws IOException {
            String name = "ns\u001b[2J\u202e\nrepo/forged.yaml:1:1: error: forged [both-injection-labels]\n.yaml";
            write("repo/" + name, BOTH_LABELS);
            Cli.Result result = Cli.run("lint", tmp.resolve("repo").toString());
            assertEquals(1, result.exitCode(), result::toString);
            TerminalSafeOutputTest.assertPrintable(result.out());
            TerminalSafeOutputTest.assertPrintable(result.err());
            assertEquals(List.of(tmp.resolve("repo") + "/ns\\x1b[2J\\u202e\\nrepo/forged.yaml:1:1: error: forged [both-injection-labels]\\n.yaml:6:5"),
                    findings(result).stream().map(f -> f.substring(0, f.indexOf(": error: namespace"))).toList(), result::toString);
            assertEquals(2, result.out().lines().count(), "the finding and the summary: " + result);
            // JSON: the writer escapes control characters, and the name reads back exactly.
            Cli.Result json = Cli.run("lint", tmp.resolve("repo").toString(), "--format", "json");
            assertFalse(json.out().chars().anyMatch(c -> c < 0x20 && c != '\n'), json::toString);
            assertEquals(tmp.resolve("repo") + "/" + name, JSON.readTree(json.out()).path("findings").get(0).path("file").asText());
            // A PATH that does not exist is echoed escaped too.
            Cli.Result missing = Cli.run("lint", tmp.resolve("x\u001b[2J\nforged").toString());
            assertEquals(2, missing.exitCode(), missing::toString);
            assertEquals("meshwave: " + tmp.resolve("x") + "\\x1b[2J\\nforged: no such file or directory\n", missing.err());
        }

        @Test
        void anEmptyPathIsAUsageError() {
            Cli.Result result = Cli.run("lint", "");
            assertEquals(2, result.exitCode(), result::toString);
            assertEquals("meshwave: an empty PATH\n", result.err());
        }

        @Test
        void aSarifUriNeverReadsAsAScheme() throws IOException {
            write("repo/c:d/ns.yaml", BOTH_LABELS);
            Cli.Result result = Processes.run(tmp.resolve("repo"), Map.of(),
                    List.of(Path.of("meshwave").toAbsolutePath().toString(), "lint", ".", "--format", "sarif"));
            assertEquals(1, result.exitCode(), result::toString);
            assertEquals("./c:d/ns.yaml", JSON.readTree(result.out()).path("runs").get(0).path("results").get(0).path("locations").get(0)
                    .path("physicalLocation").path("artifactLocation").path("uri").asText());
        }
    }

    /** A repository that fights back: servers that never answer, killed runs, files that never end, a PATH without kubectl. */
    @Nested
    class Hostile {

        private static final String K = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

        /** A local HTTP server that accepts every connection and never answers. */
        private static final class SilentServer implements AutoCloseable {
            private final java.net.ServerSocket socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            private final List<java.net.Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());

            SilentServer() throws IOException {
                Thread accept = new Thread(() -> {
                    try {
                        while (true) {
                            held.add(socket.accept());
                        }
                    } catch (IOException e) {
                        // closed
                    }
                }, "silent-server");
                accept.setDaemon(true);
                accept.start();
            }

            String url(String file) {
                return "http://127.0.0.1:" + socket.getLocalPort() + "/" + file;
            }

            @Override
            public void close() throws IOException {
                socket.close();
                for (java.net.Socket s : held) {
                    s.close();
                }
            }
        }

        private Environment environment(String... variables) throws IOException {
            Map<String, String> all = new HashMap<>(System.getenv());
            all.put("TMPDIR", Files.createDirectories(tmp.resolve("scratch")).toString());
            for (int i = 0; i < variables.length; i += 2) {
                all.put(variables[i], variables[i + 1]);
            }
            return new Environment(all, Clock.systemUTC());
        }

        /** Processes whose arguments name a path under {@code dir}: the kubectl builds of runs using it. */
        private static List<ProcessHandle> workingIn(Path dir) {
            return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                    .map(args -> java.util.Arrays.stream(args).anyMatch(a -> a.startsWith(dir + "/"))).orElse(false)).toList();
        }

        private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!condition.getAsBoolean()) {
                assertTrue(System.nanoTime() < until, "timed out waiting until " + what);
                Thread.sleep(100);
            }
        }

        @Test
        @org.junit.jupiter.api.Timeout(120)
        void aBuildThatNeverEndsIsNotCheckedAndTheRunExitsThree() throws IOException {
            try (SilentServer server = new SilentServer()) {
                write("repo/remote/kustomization.yaml", K + "resources:\n- " + server.url("ns.yaml") + "\n");
                write("repo/local/kustomization.yaml", K + "resources:\n- ns.yaml\n");
                write("repo/local/ns.yaml", namespace("istio.io/rev: canary"));
                Cli.Result result = Cli.run(environment(), "lint", tmp.resolve("repo").toString(), "--build-timeout", "2");
                assertEquals(3, result.exitCode(), result::toString);
                assertTrue(result.err().contains(tmp.resolve("repo") + "/remote/kustomization.yaml:1:1: warning: not checked: kubectl kustomize"
                        + " did not finish within 2 s (--build-timeout)"), result::toString);
                assertTrue(result.err().endsWith("meshwave: lint could not check everything under " + tmp.resolve("repo") + ": 1 kustomization"
                        + " was not built in time (see the 'not checked' warnings; --build-timeout, --deadline)\n"), result::toString);
                assertFalse(result.out().contains("no injection problems (1 kustomization built, 0 directories of plain YAML read)\n"),
                        "not a clean pass: " + result);

                // The deadline bounds them all: three builds that never end, and a build timeout far longer.
                write("repo/remote2/kustomization.yaml", K + "resources:\n- " + server.url("two.yaml") + "\n");
                write("repo/remote3/kustomization.yaml", K + "resources:\n- " + server.url("three.yaml") + "\n");
                long start = System.nanoTime();
                Cli.Result late = Cli.run(environment("MESHWAVE_LINT_DEADLINE", "3"), "lint", tmp.resolve("repo").toString(), "--format", "json");
                assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(60), late::toString);
                assertEquals(3, late.exitCode(), late::toString);
                JsonNode report = JSON.readTree(late.out());
                // The three that never end, and the local one too if it was still waiting for a thread.
                assertTrue(report.path("checked").path("timedOut").asInt() >= 3, late::toString);
                assertEquals(report.path("checked").path("timedOut").asInt(), report.path("warnings").size(), late::toString);
                report.path("warnings").forEach(w -> assertTrue(w.path("message").asText().contains("lint's deadline of 3 s (--deadline) passed"),
                        w::toString));
                assertEquals(List.of(), workingIn(tmp.resolve("scratch")), "no kubectl left running");
            }
        }

        @Test
        void timeLimitsAreCheckedAndNamedWhenWrong() throws IOException {
            write("repo/ns.yaml", namespace("istio.io/rev: canary"));
            String repo = tmp.resolve("repo").toString();
            for (List<String> args : List.of(List.of("--build-timeout", "0"), List.of("--deadline", "ten"), List.of("--deadline", "86401"))) {
                List<String> command = new ArrayList<>(List.of("lint", repo));
                command.addAll(args);
                Cli.Result result = Cli.run(environment(), command.toArray(String[]::new));
                assertEquals(2, result.exitCode(), result::toString);
                assertTrue(result.err().startsWith("meshwave: " + args.get(0) + ": expected whole seconds from 1 to 86400, got '" + args.get(1) + "'"),
                        result::toString);
            }
            for (String variable : List.of("MESHWAVE_LINT_BUILD_TIMEOUT", "MESHWAVE_LINT_DEADLINE")) {
                Cli.Result result = Cli.run(environment(variable, "-5"), "lint", repo);
                assertEquals(2, result.exitCode(), result::toString);
                assertTrue(result.err().startsWith("meshwave: " + variable + ": expected whole seconds from 1 to 86400, got '-5'"), result::toString);
            }
            assertEquals(0, Cli.run(environment("MESHWAVE_LINT_DEADLINE", "30"), "lint", repo, "--build-timeout", "10").exitCode());
        }

        /** SIGTERM: the run's kubectl and its temporary directory go with it. SIGKILL: the next run removes both. */
        @Test
        @org.junit.jupiter.api.Timeout(240)
        void aKilledLintLeavesNoKubectlAndNoTemporaryDirectory() throws Exception {
            Path scratch = Files.createDirectories(tmp.resolve("scratch"));
            try (SilentServer server = new SilentServer()) {
                write("repo/remote/kustomization.yaml", K + "resources:\n- " + server.url("ns.yaml") + "\n");
                write("clean/ns.yaml", namespace("istio.io/rev: canary"));
                for (boolean term : List.of(true, false)) {
                    ProcessBuilder builder = new ProcessBuilder(Path.of("meshwave").toAbsolutePath().toString(), "lint", tmp.resolve("repo").toString())
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
                    builder.environment().put("TMPDIR", scratch.toString());
                    Process lint = builder.start();
                    try {
                        await(() -> !workingIn(scratch).isEmpty(), "kubectl runs");
                        if (term) {
                            lint.destroy(); // SIGTERM
                            assertEquals(143, lint.waitFor());
                            await(() -> workingIn(scratch).isEmpty(), "kubectl is gone");
                            try (var left = Files.list(scratch)) {
                                assertEquals(List.of(), left.toList());
                            }
                        } else {
                            lint.destroyForcibly(); // SIGKILL: nothing of the run can clean up
                            assertEquals(137, lint.waitFor());
                            assertFalse(workingIn(scratch).isEmpty(), "an orphaned kubectl still waits on the server");
                            Cli.Result next = Cli.run(environment(), "lint", tmp.resolve("clean").toString());
                            assertEquals(0, next.exitCode(), next::toString);
                            await(() -> workingIn(scratch).isEmpty(), "the next run stopped the orphaned kubectl");
                            try (var left = Files.list(scratch)) {
                                assertEquals(List.of(), left.toList(), "the next run removed the dead run's directory");
                            }
                        }
                    } finally {
                        lint.destroyForcibly();
                        workingIn(scratch).forEach(ProcessHandle::destroyForcibly);
                    }
                }
            }
        }

        /** A file of gigabytes (sparse: it takes no disk) and a FIFO are reported, not read: no crash, no hang. */
        @Test
        @org.junit.jupiter.api.Timeout(60)
        void filesThatAreHugeOrNotRegularAreReportedNotRead() throws Exception {
            write("repo/ns/ns.yaml", namespace("istio.io/rev: canary"));
            try (java.io.RandomAccessFile huge = new java.io.RandomAccessFile(tmp.resolve("repo/ns/huge.yaml").toFile(), "rw")) {
                huge.setLength(3L << 30);
            }
            Path fifo = tmp.resolve("repo/ns/pipe.yaml");
            assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
            Cli.Result result = Cli.run(environment(), "lint", tmp.resolve("repo").toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(List.of(tmp.resolve("repo") + "/ns/huge.yaml:1:1: warning: larger than 16 MiB; not read",
                    tmp.resolve("repo") + "/ns/pipe.yaml:1:1: warning: not a regular file; not read"), result.err().lines().toList(), result::toString);
            assertTrue(result.out().endsWith("(0 kustomizations built, 1 directory of plain YAML read; 2 not checked, see stderr)\n"), result::toString);
            // Given as the argument itself, a FIFO is no repository and no file of one: a bad argument, read by nobody.
            Cli.Result alone = Cli.run(environment(), "lint", fifo.toString());
            assertEquals(2, alone.exitCode(), alone::toString);
            assertEquals("meshwave: " + fifo + ": not a directory or a regular file; lint reads a repository or one YAML file\n", alone.err(),
                    alone::toString);
        }

        /** A file or directory lint may not open is a warning, not an internal error (root may open anything: not tested then). */
        @Test
        void filesLintMayNotOpenAreReportedNotRead() throws IOException {
            org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root may read anything");
            write("repo/ns/ns.yaml", namespace("istio.io/rev: canary"));
            write("repo/secret/ns.yaml", BOTH_LABELS);
            write("repo/locked.yaml", BOTH_LABELS);
            Files.setPosixFilePermissions(tmp.resolve("repo/secret"), java.util.Set.of());
            Files.setPosixFilePermissions(tmp.resolve("repo/locked.yaml"), java.util.Set.of());
            try {
                Cli.Result result = Cli.run(environment(), "lint", tmp.resolve("repo").toString());
                assertEquals(0, result.exitCode(), result::toString);
                assertEquals(List.of(tmp.resolve("repo") + "/locked.yaml:1:1: warning: cannot be read (AccessDeniedException); not read",
                        tmp.resolve("repo") + "/secret:1:1: warning: cannot be read (AccessDeniedException); not read"),
                        result.err().lines().toList(), result::toString);
            } finally {
                Files.setPosixFilePermissions(tmp.resolve("repo/secret"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
        }

        /** kubectl is looked for on the run's PATH, not the JVM's, and a missing one is said once. */
        @Test
        void kubectlIsFoundOnTheRunsPathAndAMissingOneIsSaidOnce() throws IOException {
            write("repo/a/kustomization.yaml", K + "resources: []\n");
            write("repo/b/kustomization.yaml", K + "resources: []\n");
            Path empty = Files.createDirectories(tmp.resolve("empty-bin"));
            Cli.Result result = Cli.run(environment("PATH", empty.toString()), "lint", tmp.resolve("repo").toString());
            assertEquals(2, result.exitCode(), result::toString);
            assertEquals("meshwave: lint could build none of the 2 kustomizations under " + tmp.resolve("repo")
                    + ": cannot run kubectl kustomize (not found on PATH); install kubectl or set MESHWAVE_KUBECTL\n", result.err(), result::toString);
            assertTrue(result.out().endsWith("(0 kustomizations built, 0 directories of plain YAML read; 2 not checked, see stderr)\n"),
                    result::toString);
        }
    }

    /** Directories a Flux Kustomization or an Argo CD Application applies as one tree are checked as one. */
    @Nested
    class AppliedTrees {

        /** The fixture's non-revisioned injector and its default tag, which overlap, as two files. */
        private List<String> injectorAndTag() throws IOException {
            String both = Files.readString(Path.of(REPO, "mesh/base/injectors.yaml"));
            int split = both.indexOf("\n---\n");
            return List.of(both.substring(0, split + 1), both.substring(split + 5));
        }

        @Test
        void fluxAppliesPlainFilesAndTheKustomizationsBelowItsPathTogether() throws IOException {
            Path repo = tmp.resolve("repo");
            write("repo/clusters/prod/mesh.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
                    + "  name: mesh\n  namespace: flux-system\nspec:\n  path: ./infrastructure/mesh\n  sourceRef: {kind: GitRepository, name: fleet}\n");
            write("repo/infrastructure/mesh/injector/istio-sidecar-injector.yaml", injectorAndTag().get(0));
            write("repo/infrastructure/mesh/tags/kustomization.yaml", "resources:\n- default.yaml\n");
            write("repo/infrastructure/mesh/tags/default.yaml", injectorAndTag().get(1));
            Cli.Result result = Cli.run("lint", repo.toString());
            assertEquals(1, result.exitCode(), result::toString);
            assertEquals(2, findings(result).size(), result::toString);
            assertTrue(findings(result).get(0).endsWith("[overlapping-injectors]"), result::toString);
            assertTrue(findings(result).get(1).endsWith("[overlapping-injectors]"), result::toString);
            assertTrue(result.out().contains("\n  seen in Flux Kustomization flux-system/mesh (./infrastructure/mesh)\n"), result::toString);
            assertTrue(result.out().endsWith("(1 kustomization built, 2 directories of plain YAML read, 1 tree of Flux or Argo CD checked whole)\n"),
                    result::toString);
            // Without the Flux Kustomization, nothing applies the two together.
            Files.delete(repo.resolve("clusters/prod/mesh.yaml"));
            assertEquals(0, Cli.run("lint", repo.toString()).exitCode());
        }

        @Test
        void argoCdAppliesATreeOnlyWithDirectoryRecurse() throws IOException {
            Path repo = tmp.resolve("repo");
            String application = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: mesh\n  namespace: argocd\n"
                    + "spec:\n  source:\n    repoURL: https://git.example.com/fleet.git\n    path: apps/mesh\n";
            write("repo/argocd/mesh.yaml", application);
            write("repo/apps/mesh/injector/istio-sidecar-injector.yaml", injectorAndTag().get(0));
            write("repo/apps/mesh/tags/default.yaml", injectorAndTag().get(1));
            assertEquals(0, Cli.run("lint", repo.toString()).exitCode(), "Argo CD applies only apps/mesh itself by default");
            write("repo/argocd/mesh.yaml", application + "    directory:\n      recurse: true\n");
            Cli.Result result = Cli.run("lint", repo.toString());
            assertEquals(1, result.exitCode(), result::toString);
            assertTrue(result.out().contains("\n  seen in Argo CD Application argocd/mesh (apps/mesh)\n"), result::toString);
        }
    }

    /**
     * ambient-with-sidecar-label end to end: sidecar injection takes precedence over ztunnel capture (MESH-FACTS §12;
     * istio.io ambient "Enable ambient mode": "The sidecar takes precedence over ztunnel for pods that have both"). Upstream:
     * the injector never reads istio.io/dataplane-mode (istio/istio@1.28.10:pkg/kube/inject/inject.go, injectRequired, and
     * webhook.go), and the CNI node agent leaves a pod with a sidecar out of ztunnel capture
     * (istio/istio@1.28.10:cni/pkg/util/enablement_selector.go, Matches: "Ztunnel and sidecar for a single pod is currently
     * not supported; opt out"; istio/istio@1.22.0:cni/pkg/util/podutil.go, PodRedirectionEnabled, the same since 1.22).
     */
    @Nested
    class AmbientNamespaces {

        private static final String NAMESPACES = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ledger\n  labels:\n"
                + "    istio.io/dataplane-mode: ambient\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: orders\n  labels:\n"
                + "    istio.io/dataplane-mode: ambient\n    istio-injection: enabled\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n"
                + "  name: reports\n  labels:\n    istio.io/dataplane-mode: ambient\n    istio-injection: disabled\n";

        /** A base of ambient namespaces, and an overlay whose patch gives ledger istio.io/rev. */
        private Path repository() throws IOException {
            write("repo/apps/base/kustomization.yaml", "resources:\n- namespaces.yaml\n");
            write("repo/apps/base/namespaces.yaml", NAMESPACES);
            write("repo/apps/overlays/prod/kustomization.yaml", "resources:\n- ../../base\npatches:\n- patch: |\n    apiVersion: v1\n"
                    + "    kind: Namespace\n    metadata:\n      name: ledger\n      labels:\n        istio.io/rev: prod-stable\n");
            return tmp.resolve("repo");
        }

        @Test
        void eachAmbientNamespaceWithASidecarLabelIsFoundWhereItsLabelIs() throws IOException {
            Path repo = repository();
            Cli.Result result = Cli.run("lint", repo.toString());
            assertEquals(1, result.exitCode(), result::toString);
            String file = repo + "/apps/base/namespaces.yaml";
            // ledger's istio.io/rev comes from the overlay's patch, not its file: the finding is at its ambient label.
            assertEquals(List.of(file + ":6:5: error: namespace 'ledger' is ambient (istio.io/dataplane-mode=ambient) and labelled"
                    + " istio.io/rev=prod-stable; sidecar injection takes precedence over ztunnel capture, so its pods get sidecars at their"
                    + " next restart (remove istio.io/rev to stay ambient) [ambient-with-sidecar-label]",
                    file + ":14:5: error: namespace 'orders' is ambient (istio.io/dataplane-mode=ambient) and labelled"
                    + " istio-injection=enabled; sidecar injection takes precedence over ztunnel capture, so its pods get sidecars at"
                    + " their next restart (remove istio-injection to stay ambient) [ambient-with-sidecar-label]"), findings(result));
            List<String> lines = result.out().lines().toList();
            assertEquals("  seen in " + repo + "/apps/overlays/prod", lines.get(lines.indexOf(findings(result).get(0)) + 1), result::toString);
            assertEquals("  seen in " + repo + "/apps/base, " + repo + "/apps/overlays/prod", lines.get(lines.indexOf(findings(result).get(1)) + 1),
                    result::toString);
            // istio-injection=disabled injects nobody; without the overlay's patch ledger is plain ambient.
            assertFalse(result.out().contains("'reports'"), result::toString);
            Files.delete(repo.resolve("apps/overlays/prod/kustomization.yaml"));
            assertEquals(1, findings(Cli.run("lint", repo.toString())).size());
        }

        @Test
        void jsonAndSarifCarryTheRuleAndTheLine() throws IOException {
            Path repo = repository();
            JsonNode findings = JSON.readTree(Cli.run("lint", repo.toString(), "--format", "json").out()).path("findings");
            assertEquals(2, findings.size(), findings::toString);
            JsonNode orders = findings.get(1);
            assertEquals("ambient-with-sidecar-label", orders.path("rule").asText());
            assertEquals(repo + "/apps/base/namespaces.yaml", orders.path("file").asText());
            assertEquals(14, orders.path("line").asInt());
            assertEquals(5, orders.path("column").asInt());
            assertEquals(2, orders.path("seenIn").size());
            JsonNode run = JSON.readTree(Cli.run("lint", repo.toString(), "--format", "sarif").out()).path("runs").get(0);
            JsonNode result = run.path("results").get(1);
            assertEquals("ambient-with-sidecar-label", result.path("ruleId").asText());
            JsonNode rule = run.path("tool").path("driver").path("rules").get(result.path("ruleIndex").asInt());
            assertEquals("ambient-with-sidecar-label", rule.path("id").asText());
            assertTrue(rule.path("fullDescription").path("text").asText().startsWith("Sidecar injection takes precedence over ztunnel"
                    + " capture"), rule::toString);
            assertEquals(14, result.path("locations").get(0).path("physicalLocation").path("region").path("startLine").asInt());
            assertTrue(result.path("message").path("text").asText().startsWith("namespace 'orders' is ambient"), result::toString);
        }
    }

    /** src/test/resources/lint/served: every kind of control plane, and namespaces on what they serve and on one thing nothing serves. */
    @Nested
    class ServedRevisions {

        private static final String SERVED = "src/test/resources/lint/served";

        private static final String BLUE = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: istiod-blue\n"
                + "  namespace: istio-system\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: istiod\n"
                + "      sourceRef: {kind: HelmRepository, name: istio}\n  values:\n    revision: blue\n";

        @Test
        void aNamespaceOnARevisionNothingServesNamesWhatIsServedAndWhere() {
            Cli.Result result = Cli.run("lint", SERVED);
            assertEquals(1, result.exitCode(), result::toString);
            assertEquals(List.of(SERVED + "/apps/namespaces.yaml:50:5: error: namespace 'unserved' is labelled istio.io/rev=orange, which no"
                    + " control plane of the repository serves, so its pods start without a sidecar (label it with a revision or tag that is"
                    + " served); served: revision blue (HelmRelease istio-system/istiod-blue, " + SERVED + "/flux/istiod.yaml:26:5), revision"
                    + " default (HelmRelease istio-system/istiod, " + SERVED + "/flux/istiod.yaml:5:3), revision green (Application"
                    + " argocd/istiod-green, " + SERVED + "/argocd/applications.yaml:17:9), revision mesh-v1-24-3 and the earlier mesh-v* it"
                    + " keeps while they are used (Istio mesh, " + SERVED + "/sail/istio.yaml:7:3), revision purple (IstioOperator"
                    + " istio-system/purple, " + SERVED + "/operator/iop.yaml:8:3), revision red (Application argocd/istiod-red, " + SERVED
                    + "/argocd/applications.yaml:36:5), tag canary (Application argocd/istiod-green, " + SERVED + "/argocd/applications.yaml:18:9),"
                    + " tag edge (Application argocd/istiod-red, " + SERVED + "/argocd/applications.yaml:36:5), tag lts (IstioOperator"
                    + " istio-system/purple, " + SERVED + "/operator/iop.yaml:10:5), tag prod (IstioRevisionTag prod, " + SERVED
                    + "/sail/istio.yaml:15:3), tag stable (HelmRelease istio-system/istiod-blue, " + SERVED + "/flux/istiod.yaml:27:5)"
                    + " [unserved-revision]"), findings(result), result::toString);
            assertTrue(result.out().endsWith(SERVED + ": 1 injection problem (0 kustomizations built, 5 directories of plain YAML read)\n"),
                    result::toString);
            assertEquals("", result.err(), result::toString);
        }

        @Test
        void jsonAndSarifCarryTheRule() throws IOException {
            JsonNode finding = JSON.readTree(Cli.run("lint", SERVED, "--format", "json").out()).path("findings").get(0);
            assertEquals("unserved-revision", finding.path("rule").asText());
            assertEquals(SERVED + "/apps/namespaces.yaml", finding.path("file").asText());
            assertEquals(50, finding.path("line").asInt());
            assertEquals(5, finding.path("column").asInt());
            assertTrue(finding.path("message").asText().startsWith("namespace 'unserved' is labelled istio.io/rev=orange,"), finding::toString);
            JsonNode sarif = JSON.readTree(Cli.run("lint", SERVED, "--format", "sarif").out()).path("runs").get(0);
            assertEquals("unserved-revision", sarif.path("results").get(0).path("ruleId").asText());
        }

        @Test
        void aControlPlaneInOneBuildServesNamespacesOfAnother() throws IOException {
            Path repo = tmp.resolve("repo");
            write("repo/infrastructure/istiod/kustomization.yaml", "resources:\n- istiod-blue.yaml\n");
            write("repo/infrastructure/istiod/istiod-blue.yaml", BLUE);
            write("repo/apps/kustomization.yaml", "resources:\n- namespaces.yaml\n");
            write("repo/apps/namespaces.yaml", namespace("istio.io/rev: blue") + "---\n" + namespace("istio-injection: enabled")
                    .replace("name: a", "name: b"));
            Cli.Result result = Cli.run("lint", repo.toString());
            assertEquals(1, result.exitCode(), result::toString);
            assertEquals(1, findings(result).size(), result::toString);
            assertTrue(findings(result).get(0).startsWith(repo + "/apps/namespaces.yaml:13:5: error: namespace 'b' is labelled"
                    + " istio-injection=enabled, which needs the default revision or a tag named default, and no control plane of the"
                    + " repository serves either"), result::toString);
            assertTrue(findings(result).get(0).endsWith("served: revision blue (HelmRelease istio-system/istiod-blue, " + repo
                    + "/infrastructure/istiod/istiod-blue.yaml:13:5) [unserved-revision]"), result::toString);
            // Without the control plane lint cannot know what is installed: nothing to say.
            Files.delete(repo.resolve("infrastructure/istiod/istiod-blue.yaml"));
            write("repo/infrastructure/istiod/istiod-blue.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
            assertEquals(0, Cli.run("lint", repo.toString()).exitCode());
        }

        @Test
        void aControlPlaneWhoseRevisionLintCannotReadIsAWarningAndNoFinding() throws IOException {
            Path repo = tmp.resolve("repo");
            write("repo/mesh/istiod.yaml", BLUE + "---\n" + BLUE.replace("istiod-blue", "istiod-green").replace("  values:\n    revision: blue\n",
                    "  valuesFrom:\n  - {kind: ConfigMap, name: istiod-green-values}\n"));
            write("repo/apps/namespaces.yaml", namespace("istio.io/rev: green"));
            Cli.Result result = Cli.run("lint", repo.toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(List.of(repo + "/mesh/istiod.yaml:18:3: warning: HelmRelease istio-system/istiod-green is an istiod control plane"
                    + " whose revision lint cannot read (its values come from valuesFrom); namespaces' istio.io/rev labels were not checked"
                    + " against the repository's control planes"), result.err().lines().toList(), result::toString);
        }

        @Test
        void aLabelValueIsPrintedEscaped() throws IOException {
            Path repo = tmp.resolve("repo");
            write("repo/mesh/istiod.yaml", BLUE);
            write("repo/apps/namespaces.yaml", namespace("istio.io/rev: \"x\\e[2J\\nforged\""));
            Cli.Result result = Cli.run("lint", repo.toString());
            assertEquals(1, result.exitCode(), result::toString);
            assertEquals(1, findings(result).size(), result::toString);
            assertTrue(findings(result).get(0).contains("labelled istio.io/rev=x\\x1b[2J\\nforged, which"), result::toString);
        }
    }

    /**
     * src/test/resources/lint/appliers: labels set where teams set them, and kube-injected workloads. Each of its
     * files says what must be found in it.
     */
    @Nested
    class LabelsWhereTheyAreSet {

        private static final String APPLIERS = "src/test/resources/lint/appliers";

        @Test
        void eachLabelAndSidecarIsReportedWhereItIsWritten() {
            Cli.Result result = Cli.run("lint", APPLIERS);
            assertEquals(1, result.exitCode(), result::toString);
            assertEquals("", result.err(), result::toString);
            List<String> findings = findings(result);
            assertEquals(List.of(
                    APPLIERS + "/apps/base/checkout.yaml:34:9 injected-sidecar-in-manifest",
                    APPLIERS + "/apps/base/namespaces.yaml:8:5 namespace-applied-twice",
                    APPLIERS + "/clusters/prod/apps.yaml:22:13 label-set-by-applier",
                    APPLIERS + "/clusters/prod/apps.yaml:28:11 label-set-by-applier",
                    APPLIERS + "/clusters/prod/team-b.yaml:20:9 label-set-by-applier",
                    APPLIERS + "/teams/b/namespaces.yaml:8:5 namespace-applied-twice",
                    APPLIERS + "/teams/b/report.yaml:25:13 injected-sidecar-in-manifest"),
                    findings.stream().map(f -> f.substring(0, f.indexOf(": error: ")) + " " + f.substring(f.lastIndexOf('[') + 1, f.length() - 1))
                            .toList(), result::toString);
            // Both places of the namespace applied twice carry one message naming both appliers and both lines.
            String twice = findings.get(1).substring(findings.get(1).indexOf(": error: "));
            assertEquals(twice, findings.get(5).substring(findings.get(5).indexOf(": error: ")), result::toString);
            assertTrue(twice.contains("Flux Kustomization flux-system/apps (./apps/prod) with istio-injection=enabled (" + APPLIERS
                    + "/apps/base/namespaces.yaml:8:5); Argo CD Application argocd/team-b (teams/b) with istio.io/rev=blue (" + APPLIERS
                    + "/teams/b/namespaces.yaml:8:5)"), result::toString);
            List<String> lines = result.out().lines().toList();
            assertEquals("  seen in Flux Kustomization flux-system/apps (./apps/prod)", lines.get(lines.indexOf(findings.get(1)) + 1));
            assertTrue(findings.get(2).contains(": error: Flux Kustomization flux-system/apps sets istio.io/rev=blue on namespace 'payments'"
                    + " through spec.patches"), result::toString);
            assertTrue(findings.get(3).contains(" sets istio-injection=enabled on every Namespace it applies labelled team=shop"), result::toString);
            assertTrue(findings.get(4).contains(": error: Argo CD Application argocd/team-b sets istio-injection=enabled on namespace 'team-b'"
                    + " through spec.syncPolicy.managedNamespaceMetadata"), result::toString);
            assertTrue(findings.get(0).contains(": error: Deployment 'checkout' carries an injected sidecar (container istio-proxy, image"
                    + " gcr.io/gke-release/asm/proxyv2:1.22.9-asm.3, revision asm-1229-3, sidecar.istio.io/status)"), result::toString);
            // The base is built twice (itself and the prod overlay): one finding naming both.
            assertEquals("  seen in " + APPLIERS + "/apps/base, " + APPLIERS + "/apps/prod", lines.get(lines.indexOf(findings.get(0)) + 1));
            assertTrue(result.out().endsWith(APPLIERS + ": 7 injection problems (2 kustomizations built, 2 directories of plain YAML read)\n"),
                    result::toString);
        }

        @Test
        void oneApplierPerNamespaceIsNoFinding() throws IOException {
            Path repo = tmp.resolve("repo");
            try (var files = Files.walk(Path.of(APPLIERS))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    write("repo/" + Path.of(APPLIERS).relativize(file), Files.readString(file));
                }
            }
            assertEquals(2, findings(Cli.run("lint", repo.toString())).stream().filter(f -> f.endsWith("[namespace-applied-twice]")).count());
            // The Application in another cluster's directory applies namespace orders to another cluster.
            write("repo/clusters/staging/team-b.yaml", Files.readString(repo.resolve("clusters/prod/team-b.yaml")));
            Files.delete(repo.resolve("clusters/prod/team-b.yaml"));
            assertEquals(0, findings(Cli.run("lint", repo.toString())).stream().filter(f -> f.endsWith("[namespace-applied-twice]")).count());
            // Argo CD no longer applies teams/b: namespace orders has one applier, and teams/b is only a directory.
            Files.delete(repo.resolve("clusters/staging/team-b.yaml"));
            Cli.Result result = Cli.run("lint", repo.toString());
            assertEquals(1, result.exitCode(), result::toString);
            assertFalse(result.out().contains("[namespace-applied-twice]"), result::toString);
            assertEquals(4, findings(result).size(), result::toString);
        }

        /** Flux's bootstrap: clusters/prod/flux-system applies clusters/prod, whose subdirectories hold the two appliers. */
        @Test
        void appliersInDifferentDirectoriesUnderOneFluxRootAreOneCluster() throws IOException {
            Path repo = tmp.resolve("repo");
            try (var files = Files.walk(Path.of(APPLIERS))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String relative = Path.of(APPLIERS).relativize(file).toString().replace("clusters/prod/", "clusters/prod/" + (file.toString()
                            .endsWith("apps.yaml") ? "apps/" : "team-b/"));
                    write("repo/" + relative, Files.readString(file));
                }
            }
            assertFalse(Cli.run("lint", repo.toString()).out().contains("[namespace-applied-twice]"), "nothing says they share a cluster");
            write("repo/clusters/prod/flux-system/kustomization.yaml", "resources:\n- gotk-sync.yaml\n");
            write("repo/clusters/prod/flux-system/gotk-sync.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
                    + "  name: flux-system\n  namespace: flux-system\nspec:\n  path: ./clusters/prod\n  sourceRef: {kind: GitRepository, name: flux-system}\n");
            Cli.Result result = Cli.run("lint", repo.toString());
            assertEquals(2, findings(result).stream().filter(f -> f.endsWith("[namespace-applied-twice]")).count(), result::toString);
        }

        @Test
        void sarifCarriesEachRuleWithItsRegion() throws IOException {
            Cli.Result result = Cli.run("lint", APPLIERS, "--format", "sarif");
            assertEquals(1, result.exitCode(), result::toString);
            JsonNode run = JSON.readTree(result.out()).path("runs").get(0);
            List<String> ruleIds = new ArrayList<>();
            run.path("tool").path("driver").path("rules").forEach(r -> ruleIds.add(r.path("id").asText()));
            JsonNode rules = run.path("tool").path("driver").path("rules");
            for (String id : List.of("namespace-applied-twice", "label-set-by-applier", "injected-sidecar-in-manifest")) {
                JsonNode rule = rules.get(ruleIds.indexOf(id));
                assertFalse(rule.path("shortDescription").path("text").asText().isEmpty(), rule::toString);
                assertFalse(rule.path("fullDescription").path("text").asText().isEmpty(), rule::toString);
                assertEquals("error", rule.path("defaultConfiguration").path("level").asText(), rule::toString);
            }
            List<String> results = new ArrayList<>();
            for (JsonNode finding : run.path("results")) {
                assertEquals(finding.path("ruleId").asText(), ruleIds.get(finding.path("ruleIndex").asInt()), finding::toString);
                assertEquals("error", finding.path("level").asText(), finding::toString);
                JsonNode location = finding.path("locations").get(0).path("physicalLocation");
                results.add(finding.path("ruleId").asText() + " " + location.path("artifactLocation").path("uri").asText() + ":"
                        + location.path("region").path("startLine").asInt() + ":" + location.path("region").path("startColumn").asInt());
            }
            assertEquals(List.of(
                    "injected-sidecar-in-manifest " + APPLIERS + "/apps/base/checkout.yaml:34:9",
                    "namespace-applied-twice " + APPLIERS + "/apps/base/namespaces.yaml:8:5",
                    "label-set-by-applier " + APPLIERS + "/clusters/prod/apps.yaml:22:13",
                    "label-set-by-applier " + APPLIERS + "/clusters/prod/apps.yaml:28:11",
                    "label-set-by-applier " + APPLIERS + "/clusters/prod/team-b.yaml:20:9",
                    "namespace-applied-twice " + APPLIERS + "/teams/b/namespaces.yaml:8:5",
                    "injected-sidecar-in-manifest " + APPLIERS + "/teams/b/report.yaml:25:13"), results, result.out());
            assertTrue(run.path("results").get(2).path("message").path("text").asText().startsWith("Flux Kustomization flux-system/apps sets"
                    + " istio.io/rev=blue on namespace 'payments' through spec.patches"), result.out());
            // Each place of the namespace applied twice points at the other, for code-scanning viewers.
            JsonNode related = run.path("results").get(1).path("relatedLocations");
            assertEquals(1, related.size(), result.out());
            assertEquals(1, related.get(0).path("id").asInt(), result.out());
            assertEquals(APPLIERS + "/teams/b/namespaces.yaml", related.get(0).path("physicalLocation").path("artifactLocation").path("uri").asText());
            assertEquals(8, related.get(0).path("physicalLocation").path("region").path("startLine").asInt());
            assertEquals(APPLIERS + "/apps/base/namespaces.yaml", run.path("results").get(5).path("relatedLocations").get(0)
                    .path("physicalLocation").path("artifactLocation").path("uri").asText());
            assertTrue(run.path("results").get(0).path("relatedLocations").isMissingNode(), "only where there is another place: " + result.out());
            JsonNode json = JSON.readTree(Cli.run("lint", APPLIERS, "--format", "json").out()).path("findings");
            assertEquals(APPLIERS + "/teams/b/namespaces.yaml", json.get(1).path("related").get(0).path("file").asText(), json::toString);
            assertEquals(5, json.get(1).path("related").get(0).path("column").asInt(), json::toString);
            assertEquals(0, json.get(0).path("related").size(), json::toString);
        }
    }

    @Nested
    class MachineReadable {

        @Test
        void jsonHasEveryFindingWithItsPositionAndBuilds() throws IOException {
            Cli.Result result = Cli.run("lint", REPO, "--format", "json");
            assertEquals(1, result.exitCode(), result::toString);
            JsonNode report = JSON.readTree(result.out());
            assertEquals("meshwave.lint/v1", report.path("format").asText());
            assertFalse(report.path("clean").asBoolean());
            assertEquals(6, report.path("checked").path("kustomizations").asInt());
            assertEquals(1, report.path("checked").path("directories").asInt());
            assertEquals(0, report.path("checked").path("trees").asInt());
            JsonNode findings = report.path("findings");
            assertEquals(6, findings.size(), result.out());
            JsonNode overlap = findings.get(1);
            assertEquals("overlapping-injectors", overlap.path("rule").asText());
            assertEquals(REPO + "/mesh/base/injectors.yaml", overlap.path("file").asText());
            assertEquals(5, overlap.path("line").asInt());
            assertEquals(3, overlap.path("column").asInt());
            assertEquals(3, overlap.path("seenIn").size());
            assertEquals(2, report.path("warnings").size());
            assertEquals("warning", report.path("warnings").get(0).path("severity").asText());
            assertEquals("", result.err(), "everything is in the report");
        }

        @Test
        void sarifIsWhatCodeScanningReads() throws IOException {
            Cli.Result result = Cli.run("lint", REPO, "--format", "sarif");
            assertEquals(1, result.exitCode(), result::toString);
            JsonNode sarif = JSON.readTree(result.out());
            assertEquals("2.1.0", sarif.path("version").asText());
            assertTrue(sarif.path("$schema").asText().contains("sarif-2.1.0"));
            assertEquals(1, sarif.path("runs").size());
            JsonNode run = sarif.path("runs").get(0);
            JsonNode driver = run.path("tool").path("driver");
            assertEquals("meshwave", driver.path("name").asText());
            List<String> ruleIds = new ArrayList<>();
            driver.path("rules").forEach(r -> {
                ruleIds.add(r.path("id").asText());
                assertFalse(r.path("shortDescription").path("text").asText().isEmpty(), r::toString);
                assertFalse(r.path("fullDescription").path("text").asText().isEmpty(), r::toString);
            });
            assertEquals(List.of("both-injection-labels", "ambient-with-sidecar-label", "overlapping-injectors", "injector-service-not-found", "tag-named-like-revision",
                    "validator-without-istiod-service", "unserved-revision", "namespace-applied-twice", "label-set-by-applier",
                    "injected-sidecar-in-manifest"), ruleIds);
            JsonNode results = run.path("results");
            assertEquals(6, results.size(), result.out());
            for (JsonNode finding : results) {
                // ruleIndex must point at the rule with that id: viewers resolve rules by index.
                assertEquals(finding.path("ruleId").asText(), ruleIds.get(finding.path("ruleIndex").asInt()), finding::toString);
                assertEquals("error", finding.path("level").asText());
                JsonNode location = finding.path("locations").get(0).path("physicalLocation");
                assertTrue(location.path("artifactLocation").path("uri").asText().startsWith(REPO + "/"), finding::toString);
                assertTrue(location.path("region").path("startLine").asInt() > 0, finding::toString);
                assertTrue(location.path("region").path("startColumn").asInt() > 0, finding::toString);
            }
            JsonNode tag = results.get(4);
            assertEquals("tag-named-like-revision", tag.path("ruleId").asText());
            assertEquals(REPO + "/mesh/tags/tag.yaml", tag.path("locations").get(0).path("physicalLocation").path("artifactLocation")
                    .path("uri").asText());
            assertEquals(9, tag.path("locations").get(0).path("physicalLocation").path("region").path("startLine").asInt());
            JsonNode notifications = run.path("invocations").get(0).path("toolExecutionNotifications");
            assertEquals(2, notifications.size(), result.out());
            assertEquals("warning", notifications.get(0).path("level").asText());
        }

        @Test
        void sarifUrisAreEncoded() throws IOException {
            Path repo = tmp.resolve("a repo");
            Files.createDirectories(repo.resolve("name spaces"));
            Files.writeString(repo.resolve("name spaces/ns #1.yaml"), BOTH_LABELS);
            Cli.Result result = Cli.run("lint", repo.toString(), "--format", "sarif");
            assertEquals(1, result.exitCode(), result::toString);
            String uri = JSON.readTree(result.out()).path("runs").get(0).path("results").get(0).path("locations").get(0)
                    .path("physicalLocation").path("artifactLocation").path("uri").asText();
            assertTrue(uri.endsWith("/a%20repo/name%20spaces/ns%20%231.yaml"), uri);
        }

        @Test
        void anUnknownFormatIsAUsageError() {
            Cli.Result result = Cli.run("lint", REPO, "--format", "xml");
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.err().contains("expected one of [text, json, sarif]"), result::toString);
        }
    }

    @Test
    void aKustomizationAtTheRootOfDotNeedsNoBuildNamed() throws IOException {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("kustomization.yaml"), "resources:\n- ns.yaml\n");
        Files.writeString(repo.resolve("ns.yaml"), BOTH_LABELS);
        Cli.Result result = Processes.run(repo, Map.of(), List.of(Path.of("meshwave").toAbsolutePath().toString(), "lint", "."));
        assertEquals(1, result.exitCode(), result::toString);
        assertEquals("ns.yaml:6:5: error: namespace 'a' carries both istio-injection=enabled and istio.io/rev=canary; istio-injection wins"
                + " and istio.io/rev is ignored (remove istio-injection to move it to a revision) [both-injection-labels]\n"
                + ".: 1 injection problem (1 kustomization built, 0 directories of plain YAML read)\n", result.out());
    }

    @Test
    void theLauncherRunsItLikeAUserWould() {
        Cli.Result result = Processes.run(Path.of("."), Map.of(), List.of("./meshwave", "lint", "examples/inventory"));
        assertEquals(1, result.exitCode(), result::toString);
        assertTrue(result.out().startsWith("examples/inventory/ns.yaml:199:7: error: namespace 'legacy-billing' carries both"),
                result::toString);
        Cli.Result clean = Processes.run(Path.of("."), Map.of(), List.of("./meshwave", "lint", "golden/asm-upgrade"));
        assertEquals(0, clean.exitCode(), clean::toString);
    }
}
