package dev.meshwave.render;

/** A render request that cannot be satisfied (for example a {@code --live} stage that does not exist). */
public class RenderException extends Exception {
    public RenderException(String message) {
        super(message);
    }
}
