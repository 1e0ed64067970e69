package dev.meshwave.git;

import dev.meshwave.plan.ProcessTree;
import dev.meshwave.plan.Redaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.errors.UnsupportedCredentialItem;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Credentials for https remotes: a token from the environment ({@code MESHWAVE_GIT_TOKEN},
 * {@code GITHUB_TOKEN}, {@code GITLAB_TOKEN}; user {@code MESHWAVE_GIT_USER}, default
 * {@code x-access-token}), else whatever git's own credential helpers answer. ssh remotes use the
 * user's keys and known_hosts through JGit's Apache MINA sshd transport and need nothing here.
 */
public final class GitCredentials {

    static final List<String> TOKEN_VARIABLES = Redaction.TOKEN_VARIABLES;

    private GitCredentials() {}

    /** The token the environment provides, if any. */
    public static Optional<String> token(Map<String, String> env) {
        return TOKEN_VARIABLES.stream().map(env::get).filter(t -> t != null && !t.isBlank()).findFirst();
    }

    public static CredentialsProvider provider(Map<String, String> env) {
        return provider(env, null);
    }

    /**
     * Credentials for a remote: user and password written in its URL, else the environment's token,
     * else git's credential helpers (given {@code helperTimeout} to answer); never sent over plain http
     * to anything but this machine.
     */
    public static CredentialsProvider provider(Map<String, String> env, String url) {
        return provider(env, url, new Redaction(), NetworkTimeout.DEFAULT.connect());
    }

    /**
     * As {@link #provider(Map, String)}, holding a URL's password and a credential helper's answer in the
     * run's {@code redaction}, and giving the helper {@code helperTimeout} to answer.
     */
    public static CredentialsProvider provider(Map<String, String> env, String url, Redaction redaction, java.time.Duration helperTimeout) {
        CredentialsProvider chosen = new GitCredentialHelper(env, redaction, helperTimeout);
        Optional<String> token = token(env);
        URIish uri = parse(url);
        if (uri != null && uri.getUser() != null && uri.getPass() != null) {
            redaction.hold(uri.getPass(), "the password in the repository URL");
            chosen = new UsernamePasswordCredentialsProvider(uri.getUser(), uri.getPass());
        } else if (token.isPresent()) {
            chosen = new UsernamePasswordCredentialsProvider(env.getOrDefault("MESHWAVE_GIT_USER", "x-access-token"), token.get());
        }
        return new EncryptedOnly(chosen);
    }

    /**
     * The URL to store: without password, and without user unless it is ssh, where the user is the login
     * ({@code git@github.com}) and no secret; dropping it logged in to GitHub and GitLab as the local user.
     */
    public static String withoutCredentials(String url) {
        URIish uri = parse(url);
        if (uri == null || uri.getUser() == null) {
            return url;
        }
        return isSsh(uri) ? uri.setPass(null).toString() : withoutUser(url);
    }

    /** The URL without any user or password: what names the repository, whoever logs in. */
    public static String withoutUser(String url) {
        URIish uri = parse(url);
        return uri == null || uri.getUser() == null ? url : uri.setUser(null).setPass(null).toString();
    }

    /** ssh://, git+ssh://, ssh+git:// and git's scp-like user@host:path. */
    private static boolean isSsh(URIish uri) {
        String scheme = uri.getScheme();
        return scheme == null ? uri.getHost() != null
                : scheme.equalsIgnoreCase("ssh") || scheme.equalsIgnoreCase("git+ssh") || scheme.equalsIgnoreCase("ssh+git");
    }

