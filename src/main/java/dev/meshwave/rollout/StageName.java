package dev.meshwave.rollout;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The name of a stage directory, {@code NN-<label>} ({@code 00-control-plane}, {@code 01-ingress},
 * {@code 104-finalize}): two digits, three from 100 on. The one place a stage's name is formatted, read
 * back from a directory or a live kustomization, and matched against what a user types for a stage
 * ({@code --live}, {@code explain --stage}, {@code rollback --wave}), so that the renderer, the writer
 * and the publisher cannot disagree about which stage a name means.
 */
public record StageName(int number, String label) {

    /** The directory of a cluster directory that holds its stages; a live kustomization names {@code stages/<directory>}. */
    public static final String PARENT = "stages/";

    public StageName {
        if (number < 0 || label.isEmpty()) {
            throw new IllegalArgumentException("no stage name: " + number + "-" + label);
        }
    }

    /** {@code NN-<label>}: %02d, without a Formatter, since a fleet of thousands of stages asks for it often. */
    public String directory() {
        return (number < 10 ? "0" : "") + number + "-" + label;
    }

    /** The stage directory's path from its cluster directory, with a trailing slash: everything under it starts so. */
    public String path() {
        return PARENT + directory() + "/";
    }

    /**
     * Whether a selector names this stage: its number ({@code 1}, {@code 01}, {@code 001}), its
     * directory ({@code 01-ingress}) or its label ({@code ingress}, {@code control-plane}, {@code finalize}).
     */
    public boolean selectedBy(String selector) {
        return directory().equals(selector) || label.equals(selector)
                || (selector.matches("\\d{1,3}") && Integer.parseInt(selector) == number);
    }

    /** A directory name exactly as {@link #directory()} writes it; anything else ({@code 1-a}, {@code 001-a}, {@code 01}) is none. */
    public static Optional<StageName> parse(String directory) {
        int dash = directory.indexOf('-');
        if (dash < 2 || dash > 9 || !directory.substring(0, dash).chars().allMatch(c -> c >= '0' && c <= '9')
                || dash == directory.length() - 1) {
            return Optional.empty();
        }
        StageName name = new StageName(Integer.parseInt(directory.substring(0, dash)), directory.substring(dash + 1));
        return name.directory().equals(directory) ? Optional.of(name) : Optional.empty();
    }

    /**
     * The stage directory a cluster's live kustomization points at, as it is written there (its first
     * resource under {@code stages/}, trailing slashes dropped), whether or not it is a stage name: a
     * render names the one a plan does not have. Empty when the text is not one YAML mapping with resources.
     */
    public static Optional<String> liveIn(String kustomization) {
        try {
            Object document = new Load(LoadSettings.builder().build()).loadFromString(kustomization);
            if (document instanceof Map<?, ?> map && map.get("resources") instanceof List<?> resources) {
                return resources.stream()
                        .map(String::valueOf)
                        .filter(r -> r.startsWith(PARENT))
                        .map(r -> r.substring(PARENT.length()).replaceAll("/+$", ""))
                        .findFirst();
            }
        } catch (YamlEngineException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
