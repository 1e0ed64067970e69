package dev.meshwave.cli;

import java.time.Clock;
import java.util.Map;

/** What a run reads from outside its arguments: environment variables and the clock. Tests pass their own. */
public record Environment(Map<String, String> variables, Clock clock) {

    public Environment {
        variables = Map.copyOf(variables);
    }

    public static Environment system() {
        return new Environment(System.getenv(), Clock.systemUTC());
    }
}
