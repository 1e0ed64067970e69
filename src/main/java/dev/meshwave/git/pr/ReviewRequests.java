package dev.meshwave.git.pr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What GitHub pull requests and GitLab merge requests share: find the open request from head to base;
 * create it when there is none, update its title and body when they differ, or leave it alone. Only
 * the field names differ, and {@link Dialect} holds them.
 */
final class ReviewRequests {

    /**
     * One API's names for the same things.
     *
     * @param noun         "pull request" or "merge request", for messages
     * @param sign         how the API numbers them in prose ({@code #} or {@code !})
     * @param where        the repository or project, for messages
     * @param collection   the URL of the requests
     * @param openFilter   head → the query that lists the open request from that branch, whatever its target
     * @param existingBase the target branch of a listed request
     * @param headField    the request's source branch field
     * @param baseField    its target branch field
     * @param bodyField    its description field
     * @param numberField  the field that numbers it in URLs
     * @param urlField     the field that links to it for people
     * @param updateMethod PATCH or PUT
     */
    record Dialect(String noun, String sign, String where, String collection,
            java.util.function.Function<String, Map<String, String>> openFilter,
            java.util.function.Function<JsonNode, String> existingBase,
            String headField, String baseField, String bodyField, String numberField, String urlField, String updateMethod) {}

    private ReviewRequests() {}

    /** A query in the order written: {@code filter("state", "open", …)}. */
    static Map<String, String> filter(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static PullRequestResult publish(ProviderHttp api, Dialect d, PullRequest request) throws ProviderException {
        String head = Objects.requireNonNull(request.head(), "head");
        String base = Objects.requireNonNull(request.base(), "base");
        String title = Objects.requireNonNull(request.title(), "title");
        String body = request.body() == null ? "" : request.body();
        String branches = head + " → " + base;

        String lookup = "looking up the open " + d.noun() + " " + branches + " in " + d.where();
        // Listed by source branch only: when the branch below was merged, the request is retargeted, not duplicated.
        ProviderHttp.Reply found = api.call("GET", d.collection() + ProviderHttp.query(d.openFilter().apply(head)), null, lookup);
        if (!found.json().isArray()) {
            throw api.failure(lookup, found.status() + " the response is not a list", found.status());
        }
        if (found.json().isEmpty()) {
            String create = "creating the " + d.noun() + " " + branches;
            ObjectNode fields = ProviderHttp.object().put("title", title).put(d.headField(), head).put(d.baseField(), base)
                    .put(d.bodyField(), body);
            ProviderHttp.Reply created = api.call("POST", d.collection(), fields, create);
            return new PullRequestResult(PullRequestResult.Outcome.CREATED, api.text(created, created.json(), d.urlField(), create));
        }
        // Both APIs allow one open request per source and target branch, so the first is the only one.
        JsonNode existing = found.json().get(0);
        String location = api.text(found, existing, d.urlField(), lookup);
        String number = api.text(found, existing, d.numberField(), lookup);
        boolean sameBase = base.equals(d.existingBase().apply(existing));
        if (sameBase && ProviderHttp.sameTitle(title, existing.get("title")) && ProviderHttp.sameBody(body, existing.get(d.bodyField()))) {
            return new PullRequestResult(PullRequestResult.Outcome.UNCHANGED, location);
        }
        String update = "updating " + d.noun() + " " + d.sign() + number + " " + branches;
        ObjectNode fields = ProviderHttp.object().put("title", title).put(d.bodyField(), body);
        if (!sameBase) {
            fields.put(d.baseField(), base);
        }
        ProviderHttp.Reply updated = api.call(d.updateMethod(), d.collection() + "/" + ProviderHttp.encode(number), fields, update);
        String updatedLocation = updated.json().hasNonNull(d.urlField()) ? updated.json().get(d.urlField()).asText() : location;
        return new PullRequestResult(PullRequestResult.Outcome.UPDATED, updatedLocation);
    }
}
