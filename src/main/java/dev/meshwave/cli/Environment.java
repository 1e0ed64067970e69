package dev.meshwave.cli;

import dev.meshwave.plan.Redaction;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What a run reads from outside its arguments: environment variables and the clock. Tests pass their
 * own. {@code redaction} holds the run's secrets (the variables' tokens, and whatever the git code
 * adds while it runs); {@link Main} hides them from everything the run prints.
 */
public record Environment(Map<String, String> variables, Clock clock, Redaction redaction) {

    public Environment {
        variables = Map.copyOf(variables);
        Objects.requireNonNull(redaction);
    }

    /** An environment holding the tokens of these variables. */
    public Environment(Map<String, String> variables, Clock clock) {
        this(variables, clock, Redaction.of(variables));
    }

    public static Environment system() {
        return new Environment(System.getenv(), Clock.systemUTC());
    }
}
