package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.Optional;

/** One cumulative stage of a cluster's upgrade: {@code 00-control-plane}, {@code NN-<wave>}, {@code NN-finalize}. */
public record Stage(int number, Kind kind, Optional<Plan.Wave> wave) {

    public enum Kind { CONTROL_PLANE, WAVE, FINALIZE }

    public String label() {
        return switch (kind) {
            case CONTROL_PLANE -> "control-plane";
            case WAVE -> wave.orElseThrow().name();
            case FINALIZE -> "finalize";
        };
    }

    /** The directory name under {@code stages/}. */
    public String directory() {
        return String.format(java.util.Locale.ROOT, "%02d-%s", number, label());
    }
}
