package dev.meshwave.lint;

import dev.meshwave.output.TreeWriter;
import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.ManifestFile;
import dev.meshwave.plan.ProcessTree;
import dev.meshwave.plan.SourcePosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Builds a kustomization with the real {@code kubectl kustomize}, as Argo CD and Flux would, and
 * traces every object back to the file it came from. kustomize records that itself when asked
 * ({@code buildMetadata: [originAnnotations]}); the user's kustomization is not touched: a wrapper in
 * a temporary directory names it as its only resource and asks for the annotations.
 */
final class KustomizeBuild {

    /** A kustomization that does not build; lint reports it as a warning and goes on. */
    static final class FailedException extends Exception {
        /** Why: kustomize refused it, kubectl could not be started at all (no build can succeed), or time ran out. */
        enum Reason { FAILED, CANNOT_RUN, TIME }

        final Reason reason;

        FailedException(String message) {
            this(message, Reason.FAILED);
        }

        FailedException(String message, Reason reason) {
            super(message);
            this.reason = reason;
        }
    }

    /** Reads a repository file's objects with their positions (cached by the caller). */
    @FunctionalInterface
    interface Sources {
        List<Manifest> read(Path relativeFile);
    }

    private static final String ORIGIN = "config.kubernetes.io/origin";
    /** What lint keeps of kubectl's error output: its message is a line or two. */
    private static final int MAX_ERROR_BYTES = 64 << 10;
    /** What one build may print: the objects of a whole cluster, machine-written. */
    private static final int MAX_BUILD_BYTES = 256 << 20;

    private final Kubectl kubectl;
    private final Path root;
    private final String displayRoot;
    private final Sources sources;
    private final ScratchDirectory scratch;

    /**
     * The kubectl a run builds with: the command as the user named it, the file it resolved to on the run's
     * PATH (not the JVM's), the environment it runs in, how long one build may take and when all must be done.
     */
    record Kubectl(String command, String executable, Map<String, String> environment, java.time.Duration timeout,
            java.time.Duration deadline, long deadlineNanos) {

        /**
         * Finds {@code command} as a shell would: a name with a slash as it is, any other on the {@code PATH} of
         * {@code environment}. Not found is said once for the whole run, not once per kustomization.
         */
        static Kubectl resolve(String command, Map<String, String> environment, java.time.Duration timeout, java.time.Duration deadline)
                throws FailedException {
            long deadlineNanos = System.nanoTime() + deadline.toNanos();
            if (command.contains("/")) {
                if (!Files.isRegularFile(Path.of(command)) || !Files.isExecutable(Path.of(command))) {
                    throw cannotRun(command, "no such executable file");
                }
                return new Kubectl(command, command, environment, timeout, deadline, deadlineNanos);
            }
            for (String dir : environment.getOrDefault("PATH", "").split(":", -1)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir).resolve(command);
                if (!command.isEmpty() && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return new Kubectl(command, candidate.toString(), environment, timeout, deadline, deadlineNanos);
                }
            }
            throw cannotRun(command, "not found on PATH");
        }

