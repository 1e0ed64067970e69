package dev.meshwave.git;

import dev.meshwave.plan.Redaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where {@code --repo} points: the user's working copy (branches are created in it, its files are not
 * touched), or anything else, a bare repository path or a {@code file://}, {@code https://},
 * {@code ssh://} URL, which meshwave clones into its own work directory.
 */
public record RepositoryLocation(Kind kind, Path workingCopy, String url) {

    public enum Kind { WORKING_COPY, REMOTE }

    public static RepositoryLocation parse(String repo, Path cwd) throws InvalidRepositoryException {
        String lower = repo.toLowerCase(Locale.ROOT);
        if (lower.startsWith("file://") || lower.startsWith("https://") || lower.startsWith("http://")
                || lower.startsWith("ssh://") || lower.startsWith("git://")) {
            org.eclipse.jgit.transport.URIish uri = GitCredentials.parse(repo);
            if (uri != null && uri.getPass() != null && !GitCredentials.mayCarryCredentials(uri.getScheme(), uri.getHost())
                    && !"ssh".equalsIgnoreCase(uri.getScheme())) {
                throw new InvalidRepositoryException("--repo " + Redaction.url(repo) + ": " + GitCredentials.WHERE_CREDENTIALS_GO);
            }
            return new RepositoryLocation(Kind.REMOTE, null, repo);
        }
        if (repo.matches("^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.+")) {
            return new RepositoryLocation(Kind.REMOTE, null, repo);
        }
        Path path = cwd.resolve(repo).toAbsolutePath().normalize();
        if (Files.isDirectory(path.resolve(".git"))) {
            return new RepositoryLocation(Kind.WORKING_COPY, path, null);
        }
        if (Files.isRegularFile(path.resolve("HEAD")) && Files.isDirectory(path.resolve("objects"))) {
            return new RepositoryLocation(Kind.REMOTE, null, path.toUri().toString());
        }
        throw new InvalidRepositoryException("--repo " + repo + " is neither a git working copy, a bare repository"
                + " nor a URL (file://, https://, ssh://)");
    }

    /** The URL without any user or password in it, for messages. */
    public String displayUrl() {
        return kind == Kind.WORKING_COPY ? workingCopy.toString() : Redaction.url(url);
    }
}
