package dev.meshwave.render;

import static dev.meshwave.testing.Kustomize.at;
import static dev.meshwave.testing.Kustomize.build;
import static dev.meshwave.testing.Kustomize.find;
import static dev.meshwave.testing.Kustomize.labels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling finalize back is pointing the live kustomization at the stage before it; Argo CD's auto-prune and
 * Flux's {@code prune: true} then delete every object that stage no longer holds. A cluster whose default tag
 * and default validator existed before the upgrade must get them back as they were, not lose them.
 */
class RollbackIT {

    @TempDir
    Path tmp;

    @Test
    void rollingBackFinalizeRestoresAnExistingDefaultTagAndValidator() throws IOException {
        Path plan = Files.writeString(tmp.resolve("plan.yaml"), """
                apiVersion: meshwave.dev/v1alpha1
                kind: UpgradePlan
                metadata:
                  name: rollback
                spec:
                  from:
                    revision: asm-1229-3
                    version: 1.22.9-asm.3
                  to:
                    version: 1.23.3-asm.2
                  existing:
                    tags:
                      default: asm-1229-3
                  clusters:
                    - name: c1
                      path: clusters/c1
                  waves:
                    - name: apps
                      namespaces: [app]
                """);
        Path out = tmp.resolve("out");
        Cli.Result result = Cli.run("render", plan.toString(), "--out", out.toString());
        assertEquals(0, result.exitCode(), result::toString);
        Path stages = out.resolve("clusters/c1/stages");

        for (String stage : List.of("00-control-plane", "01-apps")) {
            assertDefaults(build(stages.resolve(stage)), "asm-1229-3", stage);
        }
        assertDefaults(build(stages.resolve("02-finalize")), "asm-1233-2", "02-finalize");
        String readme = Files.readString(out.resolve("clusters/c1/README.md"));
        assertTrue(readme.contains("Rolling back restores Service `istiod`, `istiod-default-validator`, `istio-revision-tag-default`"),
                readme);
    }

    private static void assertDefaults(List<Map<String, Object>> objects, String revision, String stage) {
        Map<String, Object> tag = find(objects, "MutatingWebhookConfiguration", null, "istio-revision-tag-default")
                .orElseThrow(() -> new AssertionError(stage + ": no default tag"));
        assertEquals(revision, labels(tag).get("istio.io/rev"), stage);
        for (Object hook : (List<?>) tag.get("webhooks")) {
            assertEquals("istiod-" + revision, at(hook, "clientConfig", "service", "name"), stage);
        }
        Map<String, Object> validator = find(objects, "ValidatingWebhookConfiguration", null, "istiod-default-validator")
                .orElseThrow(() -> new AssertionError(stage + ": no default validator"));
        assertEquals(revision, labels(validator).get("istio.io/rev"), stage);
        assertEquals("istiod-" + revision, at(((List<?>) validator.get("webhooks")).get(0), "clientConfig", "service", "name"), stage);
        Map<String, Object> service = find(objects, "Service", "istio-system", "istiod").orElseThrow();
        assertEquals(Map.of("app", "istiod", "istio.io/rev", revision), at(service, "spec", "selector"), stage);
    }
}
