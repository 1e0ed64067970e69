package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the user's IstioOperator overlays named by {@code spec.to.overlays}: files inside the plan's
 * directory (symlinks included, if they stay inside it), one IstioOperator document each, not fighting the
 * plan's revision. {@code --templates} files follow the same link rule ({@code TemplateDirectory}). The chart values
 * file of {@code to.helm.values} or {@code to.sail.values} is read the same way; {@link ChartValues} translates both.
 */
final class OverlayReader {

    static final String API_VERSION = "install.istio.io/v1alpha1";
    /** The longest overlay file name; see {@code ClusterRules.MAX_CLUSTER_PATH_BYTES} for the room below a cluster path. */
    static final int MAX_NAME_CHARS = 100;

    private final YamlDocument plan;
    private final PlanDraft draft;
    private final Path planDir;
    private final Path labelDir;
    private final List<Problem> problems;
    /** The overlays read without a problem, parsed, in plan order: what {@link ChartValues} translates. */
    private final List<YamlDocument> documents = new ArrayList<>();
    /** Files beside a plan that is not written yet, by the name the plan gives them (see {@link PlanLoader#load(Path, byte[], java.util.Map)}). */
    private final java.util.Map<String, byte[]> unwritten;

    OverlayReader(YamlDocument plan, PlanDraft draft, Path planDir, Path labelDir, List<Problem> problems,
            java.util.Map<String, byte[]> unwritten) {
        this.plan = plan;
        this.draft = draft;
        this.planDir = planDir;
        this.labelDir = labelDir;
        this.problems = problems;
        this.unwritten = unwritten;
    }

    List<Plan.Overlay> read() {
        List<Plan.Overlay> overlays = new ArrayList<>();
        JsonNode entries = plan.root().path("spec").path("to").path("overlays");
        String revision = draft.toRevision().orElse(null);
        for (int i = 0; i < entries.size(); i++) {
            String pointer = "/spec/to/overlays/" + i;
            String relative = entries.get(i).asText();
            byte[] bytes = bytes(pointer, relative, "overlay");
            if (bytes == null) {
                continue;
            }
            int before = problems.size();
            Optional<YamlDocument> document = YamlDocument.read(label(relative), bytes, problems);
            document.ifPresent(overlay -> checkOverlay(overlay, revision));
            if (problems.size() == before) {
                documents.add(document.orElseThrow());
                // Line breaks become LF, a lone CR (classic Mac) too: YAML reads all three as line breaks, and kustomize
                // and Git diffs show a CR-only file as one line.
                String text = new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n").replace('\r', '\n').replace("\uFEFF", "");
                overlays.add(new Plan.Overlay(relative, text.endsWith("\n") ? text : text + "\n"));
            }
        }
        return overlays;
    }

    /** The overlays {@link #read} found without a problem, parsed, in plan order. */
    List<YamlDocument> documents() {
        return List.copyOf(documents);
    }

    /**
     * The chart values file of {@code to.helm.values} or {@code to.sail.values}, parsed (a mapping, as
     * {@link YamlDocument} requires); empty when the plan names none or it has a problem.
     */
    Optional<YamlDocument> readValues() {
        JsonNode to = plan.root().path("spec").path("to");
        String method = to.path("install").asText("");
        JsonNode entry = to.path(method).path("values");
        if (!(method.equals("helm") || method.equals("sail")) || !entry.isTextual()) {
            return Optional.empty();
        }
        String pointer = "/spec/to/" + method + "/values";
        byte[] bytes = bytes(pointer, entry.asText(), "values file");
        return bytes == null ? Optional.empty() : YamlDocument.read(label(entry.asText()), bytes, problems);
    }

    private String label(String relative) {
        return labelDir == null ? relative : labelDir.resolve(relative).toString();
    }

    /** A file the plan names ({@code noun}: overlay, values file), read inside the plan's directory; null after a problem. */
    private byte[] bytes(String pointer, String relative, String noun) {
        String label = label(relative);
        byte[] bytes = unwritten.get(relative);
        if (bytes == null) {
            Path file = resolveInside(pointer, relative, noun);
            if (file == null) {
                return null;
            }
            try {
                bytes = InputFile.bytes(file, label, YamlDocument.MAX_BYTES, noun);
            } catch (InvalidPlanException e) {
                problems.addAll(e.problems());
                return null;
            }
        }
        int privateKey = Secrets.privateKeyLine(bytes);
        if (privateKey > 0) {
            // Citadel CA keys and the like stay out of Git: say where, never what.
            problems.add(Problem.error(new SourcePosition(label, privateKey, 1), "",
                    "the " + noun + " holds a private key; meshwave never copies one into the output (refer to keys by path,"
                            + " e.g. asmcli --ca_key, outside the repository)"));
            return null;
        }
        return bytes;
    }

