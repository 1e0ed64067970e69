package dev.meshwave.render;

/** Rendered output that must never be written or committed: a secret, or a path unsafe on some file system. */
public final class UnsafeContentException extends RenderException {
    public UnsafeContentException(String message) {
        super(message);
    }
}
