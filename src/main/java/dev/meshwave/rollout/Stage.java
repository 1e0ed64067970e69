package dev.meshwave.rollout;

import dev.meshwave.plan.Plan;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One cumulative stage of a cluster's upgrade: {@code 00-control-plane}, with ambient components
 * {@code 01-istio-cni} and {@code 02-ztunnel}, with ambient waves onto waypoints {@code NN-waypoints}, {@code NN-<wave>},
 * {@code NN-finalize}. A CA migration repeats them for its second phase, labelled {@code meshca-…},
 * and ends with {@code NN-ca-cleanup}.
 *
 * @param phase index into {@link Plan#phases()}; the cleanup belongs to the last phase
 */
public record Stage(int number, Kind kind, Optional<Plan.Wave> wave, int phase) {

    public enum Kind {
        CONTROL_PLANE, CNI, ZTUNNEL, WAYPOINTS, WAVE, FINALIZE, CA_CLEANUP, CLEANUP;

        /** The ambient component a {@link #CNI} or {@link #ZTUNNEL} stage upgrades. */
        public boolean isAmbientComponent() {
            return this == CNI || this == ZTUNNEL;
        }

        public static Kind of(Plan.Component component) {
            return component == Plan.Component.CNI ? CNI : ZTUNNEL;
        }

        /**
         * What a template knows of a stage's kind: {@code isControlPlane}, {@code isCni}, {@code isZtunnel}, {@code isWaypoints}, {@code isWave},
         * {@code isFinalize}, {@code isCaCleanup}, {@code isCleanup}, exactly one of them true (Mustache has sections, not
         * comparisons). Templates that treat both component stages alike also get {@link #isAmbientComponent()}.
         */
        public Map<String, Boolean> templateFlags() {
            Map<String, Boolean> flags = new LinkedHashMap<>();
            flags.put("isControlPlane", this == CONTROL_PLANE);
            flags.put("isCni", this == CNI);
            flags.put("isZtunnel", this == ZTUNNEL);
            flags.put("isWaypoints", this == WAYPOINTS);
            flags.put("isWave", this == WAVE);
            flags.put("isFinalize", this == FINALIZE);
            flags.put("isCaCleanup", this == CA_CLEANUP);
            flags.put("isCleanup", this == CLEANUP);
            return flags;
        }
    }

    /** A stage of the first (or only) phase. */
    public Stage(int number, Kind kind, Optional<Plan.Wave> wave) {
        this(number, kind, wave, 0);
    }

    public String label() {
        String label = switch (kind) {
            case CONTROL_PLANE -> "control-plane";
            case CNI -> Plan.Component.CNI.label();
            case ZTUNNEL -> Plan.Component.ZTUNNEL.label();
            case WAYPOINTS -> Plan.WAYPOINTS_LABEL;
            case WAVE -> wave.orElseThrow().name();
            case FINALIZE -> "finalize";
            case CA_CLEANUP -> Plan.CaMigration.CLEANUP_LABEL;
            case CLEANUP -> "cleanup";
        };
        return phase > 0 && kind != Kind.CA_CLEANUP && kind != Kind.CLEANUP ? Plan.CaMigration.STAGE_PREFIX + label : label;
    }

    public StageName name() {
        return new StageName(number, label());
    }

    /** The directory name under {@code stages/}. */
    public String directory() {
        return name().directory();
    }
}
