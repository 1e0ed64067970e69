package dev.meshwave.git.pr;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.meshwave.git.pr.StubApi.failure;
import static dev.meshwave.git.pr.StubApi.methods;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.meshwave.git.pr.StubApi.RecordingSleeper;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GitLabProviderTest {

    /** Distinctive, so that finding it anywhere in a message is certainly a leak. */
    private static final String TOKEN = "glpat-MeshwaveTestToken_c0ffee42";
    private static final String API = "/api/v4";
    /** The project path group/sub/repo, encoded into one path segment. */
    private static final String MRS = API + "/projects/group%2Fsub%2Frepo/merge_requests";
    private static final String HEAD = "meshwave/p/01-a";
    private static final String BASE = "meshwave/p/00-control-plane";
    private static final String WEB_URL = "https://gitlab.example.com/group/sub/repo/-/merge_requests/12";
    private static final PullRequest REQUEST = new PullRequest(HEAD, BASE, "Wave 01: a", "Moves a.\n\n- check x\n");

    @RegisterExtension
    static final WireMockExtension server = StubApi.server();

    private RecordingSleeper sleeper;
    private GitLabProvider provider;

    @BeforeEach
    void newProvider() {
        sleeper = new RecordingSleeper();
        provider = new GitLabProvider(URI.create("http://127.0.0.1:" + server.getPort() + API), "group/sub/repo", TOKEN,
                HttpClient.newHttpClient(), sleeper);
    }

    private static void noOpenMergeRequest() {
        server.stubFor(get(urlPathEqualTo(MRS)).willReturn(okJson("[]")));
    }

    private static void openMergeRequest(String title, String description) {
        String descriptionJson = description == null ? "null" : "\"" + description.replace("\n", "\\n") + "\"";
        server.stubFor(get(urlPathEqualTo(MRS)).willReturn(okJson("[{\"id\": 901, \"iid\": 12, \"title\": \"" + title
                + "\", \"description\": " + descriptionJson + ", \"target_branch\": \"" + BASE + "\", \"web_url\": \""
                + WEB_URL + "\"}]")));
    }

    // ---- publishing ----

    @Test
    void createsTheMergeRequestWhenNoneIsOpen() throws Exception {
        noOpenMergeRequest();
        server.stubFor(post(urlPathEqualTo(MRS)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"iid\": 12, \"web_url\": \"" + WEB_URL + "\"}")));

        PullRequestResult result = provider.publish(REQUEST);

        assertEquals(new PullRequestResult(PullRequestResult.Outcome.CREATED, WEB_URL), result);
        server.verify(1, getRequestedFor(urlPathEqualTo(MRS))
                .withQueryParam("source_branch", equalTo(HEAD))
                .withQueryParam("target_branch", absent())
                .withQueryParam("state", equalTo("opened"))
                .withHeader("PRIVATE-TOKEN", equalTo(TOKEN))
                .withHeader("Authorization", absent()));
        server.verify(1, postRequestedFor(urlPathEqualTo(MRS))
                .withHeader("PRIVATE-TOKEN", equalTo(TOKEN))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"source_branch\": \"" + HEAD + "\", \"target_branch\": \"" + BASE
                        + "\", \"title\": \"Wave 01: a\", \"description\": \"Moves a.\\n\\n- check x\\n\"}")));
        assertEquals(List.of("GET", "POST"), methods(server));
    }

    @Test
    void theProjectIsAddressedByItsEncodedPath() throws Exception {
        noOpenMergeRequest();
        server.stubFor(post(urlPathEqualTo(MRS)).willReturn(okJson("{\"web_url\": \"" + WEB_URL + "\"}")));

        provider.publish(REQUEST);

        LoggedRequest lookup = server.findAll(getRequestedFor(urlPathEqualTo(MRS))).get(0);
        assertEquals(MRS + "?source_branch=meshwave%2Fp%2F01-a"
                + "&state=opened", lookup.getUrl());
    }

    @Test
    void updatesTitleAndDescriptionWhenEitherChanged() throws Exception {
        openMergeRequest("Wave 01: a", "an older description");
        server.stubFor(put(urlPathEqualTo(MRS + "/12")).willReturn(okJson("{\"iid\": 12, \"web_url\": \"" + WEB_URL + "\"}")));

        PullRequestResult result = provider.publish(REQUEST);

        assertEquals(new PullRequestResult(PullRequestResult.Outcome.UPDATED, WEB_URL), result);
        server.verify(1, putRequestedFor(urlPathEqualTo(MRS + "/12"))
                .withHeader("PRIVATE-TOKEN", equalTo(TOKEN))
                .withRequestBody(equalToJson("{\"title\": \"Wave 01: a\", \"description\": \"Moves a.\\n\\n- check x\\n\"}")));
        assertEquals(List.of("GET", "PUT"), methods(server));
    }

    @Test
    void leavesAnIdenticalMergeRequestAloneWithoutWriting() throws Exception {
        openMergeRequest("Wave 01: a", "Moves a.\n\n- check x\n");

        assertEquals(new PullRequestResult(PullRequestResult.Outcome.UNCHANGED, WEB_URL), provider.publish(REQUEST));
        assertEquals(List.of("GET"), methods(server));
    }

    @Test
    void aNullDescriptionEqualsAnEmptyBody() throws Exception {
        openMergeRequest("Wave 01: a", null);

        assertEquals(PullRequestResult.Outcome.UNCHANGED,
                provider.publish(new PullRequest(HEAD, BASE, "Wave 01: a", "")).outcome());
    }

    // ---- failures ----

    @Test
    void aRefusedTokenIsSaidPlainly() {
        server.stubFor(get(urlPathEqualTo(MRS)).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\": \"401 Unauthorized\"}")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(401, e.status());
        assertTrue(e.getMessage().startsWith("GitLab: looking up the open merge request " + HEAD + " → " + BASE
                + " in group/sub/repo failed: 401 the token was refused"), e.getMessage());
    }

    @Test
    void aForbiddenWriteNamesTheScopeAndRole() {
        noOpenMergeRequest();
        server.stubFor(post(urlPathEqualTo(MRS)).willReturn(aResponse().withStatus(403)
                .withBody("{\"message\": \"403 Forbidden\"}")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(403, e.status());
        assertEquals("GitLab: creating the merge request " + HEAD + " → " + BASE + " failed: 403 the token may not open"
                + " merge requests in group/sub/repo (it needs the api scope and at least the Developer role)"
                + " (403 Forbidden)", e.getMessage());
        assertEquals(1, server.findAll(postRequestedFor(urlPathEqualTo(MRS))).size());
    }

    @Test
    void aUsedUpRateLimitIsNotCalledAPermissionProblem() {
        server.stubFor(get(urlPathEqualTo(MRS)).willReturn(aResponse().withStatus(403)
                .withHeader("RateLimit-Remaining", "0")
                .withHeader("RateLimit-Reset", "1767225600")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertTrue(e.getMessage().endsWith("failed: 403 the API rate limit for this token is used up; it resets at "
                + "2026-01-01T00:00:00Z"), e.getMessage());
    }

    @Test
    void anUnknownProjectMayAlsoBeAnInvisibleOne() {
        server.stubFor(get(urlPathEqualTo(MRS)).willReturn(aResponse().withStatus(404)
                .withBody("{\"message\": \"404 Project Not Found\"}")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(404, e.status());
        assertTrue(e.getMessage().endsWith("failed: 404 project group/sub/repo not found or not visible to this token"
                + " (404 Project Not Found)"), e.getMessage());
    }

    @Test
    void gitLabsListAndFieldMessagesAreSpelledOut() {
        noOpenMergeRequest();
        server.stubFor(post(urlPathEqualTo(MRS)).willReturn(aResponse().withStatus(409).withBody(
                "{\"message\": [\"Another open merge request already exists for this source branch: !12\"]}")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(409, e.status());
        assertTrue(e.getMessage().endsWith("failed: 409 Another open merge request already exists for this source "
                + "branch: !12"), e.getMessage());

        server.resetAll();
        noOpenMergeRequest();
        server.stubFor(post(urlPathEqualTo(MRS)).willReturn(aResponse().withStatus(422).withBody(
                "{\"message\": {\"title\": [\"can't be blank\"], \"target_branch\": [\"is invalid\"]}}")));

        e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertTrue(e.getMessage().endsWith("failed: 422 title can't be blank: target_branch is invalid"),
                e.getMessage());
    }

    // ---- retries ----

    @Test
    void aRateLimitedLookupWaitsAsToldAndTriesAgain() throws Exception {
        server.stubFor(get(urlPathEqualTo(MRS)).inScenario("limit").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "5")).willSetStateTo("open"));
        server.stubFor(get(urlPathEqualTo(MRS)).inScenario("limit").whenScenarioStateIs("open")
                .willReturn(okJson("[]")));
        server.stubFor(post(urlPathEqualTo(MRS)).willReturn(okJson("{\"web_url\": \"" + WEB_URL + "\"}")));

        assertEquals(PullRequestResult.Outcome.CREATED, provider.publish(REQUEST).outcome());

        assertEquals(List.of(Duration.ofSeconds(5)), sleeper.waits);
        assertEquals(List.of("GET", "GET", "POST"), methods(server));
    }

    @Test
    void aCreateIsNeverRepeatedAfterAServerError() {
        noOpenMergeRequest();
        server.stubFor(post(urlPathEqualTo(MRS)).willReturn(aResponse().withStatus(502)));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(502, e.status());
        assertEquals(1, server.findAll(postRequestedFor(urlPathEqualTo(MRS))).size());
        assertTrue(sleeper.waits.isEmpty());
    }

    @Test
    void anUpdateIsRepeatedAfterAServerError() throws Exception {
        openMergeRequest("old", "old");
        server.stubFor(put(urlPathEqualTo(MRS + "/12")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("up"));
        server.stubFor(put(urlPathEqualTo(MRS + "/12")).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson("{\"web_url\": \"" + WEB_URL + "\"}")));

        assertEquals(PullRequestResult.Outcome.UPDATED, provider.publish(REQUEST).outcome());

        assertEquals(List.of(Duration.ofSeconds(1)), sleeper.waits);
        assertEquals(List.of("GET", "PUT", "PUT"), methods(server));
    }

    @Test
    void aLookupThatKeepsBeingRateLimitedGivesUpAfterThreeAttempts() {
        server.stubFor(get(urlPathEqualTo(MRS)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(429, e.status());
        assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(3)), sleeper.waits);
        assertEquals(List.of("GET", "GET", "GET"), methods(server));
        assertTrue(e.getMessage().endsWith("429 rate limited; the API asks to wait 3 s (after 3 attempts)"),
                e.getMessage());
    }

    // ---- the token stays secret ----

    @Test
    void aServerThatEchoesTheTokenDoesNotGetItIntoTheMessage() {
        server.stubFor(get(urlPathEqualTo(MRS)).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\": \"bad token " + TOKEN + "\"}")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertTrue(e.getMessage().endsWith("400 bad token ***"), e.getMessage());
    }

    @Test
    void theProviderDoesNotShowTheToken() {
        assertFalse(provider.toString().contains(TOKEN), provider.toString());
    }

    @Test
    void aProjectIsAGroupPathOrANumericId() {
        for (String bad : new String[] {"justone", "/group/repo", "group/repo/", "group//repo", "group/re po", " "}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GitLabProvider.create(bad, TOKEN), bad);
            assertTrue(e.getMessage().contains("group/project"), e.getMessage());
        }
        GitLabProvider.create("group/sub/repo", TOKEN);
        GitLabProvider.create("4711", TOKEN);
    }

    @Test
    void aMissingTokenIsRefusedUpFront() {
        assertThrows(IllegalArgumentException.class, () -> GitLabProvider.create("group/repo", " "));
    }
}
