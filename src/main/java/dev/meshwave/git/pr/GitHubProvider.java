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
 * Pull requests through the GitHub REST API (github.com or GitHub Enterprise Server, whose API lives
 * under {@code https://host/api/v3}). The branches are pushed to the repository itself, so the head
 * of every pull request is {@code owner:branch}.
 */
public final class GitHubProvider implements PullRequestProvider {

    public static final URI DEFAULT_API_BASE = URI.create("https://api.github.com");
    static final String API_VERSION = "2022-11-28";

    private final String repository;
    private final String owner;
    private final String pulls;
    private final ProviderHttp api;

    public GitHubProvider(URI apiBase, String owner, String repo, String token, HttpClient http, Sleeper sleeper) {
        Objects.requireNonNull(apiBase, "apiBase");
        requireName(owner, "owner");
        requireName(repo, "repository name");
        String checked = ProviderHttp.checkedToken("GitHub", token);
        this.owner = owner;
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
                        + " (a fine-grained token needs \"Pull requests: write\", a classic one the repo scope)");
    }

    /** A provider for github.com. */
    public static GitHubProvider create(String owner, String repo, String token) {
        return create(DEFAULT_API_BASE, owner, repo, token);
    }

    /** A provider for the API at {@code apiBase}, e.g. {@code https://ghe.example.com/api/v3}. */
    public static GitHubProvider create(URI apiBase, String owner, String repo, String token) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return new GitHubProvider(apiBase, owner, repo, token, http, Sleeper.system());
    }

    @Override
    public PullRequestResult publish(PullRequest request) throws ProviderException {
        String head = Objects.requireNonNull(request.head(), "head");
        String base = Objects.requireNonNull(request.base(), "base");
        String title = Objects.requireNonNull(request.title(), "title");
        String body = request.body() == null ? "" : request.body();
        String pr = head + " → " + base;

        Map<String, String> filter = new LinkedHashMap<>();
        filter.put("head", owner + ":" + head);
        filter.put("base", base);
        filter.put("state", "open");
        String lookup = "looking up the open pull request " + pr + " in " + repository;
        ProviderHttp.Reply found = api.call("GET", pulls + ProviderHttp.query(filter), null, lookup);
        if (!found.json().isArray()) {
            throw api.failure(lookup, found.status() + " the response is not a list", found.status());
        }

        if (found.json().isEmpty()) {
            String create = "creating the pull request " + pr;
            ObjectNode fields = ProviderHttp.object().put("title", title).put("head", head).put("base", base)
                    .put("body", body);
            ProviderHttp.Reply created = api.call("POST", pulls, fields, create);
            return new PullRequestResult(PullRequestResult.Outcome.CREATED,
                    api.text(created, created.json(), "html_url", create));
        }

        // GitHub allows one open pull request per head and base, so the first is the only one.
        JsonNode existing = found.json().get(0);
        String location = api.text(found, existing, "html_url", lookup);
        String number = api.text(found, existing, "number", lookup);
        if (ProviderHttp.sameTitle(title, existing.get("title")) && ProviderHttp.sameBody(body, existing.get("body"))) {
            return new PullRequestResult(PullRequestResult.Outcome.UNCHANGED, location);
        }
        String update = "updating pull request #" + number + " " + pr;
        ObjectNode fields = ProviderHttp.object().put("title", title).put("body", body);
        ProviderHttp.Reply updated = api.call("PATCH", pulls + "/" + ProviderHttp.encode(number), fields, update);
        String updatedLocation = updated.json().hasNonNull("html_url") ? updated.json().get("html_url").asText() : location;
        return new PullRequestResult(PullRequestResult.Outcome.UPDATED, updatedLocation);
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
