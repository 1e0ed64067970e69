package dev.meshwave.git;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.meshwave.testing.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.meshwave.cli.Environment;
import dev.meshwave.testing.Cli;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code publish --pr github} end to end, against a local stub of the GitHub REST API. */
class PublishPullRequestsIT {

    /** Random-looking, as real tokens are: any eight characters of it are hidden from everything meshwave prints. */
    private static final String TOKEN = "ghp_" + "q7Wm2Xr9Kd4Lp8Zs1Vb6Nc3";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private WireMockServer github;
    private Path remote;

    @BeforeEach
    void start() {
        github = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        github.start();
        remote = tmp.resolve("gitops.git");
        git(tmp, "init", "-q", "--bare", "-b", "main", remote.toString());
    }

    @AfterEach
    void stop() {
        github.stop();
    }

    private Cli.Result publish() {
        Map<String, String> env = Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "HOME", tmp.toString(),
                "SOURCE_DATE_EPOCH", "1767225600", "GITHUB_TOKEN", TOKEN);
        return Cli.run(new Environment(env, Clock.systemUTC()), "publish", PublishIT.PLAN, "--repo", remote.toUri().toString(),
                "--push", "--pr", "github", "--pr-api", github.baseUrl(), "--pr-repo", "platform/gitops");
    }

    @Test
    void opensOneStackedPullRequestPerWaveAndReopensNone() throws Exception {
        github.stubFor(get(urlPathEqualTo("/repos/platform/gitops/pulls")).willReturn(okJson("[]")));
        github.stubFor(post(urlPathEqualTo("/repos/platform/gitops/pulls")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"number\": 7, \"html_url\": \"https://github.example/platform/gitops/pull/7\"}")));

        Cli.Result first = publish();

        assertEquals(0, first.exitCode(), first::toString);
        List<LoggedRequest> posts = github.findAll(postRequestedFor(urlPathEqualTo("/repos/platform/gitops/pulls")));
        assertEquals(4, posts.size());
        List<String> bases = new ArrayList<>();
        List<String> heads = new ArrayList<>();
        for (LoggedRequest post : posts) {
            assertEquals("Bearer " + TOKEN, post.getHeader("Authorization"));
            JsonNode body = JSON.readTree(post.getBodyAsString());
            heads.add(body.path("head").asText());
            bases.add(body.path("base").asText());
            assertTrue(body.path("title").asText().startsWith("[asm-1140] "), body.toString());
            assertTrue(body.path("body").asText().contains("### Verify"), body.toString());
        }
        assertEquals(PublishIT.BRANCHES, heads);
        assertEquals(List.of("main", PublishIT.BRANCHES.get(0), PublishIT.BRANCHES.get(1), PublishIT.BRANCHES.get(2)), bases);
        assertTrue(first.out().contains("pull request " + PublishIT.BRANCHES.get(0) + ": created https://github.example/platform/gitops/pull/7"),
                first::toString);
        assertFalse((first.out() + first.err()).contains(TOKEN));

        // GitHub now lists the four open pull requests exactly as meshwave wrote them.
        github.resetAll();
        for (LoggedRequest post : posts) {
            JsonNode body = JSON.readTree(post.getBodyAsString());
            ArrayNode existing = JSON.createArrayNode();
            ObjectNode pr = existing.addObject();
            pr.put("number", 7).put("html_url", "https://github.example/pull/7")
                    .put("title", body.path("title").asText()).put("body", body.path("body").asText());
            pr.putObject("base").put("ref", body.path("base").asText());
            github.stubFor(get(urlPathEqualTo("/repos/platform/gitops/pulls"))
                    .withQueryParam("head", equalTo("platform:" + body.path("head").asText()))
                    .willReturn(okJson(existing.toString())));
        }

        Cli.Result again = publish();

        assertEquals(0, again.exitCode(), again::toString);
        List<String> methods = github.findAll(anyRequestedFor(anyUrl())).stream().map(r -> r.getMethod().getName()).distinct().toList();
        assertEquals(List.of("GET"), methods, "an unchanged plan opens and edits nothing");
        assertEquals(4, again.out().lines().filter(l -> l.startsWith("pull request ") && l.contains(": unchanged ")).count(), again::toString);
    }

    @Test
    void aRefusedTokenIsExitThreeWithoutTheToken() {
        github.stubFor(get(urlPathEqualTo("/repos/platform/gitops/pulls")).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\": \"Bad credentials\"}")));
        Cli.Result result = publish();
        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("401"), result::toString);
        assertFalse((result.out() + result.err()).contains(TOKEN), result::toString);
    }

    @Test
    void pullRequestsNeedPushedBranches() {
        Cli.Result result = Cli.run(new Environment(Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString()), Clock.systemUTC()),
                "publish", PublishIT.PLAN, "--repo", remote.toUri().toString(), "--pr", "github");
        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains("--pr github needs --push"), result::toString);
    }

    /** Provider settings are checked before anything is pushed: a wrong one is exit 2 and the remote stays empty. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--pr bitbucket                  | ghp_x | --pr bitbucket is not a provider (expected github, gitlab or none)",
        "--pr github                     |       | --pr github needs a token in MESHWAVE_GIT_TOKEN, GITHUB_TOKEN or GITLAB_TOKEN",
        "--pr github --pr-repo a/b/c     | ghp_x | --pr-repo a/b/c must be OWNER/NAME for GitHub",
        "--pr github                     | ghp_x | cannot tell the repository's owner and name for --pr github from",
        "--pr gitlab                     | ghp_x | pass --pr-repo OWNER/NAME",
        "--pr gitlab --pr-repo justone   | ghp_x | --pr-repo justone: GitLab: the project path must look like group/project",
    })
    void aWrongProviderSettingFailsBeforeAnythingIsPushed(String prOptions, String token, String expected) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "HOME", tmp.toString()));
        if (token != null) {
            env.put("GITHUB_TOKEN", token);
        }
        List<String> args = new ArrayList<>(List.of("publish", PublishIT.PLAN, "--repo", remote.toUri().toString(), "--push"));
        args.addAll(List.of(prOptions.split(" ")));

        Cli.Result result = Cli.run(new Environment(env, Clock.systemUTC()), args.toArray(String[]::new));

        assertEquals(2, result.exitCode(), result::toString);
        assertTrue(result.err().contains(expected), result::toString);
        assertEquals("", git(remote, "for-each-ref").strip(), "nothing was pushed");
        assertEquals(0, github.getAllServeEvents().size());
    }
}
