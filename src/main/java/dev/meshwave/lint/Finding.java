package dev.meshwave.lint;

import dev.meshwave.plan.SourcePosition;
import java.util.List;

/**
 * One problem lint found, at the position of the object to fix, with every build or directory in
 * which it shows: a namespace file shared by ten stages is one finding, not ten.
 */
public record Finding(Rule rule, SourcePosition position, String message, List<String> seenIn) {

    public Finding {
        seenIn = List.copyOf(seenIn);
    }

    @Override
    public String toString() {
        return position + ": error: " + message + " [" + rule.id() + "]";
    }
}
