package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.Optional;

/**
 * What a cluster is called in the mesh, which network it is on and which mesh it belongs to, exactly
 * as the installer will set them (MESH-FACTS §4, §7). The cluster-facts overlay, the installer's flags
 * and every injector's path read these values, so a pod injected through a tag joins istiod's network.
 *
 * <ul>
 *   <li>ASM on Google Cloud: asmcli (and 1.10's install_asm) reads the cluster's VPC from GKE and sets
 *       the network to {@code <project>-<VPC>} whatever {@code --network_id} says
 *       (anthos-service-mesh-packages {@code asmcli/lib/util.sh} {@code populate_cluster_values};
 *       release-1.10-asm {@code install_asm} {@code GCE_NETWORK_NAME}); the plan's {@code network} is that VPC.</li>
 *   <li>ASM off Google Cloud: the plan's {@code network} is the network, passed as {@code --network_id}
 *       (asmcli's own default, {@code default}, is what a plan without one gets from the installer).</li>
 *   <li>Plain Istio: {@code istioctl install} sets what the overlays say; no Google-derived value.</li>
 * </ul>
 */
record ClusterFacts(String clusterName, Optional<String> network, Optional<String> meshID) {

    static ClusterFacts of(Plan plan, Plan.Cluster cluster) {
        boolean asm = plan.to().version().isAsm();
        String clusterName = cluster.clusterName().orElseGet(() -> asm && cluster.project().isPresent() && cluster.location().isPresent()
                ? "cn-" + cluster.project().get() + "-" + cluster.location().get() + "-" + cluster.name()
                : cluster.name());
        Optional<String> network = cluster.network().map(n -> asm && cluster.onGoogleCloud() ? cluster.project().orElseThrow() + "-" + n : n);
        Optional<String> meshID = cluster.meshID().or(() -> cluster.fleetProjectNumber().map(n -> "proj-" + n));
        return new ClusterFacts(clusterName, network, meshID);
    }

    /** The injectors' path: istiod serves a cluster's network-aware injection under it (MESH-FACTS §4). */
    String injectPath() {
        return network.map(n -> "/inject/cluster/" + clusterName + "/net/" + n).orElse("/inject");
    }
}
