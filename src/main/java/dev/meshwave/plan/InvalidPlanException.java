package dev.meshwave.plan;

import java.util.List;

/** Every error found in a plan, reported together (exit code 2). */
public final class InvalidPlanException extends Exception {

    private final List<Problem> problems;

    public InvalidPlanException(List<Problem> problems) {
        super(problems.isEmpty() ? "invalid plan" : problems.get(0).toString());
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
