package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Kustomize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Gateway API gateways and waypoints move by their own {@code istio.io/rev} (istio 1.28 pkg/revisions/tag_watcher.go
 * {@code IsMine}: the object's label, then its namespace's, then the default revision), set by the cluster's
 * {@code components/gateways/<namespace>} component as it should be at the live stage. A team's kustomization that
 * includes the component builds, with the real {@code kubectl kustomize}, each Gateway with exactly that label: none
 * before the wave of a gateway that carries none today (so including the component changes nothing, and rolling the
 * wave back removes the label again), today's label for one that carries it, the new revision from its wave on.
 */
class GatewayWavesIT {

    /** examples/helm-ambient: bookinfo/waypoint carries no label today, reviews/waypoint 1-25-2; both move in wave waypoints. */
    @ParameterizedTest
    @CsvSource({"control-plane, , 1-25-2, ", "ztunnel, , 1-25-2, ", "waypoints, 1-26-1, 1-26-1, ", "ingress, 1-26-1, 1-26-1, 1-26-1",
            "cleanup, 1-26-1, 1-26-1, 1-26-1"})
    void eachGatewayCarriesTheLabelOfTheLiveStage(String live, String bookinfo, String reviews, String ingress, @TempDir Path tmp)
            throws Exception {
        Path out = tmp.resolve("out");
        Cli.Result result = Cli.run("render", "examples/helm-ambient/plan.yaml", "--out", out.toString(), "--live", live);
        assertEquals(0, result.exitCode(), result::toString);
        Path components = out.resolve("clusters/edge-1/mesh/components/gateways");
        Map<String, String> expected = new HashMap<>();
        expected.put("bookinfo/waypoint", bookinfo);
        expected.put("reviews/waypoint", reviews);
        expected.put("istio-ingress/public", ingress);
        for (Map.Entry<String, String> gateway : expected.entrySet()) {
            String namespace = gateway.getKey().split("/")[0];
            String name = gateway.getKey().split("/")[1];
            Path team = tmp.resolve("team-" + namespace);
            Files.createDirectories(team);
            // The team's own Gateway as it is today, and its kustomization, which includes the component once.
            Files.writeString(team.resolve("gateway.yaml"), """
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: Gateway
                    metadata:
                      name: %s
                    %s
                    spec:
                      gatewayClassName: istio-waypoint
                    """.formatted(name, namespace.equals("reviews") ? "  labels:\n    istio.io/rev: \"1-25-2\"" : ""));
            Files.writeString(team.resolve("kustomization.yaml"), """
                    namespace: %s
                    resources: [gateway.yaml]
                    components: [%s]
                    """.formatted(namespace, team.relativize(components.resolve(namespace))));
            List<Map<String, Object>> built = Kustomize.build(team);
            Object labels = Kustomize.at(Kustomize.find(built, "Gateway", namespace, name).orElseThrow(), "metadata", "labels");
            Object label = labels == null ? null : ((Map<?, ?>) labels).get("istio.io/rev");
            assertEquals(gateway.getValue(), label == null ? null : String.valueOf(label), live + ": " + gateway.getKey());
        }
    }
}
