package dev.meshwave.lint;

import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.ManifestFile;
import dev.meshwave.plan.SourcePosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
        FailedException(String message) {
            super(message);
        }
    }

    /** Reads a repository file's objects with their positions (cached by the caller). */
    @FunctionalInterface
    interface Sources {
        List<Manifest> read(Path relativeFile);
    }

    private static final String ORIGIN = "config.kubernetes.io/origin";
    private static final long TIMEOUT_SECONDS = 120;
    /** What one build may print: the objects of a whole cluster, machine-written. */
    private static final int MAX_BUILD_BYTES = 256 << 20;

    private final String kubectl;
    private final Path root;
    private final String displayRoot;
    private final Sources sources;

    /** {@code displayRoot} is the root as the user named it: kustomize's messages say it instead of absolute paths. */
    KustomizeBuild(String kubectl, Path root, String displayRoot, Sources sources) {
        this.kubectl = kubectl;
        this.root = root.toAbsolutePath().normalize();
        this.displayRoot = displayRoot;
        this.sources = sources;
    }

    /** The objects of {@code dir} (relative to the root) as built; {@code label} names the build in positions without a source. */
    List<Manifest> build(Path dir, String kustomizationLabel) throws FailedException, IOException {
        Path wrapper = Files.createTempDirectory("meshwave-lint-");
        try {
            Path target = root.resolve(dir).toRealPath();
            String resource = wrapper.toRealPath().relativize(target).toString().replace('\\', '/');
            Files.writeString(wrapper.resolve("kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                    + "kind: Kustomization\nbuildMetadata: [originAnnotations]\nresources:\n- '" + resource.replace("'", "''") + "'\n");
            Path out = wrapper.resolve("out.yaml");
            Path err = wrapper.resolve("err.txt");
            Process process;
            try {
                process = new ProcessBuilder(kubectl, "kustomize", wrapper.toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            } catch (IOException e) {
                throw new FailedException("cannot run " + kubectl + " kustomize (" + e.getMessage()
                        + "); install kubectl or set MESHWAVE_KUBECTL");
            }
            process.getOutputStream().close();
            try {
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new FailedException("kubectl kustomize took longer than " + TIMEOUT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new FailedException("interrupted");
            }
            if (process.exitValue() != 0) {
                throw new FailedException("kubectl kustomize failed: " + reason(Files.readString(err, StandardCharsets.UTF_8), resource, target));
            }
            List<Manifest> built;
            try {
                built = ManifestFile.read(kustomizationLabel, Files.readAllBytes(out), MAX_BUILD_BYTES);
            } catch (ManifestFile.UnreadableException e) {
                throw new FailedException("kubectl kustomize printed what lint cannot read: " + e.getMessage());
            }
            List<Manifest> traced = new ArrayList<>();
            for (Manifest manifest : built) {
                traced.add(trace(manifest, wrapper, new SourcePosition(kustomizationLabel, 1, 1)));
            }
            return traced;
        } finally {
            try (Stream<Path> files = Files.walk(wrapper)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** kubectl's error without its log prefix, and with the wrapper's paths put back as the user's. */
    private String reason(String stderr, String resource, Path target) throws IOException {
        String text = stderr.strip();
        // klog quotes a one-line error (err="…") and brackets a multi-line one (err=< … >).
        int quoted = text.indexOf("err=\"");
        int bracketed = text.indexOf("err=<");
        if (quoted >= 0 && text.endsWith("\"")) {
            text = text.substring(quoted + 5, text.length() - 1).replace("\\\"", "\"").replace("\\'", "'");
        } else if (bracketed >= 0 && text.endsWith(">")) {
            text = text.substring(bracketed + 5, text.length() - 1);
        }
        String realRoot = root.toRealPath().toString();
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
     * names, but the object a reader must fix is the one written in the repository. A base outside the
     * linted directory is read too (its paths start with {@code ../}); a remote one has no file here.
     */
    private Manifest trace(Manifest built, Path wrapper, SourcePosition fallback) throws IOException {
        Optional<String> origin = originPath(built);
        if (origin.isEmpty()) {
            return new Manifest(built.object(), Map.of(), fallback);
        }
        Path source;
        try {
            source = wrapper.toRealPath().resolve(origin.get()).toRealPath();
        } catch (IOException e) {
            return new Manifest(built.object(), Map.of(), fallback);
        }
        List<Manifest> candidates = sources.read(root.toRealPath().relativize(source));
        return match(built, candidates).map(c -> new Manifest(built.object(), c.positions(), c.start()))
                .orElseGet(() -> new Manifest(built.object(), Map.of(), candidates.isEmpty() ? fallback : candidates.get(0).start()));
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

    private static Optional<String> originPath(Manifest built) {
        if (!(built.metadata().get("annotations") instanceof Map<?, ?> annotations) || !(annotations.get(ORIGIN) instanceof String origin)) {
            return Optional.empty();
        }
        // A small YAML map: path (a local file), or repo and ref (a remote resource, which has no file here).
        try {
            if (new Load(LoadSettings.builder().build()).loadFromString(origin) instanceof Map<?, ?> fields
                    && fields.get("path") instanceof String path && !fields.containsKey("repo")) {
                return Optional.of(path);
            }
        } catch (RuntimeException e) {
            // not what kustomize writes: no file to point at
        }
        return Optional.empty();
    }
}
