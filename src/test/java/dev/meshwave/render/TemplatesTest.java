package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplatesTest {

    private final Templates templates = Templates.builtIn();

    @Test
    void builtInTemplatesAreFoundOnTheClasspath() {
        assertTrue(templates.paths().contains("stages/namespaces.yaml.mustache"), templates.paths().toString());
        assertTrue(templates.paths().contains("docs/README.md.mustache"));
        assertEquals("templates/stages/namespaces.yaml.mustache", templates.origin("stages/namespaces.yaml.mustache"));
    }

    @Test
    void builtInFileNamesAreUniqueSoOverridesAreUnambiguous() {
        List<String> names = templates.paths().stream().map(Templates::fileName).toList();
        assertEquals(names.size(), new java.util.HashSet<>(names).size(), names.toString());
    }

    @Test
    void valuesAreNotHtmlEscaped() throws Exception {
        Templates t = templates.withOverrides(Map.of("kustomization.yaml.mustache", "value: {{liveStage}}\n"), "over");
        assertEquals("value: a&b<\"c\">'\n", t.render("live/kustomization.yaml.mustache", Map.of("liveStage", "a&b<\"c\">'")));
    }

    @Test
    void anUndefinedVariableIsAnErrorNamingTemplateAndVariable() throws Exception {
        Templates t = templates.withOverrides(Map.of("kustomization.yaml.mustache", "value: {{nope}}\n"), "over");
        TemplateException e = assertThrows(TemplateException.class,
                () -> t.render("live/kustomization.yaml.mustache", Map.of("liveStage", "x")));
        assertTrue(e.getMessage().contains("over/kustomization.yaml.mustache") && e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void anUndefinedSectionIsAnErrorToo() throws Exception {
        Templates t = templates.withOverrides(Map.of("kustomization.yaml.mustache", "{{#maybe}}x{{/maybe}}\n"), "over");
        assertThrows(TemplateException.class, () -> t.render("live/kustomization.yaml.mustache", Map.of()));
    }

    @Test
    void falseAndEmptyValuesHideSections() throws Exception {
        Templates t = templates.withOverrides(Map.of("kustomization.yaml.mustache",
                "{{#flag}}flag{{/flag}}{{#text}}text{{/text}}{{^list}}none{{/list}}\n"), "over");
        assertEquals("none\n", t.render("live/kustomization.yaml.mustache",
                Map.of("flag", false, "text", "", "list", java.util.List.of())));
    }

    @Test
    void overridesAreMatchedByFileNameAndUnknownNamesRejected() throws Exception {
        Templates t = templates.withOverrides(Map.of("namespaces.yaml.mustache", "x: 1\n"), "mine");
        assertEquals("mine/namespaces.yaml.mustache", t.origin("stages/namespaces.yaml.mustache"));
        assertEquals("x: 1\n", t.render("stages/namespaces.yaml.mustache", Map.of()));
        TemplateException e = assertThrows(TemplateException.class,
                () -> templates.withOverrides(Map.of("namespace.yaml.mustache", "x"), "mine"));
        assertTrue(e.getMessage().contains("namespaces.yaml.mustache"), "lists the known names: " + e.getMessage());
    }

    /** Templates are data, not code: each way a template could reach beyond its context is refused. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "{{liveStage.class}}",                  // a method of the String
        "{{liveStage.bytes}}",
        "{{#stages}}{{length}}{{/stages}}",     // a method of a list element
        "{{stages.size}}",                      // a method of the List
        "{{> /etc/passwd}}",                    // a partial: a file outside the templates
        "{{> ../../pom.xml}}",
        "{{< stages/namespaces.yaml.mustache}}", // template inheritance reads another file too
        "{{HOME}}",                             // the environment is not part of the context
        "{{PATH}}",
    })
    void aTemplateCannotReachBeyondItsContext(String body) throws Exception {
        Templates t = templates.withOverrides(Map.of("kustomization.yaml.mustache", "value: " + body + "\n"), "over");
        TemplateException e = assertThrows(TemplateException.class, () -> t.render("live/kustomization.yaml.mustache",
                Map.of("liveStage", "01-apps", "stages", List.of("a", "bb"))), body);
        assertTrue(e.getMessage().startsWith("over/kustomization.yaml.mustache:1:1: "), e.getMessage());
    }

    @Test
    void theCurrentElementAndOuterValuesStayReadable() throws Exception {
        Templates t = templates.withOverrides(Map.of("kustomization.yaml.mustache",
                "{{#stages}}{{liveStage}}/{{.}} {{/stages}}\n"), "over");
        assertEquals("x/a x/bb \n", t.render("live/kustomization.yaml.mustache", Map.of("liveStage", "x", "stages", List.of("a", "bb"))));
    }

    /** Sections nest at most 64 deep, counted as Mustache reads tags, delimiter changes included (issue 15). */
    @Test
    void sectionsNestAtMostSixtyFourDeep() throws Exception {
        Templates.checkNesting("t", "{{#a}}".repeat(64) + "{{/a}}".repeat(64) + "{{#a}}".repeat(64));
        TemplateException deep = assertThrows(TemplateException.class,
                () -> Templates.checkNesting("t", "x\n{{=<% %>=}}" + "<%^a%>".repeat(65)));
        assertEquals("t:2:" + (1 + "{{=<% %>=}}".length() + 64 * "<%^a%>".length())
                + ": sections nested deeper than 64 levels; a template that deep is not meant to be read", deep.getMessage());
        Templates.checkNesting("t", "{{{#a}}}".repeat(65) + "{{! {{#a}} }}".repeat(65));
    }
}
