package dev.meshwave.cli;

import java.io.IOException;
import java.nio.file.Path;

/** GoldenIT's tree copy for tests in other packages. */
public final class GoldenITAccess {
    private GoldenITAccess() {}

    public static void copyTree(Path from, Path to) throws IOException {
        GoldenIT.copyTree(from, to);
    }
}
