package dev.meshwave.output;

/**
 * An environment variable meshwave reads holds something it cannot use (exit code 2, naming the
 * variable). Unchecked because the variables are read deep inside opening a lock, by callers that
 * declare only what the disk and git can throw.
 */
public final class InvalidSettingException extends RuntimeException {
    public InvalidSettingException(String message) {
        super(message);
    }
}