    private Path resolveInside(String pointer, String relative, String noun) {
        if (relative.startsWith("/") || relative.contains("\\") || relative.matches("^[A-Za-z]:.*")) {
            error(pointer, noun + " path '" + relative + "' must be relative to the plan's directory");
            return null;
        }
        if (noun.equals("overlay") && relative.substring(relative.lastIndexOf('/') + 1).length() > MAX_NAME_CHARS) {
            // Render copies it as control-plane/<revision>/NN-overlay-<name>.yaml: that name must fit in 255 bytes, and the
            // whole path in the room PlanChecks leaves below a cluster path.
            error(pointer, "overlay file name '" + relative.substring(relative.lastIndexOf('/') + 1) + "' is longer than "
                    + MAX_NAME_CHARS + " characters; render writes a copy named NN-overlay-<name>.yaml below the cluster's path");
            return null;
        }
        Path file = planDir.resolve(relative).normalize();
        if (!file.startsWith(planDir)) {
            error(pointer, noun + " path '" + relative + "' leaves the plan's directory");
            return null;
        }
        if (!Files.exists(file)) {
            error(pointer, noun + " '" + relative + "' does not exist (paths are relative to the plan's directory)");
            return null;
        }
        try {
            if (!file.toRealPath().startsWith(planDir.toRealPath())) {
                error(pointer, noun + " '" + relative + "' is a link that leads outside the plan's directory");
                return null;
            }
        } catch (IOException e) {
            error(pointer, "cannot resolve " + noun + " '" + relative + "': " + e.getMessage());
            return null;
        }
        return file;
    }

    private void checkOverlay(YamlDocument overlay, String planRevision) {
        JsonNode root = overlay.root();
        if (!API_VERSION.equals(root.path("apiVersion").asText()) || !"IstioOperator".equals(root.path("kind").asText())) {
            YamlDocument.Location at = overlay.locate(root.has("kind") ? "/kind" : "");
            problems.add(Problem.error(at.value(), at.displayPath(), "an overlay must be an IstioOperator (apiVersion: "
                    + API_VERSION + ", kind: IstioOperator), found " + describeKind(root)));
            return;
        }
        checkTrustDomainAliases(overlay);
        JsonNode revision = root.path("spec").path("revision");
        if (draft.delivery().inGit()) {
            return; // ChartValues refuses spec.revision whatever it says: meshwave sets each release's revision
        }
        if (!revision.isMissingNode() && draft.migratesCa()) {
            YamlDocument.Location at = overlay.locate("/spec/revision");
            problems.add(Problem.error(at.value(), at.displayPath(), "the overlay sets revision '" + revision.asText()
                    + "' but a CA migration installs its overlays in two revisions, one per phase; remove spec.revision from the overlay"));
        } else if (!revision.isMissingNode() && planRevision != null && !revision.asText().equals(planRevision)) {
            YamlDocument.Location at = overlay.locate("/spec/revision");
            problems.add(Problem.error(at.value(), at.displayPath(), "the overlay sets revision '" + revision.asText()
                    + "' but the plan installs '" + planRevision + "'; remove spec.revision from the overlay"));
        }
    }

    /**
     * Lists replace, not merge, when overlays stack: an overlay's trustDomainAliases is the final list,
     * so in a multi-project mesh it must still name every project of the mesh.
     */
    private void checkTrustDomainAliases(YamlDocument overlay) {
        JsonNode spec = plan.root().path("spec");
        boolean multiproject = false;
        for (JsonNode option : spec.path("to").path("options")) {
            multiproject |= option.asText().equals("multiproject");
        }
        boolean migration = draft.migratesCa();
        JsonNode aliases = overlay.root().path("spec").path("meshConfig").path("trustDomainAliases");
        if (!(multiproject || migration) || !aliases.isArray()) {
            return;
        }
        java.util.Set<String> present = new java.util.HashSet<>();
        aliases.forEach(a -> present.add(a.asText()));
        List<String> missing = new ArrayList<>();
        if (multiproject) {
            for (JsonNode cluster : spec.path("clusters")) {
                String alias = cluster.path("project").asText() + ".svc.id.goog";
                if (cluster.has("project") && !present.contains(alias) && !missing.contains(alias)) {
                    missing.add(alias);
                }
            }
        }
        // Workloads still holding Citadel certificates have identities in cluster.local (seed 002).
        if (migration && !present.contains("cluster.local")) {
            missing.add("cluster.local");
        }
        if (!missing.isEmpty()) {
            List<String> replaced = new ArrayList<>();
            if (multiproject) {
                replaced.add("option multiproject");
            }
            if (migration) {
                replaced.add("option ca-migration-meshca");
            }
            YamlDocument.Location at = overlay.locate("/spec/meshConfig/trustDomainAliases");
            problems.add(Problem.error(at.value(), at.displayPath(), "this list replaces the aliases of "
                    + String.join(" and ", replaced) + " (lists are replaced when overlays stack) and lacks "
                    + String.join(", ", missing) + "; list every trust domain of the mesh, or remove trustDomainAliases from the overlay"));
        }
    }

    private static String describeKind(JsonNode root) {
        return root.path("apiVersion").asText("(no apiVersion)") + " " + root.path("kind").asText("(no kind)");
    }

    private void error(String pointer, String message) {
        YamlDocument.Location at = plan.locate(pointer);
        problems.add(Problem.error(at.value(), at.displayPath(), message));
    }
}
