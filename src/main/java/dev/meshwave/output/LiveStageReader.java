package dev.meshwave.output;

import dev.meshwave.rollout.StageName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a previously rendered cluster directory holds: which stage its live entry point points at, and
 * which stage directories it carries (a published branch carries the stages up to its own). Nothing is
 * read through a symbolic link: such a directory is reported by {@code --check} and refused by a render.
 */
public final class LiveStageReader {

    /** A live kustomization is a few lines; a bigger file is no render of meshwave's. */
    private static final int LIMIT = 1 << 20;

    private LiveStageReader() {}

    /** The stage directory ({@code 01-ingress}) named by {@code <outputRoot>/<clusterPath>/kustomization.yaml}, if any. */
    public static Optional<String> read(Path outputRoot, String clusterPath) throws IOException {
        Optional<Path> clusterDir = reachable(outputRoot, clusterPath);
        if (clusterDir.isEmpty()) {
            return Optional.empty();
        }
        Optional<OnDisk.Entry> live = OnDisk.file(clusterDir.get().resolve("kustomization.yaml"), LIMIT);
        if (live.isEmpty() || !live.get().readable()) {
            return Optional.empty();
        }
        return StageName.liveIn(new String(live.get().bytes(), StandardCharsets.UTF_8));
    }

    /** The names of the directories under {@code <outputRoot>/<clusterPath>/stages/}, sorted; none when it is not there. */
    public static List<String> stageDirectories(Path outputRoot, String clusterPath) throws IOException {
        Optional<Path> clusterDir = reachable(outputRoot, clusterPath);
        if (clusterDir.isEmpty()) {
            return List.of();
        }
        Path stages = clusterDir.get().resolve(StageName.PARENT);
        if (!Files.isDirectory(stages, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (var entries = Files.list(stages)) {
            return entries.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The cluster directory, unless it is outside the output root or a symbolic link is on the way to it. */
    private static Optional<Path> reachable(Path outputRoot, String clusterPath) {
        try {
            TreeWriter paths = new TreeWriter(outputRoot);
            Path dir = paths.inside(clusterPath);
            return OnDisk.firstLink(paths.root(), dir).isPresent() ? Optional.empty() : Optional.of(dir);
        } catch (UnsafeOutputException e) {
            return Optional.empty();
        }
    }
}
