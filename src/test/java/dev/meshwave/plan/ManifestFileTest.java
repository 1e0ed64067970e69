package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading other people's YAML: kubectl exports, several documents, anchors, and files that are no objects. */
class ManifestFileTest {

    private static List<Manifest> read(String text) throws ManifestFile.UnreadableException {
        return ManifestFile.read("f.yaml", text.getBytes(StandardCharsets.UTF_8), 1 << 20);
    }

    @Test
    void listItemsAreObjectsWithTheirOwnPositions() throws Exception {
        List<Manifest> objects = read("""
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Namespace
                  metadata:
                    name: a
                - apiVersion: v1
                  kind: Namespace
                  metadata:
                    name: b
                    labels:
                      istio.io/rev: canary
                """);
        assertEquals(List.of("a", "b"), objects.stream().map(Manifest::name).toList());
        assertEquals(new SourcePosition("f.yaml", 8, 3), objects.get(1).start());
        assertEquals(new SourcePosition("f.yaml", 13, 7), objects.get(1).at(Manifest.label("istio.io/rev")));
        // A node that was not written falls back to its nearest written ancestor.
        assertEquals(new SourcePosition("f.yaml", 12, 5), objects.get(1).at(Manifest.label("istio-injection")));
        assertEquals(new SourcePosition("f.yaml", 6, 3), objects.get(0).at("/metadata/labels/x"));
    }

    @Test
    void documentsThatAreNoObjectsArePassedOver() throws Exception {
        List<Manifest> objects = read("""
                # values of some chart
                replicas: 3
                ---
                - a
                ---
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: c}
                """);
        assertEquals(1, objects.size());
        assertEquals(new SourcePosition("f.yaml", 7, 1), objects.get(0).start());
    }

    @Test
    void anchorsAreReadAsKubectlReadsThem() throws Exception {
        List<Manifest> objects = read("""
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Namespace
                  metadata:
                    name: a
                    labels: &labels
                      istio.io/rev: canary
                - apiVersion: v1
                  kind: Namespace
                  metadata:
                    name: b
                    labels: *labels
                """);
        assertEquals(Map.of("istio.io/rev", "canary"), objects.get(1).labels());
    }

    @Test
    void aNullLabelIsAbsent() throws Exception {
        Manifest namespace = read("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    istio-injection: null\n"
                + "    istio.io/rev: canary\n").get(0);
        assertEquals(Map.of("istio.io/rev", "canary"), namespace.labels());
    }

    @Test
    void deepOrExplodingFilesAreRefusedBeforeTheyCostAStackOrTheHeap() {
        // Found by review: 2000 nested flow sequences overflowed the composer's stack.
        ManifestFile.UnreadableException deep = assertThrows(ManifestFile.UnreadableException.class,
                () -> read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: " + "[".repeat(2000) + "]".repeat(2000) + "\n"));
        assertEquals("nested deeper than 100 levels", deep.getMessage());
        // An alias bomb: nine levels of nine aliases is 9^9 values from a few hundred bytes.
        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [").append(String.join(", ", java.util.Collections.nCopies(9, "*a" + (i - 1))))
                    .append("]\n");
        }
        ManifestFile.UnreadableException aliases = assertThrows(ManifestFile.UnreadableException.class, () -> read(bomb.toString()));
        assertEquals("aliases expand to more values than a file this size holds", aliases.getMessage());
    }

    @Test
    void aFileOverTheLimitIsNotParsed() {
        ManifestFile.UnreadableException large = assertThrows(ManifestFile.UnreadableException.class,
                () -> ManifestFile.read("f.yaml", new byte[(2 << 20) + 1], 2 << 20));
        assertEquals("larger than 2 MiB", large.getMessage());
    }

    @Test
    void unreadableFilesSayWhereAndWhy() {
        ManifestFile.UnreadableException yaml = assertThrows(ManifestFile.UnreadableException.class, () -> read("a: [1\n"));
        assertEquals("f.yaml", yaml.position().file());
        assertTrue(yaml.getMessage().startsWith("not valid YAML"), yaml.getMessage());
        ManifestFile.UnreadableException latin1 = assertThrows(ManifestFile.UnreadableException.class,
                () -> ManifestFile.read("f.yaml", new byte[] {'a', ':', ' ', (byte) 0xe9}, 1 << 20));
        assertEquals("not UTF-8", latin1.getMessage());
        // Found by fuzzing plans: snakeyaml-engine throws IllegalArgumentException on these tags.
        assertThrows(ManifestFile.UnreadableException.class, () -> read("a: !%A b\n"));
        ManifestFile.UnreadableException recursive = assertThrows(ManifestFile.UnreadableException.class, () -> read("a: &x [*x]\n"));
        assertTrue(recursive.getMessage().contains("nested deeper than"), recursive.getMessage());
    }

    /** Every scalar is read as a string; which were numbers or booleans is kept, per list item too, for a copy written out. */
    @Test
    void numbersAndBooleansAreStringsThatKnowTheirType() throws Exception {
        Manifest item = read("""
                apiVersion: v1
                kind: List
                items:
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata:
                    name: a
                  spec:
                    replicas: 2
                    paused: false
                    label: "3"
                    ratio: 0.5
                    hex: 0x10
                """).get(0);
        assertEquals("2", ((java.util.Map<?, ?>) item.object().get("spec")).get("replicas"));
        assertEquals(java.util.Set.of("/spec/replicas", "/spec/paused", "/spec/ratio", "/spec/hex"), item.typed());
        assertEquals("{replicas=2, paused=false, label=3, ratio=0.5, hex=16}", item.typedValue(item.object().get("spec"), "/spec").toString());
        java.util.Map<?, ?> typed = (java.util.Map<?, ?>) item.typedValue(item.object().get("spec"), "/spec");
        assertEquals(List.of(Integer.class, Boolean.class, String.class, Double.class, Integer.class),
                typed.values().stream().map(Object::getClass).toList());
    }
}
