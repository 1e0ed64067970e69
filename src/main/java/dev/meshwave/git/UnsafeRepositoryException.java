package dev.meshwave.git;

/**
 * The repository is in a state meshwave will not publish into, or the remote refused (exit code 3):
 * foreign commits on a wave branch, uncommitted changes in a cluster path, a rejected push, refused
 * credentials. Nothing local has been lost when this is thrown.
 */
public final class UnsafeRepositoryException extends Exception {
    public UnsafeRepositoryException(String message) {
        super(message);
    }
}