        static FailedException cannotRun(String command, String why) {
            return new FailedException("cannot run " + command + " kustomize (" + why + "); install kubectl or set MESHWAVE_KUBECTL",
                    FailedException.Reason.CANNOT_RUN);
        }
    }

    /** The file a built object came from: its documents, and the first of each kind and name. */
    private record Source(List<Manifest> documents, Map<String, Manifest> byKindAndName) {
        static final Source NONE = new Source(List.of(), Map.of());

        static Source of(List<Manifest> documents) {
            Map<String, Manifest> index = new HashMap<>();
            documents.forEach(d -> index.putIfAbsent(d.kind() + "/" + d.name(), d));
            return new Source(documents, index);
        }
    }

    /** {@code displayRoot} is the root as the user named it: kustomize's messages say it instead of absolute paths. */
    KustomizeBuild(Kubectl kubectl, ScratchDirectory scratch, Path root, String displayRoot, Sources sources) throws IOException {
        this.kubectl = kubectl;
        this.scratch = scratch;
        this.root = root.toRealPath();
        this.displayRoot = displayRoot;
        this.sources = sources;
    }

    /** The objects of {@code dir} (relative to the root) as built; {@code label} names the build in positions without a source. */
    List<Manifest> build(Path dir, String kustomizationLabel) throws FailedException, IOException {
        long left = kubectl.deadlineNanos() - System.nanoTime();
        if (left <= 0) {
            throw new FailedException("lint's deadline of " + kubectl.deadline().toSeconds() + " s (--deadline) passed before it was built",
                    FailedException.Reason.TIME);
        }
        Path wrapper = scratch.newDirectory();
        try {
            Path target = root.resolve(dir).toRealPath();
            String resource = wrapper.toRealPath().relativize(target).toString().replace('\\', '/');
            Files.writeString(wrapper.resolve("kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                    + "kind: Kustomization\nbuildMetadata: [originAnnotations]\nresources:\n- '" + resource.replace("'", "''") + "'\n");
            Path out = wrapper.resolve("out.yaml");
            Path err = wrapper.resolve("err.txt");
            ProcessBuilder builder = new ProcessBuilder(kubectl.executable(), "kustomize", wrapper.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            // kubectl runs in the run's environment, the one its PATH was found in.
            builder.environment().clear();
            builder.environment().putAll(kubectl.environment());
            Process process;
            try {
                process = scratch.start(builder);
            } catch (IOException e) {
                throw Kubectl.cannotRun(kubectl.command(), String.valueOf(e.getMessage()));
            }
            try {
                process.getOutputStream().close();
                boolean byDeadline = left < kubectl.timeout().toNanos();
                if (!process.waitFor(Math.min(left, kubectl.timeout().toNanos()), TimeUnit.NANOSECONDS)) {
                    ProcessTree.kill(process);
                    throw new FailedException(byDeadline
                            ? "lint's deadline of " + kubectl.deadline().toSeconds() + " s (--deadline) passed while kubectl kustomize built it"
                            : "kubectl kustomize did not finish within " + kubectl.timeout().toSeconds() + " s (--build-timeout)",
                            FailedException.Reason.TIME);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new FailedException("interrupted", FailedException.Reason.TIME);
            } finally {
                scratch.finished(process);
            }
            if (process.exitValue() != 0) {
                throw new FailedException("kubectl kustomize failed: " + reason(errorText(err), resource, target));
            }
            if (Files.size(out) > MAX_BUILD_BYTES) {
                throw new FailedException("kubectl kustomize printed more than " + (MAX_BUILD_BYTES >> 20) + " MiB; not read");
            }
            List<Manifest> built;
            try {
                built = ManifestFile.read(kustomizationLabel, Files.readAllBytes(out), MAX_BUILD_BYTES);
            } catch (ManifestFile.UnreadableException e) {
                throw new FailedException("kubectl kustomize printed what lint cannot read: " + e.getMessage());
            }
            // A build has hundreds of objects from a few files: each origin is resolved and indexed once.
            Path realWrapper = wrapper.toRealPath();
            Map<String, Source> byOrigin = new HashMap<>();
            SourcePosition fallback = new SourcePosition(kustomizationLabel, 1, 1);
            List<Manifest> traced = new ArrayList<>();
            for (Manifest manifest : built) {
                Source source = origin(manifest).map(o -> byOrigin.computeIfAbsent(o, k -> source(realWrapper, k))).orElse(Source.NONE);
                traced.add(trace(manifest, source, fallback));
            }
            return traced;
        } finally {
            TreeWriter.deleteTree(wrapper);
        }
    }

    /** The start of kubectl's error output, as text: it is a line or two, unless something is very wrong. */
    private static String errorText(Path err) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(err)) {
            return new String(in.readNBytes(MAX_ERROR_BYTES), StandardCharsets.UTF_8);
        }
    }

    /** kubectl's error without its log prefix, and with the wrapper's paths put back as the user's. */
    private String reason(String stderr, String resource, Path target) {
        String text = stderr.strip();
        // klog quotes a one-line error (err="…") and brackets a multi-line one (err=< … >).
        int quoted = text.indexOf("err=\"");
        int bracketed = text.indexOf("err=<");
        if (quoted >= 0 && text.endsWith("\"")) {
            text = text.substring(quoted + 5, text.length() - 1).replace("\\\"", "\"").replace("\\'", "'");
        } else if (bracketed >= 0 && text.endsWith(">")) {
            text = text.substring(bracketed + 5, text.length() - 1);
        }
        String realRoot = root.toString();
        text = text.replace("'" + resource + "'", "'" + target.toString().replace(realRoot, displayRoot) + "'")
                .replace(realRoot, displayRoot).replaceAll("\\s+", " ").strip();
        if (text.isEmpty()) {
            return "no message";
        }
        // kustomize nests its errors: the innermost cause, at the end, is the one to keep.
        return text.length() > 700 ? text.substring(0, 300) + " … " + text.substring(text.length() - 300) : text;
    }

    /**
     * The built object with the positions of the document it came from: kustomize patches labels and
     * names, but the object a reader must fix is the one written in the repository.
     */
    private static Manifest trace(Manifest built, Source source, SourcePosition fallback) {
        Manifest exact = source.byKindAndName().get(built.kind() + "/" + built.name());
        return Optional.ofNullable(exact).or(() -> match(built, source.documents()))
                .map(c -> new Manifest(built.object(), c.positions(), c.start()))
                .orElseGet(() -> new Manifest(built.object(), Map.of(), source.documents().isEmpty() ? fallback
                        : source.documents().get(0).start()));
    }

    /**
     * The file an origin annotation names, relative to the wrapper. A base outside the linted directory
     * is read too (its paths start with {@code ../}); a remote one, or a file that is gone, has none.
     */
    private Source source(Path realWrapper, String annotation) {
        return originPath(annotation).flatMap(path -> {
            try {
                return Optional.of(realWrapper.resolve(path).toRealPath());
            } catch (IOException e) {
                return Optional.empty();
            }
        }).map(file -> Source.of(sources.read(root.relativize(file)))).orElse(Source.NONE);
    }

    /**
     * The document of a file a built object came from: the same kind and name; else, under a
     * namePrefix or nameSuffix, the longest name the built one contains; else the first of its kind.
     */
    static Optional<Manifest> match(Manifest built, List<Manifest> candidates) {
        List<Manifest> sameKind = candidates.stream().filter(c -> c.kind().equals(built.kind())).toList();
        return sameKind.stream().filter(c -> c.name().equals(built.name())).findFirst()
                .or(() -> sameKind.stream().filter(c -> !c.name().isEmpty() && built.name().contains(c.name()))
                        .max(java.util.Comparator.comparingInt(c -> c.name().length())))
                .or(() -> sameKind.stream().findFirst());
    }

    private static Optional<String> origin(Manifest built) {
        return built.metadata().get("annotations") instanceof Map<?, ?> annotations && annotations.get(ORIGIN) instanceof String origin
                ? Optional.of(origin) : Optional.empty();
    }

    /** The annotation is a small YAML map: path (a local file), or repo and ref (a remote resource, which has no file here). */
    private static Optional<String> originPath(String annotation) {
        try {
            if (new Load(LoadSettings.builder().build()).loadFromString(annotation) instanceof Map<?, ?> fields
                    && fields.get("path") instanceof String path && !fields.containsKey("repo")) {
                return Optional.of(path);
            }
        } catch (RuntimeException e) {
            // not what kustomize writes: no file to point at
        }
        return Optional.empty();
    }
}
