package dev.meshwave.git.pr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The HTTP conversation the providers share: JSON in and out, retries only where repeating a request
 * cannot do harm, and failure messages that explain the status in words and never carry the token.
 */
final class ProviderHttp {

    static final int MAX_ATTEMPTS = 3;
    /** A longer Retry-After than this is reported instead of waited out: a CLI should not hang for an hour. */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(60);
    private static final int LONGEST_SERVER_MESSAGE = 300;
    private static final Set<String> IDEMPOTENT = Set.of("GET", "PUT", "PATCH");

    static final ObjectMapper JSON = new ObjectMapper();

    /** A successful response: its status and parsed body. */
    record Reply(int status, JsonNode json) {}

    private final String provider;
    private final HttpClient http;
    private final Sleeper sleeper;
    private final List<String> headers;
    private final dev.meshwave.plan.Redaction redaction;
    private final String notFound;
    private final String forbidden;
    private final Duration deadline;

    /**
     * @param provider  "GitHub" or "GitLab", the first word of every message
     * @param headers   name, value, name, value… sent with every request (they hold the token)
     * @param secret    the token, cut out of every message built here
     * @param notFound  what a 404 means, e.g. "repository o/r not found or not visible to this token"
     * @param forbidden what a 403 that is not a rate limit means
     * @param deadline  how long one request may take, its whole response body included
     */
    ProviderHttp(String provider, HttpClient http, Sleeper sleeper, List<String> headers, String secret,
            String notFound, String forbidden, Duration deadline) {
        this.deadline = deadline;
        this.provider = provider;
        this.http = http;
        this.sleeper = sleeper;
        this.headers = List.copyOf(headers);
        this.redaction = new dev.meshwave.plan.Redaction(secret.isEmpty() ? List.of() : List.of(secret));
        this.notFound = notFound;
        this.forbidden = forbidden;
    }

