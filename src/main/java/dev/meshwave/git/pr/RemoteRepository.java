package dev.meshwave.git.pr;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a git remote lives on a hosting service: its host and the repository path on it, read from
 * the remote URL so that publishing needs no separate owner/repo or project option.
 *
 * @param host the server's host name; for an http(s) remote with an explicit port, {@code host:port}
 * @param path the repository path without {@code .git}: {@code owner/repo} on GitHub,
 *             {@code group/sub/repo} on GitLab
 */
public record RemoteRepository(String host, String path) {

    /** {@code [user@]host:path}, git's scp-like syntax; a slash before the colon makes it a local path. */
    private static final Pattern SCP_LIKE = Pattern.compile("(?:[^@/:]+@)?([^@/:]+):(?!//)(.+)");

    public RemoteRepository {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("a remote repository needs a host");
        }
        if (path == null || !path.contains("/") || List.of(path.split("/", -1)).stream()
                .anyMatch(segment -> segment.isEmpty() || segment.equals(".") || segment.equals(".."))) {
            throw new IllegalArgumentException("a remote repository path looks like owner/repo, not '" + path + "'");
        }
    }

    /**
     * Reads {@code https://host/o/r(.git)}, {@code ssh://[user@]host[:port]/o/r(.git)} and
     * {@code [user@]host:o/r(.git)}.
     *
     * @throws IllegalArgumentException for local paths, {@code file://} and anything else that names no
     *                                  repository on a server
     */
    public static RemoteRepository parse(String remoteUrl) {
        if (remoteUrl == null || remoteUrl.isBlank()) {
            throw new IllegalArgumentException("no remote URL was given");
        }
        String url = remoteUrl.strip();
        try {
            if (url.contains("://")) {
                return fromUri(url);
            }
            Matcher scp = SCP_LIKE.matcher(url);
            // One letter before the colon is a Windows drive (C:\repo), as git reads it too.
            if (scp.matches() && scp.group(1).length() > 1 && !url.contains("\\")) {
                return new RemoteRepository(scp.group(1), repositoryPath(scp.group(2)));
            }
        } catch (IllegalArgumentException | URISyntaxException e) {
            // Reported below, with the URL and the forms that are understood.
        }
        throw new IllegalArgumentException("cannot tell the hosted repository from the remote URL '"
                + withoutCredentials(url) + "'; expected https://host/owner/repo.git, ssh://git@host/owner/repo.git"
                + " or git@host:owner/repo.git");
    }

    private static RemoteRepository fromUri(String url) throws URISyntaxException {
        URI uri = new URI(url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || uri.getPath() == null) {
            throw new IllegalArgumentException("no host");
        }
        String host = switch (scheme) {
            case "https", "http" -> uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            // The SSH port says nothing about where the API listens.
            case "ssh", "git+ssh", "ssh+git", "git" -> uri.getHost();
            default -> throw new IllegalArgumentException("unsupported scheme");
        };
        return new RemoteRepository(host, repositoryPath(uri.getPath()));
    }

    private static String repositoryPath(String rawPath) {
        String path = rawPath;
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith(".git")) {
            path = path.substring(0, path.length() - ".git".length());
        }
        return path;
    }

    /** A remote URL may carry a token as its user info (https://x-access-token:TOKEN@host/…). */
    private static String withoutCredentials(String url) {
        return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1");
    }

    /** The owner of a GitHub repository, the first of exactly two path segments. */
    public String owner() {
        return gitHubSegments()[0];
    }

    /** The name of a GitHub repository, the second of exactly two path segments. */
    public String name() {
        return gitHubSegments()[1];
    }

    /** The GitLab project path, groups and subgroups included. */
    public String projectPath() {
        return path;
    }

    /** The GitHub API for this host: api.github.com for github.com, else GitHub Enterprise's /api/v3. */
    public URI gitHubApiBase() {
        return host.equalsIgnoreCase("github.com") || host.equalsIgnoreCase("www.github.com")
                ? GitHubProvider.DEFAULT_API_BASE
                : URI.create("https://" + host + "/api/v3");
    }

    /** The GitLab API for this host. */
    public URI gitLabApiBase() {
        return URI.create("https://" + host + "/api/v4");
    }

    private String[] gitHubSegments() {
        String[] segments = path.split("/");
        if (segments.length != 2) {
            throw new IllegalArgumentException("a GitHub repository path is owner/repo, not '" + path + "'");
        }
        return segments;
    }
}
