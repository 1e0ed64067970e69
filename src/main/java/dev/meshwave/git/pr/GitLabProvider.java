package dev.meshwave.git.pr;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import dev.meshwave.git.NetworkTimeout;

/**
 * Merge requests through the GitLab REST API (gitlab.com or a self-managed instance at
 * {@code https://host/api/v4}). The project is addressed by its URL-encoded path, so no lookup of the
 * numeric id is needed.
 */
public final class GitLabProvider implements PullRequestProvider {

    public static final URI DEFAULT_API_BASE = URI.create("https://gitlab.com/api/v4");

    private final String projectPath;
    private final String mergeRequests;
    private final ProviderHttp api;
    private final ReviewRequests.Dialect dialect;

    /** @param projectPath the project's full path, e.g. {@code group/sub/repo}, or its numeric ID */
    public GitLabProvider(URI apiBase, String projectPath, String token, HttpClient http, Sleeper sleeper) {
        this(apiBase, projectPath, token, http, sleeper, NetworkTimeout.DEFAULT.request());
    }

    /** @param deadline how long one API request may take, its response body included */
    public GitLabProvider(URI apiBase, String projectPath, String token, HttpClient http, Sleeper sleeper, Duration deadline) {
        Objects.requireNonNull(apiBase, "apiBase");
        if (projectPath == null || !(projectPath.matches("\\d+") || projectPath.matches("[^/\\s]+(/[^/\\s]+)+"))) {
            throw new IllegalArgumentException("GitLab: the project path must look like group/project (or be the project's numeric ID), not '"
                    + projectPath + "'");
        }
        String checked = ProviderHttp.checkedToken("GitLab", token);
        this.projectPath = projectPath;
        this.mergeRequests = ProviderHttp.base(apiBase) + "/projects/" + ProviderHttp.encode(projectPath)
                + "/merge_requests";
        this.api = new ProviderHttp("GitLab", Objects.requireNonNull(http, "http"),
                Objects.requireNonNull(sleeper, "sleeper"),
                List.of("PRIVATE-TOKEN", checked,
                        "Accept", "application/json",
                        "User-Agent", "meshwave"),
                checked,
                "project " + projectPath + " not found or not visible to this token",
                "the token may not open merge requests in " + projectPath
                        + " (it needs the api scope and at least the Developer role)",
                deadline);
        this.dialect = new ReviewRequests.Dialect("merge request", "!", projectPath, mergeRequests,
                head -> ReviewRequests.filter("source_branch", head, "state", "opened"),
                existing -> existing.path("target_branch").asText(),
                "source_branch", "target_branch", "description", "iid", "web_url", "PUT");
    }

    /** A provider for gitlab.com. */
    public static GitLabProvider create(String projectPath, String token) {
        return create(DEFAULT_API_BASE, projectPath, token, NetworkTimeout.DEFAULT);
    }

    /** A provider for the API at {@code apiBase}, e.g. {@code https://gitlab.example.com/api/v4}. */
    public static GitLabProvider create(URI apiBase, String projectPath, String token, NetworkTimeout timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout.connect()).build();
        return new GitLabProvider(apiBase, projectPath, token, http, Sleeper.system(), timeout.request());
    }

    @Override
    public PullRequestResult publish(PullRequest request) throws ProviderException {
        return ReviewRequests.publish(api, dialect, request);
    }

    @Override
    public String toString() {
        return "GitLabProvider[" + mergeRequests + "]";
    }
}