    /**
     * Checks a token before it goes into a header. The message never repeats the token: the JDK's own
     * complaint about an invalid header value might.
     */
    static String checkedToken(String provider, String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(provider + ": no API token was given");
        }
        String stripped = token.strip();
        for (int i = 0; i < stripped.length(); i++) {
            char c = stripped.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException(provider
                        + ": the API token contains spaces, control or non-ASCII characters; is it the right value?");
            }
        }
        return stripped;
    }

    /** The API base without a trailing slash, so that paths can be appended to it. */
    static String base(URI apiBase) {
        String scheme = apiBase.getScheme();
        if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("an API base must be an http(s) URL, not " + apiBase);
        }
        if (!dev.meshwave.git.GitCredentials.mayCarryCredentials(scheme, apiBase.getHost())) {
            throw new IllegalArgumentException(dev.meshwave.git.GitCredentials.WHERE_CREDENTIALS_GO + ", not " + dev.meshwave.plan.Redaction.url(apiBase.toString()));
        }
        String base = apiBase.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base;
    }

    /** Percent-encodes one path segment or query value ({@code /} too, as GitLab project ids need). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String query(Map<String, String> parameters) {
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, value) -> query.append(query.length() == 0 ? "?" : "&")
                .append(encode(name)).append('=').append(encode(value)));
        return query.toString();
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /**
     * Hides the token, in every encoding and piece the run's redaction knows (a server echoing part of
     * it, or its base64); used on every message this package builds, before the output's own redaction.
     */
    String redact(String message) {
        return message == null ? null : redaction.text(message);
    }

    ProviderException failure(String operation, String detail, int status) {
        return new ProviderException(redact(provider + ": " + operation + " failed: " + detail), status);
    }

    /**
     * Whether an open request already has this title. Servers may trim titles, so surrounding
     * whitespace is no reason to write again.
     */
    static boolean sameTitle(String wanted, JsonNode current) {
        return current != null && !current.isNull() && wanted.strip().equals(current.asText().strip());
    }

    /**
     * Whether an open request already has this body. An empty body comes back as null, and an edit in
     * the web UI turns line ends into CRLF; neither is a change worth a write, or re-publishing an
     * unchanged plan would never settle.
     */
    static boolean sameBody(String wanted, JsonNode current) {
        String existing = current == null || current.isNull() ? "" : current.asText();
        return normalized(wanted).equals(normalized(existing));
    }

    private static String normalized(String text) {
        return text.replace("\r\n", "\n").stripTrailing();
    }

    /** A text field of a successful reply, or a failure naming what was missing. */
    String text(Reply reply, JsonNode node, String field, String operation) throws ProviderException {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || !value.isValueNode() || value.isNull()) {
            throw failure(operation, reply.status() + " the response has no \"" + field + "\"", reply.status());
        }
        return value.asText();
    }

    /**
     * Sends one request, retrying on 429, 5xx and I/O errors when that is safe: always for idempotent
     * methods, and for POST only after a 429, which means the server did nothing.
     */
    Reply call(String method, String uri, JsonNode body, String operation) throws ProviderException {
        boolean idempotent = IDEMPOTENT.contains(method);
        HttpRequest request = request(method, uri, body);
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response;
            // The request's own timeout ends with the headers; a server trickling its body would hold the run
            // forever, so the whole exchange has a deadline, and one that passes is not retried.
            java.util.concurrent.CompletableFuture<HttpResponse<String>> pending =
                    http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            try {
                response = pending.get(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                pending.cancel(true);
                throw failure(operation, "no complete response from " + URI.create(uri).getHost() + " within "
                        + deadline.toSeconds() + " s" + (idempotent ? "" : "; it may have gone through anyway:"
                        + " re-running publish finds it rather than opening another"), 0);
            } catch (java.util.concurrent.ExecutionException e) {
                IOException io = e.getCause() instanceof IOException cause ? cause : new IOException(e.getCause());
                if (!idempotent || attempt == MAX_ATTEMPTS) {
                    throw failure(operation, noResponse(io, uri, attempt, idempotent), 0);
                }
                pause(backoff(attempt), operation);
                continue;
            } catch (InterruptedException e) {
                pending.cancel(true);
                Thread.currentThread().interrupt();
                throw failure(operation, "interrupted", 0);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Reply(status, parse(response, operation));
            }
            boolean retryable = status == 429 || (idempotent && status >= 500);
            if (retryable && attempt < MAX_ATTEMPTS) {
                Optional<Duration> asked = retryAfter(response);
                if (asked.isEmpty() || asked.get().compareTo(LONGEST_WAIT) <= 0) {
                    pause(asked.orElse(backoff(attempt)), operation);
                    continue;
                }
            }
            throw failure(operation, explain(response, method, attempt), status);
        }
    }

    private HttpRequest request(String method, String uri, JsonNode body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(uri)).timeout(deadline);
        for (int i = 0; i < headers.size(); i += 2) {
            builder.header(headers.get(i), headers.get(i + 1));
        }
        if (body == null) {
            return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        builder.header("Content-Type", "application/json");
        return builder.method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
    }

    private void pause(Duration duration, String operation) throws ProviderException {
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(operation, "interrupted while waiting to retry", 0);
        }
    }

    /** 1 s, then 2 s: enough to ride out a blip without making a failing run slow. */
    private static Duration backoff(int attempt) {
        return Duration.ofSeconds(1L << (attempt - 1));
    }

    /** Retry-After in seconds; the HTTP-date form is rare on these APIs and falls back to the backoff. */
    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                long seconds = Long.parseLong(value.trim());
                return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private JsonNode parse(HttpResponse<String> response, String operation) throws ProviderException {
        String text = response.body();
        if (text == null || text.isBlank()) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw failure(operation, response.statusCode() + " the response is not JSON (is the API base right?)",
                    response.statusCode());
        }
    }

    private String noResponse(IOException e, String uri, int attempt, boolean idempotent) {
        String host = URI.create(uri).getHost();
        String cause = e.getMessage() == null || e.getMessage().isBlank()
                ? e.getClass().getSimpleName() : e.getMessage();
        String detail = "no response from " + host + " (" + cause + ")" + attempts(attempt);
        if (!idempotent) {
            // The request may have arrived before the connection broke; repeating it could open a second one.
            detail += "; it may have gone through anyway: re-running publish finds it rather than opening another";
        }
        return detail;
    }

    private String explain(HttpResponse<String> response, String method, int attempt) {
        int status = response.statusCode();
        String said = serverMessage(response.body());
        String detail;
        if (status == 401) {
            detail = "the token was refused" + inParentheses(said)
                    + "; check that it is set, current and meant for this server";
        } else if (status == 403 && rateLimitUsedUp(response)) {
            detail = "the API rate limit for this token is used up" + resetTime(response);
        } else if (status == 403) {
            detail = forbidden + inParentheses(said);
        } else if (status == 404) {
            detail = notFound + inParentheses(said);
        } else if (status == 422) {
            detail = said.isEmpty() ? "the request was rejected as invalid" : said;
        } else if (status == 429) {
            detail = "rate limited" + inParentheses(said)
                    + retryAfter(response).map(d -> "; the API asks to wait " + d.toSeconds() + " s").orElse("")
                    + resetTime(response);
        } else if (status >= 500) {
            detail = "the server failed" + inParentheses(said) + "; try again later";
            if (!IDEMPOTENT.contains(method)) {
                detail += "; it may have gone through anyway: re-running publish finds it rather than opening another";
            }
        } else if (status >= 300 && status < 400) {
            detail = "the API redirected to " + response.headers().firstValue("Location").orElse("another address")
                    + "; was the repository renamed or moved?";
        } else {
            detail = said.isEmpty() ? "unexpected response" : said;
        }
        return status + " " + detail + attempts(attempt);
    }

    private static String attempts(int attempt) {
        return attempt > 1 ? " (after " + attempt + " attempts)" : "";
    }

    private static String inParentheses(String said) {
        return said.isEmpty() ? "" : " (" + said + ")";
    }

    private static boolean rateLimitUsedUp(HttpResponse<?> response) {
        // GitHub sends x-ratelimit-remaining, GitLab RateLimit-Remaining; header names are case-insensitive.
        return response.headers().firstValue("x-ratelimit-remaining").map(String::trim).filter("0"::equals)
                .or(() -> response.headers().firstValue("RateLimit-Remaining").map(String::trim).filter("0"::equals))
                .isPresent();
    }

    private static String resetTime(HttpResponse<?> response) {
        Optional<String> reset = response.headers().firstValue("x-ratelimit-reset")
                .or(() -> response.headers().firstValue("RateLimit-Reset"));
        OptionalLong epochSeconds = reset.map(value -> {
            try {
                return OptionalLong.of(Long.parseLong(value.trim()));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }).orElse(OptionalLong.empty());
        return epochSeconds.isPresent() ? "; it resets at " + Instant.ofEpochSecond(epochSeconds.getAsLong()) : "";
    }

    /**
     * What the server said, in one line: GitHub's {@code message} and {@code errors[]}, GitLab's
     * {@code message} (a string, a list or a map of field to problems) or {@code error}. A body that is
     * not JSON (a proxy's HTML page) is left out rather than pasted into the message.
     */
    static String serverMessage(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            String text = body.strip();
            return text.startsWith("<") || text.contains("\n") ? "" : shorten(text);
        }
        if (json == null || !json.isObject()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        describe(json.get("message"), "", parts);
        JsonNode errors = json.get("errors");
        if (errors != null && errors.isArray()) {
            for (JsonNode error : errors) {
                parts.add(describeError(error));
            }
        } else if (errors != null) {
            describe(errors, "", parts);
        }
        if (parts.isEmpty()) {
            describe(json.get("error_description"), "", parts);
        }
        if (parts.isEmpty()) {
            describe(json.get("error"), "", parts);
        }
        parts.removeIf(String::isBlank);
        if (parts.isEmpty()) {
            return "";
        }
        String first = parts.remove(0);
        return shorten(parts.isEmpty() ? first : first + ": " + String.join("; ", parts));
    }

    private static void describe(JsonNode node, String prefix, List<String> parts) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isValueNode()) {
            parts.add(prefix + node.asText());
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                describe(item, prefix, parts);
            }
        } else {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                describe(field.getValue(), prefix + field.getKey() + " ", parts);
            }
        }
    }

    /** A GitHub validation error: its message if it has one, else "resource field code". */
    private static String describeError(JsonNode error) {
        if (error.isValueNode()) {
            return error.asText();
        }
        JsonNode message = error.get("message");
        if (message != null && message.isValueNode() && !message.asText().isBlank()) {
            return message.asText();
        }
        List<String> words = new ArrayList<>();
        for (String key : List.of("resource", "field", "code")) {
            JsonNode value = error.get(key);
            if (value != null && value.isValueNode()) {
                words.add(value.asText());
            }
        }
        return String.join(" ", words);
    }

    private static String shorten(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= LONGEST_SERVER_MESSAGE ? line : line.substring(0, LONGEST_SERVER_MESSAGE) + "…";
    }

    @Override
    public String toString() {
        return "ProviderHttp[" + provider + "]";
    }
}
