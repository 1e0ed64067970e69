package dev.meshwave.inplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LabelLineTest {

    @Test
    void findsTheLabelInBlockFlowQuotedAndInlinePatchLines() {
        String text = """
                metadata:
                  labels:
                    istio-injection: enabled # sidecars on
                  other: {team: a, "istio.io/rev": '1-26-5', tier: x}
                patch: |-
                      istio.io/rev: 1-26-5
                # sidecar.istio.io/rev: nope
                annotations:
                  not-istio-injection: enabled
                """;
        List<LabelLine> lines = LabelLine.scan("f.yaml", text);
        assertEquals(List.of("istio-injection=enabled@3", "istio.io/rev=1-26-5@4", "istio.io/rev=1-26-5@6"),
                lines.stream().map(l -> l.key() + "=" + l.value() + "@" + l.line()).toList());
        assertEquals('"', lines.get(1).keyQuote());
        assertEquals('\'', lines.get(1).valueQuote());
    }

    @Test
    void aRewriteChangesTheKeyAndValueCharactersOnlyKeepingQuotesAndComments() {
        String text = "labels:\n  istio-injection: enabled # sidecars on\n  x: {a: b, \"istio.io/rev\": '1-26-5', c: d}\n";
        List<LabelLine> lines = LabelLine.scan("f.yaml", text);
        String edited = LabelLine.apply(text, List.of(
                new LabelLine.Rewrite(lines.get(0), "istio.io/rev", "1-27-3"),
                new LabelLine.Rewrite(lines.get(1), "istio.io/rev", "1-27-3")));
        assertEquals("labels:\n  istio.io/rev: 1-27-3 # sidecars on\n  x: {a: b, \"istio.io/rev\": '1-27-3', c: d}\n", edited);
    }

    @Test
    void towardTheStageRenamesTheKeyOnItsOwnLineAndBack() throws Exception {
        String before = "    istio-injection: enabled\n";
        LabelLine line = LabelLine.scan("ns.yaml", before).get(0);
        List<LabelLine.Rewrite> forward = LabelLine.toward(Map.of("istio-injection", line), Map.of("istio.io/rev", "1-27-3"));
        String after = LabelLine.apply(before, forward);
        assertEquals("    istio.io/rev: 1-27-3\n", after);
        LabelLine moved = LabelLine.scan("ns.yaml", after).get(0);
        assertEquals(before, LabelLine.apply(after, LabelLine.toward(Map.of("istio.io/rev", moved), Map.of("istio-injection", "enabled"))),
                "the rollback is the inverse edit");
        assertEquals(List.of(), LabelLine.toward(Map.of("istio-injection", line), Map.of("istio-injection", "enabled")),
                "nothing to do where the line already says it");
    }

    @Test
    void aLabelNoLineSetsOrOneTheStageDropsIsRefusedWithTheLine() {
        Map<String, LabelLine> none = new TreeMap<>();
        assertThrows(LabelLine.CannotEditException.class, () -> LabelLine.toward(none, Map.of("istio.io/rev", "1-27-3")));
        String text = "istio-injection: enabled\nistio.io/rev: 1-26-5\n";
        List<LabelLine> lines = LabelLine.scan("ns.yaml", text);
        LabelLine.CannotEditException e = assertThrows(LabelLine.CannotEditException.class, () -> LabelLine.toward(
                Map.of("istio-injection", lines.get(0), "istio.io/rev", lines.get(1)), Map.of("istio.io/rev", "1-27-3")));
        assertTrue(e.getMessage().startsWith("ns.yaml:1 also sets istio-injection=enabled"), e.getMessage());
    }

    @Test
    void aStaleLineIsRefusedRatherThanOverwritingOtherText() {
        LabelLine line = LabelLine.scan("f.yaml", "istio.io/rev: 1-26-5\n").get(0);
        assertThrows(IllegalArgumentException.class,
                () -> LabelLine.apply("istio.io/rev: 9-99-9\n", List.of(new LabelLine.Rewrite(line, "istio.io/rev", "1-27-3"))));
    }
}
