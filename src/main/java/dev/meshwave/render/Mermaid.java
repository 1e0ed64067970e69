package dev.meshwave.render;

import dev.meshwave.rollout.Stage;
import dev.meshwave.rollout.StagePlan;
import java.util.List;
import java.util.Map;

/**
 * The rollout as a Mermaid flowchart, which GitHub and GitLab draw in Markdown: one row of stages per
 * cluster, the stages a reader should look at (live, or made live by a pull request) highlighted.
 */
final class Mermaid {

    private Mermaid() {}

    /** A {@code mermaid} code block; {@code highlighted} maps cluster name to its stage to highlight. */
    static String stages(List<StagePlan> fleet, Map<String, Stage> highlighted) {
        StringBuilder chart = new StringBuilder("```mermaid\nflowchart LR\n");
        for (int c = 0; c < fleet.size(); c++) {
            StagePlan stages = fleet.get(c);
            String cluster = stages.cluster().name();
            chart.append("  subgraph c").append(c).append("[\"").append(cluster).append("\"]\n    direction LR\n    ");
            for (Stage stage : stages.stages()) {
                if (stage.number() > 0) {
                    chart.append(" --> ");
                }
                chart.append(id(c, stage)).append("[\"").append(stage.directory()).append("\"]");
            }
            chart.append("\n  end\n");
        }
        chart.append("  classDef live fill:#d4f7d4,stroke:#1a7f37,stroke-width:2px\n");
        for (int c = 0; c < fleet.size(); c++) {
            Stage stage = highlighted.get(fleet.get(c).cluster().name());
            if (stage != null) {
                chart.append("  class ").append(id(c, stage)).append(" live\n");
            }
        }
        return chart.append("```\n").toString();
    }

    private static String id(int cluster, Stage stage) {
        return "c" + cluster + "s" + stage.number();
    }
}
