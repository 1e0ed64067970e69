package dev.meshwave.cli;

import dev.meshwave.plan.Plan;
import dev.meshwave.render.ClusterSubset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --clusters} and {@code --shard}: the clusters one run renders or publishes, so that a fleet splits across the
 * jobs of a CI matrix ({@link ClusterSubset} says how shards are made and what stays whole). Picocli mixins, one per
 * option: {@code render} takes both, {@code publish} and {@code rollback} only {@code --shard}, whose branches have a
 * name of their own ({@code meshwave/<plan>/shard-I-of-N/…}); a list of names has none that stays stable.
 */
final class ClusterSelection {

    private static final Pattern SHARD = Pattern.compile("(\\d{1,9})/(\\d{1,9})");

    private ClusterSelection() {}

    /** {@code --shard I/N}. */
    static final class ShardOption {
        @Option(names = "--shard", paramLabel = "I/N", converter = ShardConverter.class,
                description = "Only shard I of N (1-based): the clusters at plan positions I, I+N, I+2N, …; the files under"
                        + " meshwave/<plan>/ are the whole fleet's in every shard.")
        ClusterSubset.Shard shard;
    }

    /** {@code --clusters NAME[,NAME…]}. */
    static final class NamesOption {
        @Option(names = "--clusters", paramLabel = "NAME[,NAME...]", split = ",",
                description = "Only these clusters (names from the plan); the files under meshwave/<plan>/ are still the whole fleet's.")
        List<String> names = new ArrayList<>();
    }

    /** Parses {@code I/N} before anything runs: a bad value is a usage error (exit 2) that names what is expected. */
    static final class ShardConverter implements CommandLine.ITypeConverter<ClusterSubset.Shard> {
        @Override
        public ClusterSubset.Shard convert(String value) {
            Matcher m = SHARD.matcher(value.strip());
            if (m.matches()) {
                int index = Integer.parseInt(m.group(1));
                int count = Integer.parseInt(m.group(2));
                if (count >= 1 && index >= 1 && index <= count) {
                    return new ClusterSubset.Shard(index, count);
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a shard: expected I/N with 1 ≤ I ≤ N"
                    + " (shards count from 1: --shard 1/3, 2/3, 3/3)");
        }
    }

    /** The subset the options name, checked against the plan: an unknown name or an empty shard is a usage error. */
    static ClusterSubset subset(Plan plan, NamesOption names, ShardOption shard, CommandSpec spec) {
        try {
            if (!names.names.isEmpty()) {
                return ClusterSubset.named(plan, names.names.stream().map(String::strip).toList());
            }
            return shard.shard == null ? ClusterSubset.ALL : ClusterSubset.shard(plan, shard.shard);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), (names.names.isEmpty() ? "--shard " + shard.shard + ": " : "--clusters: ")
                    + dev.meshwave.plan.TerminalText.escape(e.getMessage()));
        }
    }

    /** Refuses both options at once before the plan is read: a shard of a list of names is not a thing CI needs. */
    static void refuseBoth(NamesOption names, ShardOption shard, CommandSpec spec) {
        if (!names.names.isEmpty() && shard.shard != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--clusters and --shard are exclusive: choose the clusters"
                    + " by name or by shard");
        }
        if (names.names.stream().anyMatch(String::isBlank)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--clusters has an empty name (expected NAME[,NAME...])");
        }
    }
}
