package dev.meshwave.render;

import static dev.meshwave.testing.Kustomize.at;
import static dev.meshwave.testing.Kustomize.build;
import static dev.meshwave.testing.Kustomize.find;
import static dev.meshwave.testing.Kustomize.labels;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshwave.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One wave relabels a namespace and moves a tag for another: both strategies in one stage, built by kustomize. */
class MixedPlanIT {

    @TempDir
    Path tmp;

    @Test
    void aWaveCanRelabelOneNamespaceAndMoveTheTagAnotherFollows() throws IOException {
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), """
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: mixed
                spec:
                  from:
                    revision: asm-1130-0
                  to:
                    version: 1.28.0-asm.1
                  tags:
                    prod-stable: apps
                  clusters:
                    - name: c1
                      path: clusters/c1
                  waves:
                    - name: apps
                      namespaces: [ingress, {name: app, tag: prod-stable}]
                """);
        Path out = tmp.resolve("out");
        Cli.Result result = Cli.run("render", plan.toString(), "--out", out.toString());
        assertEquals(0, result.exitCode(), result::toString);

        List<Map<String, Object>> before = build(out.resolve("clusters/c1/stages/00-control-plane"));
        assertEquals(Map.of("istio.io/rev", "asm-1130-0"), labels(find(before, "Namespace", null, "ingress").orElseThrow()));
        assertEquals(Map.of("istio.io/rev", "prod-stable"), labels(find(before, "Namespace", null, "app").orElseThrow()));
        assertEquals("asm-1130-0", at(find(before, "Service", "istio-system", "istiod-revision-tag-prod-stable").orElseThrow(),
                "spec", "selector", "istio.io/rev"));

        List<Map<String, Object>> after = build(out.resolve("clusters/c1/stages/01-apps"));
        assertEquals(Map.of("istio.io/rev", "asm-1280-1"),
                labels(find(after, "Namespace", null, "ingress").orElseThrow()));
        assertEquals(Map.of("istio.io/rev", "prod-stable"), labels(find(after, "Namespace", null, "app").orElseThrow()));
        Map<String, Object> tag = find(after, "MutatingWebhookConfiguration", null, "istio-revision-tag-prod-stable").orElseThrow();
        assertEquals("asm-1280-1", labels(tag).get("istio.io/rev"));
        assertEquals("istiod-asm-1280-1", at(tag, "webhooks", 1, "clientConfig", "service", "name"));
        Map<String, Object> tagService = find(after, "Service", "istio-system", "istiod-revision-tag-prod-stable").orElseThrow();
        assertEquals("asm-1280-1", at(tagService, "spec", "selector", "istio.io/rev"));
        assertEquals("asm-1280-1", labels(tagService).get("istio.io/rev"));

        // Both namespaces restart with this wave; while stage 00 is live their components name the old revision.
        for (String namespace : List.of("ingress", "app")) {
            assertEquals(true, Files.readString(out.resolve("clusters/c1/components/restart/" + namespace + "/kustomization.yaml"))
                    .contains("meshwave.dev/revision: \"asm-1130-0\""), namespace + " is on the old revision in the live stage 00");
        }
    }
}
