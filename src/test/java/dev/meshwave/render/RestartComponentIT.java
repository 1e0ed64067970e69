package dev.meshwave.render;

import static dev.meshwave.testing.Kustomize.at;
import static dev.meshwave.testing.Kustomize.build;
import static dev.meshwave.testing.Kustomize.find;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.meshwave.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restart component in an application's own kustomization, built with the real kustomize. The app
 * sets its namespace with {@code namespace:}, the common layout that a namespace selector would miss.
 */
class RestartComponentIT {

    @TempDir
    Path out;

    @Test
    void stampsEveryWorkloadWithTheRevisionOfTheLiveStage() throws IOException {
        writeApp();
        render("canary");
        List<Map<String, Object>> objects = build(out.resolve("apps/frontend"));
        for (String kind : List.of("Deployment", "StatefulSet", "DaemonSet")) {
            Map<String, Object> workload = find(objects, kind, "frontend", "web").orElseThrow(() -> new AssertionError(kind));
            assertEquals("asm-1106-2", at(workload, "spec", "template", "metadata", "annotations", "meshwave.dev/revision"), kind);
        }
        Map<String, Object> deployment = find(objects, "Deployment", "frontend", "web").orElseThrow();
        assertEquals("keep", at(deployment, "spec", "template", "metadata", "annotations", "team.example/own"));
        assertNull(at(find(objects, "Service", "frontend", "web").orElseThrow(), "metadata", "annotations"));
    }

    @Test
    void beforeTheWaveTheAnnotationNamesTheOldRevision() throws IOException {
        writeApp();
        render("control-plane");
        Map<String, Object> deployment = find(build(out.resolve("apps/frontend")), "Deployment", "frontend", "web").orElseThrow();
        assertEquals("default", at(deployment, "spec", "template", "metadata", "annotations", "meshwave.dev/revision"));
    }

    private void render(String live) {
        Cli.Result result = Cli.run("render", "examples/istio-to-asm/plan.yaml", "--out", out.toString(), "--live", live);
        assertEquals(0, result.exitCode(), result::toString);
    }

    private void writeApp() throws IOException {
        Path app = Files.createDirectories(out.resolve("apps/frontend"));
        Files.writeString(app.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namespace: frontend
                resources:
                - workloads.yaml
                components:
                - ../../clusters/prod-us/mesh/components/restart/frontend
                """);
        String template = """
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                      annotations: {team.example/own: keep}
                    spec:
                      containers: [{name: web, image: nginx}]
                """;
        Files.writeString(app.resolve("workloads.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n" + template
                + "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\nspec:\n  serviceName: web\n" + template
                + "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: web}\nspec:\n" + template
                + "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n");
    }
}
