package dev.meshwave.git.pr;

/**
 * A provider API refused or failed. Messages name the operation and the HTTP status and never
 * contain a token.
 */
public final class ProviderException extends Exception {

    private final int status;

    public ProviderException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, or 0 when no response came. */
    public int status() {
        return status;
    }
}
