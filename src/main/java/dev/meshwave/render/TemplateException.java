package dev.meshwave.render;

/** A template that cannot be rendered or renders something that is not what its file claims to be. */
public final class TemplateException extends Exception {
    public TemplateException(String message) {
        super(message);
    }
}
