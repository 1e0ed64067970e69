package dev.meshwave.git.pr;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.meshwave.git.pr.StubApi.failure;
import static dev.meshwave.git.pr.StubApi.methods;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.meshwave.git.pr.StubApi.RecordingSleeper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GitHubProviderTest {

    /** Distinctive, so that finding it anywhere in a message is certainly a leak. */
    private static final String TOKEN = "ghp_MeshwaveTestToken_7f3c9a1e5b";
    private static final String PULLS = "/repos/meshwave/p/pulls";
    private static final String HEAD = "meshwave/p/01-a";
    private static final String BASE = "meshwave/p/00-control-plane";
    private static final String HTML_URL = "https://github.com/meshwave/p/pull/7";
    private static final PullRequest REQUEST = new PullRequest(HEAD, BASE, "Wave 01: a", "Moves a.\n\n- check x\n");

    @RegisterExtension
    static final WireMockExtension server = StubApi.server();

    private RecordingSleeper sleeper;
    private GitHubProvider provider;

    @BeforeEach
    void newProvider() {
        sleeper = new RecordingSleeper();
        provider = provider("");
    }

    private GitHubProvider provider(String basePath) {
        return new GitHubProvider(URI.create("http://127.0.0.1:" + server.getPort() + basePath), "meshwave", "p", TOKEN,
                HttpClient.newHttpClient(), sleeper);
    }

    private static void noOpenPullRequest() {
        server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(okJson("[]")));
    }

    private static void openPullRequest(String title, String body) {
        openPullRequest(title, body, BASE);
    }

    private static void openPullRequest(String title, String body, String base) {
        String bodyJson = body == null ? "null" : "\"" + body.replace("\n", "\\n").replace("\r", "\\r") + "\"";
        server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(okJson("[{\"number\": 7, \"title\": \"" + title
                + "\", \"body\": " + bodyJson + ", \"base\": {\"ref\": \"" + base + "\"}, \"html_url\": \"" + HTML_URL + "\"}]")));
    }

    // ---- publishing ----

    @Test
    void createsThePullRequestWhenNoneIsOpen() throws Exception {
        noOpenPullRequest();
        server.stubFor(post(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"number\": 7, \"html_url\": \"" + HTML_URL + "\"}")));

        PullRequestResult result = provider.publish(REQUEST);

        assertEquals(new PullRequestResult(PullRequestResult.Outcome.CREATED, HTML_URL), result);
        server.verify(1, getRequestedFor(urlPathEqualTo(PULLS))
                .withQueryParam("head", equalTo("meshwave:" + HEAD))
                .withQueryParam("base", absent())
                .withQueryParam("state", equalTo("open"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withHeader("Accept", equalTo("application/vnd.github+json"))
                .withHeader("X-GitHub-Api-Version", equalTo("2022-11-28"))
                .withHeader("User-Agent", equalTo("meshwave")));
        server.verify(1, postRequestedFor(urlPathEqualTo(PULLS))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"title\": \"Wave 01: a\", \"head\": \"" + HEAD + "\", \"base\": \""
                        + BASE + "\", \"body\": \"Moves a.\\n\\n- check x\\n\"}")));
        assertEquals(List.of("GET", "POST"), methods(server));
    }

    @Test
    void queryValuesAreUrlEncoded() throws Exception {
        noOpenPullRequest();
        server.stubFor(post(urlPathEqualTo(PULLS)).willReturn(okJson("{\"html_url\": \"" + HTML_URL + "\"}")));

        provider.publish(new PullRequest("meshwave/p/01-a&b c", BASE, "t", "b"));

        LoggedRequest lookup = server.findAll(getRequestedFor(urlPathEqualTo(PULLS))).get(0);
        assertEquals(PULLS + "?head=meshwave%3Ameshwave%2Fp%2F01-a%26b%20c&state=open", lookup.getUrl());
    }

    @Test
    void updatesTitleAndBodyWhenEitherChanged() throws Exception {
        openPullRequest("Wave 01: old title", "old body");
        server.stubFor(patch(urlPathEqualTo(PULLS + "/7")).willReturn(okJson("{\"number\": 7, \"html_url\": \""
                + HTML_URL + "\"}")));

        PullRequestResult result = provider.publish(REQUEST);

        assertEquals(new PullRequestResult(PullRequestResult.Outcome.UPDATED, HTML_URL), result);
        server.verify(1, patchRequestedFor(urlPathEqualTo(PULLS + "/7"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withRequestBody(equalToJson("{\"title\": \"Wave 01: a\", \"body\": \"Moves a.\\n\\n- check x\\n\"}")));
        assertEquals(List.of("GET", "PATCH"), methods(server));
    }

    /** The branch below was merged and deleted: the open request is moved to the new base, not opened twice. */
    @Test
    void aRequestWhoseBaseChangedIsRetargetedNotDuplicated() throws Exception {
        openPullRequest("Wave 01: a", "Moves a.\n\n- check x\n", "meshwave/p/00-old-parent");
        server.stubFor(patch(urlPathEqualTo(PULLS + "/7")).willReturn(okJson("{\"number\": 7, \"html_url\": \"" + HTML_URL + "\"}")));

        assertEquals(PullRequestResult.Outcome.UPDATED, provider.publish(REQUEST).outcome());

        server.verify(1, patchRequestedFor(urlPathEqualTo(PULLS + "/7")).withRequestBody(equalToJson(
                "{\"title\": \"Wave 01: a\", \"body\": \"Moves a.\\n\\n- check x\\n\", \"base\": \"" + BASE + "\"}")));
        assertEquals(List.of("GET", "PATCH"), methods(server));
    }

    @Test
    void leavesAnIdenticalPullRequestAloneWithoutWriting() throws Exception {
        openPullRequest("Wave 01: a", "Moves a.\n\n- check x\n");

        PullRequestResult result = provider.publish(REQUEST);

        assertEquals(new PullRequestResult(PullRequestResult.Outcome.UNCHANGED, HTML_URL), result);
        assertEquals(List.of("GET"), methods(server));
    }

    @Test
    void lineEndsFromTheWebEditorAndANullBodyAreNoChange() throws Exception {
        openPullRequest("Wave 01: a", "Moves a.\r\n\r\n- check x");
        assertEquals(PullRequestResult.Outcome.UNCHANGED, provider.publish(REQUEST).outcome());

        server.resetAll();
        openPullRequest("Wave 01: a", null);
        assertEquals(PullRequestResult.Outcome.UNCHANGED,
                provider.publish(new PullRequest(HEAD, BASE, "Wave 01: a", "")).outcome());
        assertEquals(List.of("GET"), methods(server));
    }

    @Test
    void anEnterpriseApiBaseIsJustAnotherPrefix() throws Exception {
        server.stubFor(get(urlPathEqualTo("/api/v3" + PULLS)).willReturn(okJson("[]")));
        server.stubFor(post(urlPathEqualTo("/api/v3" + PULLS)).willReturn(okJson("{\"html_url\": \"" + HTML_URL + "\"}")));

        assertEquals(PullRequestResult.Outcome.CREATED, provider("/api/v3/").publish(REQUEST).outcome());
        server.verify(1, postRequestedFor(urlPathEqualTo("/api/v3" + PULLS)));
    }

    // ---- failures ----

    @Test
    void aRefusedTokenIsSaidPlainly() {
        server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\": \"Bad credentials\"}")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(401, e.status());
        assertEquals("GitHub: looking up the open pull request " + HEAD + " → " + BASE + " in meshwave/p failed: "
                + "401 the token was refused (Bad credentials); check that it is set, current and meant for this server",
                e.getMessage());
        assertEquals(List.of("GET"), methods(server));
    }

    @Test
    void aForbiddenWriteNamesThePermission() {
        noOpenPullRequest();
        server.stubFor(post(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(403)
                .withHeader("x-ratelimit-remaining", "4999")
                .withBody("{\"message\": \"Resource not accessible by personal access token\"}")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(403, e.status());
        assertTrue(e.getMessage().startsWith("GitHub: creating the pull request " + HEAD + " → " + BASE
                + " failed: 403 the token may not write pull requests to meshwave/p"), e.getMessage());
        assertTrue(e.getMessage().contains("Pull requests: write"), e.getMessage());
        assertTrue(e.getMessage().contains("Resource not accessible by personal access token"), e.getMessage());
    }

    @Test
    void aUsedUpRateLimitIsNotCalledAPermissionProblem() {
        server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(403)
                .withHeader("X-RateLimit-Remaining", "0")
                .withHeader("X-RateLimit-Reset", "1767225600")
                .withBody("{\"message\": \"API rate limit exceeded\"}")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(403, e.status());
        assertTrue(e.getMessage().endsWith("failed: 403 the API rate limit for this token is used up; it resets at "
                + "2026-01-01T00:00:00Z"), e.getMessage());
        assertTrue(sleeper.waits.isEmpty());
    }

    @Test
    void anUnknownRepositoryMayAlsoBeAnInvisibleOne() {
        server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(404)
                .withBody("{\"message\": \"Not Found\"}")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(404, e.status());
        assertTrue(e.getMessage().contains(
                "404 repository meshwave/p not found or not visible to this token (Not Found)"), e.getMessage());
    }

    @Test
    void aValidationFailureCarriesGitHubsExplanation() {
        noOpenPullRequest();
        server.stubFor(post(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(422).withBody(
                "{\"message\": \"Validation Failed\", \"errors\": [{\"resource\": \"PullRequest\", \"code\": \"custom\","
                        + " \"message\": \"No commits between meshwave/p/00-control-plane and meshwave/p/01-a\"},"
                        + " {\"resource\": \"PullRequest\", \"field\": \"base\", \"code\": \"invalid\"}],"
                        + " \"documentation_url\": \"https://docs.github.com/rest\"}")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(422, e.status());
        assertEquals("GitHub: creating the pull request meshwave/p/01-a → meshwave/p/00-control-plane failed: 422 "
                + "Validation Failed: No commits between meshwave/p/00-control-plane and meshwave/p/01-a; "
                + "PullRequest base invalid", e.getMessage());
        assertEquals(1, server.findAll(postRequestedFor(urlPathEqualTo(PULLS))).size());
    }

    @Test
    void aRedirectSuggestsARenamedRepository() {
        server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(301)
                .withHeader("Location", "https://api.github.com/repositories/42/pulls")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(301, e.status());
        assertTrue(e.getMessage().contains("renamed or moved"), e.getMessage());
    }

    @Test
    void aResponseThatIsNotJsonIsReportedAsSuch() {
        server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(200)
                .withBody("<html>sign in</html>")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertTrue(e.getMessage().contains("200 the response is not JSON"), e.getMessage());
    }

    // ---- retries ----

    @Test
    void aRateLimitedLookupWaitsAsToldAndTriesAgain() throws Exception {
        server.stubFor(get(urlPathEqualTo(PULLS)).inScenario("limit").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7"))
                .willSetStateTo("open"));
        server.stubFor(get(urlPathEqualTo(PULLS)).inScenario("limit").whenScenarioStateIs("open")
                .willReturn(okJson("[{\"number\": 7, \"title\": \"Wave 01: a\", \"body\": \"Moves a.\\n\\n- check x\\n\","
                        + " \"base\": {\"ref\": \"" + BASE + "\"}, \"html_url\": \"" + HTML_URL + "\"}]")));

        assertEquals(PullRequestResult.Outcome.UNCHANGED, provider.publish(REQUEST).outcome());

        assertEquals(List.of(Duration.ofSeconds(7)), sleeper.waits);
        assertEquals(List.of("GET", "GET"), methods(server));
    }

    @Test
    void aFailingLookupIsTriedThreeTimesWithBackoff() {
        server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(502)
                .withBody("<html><body>Bad gateway</body></html>")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(502, e.status());
        assertTrue(e.getMessage().endsWith("failed: 502 the server failed; try again later (after 3 attempts)"),
                e.getMessage());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), sleeper.waits);
        assertEquals(List.of("GET", "GET", "GET"), methods(server));
    }

    @Test
    void aRetryAfterLongerThanAMinuteIsReportedNotWaitedOut() {
        server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "3600")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(429, e.status());
        assertTrue(e.getMessage().endsWith("failed: 429 rate limited; the API asks to wait 3600 s"), e.getMessage());
        assertTrue(sleeper.waits.isEmpty());
    }

    @Test
    void aCreateIsNeverRepeatedAfterAServerError() {
        noOpenPullRequest();
        server.stubFor(post(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(500)));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(500, e.status());
        assertEquals(1, server.findAll(postRequestedFor(urlPathEqualTo(PULLS))).size());
        assertTrue(e.getMessage().contains("may have gone through anyway"), e.getMessage());
        assertTrue(sleeper.waits.isEmpty());
    }

    @Test
    void aCreateIsNeverRepeatedAfterALostConnection() {
        noOpenPullRequest();
        server.stubFor(post(urlPathEqualTo(PULLS)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(0, e.status());
        assertTrue(e.getMessage().contains("failed: no response from 127.0.0.1"), e.getMessage());
        assertEquals(1, server.findAll(postRequestedFor(urlPathEqualTo(PULLS))).size());
        assertTrue(sleeper.waits.isEmpty());
    }

    @Test
    void aRateLimitedCreateIsRepeatedBecauseNothingWasCreated() throws Exception {
        noOpenPullRequest();
        server.stubFor(post(urlPathEqualTo(PULLS)).inScenario("limit").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2"))
                .willSetStateTo("open"));
        server.stubFor(post(urlPathEqualTo(PULLS)).inScenario("limit").whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(201).withBody("{\"html_url\": \"" + HTML_URL + "\"}")));

        assertEquals(PullRequestResult.Outcome.CREATED, provider.publish(REQUEST).outcome());

        assertEquals(List.of(Duration.ofSeconds(2)), sleeper.waits);
        assertEquals(2, server.findAll(postRequestedFor(urlPathEqualTo(PULLS))).size());
    }

    @Test
    void anUpdateIsRepeatedAfterAServerError() throws Exception {
        openPullRequest("old", "old");
        server.stubFor(patch(urlPathEqualTo(PULLS + "/7")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        server.stubFor(patch(urlPathEqualTo(PULLS + "/7")).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(okJson("{\"html_url\": \"" + HTML_URL + "\"}")));

        assertEquals(PullRequestResult.Outcome.UPDATED, provider.publish(REQUEST).outcome());

        assertEquals(List.of(Duration.ofSeconds(1)), sleeper.waits);
        assertEquals(List.of("GET", "PATCH", "PATCH"), methods(server));
    }

    @Test
    void aLostConnectionDuringLookupIsRetriedThenReported() {
        server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertEquals(0, e.status());
        assertTrue(e.getMessage().contains("no response from 127.0.0.1"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(after 3 attempts)"), e.getMessage());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), sleeper.waits);
    }

    // ---- the token stays secret ----

    @Test
    void aServerThatEchoesTheTokenDoesNotGetItIntoTheMessage() {
        server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\": \"token " + TOKEN + " is not valid\"}")));

        ProviderException e = failure(TOKEN, () -> provider.publish(REQUEST));

        assertTrue(e.getMessage().contains("token *** is not valid"), e.getMessage());
    }

    @Test
    void everyFailureMessageIsFreeOfTheToken() {
        List<String> messages = new ArrayList<>();
        for (int status : new int[] {400, 401, 403, 404, 409, 422, 429, 500, 503}) {
            server.resetAll();
            server.stubFor(get(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(status)
                    .withHeader("Retry-After", "0")
                    .withBody("{\"message\": \"" + TOKEN + "\", \"errors\": [\"" + TOKEN + "\"]}")));
            messages.add(failure(TOKEN, () -> provider.publish(REQUEST)).getMessage());
        }
        assertTrue(messages.stream().noneMatch(m -> m.contains(TOKEN)), messages.toString());
    }

    @Test
    void theProviderDoesNotShowTheToken() {
        assertFalse(provider.toString().contains(TOKEN), provider.toString());
        assertFalse(provider.toString().contains("ghp_"), provider.toString());
    }

    @Test
    void aTokenThatCannotBeAHeaderIsRefusedWithoutRepeatingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GitHubProvider(
                URI.create("https://api.github.com"), "o", "r", "ghp_secret\nvalue", HttpClient.newHttpClient(), sleeper));
        assertFalse(e.getMessage().contains("ghp_secret"), e.getMessage());
    }

    @Test
    void theTokenGoesOnlyIntoTheAuthorizationHeader() throws Exception {
        openPullRequest("Wave 01: a", "Moves a.\n\n- check x\n");
        provider.publish(REQUEST);
        LoggedRequest lookup = server.findAll(getRequestedFor(urlPathEqualTo(PULLS))
                .withHeader("PRIVATE-TOKEN", absent())).get(0);
        assertFalse(lookup.getUrl().contains(TOKEN));
        assertEquals("Bearer " + TOKEN, lookup.getHeader("Authorization"));
    }

    /** The token goes over http only to this machine: a host that merely starts with "127." is another machine. */
    @Test
    void anApiBaseOverPlainHttpToAnotherHostIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitHubProvider(
                URI.create("http://127.attacker.example/api/v3"), "meshwave", "p", TOKEN, HttpClient.newHttpClient(), sleeper));
        assertTrue(refused.getMessage().contains("goes only over https"), refused.getMessage());
        assertFalse(refused.getMessage().contains(TOKEN));
        new GitHubProvider(URI.create("http://localhost:1/"), "meshwave", "p", TOKEN, HttpClient.newHttpClient(), sleeper);
    }

    /**
     * The request timeout ended with the headers: an API that sends them and then trickles its body held the
     * run forever. The whole exchange now has a deadline, and passing it is a failure that is not retried.
     */
    @Test
    void anApiThatTricklesItsBodyFailsAtTheDeadline() throws Exception {
        try (java.net.ServerSocket trickler = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread serving = new Thread(() -> {
                while (!trickler.isClosed()) {
                    try (java.net.Socket client = trickler.accept()) {
                        var out = client.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        out.write('[');
                        while (true) {
                            Thread.sleep(200);
                            out.write(' ');
                            out.flush();
                        }
                    } catch (java.io.IOException | InterruptedException e) {
                        // the client gave up, or the test is over
                    }
                }
            }, "trickling API");
            serving.setDaemon(true);
            serving.start();
            GitHubProvider slow = new GitHubProvider(URI.create("http://127.0.0.1:" + trickler.getLocalPort()), "meshwave", "p", TOKEN,
                    HttpClient.newHttpClient(), sleeper, Duration.ofSeconds(2));
            long started = System.nanoTime();
            ProviderException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> assertThrows(ProviderException.class, () -> slow.publish(REQUEST)));
            long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertTrue(e.getMessage().contains("no complete response from 127.0.0.1 within 2 s"), e.getMessage());
            assertTrue(seconds < 10, "gave up after " + seconds + " s");
            assertEquals(List.of(), sleeper.waits, "a deadline that passed is not retried");
            assertFalse(e.getMessage().contains(TOKEN));
        }
    }
}
