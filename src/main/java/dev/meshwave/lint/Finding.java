package dev.meshwave.lint;

import dev.meshwave.plan.SourcePosition;
import java.util.List;

/**
 * One problem lint found, at the position of the object to fix, with every build or directory in
 * which it shows: a namespace file shared by ten stages is one finding, not ten. {@code related} are the
 * other places the message names (the other applier's label of a namespace applied twice), for SARIF.
 */
public record Finding(Rule rule, SourcePosition position, String message, List<String> seenIn, List<SourcePosition> related) {

    public Finding {
        seenIn = List.copyOf(seenIn);
        related = List.copyOf(related);
    }

    @Override
    public String toString() {
        return position + ": error: " + message + " [" + rule.id() + "]";
    }
}
