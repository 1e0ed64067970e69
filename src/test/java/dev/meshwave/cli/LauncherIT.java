package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ./meshwave launcher: runs the jar, builds it first when it is missing or stale. */
class LauncherIT {

    @TempDir
    Path tmp;

    @Test
    void runsTheBuiltJarFromTheCheckout() {
        Cli.Result version = Processes.run(Path.of("."), Map.of(), List.of("./meshwave", "--version"));
        assertEquals(0, version.exitCode(), version::toString);
        assertTrue(version.out().startsWith("meshwave "), version::toString);
        Path out = tmp.resolve("o");
        Cli.Result render = Processes.run(Path.of("."), Map.of(),
                List.of("./meshwave", "render", "examples/istio-to-asm/plan.yaml", "--out", out.toString()));
        assertEquals(0, render.exitCode(), render::toString);
        assertTrue(Files.isRegularFile(out.resolve("clusters/prod-us/mesh/kustomization.yaml")));
    }

    /** Stage directories, branches and counts are ASCII whatever the machine's locale. */
    @Test
    void theOutputDoesNotDependOnTheLocale() {
        Path out = tmp.resolve("arabic");
        Cli.Result result = Processes.run(Path.of("."), Map.of(), Processes.java("-Duser.language=ar", "-Duser.country=EG",
                "-jar", "target/meshwave.jar", "render", "examples/asm-upgrade/plan.yaml", "--out", out.toString()));
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(Files.isDirectory(out.resolve("clusters/onprem/mesh/stages/00-control-plane")), result::toString);
        assertTrue(result.err().contains("(16 files)") || result.err().matches("(?s).*\\(\\d+ files\\).*"), result::toString);
        Cli.Result check = Processes.run(Path.of("."), Map.of(), Processes.java("-Duser.language=th", "-Duser.country=TH",
                "-Duser.variant=TH", "-jar", "target/meshwave.jar", "render", "examples/asm-upgrade/plan.yaml", "--out",
                "golden/asm-upgrade", "--check"));
        assertEquals(0, check.exitCode(), check::toString);
    }

    /** The README's publish walk-through, as a new user types it. */
    @Test
    void theReadmePublishWalkThroughWorks() {
        Path gitops = tmp.resolve("gitops.git");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "GIT_CONFIG_GLOBAL", "/dev/null");
        assertEquals(0, Processes.run(Path.of("."), env, List.of("git", "init", "--bare", gitops.toString())).exitCode());
        Cli.Result publish = Processes.run(Path.of("."), env, List.of("./meshwave", "publish", "examples/asm-upgrade/plan.yaml",
                "--repo", "file://" + gitops, "--push", "--pr", "none"));
        assertEquals(0, publish.exitCode(), publish::toString);
        assertEquals(4, publish.out().lines().filter(l -> l.startsWith("created meshwave/asm-1140/") && l.endsWith("(pushed)")).count(),
                publish::toString);
        assertTrue(publish.out().contains("pull request meshwave/asm-1140/00-control-plane: created " + tmp.resolve("cache")),
                publish::toString);
        Cli.Result log = Processes.run(Path.of("."), env, List.of("git", "-C", gitops.toString(), "log", "--oneline", "--all"));
        assertEquals(4, log.out().lines().count(), log::toString);
    }

    /** A copy of the launcher in a fake checkout whose "mvn" records that it was asked to build. */
    @Test
    void buildsOnlyWhenTheJarIsMissingOrOlderThanTheSources() throws IOException {
        Path checkout = Files.createDirectories(tmp.resolve("checkout"));
        Files.copy(Path.of("meshwave"), checkout.resolve("meshwave"));
        Files.createDirectories(checkout.resolve("src/main/java"));
        Files.createDirectories(checkout.resolve("templates"));
        Files.writeString(checkout.resolve("pom.xml"), "<project/>\n");
        Path source = Files.writeString(checkout.resolve("src/main/java/A.java"), "class A {}\n");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path builds = tmp.resolve("builds.log");
        // Like Maven 3.8, it prints ANSI codes even with -B and -Dstyle.color=never, on stdout and stderr.
        Path fakeMvn = Files.writeString(bin.resolve("mvn"), "#!/bin/sh\necho \"$*\" >> '" + builds + "'\n"
                + "printf '\\033[0m\\033[0m[INFO] \\033[1mBUILD SUCCESS\\033[m\\n'\nprintf '\\033[1;33m[WARNING]\\033[m x\\n' >&2\n"
                + "mkdir -p target\ncp '" + Path.of("target/meshwave.jar").toAbsolutePath() + "' target/meshwave.jar\n");
        Files.setPosixFilePermissions(fakeMvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"));

        Cli.Result first = Processes.run(checkout, env, List.of("./meshwave", "--version"));
        assertEquals(0, first.exitCode(), first::toString);
        assertTrue(first.out().startsWith("meshwave "), "stdout stays the command's own: " + first);
        assertEquals(1, Files.readAllLines(builds).size(), "built on first use");
        assertTrue(first.err().startsWith("meshwave: building ") && first.err().contains("takes about a minute"),
                "says why the first run is slow: " + first);
        assertTrue(first.err().contains("[INFO] BUILD SUCCESS\n") && first.err().contains("[WARNING] x\n"), "Maven's output on stderr: " + first);
        assertFalse(first.err().contains("\u001b") || first.out().contains("\u001b"), "no ANSI codes when stderr is not a terminal: " + first);
        assertTrue(List.of(Files.readAllLines(builds).get(0).split(" ")).containsAll(List.of("-B", "-ntp", "-Dstyle.color=never", "package")),
                "batch mode, no transfer progress, no colour: " + Files.readAllLines(builds));

        Files.setLastModifiedTime(source, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Files.setLastModifiedTime(checkout.resolve("pom.xml"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Cli.Result second = Processes.run(checkout, env, List.of("./meshwave", "--version"));
        assertEquals(0, second.exitCode(), second::toString);
        assertEquals(1, Files.readAllLines(builds).size(), "not rebuilt while up to date");

        Files.setLastModifiedTime(source, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        Processes.run(checkout, env, List.of("./meshwave", "--version"));
        List<String> log = Files.readAllLines(builds);
        assertEquals(2, log.size(), "rebuilt after a source changed");
        assertFalse(log.get(1).contains("verify"), "the launcher builds without running the tests: " + log);
    }
}
