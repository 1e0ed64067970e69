package dev.meshwave.git;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Keeps credentials out of every message meshwave prints: URL user-info and known secrets. */
public final class Redaction {

    private final List<String> secrets;

    public Redaction(Collection<String> secrets) {
        this.secrets = secrets.stream().filter(s -> s != null && s.length() >= 4).toList();
    }

    /** Hides every token the environment offers to meshwave. */
    public static Redaction of(Map<String, String> environment) {
        return new Redaction(GitCredentials.TOKEN_VARIABLES.stream().map(environment::get).filter(Objects::nonNull).toList());
    }

    /** {@code https://user:token@host/x} → {@code https://***@host/x}. */
    public static String url(String url) {
        return url == null ? null : url.replaceAll("(?<=://)[^/@\\s]+@", "***@");
    }

    /** A message with URLs' credentials and every known secret replaced by {@code ***}. */
    public String text(String message) {
        if (message == null) {
            return null;
        }
        String result = url(message);
        for (String secret : secrets) {
            result = result.replace(secret, "***");
        }
        return result;
    }
}