    static URIish parse(String url) {
        try {
            return url == null ? null : new URIish(url);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** Refuses to hand credentials to an http:// (not https) server unless it is on this machine. */
    static final class EncryptedOnly extends CredentialsProvider {
        private final CredentialsProvider delegate;

        EncryptedOnly(CredentialsProvider delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean isInteractive() {
            return false;
        }

        @Override
        public boolean supports(CredentialItem... items) {
            return delegate.supports(items);
        }

        @Override
        public boolean get(URIish uri, CredentialItem... items) throws UnsupportedCredentialItem {
            if ("http".equalsIgnoreCase(uri.getScheme()) && !isLoopback(uri.getHost())) {
                return false;
            }
            return delegate.get(uri, items);
        }

        @Override
        public void reset(URIish uri) {
            delegate.reset(uri);
        }
    }

    /** {@link #mayCarryCredentials} in words, for messages. */
    public static final String WHERE_CREDENTIALS_GO = "a token or password goes only over https, or over http to this machine"
            + " (127.0.0.0/8, ::1, localhost)";

    /**
     * Whether a token or password may be sent to this URL: over https, or over plain http only to this
     * machine. The one rule for git remotes and pull-request APIs.
     */
    public static boolean mayCarryCredentials(String scheme, String host) {
        return "https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme) && isLoopback(host);
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /**
     * 127.0.0.0/8, ::1 or the name {@code localhost}, read as written and never looked up: a prefix test
     * ({@code startsWith("127.")}) sent the token to {@code http://127.attacker.example/}.
     */
    static boolean isLoopback(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        java.util.regex.Matcher v4 = IPV4.matcher(h);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255) {
                    return false;
                }
            }
            return Integer.parseInt(v4.group(1)) == 127;
        }
        if (h.contains(":") && h.matches("[0-9A-Fa-f:.]+")) {
            try {
                // An IPv6 literal: InetAddress only checks its format, it does no DNS lookup.
                return java.net.InetAddress.getByName(h).isLoopbackAddress();
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    /** Asks {@code git credential fill}, so that users' configured helpers (store, osxkeychain, …) work. */
    static final class GitCredentialHelper extends CredentialsProvider {

        private final Map<String, String> env;
        private final Redaction redaction;
        private final java.time.Duration timeout;

        /** {@code env}: the run's environment, over the process's (HOME, GIT_CONFIG_GLOBAL choose the helpers). */
        GitCredentialHelper(Map<String, String> env, Redaction redaction, java.time.Duration timeout) {
            this.env = env;
            this.redaction = redaction;
            this.timeout = timeout;
        }

        @Override
        public boolean isInteractive() {
            return false;
        }

        @Override
        public boolean supports(CredentialItem... items) {
            for (CredentialItem item : items) {
                if (!(item instanceof CredentialItem.Username) && !(item instanceof CredentialItem.Password)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean get(URIish uri, CredentialItem... items) throws UnsupportedCredentialItem {
            Map<String, String> answer = fill(uri);
            if (!answer.containsKey("password")) {
                return false;
            }
            // Before JGit sees it: a server's refusal may echo it, and everything printed passes the run's redaction.
            redaction.hold(answer.get("password"), "the password a git credential helper answered");
            for (CredentialItem item : items) {
                if (item instanceof CredentialItem.Username username) {
                    username.setValue(answer.getOrDefault("username", ""));
                } else if (item instanceof CredentialItem.Password password) {
                    password.setValue(answer.get("password").toCharArray());
                } else {
                    throw new UnsupportedCredentialItem(uri, item.getPromptText());
                }
            }
            return true;
        }

        /**
         * Asks the helpers, for at most the timeout: a helper that sleeps (or waits for a prompt nobody
         * answers) is killed with its children and counts as no answer, so JGit reports the remote's refusal.
         */
        private Map<String, String> fill(URIish uri) {
            Map<String, String> answer = new HashMap<>();
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
                return answer;
            }
            Process process = null;
            try {
                ProcessBuilder builder = new ProcessBuilder("git", "credential", "fill").redirectError(ProcessBuilder.Redirect.DISCARD);
                builder.environment().putAll(env);
                builder.environment().put("GIT_TERMINAL_PROMPT", "0");
                process = builder.start();
                // Read on another thread: a helper that never answers must not hold this one.
                java.io.InputStream stdout = process.getInputStream();
                java.util.concurrent.CompletableFuture<byte[]> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return stdout.readAllBytes();
                    } catch (IOException e) {
                        return new byte[0];
                    }
                });
                String request = "protocol=" + uri.getScheme() + "\nhost=" + uri.getHost()
                        + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "\npath=" + uri.getPath().replaceFirst("^/", "") + "\n\n";
                process.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
                process.getOutputStream().close();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
                    return answer;
                }
                String out = new String(output.get(timeout.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
                for (String line : out.split("\n")) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        answer.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
            } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                return answer;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (process != null && process.isAlive()) {
                    ProcessTree.kill(process); // the helper and whatever it started
                }
            }
            return answer;
        }

        @Override
        public void reset(URIish uri) {
            // Nothing cached here.
        }
    }
}
