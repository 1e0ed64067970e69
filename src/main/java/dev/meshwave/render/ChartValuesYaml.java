package dev.meshwave.render;

import dev.meshwave.plan.ChartValues;
import dev.meshwave.plan.Plan;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.representer.StandardRepresenter;

/**
 * The istiod chart values a Helm release or Sail's {@code Istio} object carries, as YAML: the plan's
 * {@link ChartValues}, then meshwave's own keys last so they win (the revision, and the cluster's facts as
 * {@link ClusterFacts} has them, which every injector path reads).
 */
final class ChartValuesYaml {

    /** A string written double-quoted, as Sail's template wrote the cluster's facts before it took values. */
    record Quoted(String text) {}

    private ChartValuesYaml() {}

    /**
     * The plan's chart values with meshwave's keys set last: {@code revision} when the delivery sets it (Helm; Sail
     * sets it itself), {@code ""} for the non-revisioned {@code default}; {@code global.meshID},
     * {@code global.multiCluster.clusterName}, {@code global.network}. The revision keeps the first place, the
     * facts their order, so that a plan without values renders as it did.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> istiodValues(Plan plan, ClusterFacts facts, Optional<String> revision, boolean todays,
            boolean quoteFacts) {
        Map<String, Object> values = new LinkedHashMap<>();
        Optional<String> chartRevision = revision.map(r -> Plan.DEFAULT_REVISION.equals(r) ? "" : r);
        chartRevision.ifPresent(r -> values.put("revision", r));
        // Today's release keeps today's values (the values file); the new one gets the overlays, hub and profile too.
        ChartValues.merge(values, todays ? plan.to().chartValues().todayToMap() : plan.to().chartValues().toMap());
        chartRevision.ifPresent(r -> values.put("revision", r));
        Map<String, Object> global = values.get("global") instanceof Map ? (Map<String, Object>) values.get("global") : new LinkedHashMap<>();
        values.put("global", global);
        facts.meshID().ifPresent(meshID -> global.put("meshID", text(meshID, quoteFacts)));
        Map<String, Object> multiCluster = global.get("multiCluster") instanceof Map
                ? (Map<String, Object>) global.get("multiCluster") : new LinkedHashMap<>();
        multiCluster.put("clusterName", text(facts.clusterName(), quoteFacts));
        global.put("multiCluster", multiCluster);
        facts.network().ifPresent(network -> global.put("network", text(network, quoteFacts)));
        return values;
    }

    private static Object text(String text, boolean quoted) {
        return quoted ? new Quoted(text) : text;
    }

    /** A values mapping as block YAML, each line indented by {@code spaces}, for a template to place under {@code values:}. */
    static String indented(Map<String, Object> values, int spaces) {
        DumpSettings settings = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setIndent(2)
                .setIndicatorIndent(2).setIndentWithIndicator(true).build();
        String yaml = new Dump(settings, new Representer(settings)).dumpToString(values);
        StringBuilder text = new StringBuilder();
        for (String line : yaml.split("\n")) {
            text.append(" ".repeat(spaces)).append(line).append('\n');
        }
        return text.toString().stripTrailing();
    }

    private static final class Representer extends StandardRepresenter {
        Representer(DumpSettings settings) {
            super(settings);
            this.representers.put(Quoted.class, data -> representScalar(Tag.STR, ((Quoted) data).text(), ScalarStyle.DOUBLE_QUOTED));
        }
    }
}
