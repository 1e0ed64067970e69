package dev.meshwave.git;

/** The repository argument or the base branch cannot be used as given (exit code 2). */
public final class InvalidRepositoryException extends Exception {
    public InvalidRepositoryException(String message) {
        super(message);
    }
}
