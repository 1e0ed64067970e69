package dev.meshwave.output;

/** The output directory is in a state meshwave must not overwrite (exit code 3). */
public final class UnsafeOutputException extends Exception {
    public UnsafeOutputException(String message) {
        super(message);
    }
}
