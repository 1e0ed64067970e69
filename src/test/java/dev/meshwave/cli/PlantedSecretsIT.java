package dev.meshwave.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.meshwave.testing.GitCli.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.meshwave.testing.Cli;
import dev.meshwave.testing.GitopsRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets planted where a user could put them (an overlay, a template) never reach the output or a
 * commit: render and publish stop with exit 3, name the file, and do not print the secret.
 */
class PlantedSecretsIT {

    private static final String TOKEN = "ghp_" + "Zq8xYv3Wt6Us9Rr2Qp5On1Mm4Ll7Kk0Jj3Ii";

    @TempDir
    Path tmp;

    Path plan;

    @BeforeEach
    void planWithOverlay() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("plans"));
        plan = Files.writeString(dir.resolve("plan.yaml"), Files.readString(Path.of("examples/asm-upgrade/plan.yaml"))
                .replaceAll("overlays: \\[[^]]*]", "overlays: [tuning.yaml]"));
        Files.writeString(dir.resolve("tuning.yaml"), """
                apiVersion: install.istio.io/v1alpha1
                kind: IstioOperator
                spec:
                  meshConfig:
                    accessLogFile: /dev/stdout
                """);
        assertEquals(0, Cli.run("validate", plan.toString()).exitCode(), "the plan is valid without the secret");
    }

    private void plantInOverlay() throws IOException {
        Files.writeString(plan.resolveSibling("tuning.yaml"), "  values:\n    global:\n      imagePullSecretToken: " + TOKEN + "\n",
                java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    void renderRefusesAnOverlayThatCarriesAToken() throws IOException {
        plantInOverlay();
        Path out = tmp.resolve("out");
        Cli.Result result = Cli.run("render", plan.toString(), "--out", out.toString());
        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("refusing to write clusters/onprem/mesh/control-plane/")
                && result.err().contains("holds what looks like a GitHub token (not shown)"), result::toString);
        assertFalse(result.err().contains(TOKEN.substring(8)), "the token is not printed");
        assertFalse(Files.exists(out), "nothing is written");
    }

    @Test
    void renderRefusesATemplateThatCarriesAToken() throws IOException {
        Path templates = Files.createDirectories(tmp.resolve("templates"));
        Files.writeString(templates.resolve("restart.yaml.mustache"), Files.readString(Path.of("templates/components/restart.yaml.mustache"))
                + "# pulled with " + TOKEN + "\n");
        Path out = tmp.resolve("out");
        Cli.Result result = Cli.run("render", plan.toString(), "--out", out.toString(), "--templates", templates.toString());
        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("/components/restart/"), result::toString);
        assertFalse(result.err().contains(TOKEN.substring(8)), "the token is not printed");
        assertFalse(Files.exists(out), "nothing is written");
    }

    @Test
    void validateWithTheTemplatesFindsItBeforeRenderDoes() throws IOException {
        Path templates = Files.createDirectories(tmp.resolve("templates"));
        String restart = Files.readString(Path.of("templates/components/restart.yaml.mustache"));
        Files.writeString(templates.resolve("restart.yaml.mustache"), restart + "# reviewed by the platform team\n");
        Cli.Result benign = Cli.run("validate", plan.toString(), "--templates", templates.toString());
        assertEquals(0, benign.exitCode(), benign::toString);
        Files.writeString(templates.resolve("restart.yaml.mustache"), restart + "# pulled with " + TOKEN + "\n");
        Cli.Result result = Cli.run("validate", plan.toString(), "--templates", templates.toString());
        assertEquals(3, result.exitCode(), result::toString);
        assertFalse(result.err().contains(TOKEN.substring(8)), "the token is not printed");
        assertEquals(0, Cli.run("validate", plan.toString()).exitCode(), "without --templates the built-in ones are used");
    }

    @Test
    void publishCommitsNothingWhenAnOverlayCarriesAToken() throws IOException {
        plantInOverlay();
        Path remote = GitopsRepository.create(tmp.resolve("gitops.git"));
        Map<String, String> env = Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "HOME", tmp.resolve("home").toString(),
                "SOURCE_DATE_EPOCH", "1767225600");
        Cli.Result result = Cli.run(new Environment(env, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)),
                "publish", plan.toString(), "--repo", remote.toUri().toString(), "--push");
        assertEquals(3, result.exitCode(), result::toString);
        assertFalse(result.err().contains(TOKEN.substring(8)), "the token is not printed");
        assertEquals("refs/heads/main", git(remote, "for-each-ref", "--format=%(refname)").strip(), "no branch was pushed");
    }

    /**
     * A server that refuses the token and echoes it back in pieces and as the basic-auth header it got:
     * none of it reaches stdout or stderr, in text or JSON.
     */
    @Test
    void aServerEchoingTheTokenInPiecesOrBase64PrintsNoneOfIt() {
        String token = "mwPlanted" + "Token-5d8f2a7c9e1b";
        String basic = Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<String> echoes = List.of(token.substring(0, 12), token.substring(9), basic.substring(20), Base64.getUrlEncoder()
                .withoutPadding().encodeToString(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        WireMockServer github = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        github.start();
        try {
            github.stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(anyUrl()).willReturn(aResponse().withStatus(401)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"message\": \"Bad credentials: " + String.join(", ", echoes) + "\"}")));
            Path remote = tmp.resolve("gitops.git");
            git(tmp, "init", "-q", "--bare", "-b", "main", remote.toString());
            Map<String, String> env = Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString(), "HOME", tmp.toString(),
                    "SOURCE_DATE_EPOCH", "1767225600", "GITHUB_TOKEN", token);
            for (String format : List.of("text", "json")) {
                Cli.Result result = Cli.run(new Environment(env, Clock.systemUTC()), "publish", plan.toString(), "--repo",
                        remote.toUri().toString(), "--push", "--pr", "github", "--pr-api", github.baseUrl(), "--pr-repo", "platform/gitops",
                        "--format", format);
                assertEquals(3, result.exitCode(), result::toString);
                assertTrue(result.err().contains("Bad credentials: ***"), result::toString);
                for (String echo : echoes) {
                    assertFalse((result.out() + result.err()).contains(echo), () -> "shown: " + echo + "\n" + result);
                }
            }
        } finally {
            github.stop();
        }
    }

    /** Not the shape of any service's token: only the run holding it can tell it is one. */
    private static final String HELD = "mwHeld" + "Secret-3e9b1d7f5a2c";

    private static Environment holding(Path home) {
        return new Environment(Map.of("XDG_CACHE_HOME", home.resolve("cache").toString(), "HOME", home.toString(),
                "SOURCE_DATE_EPOCH", "1767225600", "MESHWAVE_GIT_TOKEN", HELD), Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    @Test
    void renderRefusesAnOverlayCarryingTheTokenTheRunHoldsEvenAsBasicAuth() throws IOException {
        String basic = Base64.getEncoder().encodeToString(("x-access-token:" + HELD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.writeString(plan.resolveSibling("tuning.yaml"), "  values:\n    global:\n      registryAuth: " + basic + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        Path out = tmp.resolve("out");
        assertEquals(0, Cli.run("render", plan.toString(), "--out", tmp.resolve("unheld").toString()).exitCode(),
                "to a run that does not hold the token it is just text");
        Cli.Result result = Cli.run(holding(tmp), "render", plan.toString(), "--out", out.toString());
        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("refusing to write clusters/onprem/mesh/control-plane/")
                && result.err().contains(": line 9 holds what looks like the token in MESHWAVE_GIT_TOKEN (base64-encoded) (not shown)"),
                result::toString);
        assertFalse(result.err().contains(basic.substring(20, 40)), "the token is not printed");
        assertFalse(Files.exists(out), "nothing is written");
    }

    @Test
    void publishPushesNothingWhenATemplateCarriesTheTokenTheRunHolds() throws IOException {
        Path templates = Files.createDirectories(tmp.resolve("templates"));
        Files.writeString(templates.resolve("pr-body.md.mustache"), Files.readString(Path.of("templates/git/pr-body.md.mustache"))
                + "\nMirror: https://mirror.example/gitops.git?access=" + HELD + "\n");
        Path remote = GitopsRepository.create(tmp.resolve("gitops.git"));
        Cli.Result result = Cli.run(holding(tmp), "publish", plan.toString(), "--repo", remote.toUri().toString(), "--push",
                "--templates", templates.toString());
        assertEquals(3, result.exitCode(), result::toString);
        assertTrue(result.err().contains("holds what looks like the token in MESHWAVE_GIT_TOKEN (not shown)"), result::toString);
        assertFalse((result.out() + result.err()).contains(HELD.substring(6)), "the token is not printed");
        assertEquals("refs/heads/main", git(remote, "for-each-ref", "--format=%(refname)").strip(), "no branch was pushed");
    }

    @Test
    void aPieceOfTheHeldTokenInACommitMessageIsHiddenNotCommitted() throws IOException {
        Path templates = Files.createDirectories(tmp.resolve("templates"));
        Files.writeString(templates.resolve("commit-message.txt.mustache"), Files.readString(Path.of("templates/git/commit-message.txt.mustache"))
                + "\nReviewed with key " + HELD.substring(2, 14) + "\n");
        Path remote = GitopsRepository.create(tmp.resolve("gitops.git"));
        Cli.Result result = Cli.run(holding(tmp), "publish", plan.toString(), "--repo", remote.toUri().toString(), "--push",
                "--templates", templates.toString());
        assertEquals(0, result.exitCode(), result::toString);
        String messages = git(remote, "log", "--all", "--format=%B");
        assertTrue(messages.contains("Reviewed with key ***"), messages);
        assertFalse(messages.contains(HELD.substring(2, 14)), messages);
    }
}
