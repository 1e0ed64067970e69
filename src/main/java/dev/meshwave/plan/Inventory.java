package dev.meshwave.plan;

import java.nio.file.Path;
import java.util.List;

/**
 * Kubernetes objects exported with {@code kubectl get … -o yaml}: one or more documents, each an
 * object or a {@code List} of them. Exports of real clusters are large and machine-written, so the
 * limits are those of a data file, not of a hand-written plan.
 */
public final class Inventory {

    private static final int MAX_BYTES = 256 * 1024 * 1024;

    private Inventory() {}

    /** Reads every object of an export, with positions; a file that cannot be read is an {@link InvalidPlanException} at its position. */
    public static List<Manifest> read(Path file) throws InvalidPlanException {
        String label = file.toString();
        try {
            return ManifestFile.read(label, InputFile.bytes(file, label, MAX_BYTES, "kubectl export"), MAX_BYTES);
        } catch (ManifestFile.UnreadableException e) {
            throw new InvalidPlanException(List.of(Problem.error(e.position(), "", e.getMessage())));
        }
    }
}
