package dev.meshwave.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.cli.Environment;
import dev.meshwave.cli.ExitCodes;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitCli;
import dev.meshwave.testing.GitopsRepository;
import dev.meshwave.testing.PlantedSecrets;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile corpus: input a user, a pull request or a CI runner could hand meshwave to make it leak
 * a secret, lose data, hang, crash or mislead a terminal. One case is one directory
 * {@code src/test/resources/hostile/<class>/<NNN-name>/} (the directory above it is the case's class:
 * secrets, data-loss, bounds, schema, git-paths, terminal, transport) with {@code case.yaml} and
 * {@code expected}.
 *
 * <h2>case.yaml</h2>
 * <pre>
 * about: what the hostile input is and what must hold        # required
 * files:                        # made in a fresh work directory W, in this order, before anything runs
 *   plan.yaml: {copy: plan.yaml}               # bytes of a file of the case directory, as they are
 *   tuning.yaml: {copy: t.yaml, expand: true}  # … with {PLACEHOLDERS} replaced
 *   x.txt: {text: "…"}                          # text, placeholders replaced (YAML escapes: "\e[2J", "\u202e")
 *   out/clusters/a/env.txt: {symlink: "{SECRET_FILE}"}
 *   big.yaml: {fill: "a", bytes: 2000000}       # that many bytes (one character repeated)
 *   huge.yaml: {sparse: 200000000}              # a sparse file of NUL bytes: size without the disk
 *   pipe.yaml: {fifo: true}                     # mkfifo: a reader that opens it waits for a writer
 *   t/: {directory: true}
 *   work/repo.git: {clone: remote.git}          # git clone of a repository already under W
 * remote: {preReceive: "echo refused; exit 1"}  # W/remote.git: a bare GitOps repository (README.md, platform/),
 *                                               # optionally with a pre-receive and/or update hook
 * http: {status: 401, body: "…", trickle: false}  # a PR API on 127.0.0.1 answering every request: {HTTP}
 * before: [render, "{W}/plan.yaml", --out, "{W}/out"]  # set-up run(s) that must exit 0 (one command or a list)
 * plant:                        # like files, made after the set-up runs (a link a pull request adds to a render)
 *   out/clusters/c1/env.txt: {symlink: "{SECRET_FILE}"}
 * env: {MESHWAVE_GIT_TOKEN: "{TOKEN}"}          # added to the minimal fixed environment (~ removes a variable)
 * run: [render, "{W}/plan.yaml", --out, "{W}/out", --check]
 * kept: [out]                                   # paths under W that must be exactly as they were before 'run'
 * mentions: ["{W}/plan.yaml:3:"]                # what stderr must say (after {W}, {S}, {HTTP} are put back)
 * never: ["\n{W}/plan.yaml:1:1: forged"]        # what neither stdout nor stderr may say (a forged line)
 * </pre>
 * Placeholders: {@code {W}}; {@code {S}}, a directory outside W holding the planted files
 * ({@code {SECRET_FILE}}: a CI runner's environment whose first line is a secret,
 * {@code {SECRET_KUBECONFIG}}, {@code {SECRET_DIR}}: a directory with a private key and a token);
 * {@code {HTTP}}, {@code {REMOTE}}; and the planted secrets of {@link PlantedSecrets#placeholders()}
 * ({@code {TOKEN}} is the one meshwave holds: every run gets it as {@code MESHWAVE_GIT_TOKEN}).
 * Everything runs in-process ({@link Cli#run}) with a fixed clock.
 *
 * <h2>expected</h2>
 * {@code exit: N}, written by hand from the contract (0 ok, 1 drift or findings, 2 bad input naming
 * the file:line:col, flag or variable, 3 unsafe: refused, secret found, remote refused or timed out),
 * and {@code first:}, the approved first line of stderr. {@code -Dmeshwave.approve=true} rewrites only
 * {@code first:}, and only for cases that hold every other invariant: a wrong outcome's message is
 * nothing to approve.
 *
 * <h2>What every case must hold</h2>
 * The exit code is the expected one and never 4; no stack trace; the run ends within {@link #BOUND}
 * (hangs are a problem class of their own); no planted secret, in any encoding
 * ({@link PlantedSecrets#leak}), in stdout, stderr, any file under W the case did not put there
 * (walked without following links) or any object of a git repository under W (read with the real git);
 * the {@code kept} paths are unchanged; stdout and stderr hold no raw control or bidi character but
 * newline and tab; and stderr's first line is the approved one.
 */
class HostileCorpusTest {

    static final Path CORPUS = Path.of("src/test/resources/hostile");
    /** How long one run may take: far above any honest run of these small cases, far below "hangs". */
    static final Duration BOUND = Duration.ofSeconds(30);
    private static final boolean APPROVE = Boolean.getBoolean("meshwave.approve");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Z][A-Z0-9_]*)}");
    /** C0 and C1 controls but newline and tab, DEL, and the bidi and direction marks. */
    private static final Pattern RAW_CONTROL = Pattern.compile(
            "[\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]");
    private static final long LARGEST_FILE_READ = 64L << 20;
    private static final Map<String, Integer> AT_LEAST = Map.of("secrets", 30, "data-loss", 20, "bounds", 30, "schema", 25,
            "git-paths", 20, "terminal", 25, "transport", 10);

    @TempDir
    Path tmp;

    static List<Path> caseDirectories() throws IOException {
        try (Stream<Path> walk = Files.walk(CORPUS, 2)) {
            return walk.filter(d -> Files.isRegularFile(d.resolve("case.yaml"))).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaseHoldsTheInvariants() throws IOException {
        return caseDirectories().stream().map(dir -> DynamicTest.dynamicTest(
                dir.getParent().getFileName() + "/" + dir.getFileName(), () -> check(HostileCase.read(dir))));
    }

    @Test
    void everyClassHasItsCases() throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        for (Path dir : caseDirectories()) {
            counts.merge(dir.getParent().getFileName().toString(), 1, Integer::sum);
        }
        AT_LEAST.forEach((kind, least) -> assertTrue(counts.getOrDefault(kind, 0) >= least,
                kind + " has " + counts.getOrDefault(kind, 0) + " cases, fewer than " + least + ": " + counts));
        assertTrue(caseDirectories().size() >= 160, "only " + caseDirectories().size() + " cases");
    }

    @Test
    void everyCaseDirectoryHasBothFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(CORPUS, 2)) {
            for (Path dir : walk.filter(d -> CORPUS.relativize(d).getNameCount() == 2 && Files.isDirectory(d)).toList()) {
                assertTrue(Files.isRegularFile(dir.resolve("case.yaml")) && Files.isRegularFile(dir.resolve("expected")), dir.toString());
            }
        }
    }

    /** The planted-secret check itself: every encoding it claims to catch, and nothing of an honest render. */
    @Test
    void theLeakCheckCatchesEveryEncodingItNames() {
        String token = PlantedSecrets.HELD_TOKEN.value();
        Map<String, String> placeholders = PlantedSecrets.placeholders();
        for (String leaked : List.of(token, "Authorization: Basic " + placeholders.get("TOKEN_BASIC_B64"), placeholders.get("TOKEN_B64"),
                placeholders.get("TOKEN_B64").replace("=", ""), placeholders.get("TOKEN_HALF"), "x" + token.substring(9, 17) + "x",
                java.util.Base64.getUrlEncoder().encodeToString(("u:" + PlantedSecrets.AWS_SECRET.value()).getBytes(StandardCharsets.UTF_8)),
                java.net.URLEncoder.encode(PlantedSecrets.AWS_SECRET.value(), StandardCharsets.UTF_8),
                placeholders.get("PEM_B64"), PlantedSecrets.PGP.bodies().get(1).substring(20, 30))) {
            assertTrue(PlantedSecrets.leaks(leaked), "not caught: a form of a planted secret");
        }
        assertTrue(!PlantedSecrets.leaks(placeholders.get("PEM_BEGIN") + " x-access-token password: *** ghp_ AKIA"),
                "shapes and armour alone are not the secret");
    }

    private void check(HostileCase c) throws Exception {
        Path base = Files.createTempDirectory(tmp, "case");
        Path w = Files.createDirectories(base.resolve("w"));
        Path s = Files.createDirectories(base.resolve("s"));
        Path secretFile = PlantedSecrets.plantFiles(s);
        Map<String, String> values = new LinkedHashMap<>(PlantedSecrets.placeholders());
        values.put("W", w.toString());
        values.put("S", s.toString());
        values.put("SECRET_FILE", secretFile.toString());
        values.put("SECRET_KUBECONFIG", s.resolve("kubeconfig").toString());
        values.put("SECRET_DIR", s.resolve("keys").toString());
        values.put("REMOTE", w.resolve("remote.git").toString());
        List<Path> fifos = new ArrayList<>();
        ApiStub api = null;
        try {
            if (c.http().isPresent()) {
                Map<String, Object> http = c.http().get();
                api = new ApiStub(((Number) http.getOrDefault("status", 200)).intValue(),
                        expand(String.valueOf(http.getOrDefault("body", "")), values), Boolean.TRUE.equals(http.get("trickle")));
                values.put("HTTP", api.url());
            }
            if (c.remote().isPresent()) {
                remote(w.resolve("remote.git"), c.remote().get(), values);
            }
            for (Map.Entry<String, Map<String, Object>> file : c.files().entrySet()) {
                stage(c, w, expand(file.getKey(), values), file.getValue(), values, fifos);
            }
            Environment environment = environment(c, w, values);
            for (List<String> command : c.before()) {
                Cli.Result result = bounded(environment, expand(command, values), fifos, c);
                assertEquals(0, result.exitCode(), () -> c.name() + ": the set-up run " + command + " fails\n" + shown(result, w, s, values));
            }
            for (Map.Entry<String, Map<String, Object>> file : c.plant().entrySet()) {
                stage(c, w, expand(file.getKey(), values), file.getValue(), values, fifos);
            }
            Map<Path, String> inputs = inputs(w);
            Map<String, Snapshot> kept = new LinkedHashMap<>();
            for (String path : c.kept()) {
                kept.put(path, Snapshot.of(w.resolve(expand(path, values))));
            }
            long started = System.nanoTime();
            Cli.Result result;
            try {
                result = bounded(environment, expand(c.run(), values), fifos, c);
            } finally {
                // One line a case on the console: where the corpus spends its time (and which case hangs) shows while it runs.
                System.err.printf(java.util.Locale.ROOT, "hostile %s: %d ms%n", c.name(), (System.nanoTime() - started) / 1_000_000);
            }
            List<String> problems = problems(c, result, w, s, values, inputs, kept);
            assertTrue(problems.isEmpty(), () -> c.name() + " (" + c.about().strip() + ")\n  - " + String.join("\n  - ", problems)
                    + "\n" + shown(result, w, s, values));
        } finally {
            release(fifos);
            if (api != null) {
                api.close();
            }
        }
    }

    private List<String> problems(HostileCase c, Cli.Result result, Path w, Path s, Map<String, String> values, Map<Path, String> inputs,
            Map<String, Snapshot> kept) throws IOException {
        List<String> problems = new ArrayList<>();
        if (result.exitCode() == ExitCodes.INTERNAL) {
            problems.add("exit 4 (internal error) for something a user or a hostile file can cause");
        }
        if (result.exitCode() != c.expected().exit()) {
            problems.add("exit " + result.exitCode() + ", expected " + c.expected().exit());
        }
        for (Map.Entry<String, String> stream : Map.of("stdout", result.out(), "stderr", result.err()).entrySet()) {
            if (stream.getValue().contains("Exception") || stream.getValue().contains("\tat ")) {
                problems.add(stream.getKey() + " shows an exception or a stack trace");
            }
            Matcher control = RAW_CONTROL.matcher(stream.getValue());
            if (control.find()) {
                problems.add(String.format(java.util.Locale.ROOT, "%s holds a raw control or bidi character U+%04X at offset %d",
                        stream.getKey(), (int) control.group().charAt(0), control.start()));
            }
            PlantedSecrets.leak(stream.getValue()).ifPresent(leak -> problems.add(stream.getKey() + " holds a planted secret: " + leak));
        }
        problems.addAll(leaksOnDisk(w, inputs));
        for (Map.Entry<String, Snapshot> path : kept.entrySet()) {
            Snapshot now = Snapshot.of(w.resolve(expand(path.getKey(), values)));
            if (!now.equals(path.getValue())) {
                problems.add("kept path " + path.getKey() + " changed: " + difference(path.getValue(), now));
            }
        }
        String err = normalized(result.err(), w, s, values);
        for (String mention : c.mentions()) {
            if (!err.contains(mention)) {
                problems.add("stderr does not say '" + mention + "'");
            }
        }
        String out = normalized(result.out(), w, s, values);
        for (String forbidden : c.never()) {
            if (err.contains(forbidden) || out.contains(forbidden)) {
                problems.add("output says what it never may: '" + forbidden.replace("\n", "\\n") + "'");
            }
        }
        String first = err.lines().findFirst().orElse("");
        if (APPROVE && problems.isEmpty()) {
            c.expected().approveFirst(first);
        } else if (c.expected().first().isPresent() && !c.expected().first().get().equals(first)) {
            problems.add("first line of stderr is not the approved one: " + c.expected().first().get());
        }
        return problems;
    }

    /** The work directory's files the case did not put there, and every object of its git repositories. */
    private static List<String> leaksOnDisk(Path w, Map<Path, String> inputs) throws IOException {
        List<String> leaks = new ArrayList<>();
        List<Path> repositories = new ArrayList<>();
        Files.walkFileTree(w, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (Files.isDirectory(dir.resolve("objects"), LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(dir.resolve("HEAD"), LinkOption.NOFOLLOW_LINKS)) {
                    repositories.add(dir);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && !stamp(attrs).equals(inputs.get(file)) && attrs.size() <= LARGEST_FILE_READ) {
                    PlantedSecrets.leak(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                            .ifPresent(leak -> leaks.add(w.relativize(file) + " holds a planted secret: " + leak));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        for (Path repository : repositories) {
            Cli.Result objects = GitCli.run(repository, "--git-dir=" + repository, "cat-file", "--batch-all-objects", "--batch");
            PlantedSecrets.leak(objects.out()).ifPresent(leak -> leaks.add("an object of " + w.relativize(repository) + " holds a planted secret: " + leak));
        }
        return leaks;
    }

    /** The files the case made (and their size and time), so the leak check reads only what meshwave wrote. */
    private static Map<Path, String> inputs(Path w) throws IOException {
        Map<Path, String> inputs = new HashMap<>();
        Files.walkFileTree(w, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                inputs.put(file, stamp(attrs));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return inputs;
    }

    private static String stamp(BasicFileAttributes attrs) {
        return attrs.size() + "@" + attrs.lastModifiedTime().toMillis() + "#" + attrs.fileKey();
    }

    private static String difference(Snapshot before, Snapshot after) {
        List<String> changed = new ArrayList<>();
        for (String path : new java.util.TreeSet<>(before.entries().keySet())) {
            if (!before.entries().get(path).equals(after.entries().get(path))) {
                changed.add(path + (after.entries().containsKey(path) ? " (changed)" : " (gone)"));
            }
        }
        after.entries().keySet().stream().filter(p -> !before.entries().containsKey(p)).forEach(p -> changed.add(p + " (added)"));
        return String.join(", ", changed);
    }

    private static void remote(Path bare, Map<String, Object> spec, Map<String, String> values) throws IOException {
        GitopsRepository.create(bare);
        for (Map.Entry<String, String> hook : Map.of("preReceive", "pre-receive", "update", "update").entrySet()) {
            if (spec.containsKey(hook.getKey())) {
                Path script = bare.resolve("hooks").resolve(hook.getValue());
                Files.createDirectories(script.getParent());
                Files.writeString(script, "#!/bin/sh\n" + expand(String.valueOf(spec.get(hook.getKey())), values) + "\n");
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    private static void stage(HostileCase c, Path w, String name, Map<String, Object> spec, Map<String, String> values, List<Path> fifos)
            throws IOException, InterruptedException {
        Path target = w.resolve(name);
        if (!target.normalize().startsWith(w)) {
            throw new IllegalStateException(c.name() + ": " + name + " leaves W");
        }
        Files.createDirectories(target.getParent());
        delete(target);
        if (spec.containsKey("copy")) {
            byte[] bytes = Files.readAllBytes(c.dir().resolve(String.valueOf(spec.get("copy"))));
            if (Boolean.TRUE.equals(spec.get("expand"))) {
                bytes = expand(new String(bytes, StandardCharsets.UTF_8), values).getBytes(StandardCharsets.UTF_8);
            }
            Files.write(target, bytes);
        } else if (spec.containsKey("text")) {
            Files.writeString(target, expand(String.valueOf(spec.get("text")), values));
        } else if (spec.containsKey("symlink")) {
            Files.createSymbolicLink(target, Path.of(expand(String.valueOf(spec.get("symlink")), values)));
        } else if (spec.containsKey("fill")) {
            byte[] unit = String.valueOf(spec.get("fill")).getBytes(StandardCharsets.UTF_8);
            long bytes = ((Number) spec.get("bytes")).longValue();
            byte[] chunk = new byte[1 << 16];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = unit[i % unit.length];
            }
            try (var out = Files.newOutputStream(target)) {
                for (long left = bytes; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
        } else if (spec.containsKey("sparse")) {
            try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw")) {
                file.setLength(((Number) spec.get("sparse")).longValue());
            }
        } else if (spec.containsKey("fifo")) {
            Process mkfifo = new ProcessBuilder("mkfifo", target.toString()).redirectErrorStream(true).start();
            if (mkfifo.waitFor() != 0) {
                throw new IllegalStateException("mkfifo " + target + ": " + new String(mkfifo.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            fifos.add(target);
        } else if (spec.containsKey("directory")) {
            Files.createDirectories(target);
        } else if (spec.containsKey("clone")) {
            GitCli.git(w, "clone", "-q", w.resolve(String.valueOf(spec.get("clone"))).toString(), target.toString());
        } else {
            throw new IllegalStateException(c.name() + ": files." + name + " is none of copy, text, symlink, fill, sparse, fifo, directory, clone");
        }
    }

    /** Removes what a planted entry replaces (a rendered file, a whole directory), without following links. */
    private static void delete(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> children = Files.list(path)) {
                for (Path child : children.toList()) {
                    delete(child);
                }
            }
        }
        Files.delete(path);
    }

    /** The minimal fixed environment: everything under W, the planted token as the one meshwave holds, then the case's own. */
    private static Environment environment(HostileCase c, Path w, Map<String, String> values) throws IOException {
        Map<String, String> variables = new TreeMap<>();
        variables.put("HOME", Files.createDirectories(w.resolve("home")).toString());
        variables.put("XDG_CACHE_HOME", w.resolve("cache").toString());
        variables.put("XDG_RUNTIME_DIR", Files.createDirectories(w.resolve("run")).toString());
        variables.put("SOURCE_DATE_EPOCH", "1767225600");
        variables.put("MESHWAVE_LOCK_TIMEOUT", "2");
        variables.put("MESHWAVE_GIT_TOKEN", values.get("TOKEN"));
        variables.put("PATH", Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin"));
        variables.put("TERM", "dumb");
        c.env().forEach((k, v) -> {
            if (v == null) {
                variables.remove(k);
            } else {
                variables.put(k, expand(v, values));
            }
        });
        return new Environment(variables, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    /**
     * Runs meshwave in a daemon thread and gives up after {@link #BOUND}. A thread stuck in a FIFO's
     * open or read is set free by opening the FIFO for both reading and writing and closing it; one
     * that still runs (reading /dev/zero, say) is stopped, so that it does not eat the heap and the
     * processor the next cases need: these runs are in-process, and a hostile input's hang must cost
     * only its own case.
     */
    @SuppressWarnings({"deprecation", "removal"})
    private static Cli.Result bounded(Environment environment, List<String> args, List<Path> fifos, HostileCase c) throws Exception {
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                outcome.set(Cli.run(environment, args.toArray(String[]::new)));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "hostile-case");
        thread.setDaemon(true);
        thread.start();
        thread.join(BOUND.toMillis());
        if (thread.isAlive()) {
            release(fifos);
            thread.interrupt();
            thread.join(1000);
            if (thread.isAlive()) {
                thread.stop();
            }
            throw new AssertionError(c.name() + ": meshwave " + args.get(0) + " did not finish within " + BOUND.toSeconds()
                    + " s (" + c.about().strip() + ")");
        }
        if (outcome.get() instanceof AssertionError assertion) {
            throw new AssertionError(c.name() + ": " + assertion.getMessage(), assertion);
        }
        if (outcome.get() instanceof Throwable t) {
            throw new AssertionError(c.name() + ": the run threw " + t.getClass().getName(), t);
        }
        return (Cli.Result) outcome.get();
    }

    private static void release(List<Path> fifos) {
        for (Path fifo : fifos) {
            try (RandomAccessFile both = new RandomAccessFile(fifo.toFile(), "rw")) {
                both.getFD().sync();
            } catch (IOException e) {
                // Gone or not a FIFO any more: nothing waits on it.
            }
        }
    }

    /** stderr with the case's temporary paths and the stub's URL put back as placeholders, so approved lines are stable. */
    private static String normalized(String text, Path w, Path s, Map<String, String> values) {
        String result = text.replace(w.toString(), "{W}").replace(s.toString(), "{S}");
        return values.containsKey("HTTP") ? result.replace(values.get("HTTP"), "{HTTP}") : result;
    }

    /** What a failure message may show of a run: normalized, and with anything that looks like a planted secret blacked out. */
    private static String shown(Cli.Result result, Path w, Path s, Map<String, String> values) {
        return PlantedSecrets.masked(normalized(result.toString(), w, s, values));
    }

    private static List<String> expand(List<String> words, Map<String, String> values) {
        return words.stream().map(word -> expand(word, values)).toList();
    }

    static String expand(String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("unknown placeholder {" + m.group(1) + "} (known: " + values.keySet() + ")");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }
}
