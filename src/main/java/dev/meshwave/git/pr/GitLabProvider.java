package dev.meshwave.git.pr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

    /** @param projectPath the project's full path, e.g. {@code group/sub/repo} */
    public GitLabProvider(URI apiBase, String projectPath, String token, HttpClient http, Sleeper sleeper) {
        Objects.requireNonNull(apiBase, "apiBase");
        if (projectPath == null || projectPath.isBlank() || projectPath.startsWith("/") || projectPath.endsWith("/")
                || projectPath.contains("//")) {
            throw new IllegalArgumentException("GitLab: the project path must look like group/project, not '"
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
                        + " (it needs the api scope and at least the Developer role)");
    }

    /** A provider for gitlab.com. */
    public static GitLabProvider create(String projectPath, String token) {
        return create(DEFAULT_API_BASE, projectPath, token);
    }

    /** A provider for the API at {@code apiBase}, e.g. {@code https://gitlab.example.com/api/v4}. */
    public static GitLabProvider create(URI apiBase, String projectPath, String token) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return new GitLabProvider(apiBase, projectPath, token, http, Sleeper.system());
    }

    @Override
    public PullRequestResult publish(PullRequest request) throws ProviderException {
        String head = Objects.requireNonNull(request.head(), "head");
        String base = Objects.requireNonNull(request.base(), "base");
        String title = Objects.requireNonNull(request.title(), "title");
        String body = request.body() == null ? "" : request.body();
        String mr = head + " → " + base;

        Map<String, String> filter = new LinkedHashMap<>();
        filter.put("source_branch", head);
        filter.put("target_branch", base);
        filter.put("state", "opened");
        String lookup = "looking up the open merge request " + mr + " in " + projectPath;
        ProviderHttp.Reply found = api.call("GET", mergeRequests + ProviderHttp.query(filter), null, lookup);
        if (!found.json().isArray()) {
            throw api.failure(lookup, found.status() + " the response is not a list", found.status());
        }

        if (found.json().isEmpty()) {
            String create = "creating the merge request " + mr;
            ObjectNode fields = ProviderHttp.object().put("source_branch", head).put("target_branch", base)
                    .put("title", title).put("description", body);
            ProviderHttp.Reply created = api.call("POST", mergeRequests, fields, create);
            return new PullRequestResult(PullRequestResult.Outcome.CREATED,
                    api.text(created, created.json(), "web_url", create));
        }

        // GitLab allows one open merge request per source and target branch.
        JsonNode existing = found.json().get(0);
        String location = api.text(found, existing, "web_url", lookup);
        String iid = api.text(found, existing, "iid", lookup);
        if (ProviderHttp.sameTitle(title, existing.get("title"))
                && ProviderHttp.sameBody(body, existing.get("description"))) {
            return new PullRequestResult(PullRequestResult.Outcome.UNCHANGED, location);
        }
        String update = "updating merge request !" + iid + " " + mr;
        ObjectNode fields = ProviderHttp.object().put("title", title).put("description", body);
        ProviderHttp.Reply updated = api.call("PUT", mergeRequests + "/" + ProviderHttp.encode(iid), fields, update);
        String updatedLocation = updated.json().hasNonNull("web_url") ? updated.json().get("web_url").asText() : location;
        return new PullRequestResult(PullRequestResult.Outcome.UPDATED, updatedLocation);
    }

    @Override
    public String toString() {
        return "GitLabProvider[" + mergeRequests + "]";
    }
}
