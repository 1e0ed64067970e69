package dev.meshwave.git.pr;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import dev.meshwave.git.NetworkTimeout;

/**
 * Pull requests through the GitHub REST API (github.com or GitHub Enterprise Server, whose API lives
 * under {@code https://host/api/v3}). The branches are pushed to the repository itself, so the head
 * of every pull request is {@code owner:branch}.
 */
public final class GitHubProvider implements PullRequestProvider {

    public static final URI DEFAULT_API_BASE = URI.create("https://api.github.com");
    static final String API_VERSION = "2022-11-28";

    private final String repository;
    private final String pulls;
    private final ProviderHttp api;
    private final ReviewRequests.Dialect dialect;

    public GitHubProvider(URI apiBase, String owner, String repo, String token, HttpClient http, Sleeper sleeper) {
        this(apiBase, owner, repo, token, http, sleeper, NetworkTimeout.DEFAULT.request());
    }

    /** @param deadline how long one API request may take, its response body included */
    public GitHubProvider(URI apiBase, String owner, String repo, String token, HttpClient http, Sleeper sleeper, Duration deadline) {
        Objects.requireNonNull(apiBase, "apiBase");
        requireName(owner, "owner");
        requireName(repo, "repository name");
        String checked = ProviderHttp.checkedToken("GitHub", token);
        this.repository = owner + "/" + repo;
        this.pulls = ProviderHttp.base(apiBase) + "/repos/" + ProviderHttp.encode(owner) + "/"
                + ProviderHttp.encode(repo) + "/pulls";
        this.api = new ProviderHttp("GitHub", Objects.requireNonNull(http, "http"),
                Objects.requireNonNull(sleeper, "sleeper"),
                List.of("Authorization", "Bearer " + checked,
                        "Accept", "application/vnd.github+json",
                        "X-GitHub-Api-Version", API_VERSION,
                        "User-Agent", "meshwave"),
                checked,
                "repository " + repository + " not found or not visible to this token",
                "the token may not write pull requests to " + repository
                        + " (a fine-grained token needs \"Pull requests: write\", a classic one the repo scope)",
                deadline);
        this.dialect = new ReviewRequests.Dialect("pull request", "#", repository, pulls,
                head -> ReviewRequests.filter("head", owner + ":" + head, "state", "open"),
                existing -> existing.path("base").path("ref").asText(),
                "head", "base", "body", "number", "html_url", "PATCH");
    }

    /** A provider for github.com. */
    public static GitHubProvider create(String owner, String repo, String token) {
        return create(DEFAULT_API_BASE, owner, repo, token, NetworkTimeout.DEFAULT);
    }

    /** A provider for the API at {@code apiBase}, e.g. {@code https://ghe.example.com/api/v3}. */
    public static GitHubProvider create(URI apiBase, String owner, String repo, String token, NetworkTimeout timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout.connect()).build();
        return new GitHubProvider(apiBase, owner, repo, token, http, Sleeper.system(), timeout.request());
    }

    @Override
    public PullRequestResult publish(PullRequest request) throws ProviderException {
        return ReviewRequests.publish(api, dialect, request);
    }

    private static void requireName(String value, String what) {
        if (value == null || value.isBlank() || value.contains("/")) {
            throw new IllegalArgumentException("GitHub: the " + what + " must be one non-empty path segment, not '"
                    + value + "'");
        }
    }

    @Override
    public String toString() {
        return "GitHubProvider[" + pulls + "]";
    }
}
