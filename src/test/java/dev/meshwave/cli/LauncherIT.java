package dev.meshwave.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
    /**
     * Which java and which cache, with fake JDKs that print the arguments they get: a Java 25+ gets the
     * ahead-of-time cache, an older one the class-data archive; MESHWAVE_JAVA, then JAVA_HOME, then the
     * Java that trained the cache, then java on PATH.
     */
    @Test
    void picksJava25WithTheAheadOfTimeCacheAndFallsBackToTheClassDataArchive() throws IOException {
        Path checkout = fakeCheckout("choice");
        Path target = checkout.resolve("target");
        Path jdk25 = fakeJdk("jdk-25", "25.0.3");
        Path jdk17 = fakeJdk("jdk-17", "17.0.15");
        Path aot = Files.writeString(target.resolve("meshwave.aot"), "trained\n");
        Files.writeString(target.resolve("meshwave.jsa"), "archived\n");
        String aotFlags = "-XX:AOTCache=" + aot.toRealPath() + " -Xlog:aot=off -Xlog:cds=off -jar";
        String cdsFlags = "-XX:SharedArchiveFile=" + target.resolve("meshwave.jsa").toRealPath() + " -Xlog:cds=off -Xlog:cds+dynamic=off -jar";
        Map<String, String> none = Map.of("MESHWAVE_JAVA", "", "JAVA_HOME", "", "PATH", jdk17.resolve("bin") + ":" + System.getenv("PATH"));

        assertLaunches(checkout, with(none, "MESHWAVE_JAVA", jdk25.resolve("bin/java").toString()), "java 25.0.3", aotFlags);
        assertLaunches(checkout, with(none, "JAVA_HOME", jdk25.toString()), "java 25.0.3", aotFlags);
        assertLaunches(checkout, with(none, "JAVA_HOME", jdk17.toString()), "java 17.0.15", cdsFlags);
        assertLaunches(checkout, with(with(none, "JAVA_HOME", jdk25.toString()), "MESHWAVE_JAVA", jdk17.resolve("bin/java").toString()),
                "java 17.0.15", cdsFlags);
        assertLaunches(checkout, none, "java 17.0.15", cdsFlags);
        // No explicit choice: the Java 25 the build trained the cache with, not the older java on PATH.
        Files.writeString(target.resolve("meshwave.aot.java"), jdk25.resolve("bin/java") + "\n");
        assertLaunches(checkout, none, "java 25.0.3", aotFlags);
        // The cache gone (a build without Java 25): java on PATH with the class-data archive.
        Files.delete(aot);
        assertLaunches(checkout, none, "java 17.0.15", cdsFlags);
        // A Java 25 with no cache of its own runs without one: the archive is JDK 17's.
        Cli.Result bare = Processes.run(checkout, with(none, "JAVA_HOME", jdk25.toString()), List.of("./meshwave", "schema"));
        assertEquals("java 25.0.3 -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar " + target.resolve("meshwave.jar").toRealPath() + " schema\n",
                bare.out(), bare::toString);
    }

    /**
     * The real JVMs: the Java 25 the build found (skipped on a machine without one) maps the cache, and a
     * cache that no longer matches the jar is ignored without a word; JDK 17 maps the class-data archive.
     */
    @Test
    void theCachesAreUsedAndAStaleOneIsIgnoredSilently() throws IOException {
        String plan = Path.of("examples/asm-upgrade/plan.yaml").toAbsolutePath().toString();
        Cli.Result valid = Cli.run("validate", plan);
        assertEquals(0, valid.exitCode(), valid::toString);
        List<String> render = List.of("./meshwave", "render", plan, "--out", tmp.resolve("out").toString());
        String java17 = Path.of(System.getProperty("java.home")).toString();
        Map<String, String> classes = Map.of("MESHWAVE_JAVA", "", "JAVA_HOME", java17, "JDK_JAVA_OPTIONS", "-Xlog:class+load=info");
        Cli.Result archived = Processes.run(Path.of("."), classes, render);
        assertEquals(0, archived.exitCode(), archived::toString);
        assertTrue(archived.out().lines().anyMatch(l -> l.contains(" dev.meshwave.cli.RenderCommand source: shared objects file")),
                "JDK 17 loads the command from the class-data archive: " + loaded(archived, "RenderCommand"));

        Path recorded = Path.of("target/meshwave.aot.java");
        assumeTrue(Files.isRegularFile(recorded) && Files.isRegularFile(Path.of("target/meshwave.aot")), "the build found no Java 25");
        String java25 = Files.readString(recorded).strip();
        Cli.Result plain = Processes.run(Path.of("."), Map.of("MESHWAVE_JAVA", java25), List.of("./meshwave", "validate", plan));
        assertEquals(valid, plain);
        Cli.Result cached = Processes.run(Path.of("."), with(classes, "MESHWAVE_JAVA", java25), render);
        assertEquals(0, cached.exitCode(), cached::toString);
        assertTrue(cached.out().lines().anyMatch(l -> l.contains(" dev.meshwave.cli.RenderCommand source: shared objects file")),
                "Java 25 loads the command from the ahead-of-time cache: " + loaded(cached, "RenderCommand"));

        // The same cache beside another copy of the jar (other path and time): the JVM refuses it, quietly.
        Path checkout = fakeCheckout("stale");
        Files.copy(Path.of("target/meshwave.aot"), checkout.resolve("target/meshwave.aot"));
        Files.writeString(checkout.resolve("target/meshwave.aot.java"), java25 + "\n");
        Map<String, String> unset = Map.of("MESHWAVE_JAVA", "", "JAVA_HOME", "");
        assertEquals(valid, Processes.run(checkout, unset, List.of("./meshwave", "validate", plan)));
        Files.writeString(checkout.resolve("target/meshwave.aot"), "not a cache\n");
        assertEquals(valid, Processes.run(checkout, unset, List.of("./meshwave", "validate", plan)));
    }

    private static List<String> loaded(Cli.Result result, String simpleName) {
        return result.out().lines().filter(l -> l.contains("." + simpleName + " ")).toList();
    }

    /**
     * Issue 20: --version loaded 1,323 classes, 220 of them from the jar (every command's picocli model, java.sql
     * converters, plan and render types). Now it loads its entry point and nothing else of the jar's.
     */
    @Test
    void versionLoadsOnlyItsEntryPointFromTheJar() {
        Cli.Result result = Processes.run(Path.of("."), Map.of(), Processes.java("-Xshare:off", "-Xlog:class+load=info", "-jar",
                "target/meshwave.jar", "--version"));
        assertEquals(0, result.exitCode(), result::toString);
        List<String> fromJar = result.out().lines().filter(l -> l.contains("source: file:") && l.contains("meshwave.jar"))
                .map(l -> l.replaceAll(".*\\] (\\S+) source: .*", "$1")).toList();
        assertEquals(List.of("dev.meshwave.cli.Main", "dev.meshwave.cli.Environment"), fromJar, result.out());
        assertFalse(result.out().contains(" java.sql."), "no java.sql");
        assertTrue(result.out().lines().anyMatch(Cli.run("--version").out().strip()::equals), result.out());
    }

    /** A checkout with the launcher and an up-to-date copy of the jar (so the launcher does not build). */
    private Path fakeCheckout(String name) throws IOException {
        Path checkout = Files.createDirectories(tmp.resolve(name));
        Files.copy(Path.of("meshwave"), checkout.resolve("meshwave"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(checkout.resolve("src/main"));
        Files.createDirectories(checkout.resolve("templates"));
        Files.writeString(checkout.resolve("pom.xml"), "<project/>\n");
        for (Path old : List.of(checkout.resolve("src/main"), checkout.resolve("templates"), checkout.resolve("pom.xml"))) {
            Files.setLastModifiedTime(old, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        }
        Files.createDirectories(checkout.resolve("target"));
        Files.copy(Path.of("target/meshwave.jar"), checkout.resolve("target/meshwave.jar"));
        return checkout;
    }

    /** A JDK directory with a release file and a bin/java that prints "java VERSION" and its arguments. */
    private Path fakeJdk(String name, String version) throws IOException {
        Path home = Files.createDirectories(tmp.resolve(name));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Path java = Files.writeString(Files.createDirectories(home.resolve("bin")).resolve("java"), "#!/bin/sh\necho java " + version + " \"$*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private static void assertLaunches(Path checkout, Map<String, String> env, String java, String flags) {
        Cli.Result result = Processes.run(checkout, env, List.of("./meshwave", "schema"));
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().startsWith(java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC " + flags + " "), env + ": " + result);
        assertTrue(result.out().endsWith("/target/meshwave.jar schema\n"), result::toString);
        // --version alone loads two classes: the same java, without the cache of thousands.
        Cli.Result version = Processes.run(checkout, env, List.of("./meshwave", "--version"));
        assertTrue(version.out().startsWith(java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "), env + ": " + version);
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> copy = new java.util.HashMap<>(env);
        copy.put(name, value);
        return copy;
    }
}
