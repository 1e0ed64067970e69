package dev.meshwave.git;

import java.time.Duration;
import java.util.Map;

/**
 * How long a run waits on anything over the network: {@code request} bounds one whole exchange (a pull-request
 * API call with its body, every read of a git transport), {@code connect} a connection, an ssh login and a
 * {@code git credential} helper. A remote that hangs or trickles ends the run with exit 3 instead of holding it
 * forever. {@code MESHWAVE_NETWORK_TIMEOUT} seconds sets {@code request} (default 120); {@code connect} is 30 s,
 * or less when that is less.
 */
public record NetworkTimeout(Duration request, Duration connect) {

    public static final String VARIABLE = "MESHWAVE_NETWORK_TIMEOUT";
    public static final NetworkTimeout DEFAULT = of(Duration.ofSeconds(120));
    private static final long LONGEST_SECONDS = 3600;

    static NetworkTimeout of(Duration request) {
        Duration connect = Duration.ofSeconds(30);
        return new NetworkTimeout(request, request.compareTo(connect) < 0 ? request : connect);
    }

    /** The run's timeouts; a value that is not 1 to 3600 whole seconds is bad input (exit 2). */
    public static NetworkTimeout from(Map<String, String> env) throws InvalidRepositoryException {
        String value = env.get(VARIABLE);
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            if (seconds >= 1 && seconds <= LONGEST_SECONDS) {
                return of(Duration.ofSeconds(seconds));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        throw new InvalidRepositoryException(VARIABLE + " '" + shown + "' must be a whole number of seconds from 1 to " + LONGEST_SECONDS);
    }

    /** For JGit's transports, which count whole seconds. */
    int requestSeconds() {
        return (int) Math.max(1, request.toSeconds());
    }
}
