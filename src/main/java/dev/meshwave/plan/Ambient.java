package dev.meshwave.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ambient mode, said once for import, lint and render: a namespace labelled
 * {@code istio.io/dataplane-mode=ambient} has its traffic captured by ztunnel, and sidecar injection
 * takes precedence over ztunnel capture (istio.io, ambient "Enable ambient mode": "The sidecar takes
 * precedence over ztunnel for pods that have both"; Istio's injector never reads the ambient label, and its CNI node agent
 * leaves a pod with a sidecar out of ztunnel capture: istio/istio@1.28.10:pkg/kube/inject/inject.go,
 * cni/pkg/util/enablement_selector.go).
 * So a sidecar injection label on such a namespace gives its pods sidecars at their next restart.
 */
public final class Ambient {

    /** The namespace label that puts a namespace in ambient mode. */
    public static final String LABEL = "istio.io/dataplane-mode";

    private Ambient() {}

    /** Whether a namespace with these labels is ambient. */
    public static boolean is(Map<String, String> labels) {
        return "ambient".equals(labels.get(LABEL));
    }

    /**
     * The waves of {@code plan} that would label a namespace {@code istio.io/rev} although the
     * cluster's {@code namespacesFrom} kustomization (built into {@code built}) makes it ambient: one
     * error each, at the ambient label.
     */
    public static List<Problem> relabelledByWaves(Plan plan, Plan.Cluster cluster, List<Manifest> built) {
        Map<String, Manifest> ambient = new LinkedHashMap<>();
        built.stream().filter(o -> o.kind().equals("Namespace") && is(o.labels())).forEach(o -> ambient.putIfAbsent(o.name(), o));
        List<Problem> problems = new ArrayList<>();
        for (Plan.Wave wave : plan.waves()) {
            if (!wave.appliesTo(cluster)) {
                continue;
            }
            for (String namespace : wave.namespaces()) {
                Manifest found = ambient.get(namespace);
                if (found == null) {
                    continue;
                }
                String where = "cluster " + cluster.name() + ": namespace '" + namespace + "' is ambient (" + LABEL + "=ambient in "
                        + (cluster.inPlace() ? "namespacesIn " + cluster.namespacesIn().get() : "namespacesFrom " + cluster.namespacesFrom().orElse(""))
                        + ")";
                if (wave.dataplane() == Plan.Dataplane.AMBIENT) {
                    problems.add(Problem.error(found.at(Manifest.label(LABEL)), "", where + " already, so ambient wave '" + wave.name()
                            + "' has nothing to migrate: take it out of the wave"));
                    continue;
                }
                String label = "istio.io/rev=" + wave.followsTag().getOrDefault(namespace, plan.phases().get(0).to().revision());
                problems.add(Problem.error(found.at(Manifest.label(LABEL)), "",
                        where + " and wave '" + wave.name()
                                + "' would label it " + label + "; sidecar injection takes precedence over ztunnel capture, so its"
                                + " next restart would add sidecars (take it out of the waves: ambient namespaces are upgraded with"
                                + " ztunnel, not by a sidecar wave)"));
            }
        }
        return problems;
    }
}
