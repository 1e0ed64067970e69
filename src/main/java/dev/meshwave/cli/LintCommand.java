package dev.meshwave.cli;

import dev.meshwave.lint.Finding;
import dev.meshwave.lint.Linter;
import dev.meshwave.lint.Rule;
import dev.meshwave.plan.TerminalText;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"Find injection problems in an existing GitOps repository.",
            "Namespaces with both injection labels, overlapping sidecar injectors (IST0139),"
                    + " tags named like revisions, validators calling a missing Service istiod,"
                    + " injection labels set by two appliers or by Argo CD managedNamespaceMetadata or Flux spec.patches,"
                    + " sidecars committed by istioctl kube-inject."
                    + " Every kustomization is built with kubectl kustomize (MESHWAVE_KUBECTL);"
                    + " other directories are read as plain YAML. Exit 0 clean, 1 problems found,"
                    + " 2 when there are kustomizations and none of them could be built (no kubectl, or every build failed),"
                    + " 3 when a kustomization was not built in time (--build-timeout, --deadline)."
                    + " See docs/lint.md in the meshwave repository."})
final class LintCommand implements Callable<Integer> {

    /** The values of {@code --format}. */
    enum Format { text, json, sarif }

    private static final int LISTED_BUILDS = 3;

    private final Environment environment;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "The repository (or one directory or YAML file of it) to lint.")
    Path path;

    @Option(names = "--build-timeout", paramLabel = "SECONDS",
            description = "How long one kubectl kustomize may take (default: MESHWAVE_LINT_BUILD_TIMEOUT, else 120).")
    String buildTimeout;

    @Option(names = "--deadline", paramLabel = "SECONDS",
            description = "How long all the builds together may take (default: MESHWAVE_LINT_DEADLINE, else 600).")
    String deadline;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json|sarif",
            description = "text (default); json: one object on stdout; sarif: SARIF 2.1.0 for code scanning (see docs/lint.md in the meshwave repository).")
    Format format;

    LintCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Linter.Result result;
        if (Files.exists(path) && !Files.isDirectory(path) && !Files.isRegularFile(path)) {
            // A FIFO or a device (lint /dev/zero) is no repository and no file of one: a bad argument, not a warning.
            err.println(TerminalText.escape("meshwave: " + path + ": not a directory or a regular file; lint reads a repository or one YAML file"));
            return ExitCodes.USAGE;
        }
        try {
            result = new Linter(new Linter.Settings(environment.variables().getOrDefault("MESHWAVE_KUBECTL", "kubectl"), environment.variables(),
                    seconds("--build-timeout", buildTimeout, "MESHWAVE_LINT_BUILD_TIMEOUT", Linter.Settings.BUILD_TIMEOUT),
                    seconds("--deadline", deadline, "MESHWAVE_LINT_DEADLINE", Linter.Settings.DEADLINE))).lint(path);
        } catch (NoSuchFileException e) {
            err.println("meshwave: " + (path.toString().isEmpty() ? "an empty PATH" : TerminalText.escape(path + ": no such file or directory")));
            return ExitCodes.USAGE;
        }
        switch (format) {
            case text -> text(result, out, err);
            case json -> json(result).print(out);
            case sarif -> sarif(result).print(out);
        }
        out.flush();
        // A kustomization that ran out of time (a remote base on a server that never answers) was not checked, and
        // waiting longer may be all it needs: not "no problems" (0), not "problems found" (1), but exit 3.
        if (result.timedOut() > 0) {
            err.println(TerminalText.escape("meshwave: lint could not check everything under " + path + ": " + result.timedOut()
                    + (result.timedOut() == 1 ? " kustomization was" : " kustomizations were") + " not built in time (see the 'not checked'"
                    + " warnings; --build-timeout, --deadline)"));
            err.flush();
            return ExitCodes.UNSAFE;
        }
        // Plain YAML alone is a repository lint can check; kustomizations it could not build are not, and
        // "no problems" (or only the plain files' problems) would read as if they had been checked.
        if (result.builtNothing()) {
            String none = result.notBuilt() == 1 ? "could not build the kustomization" : "could build none of the " + result.notBuilt() + " kustomizations";
            err.println(TerminalText.escape("meshwave: lint " + none + " under " + path + result.cannotRunKubectl().map(why -> ": " + why)
                    .orElse(result.notBuilt() == 1 ? " (see its 'not checked' warning); nothing it applies was checked"
                            : " (see their 'not checked' warnings); nothing they apply was checked")));
            err.flush();
            return ExitCodes.USAGE;
        }
        return result.findings().isEmpty() ? ExitCodes.OK : ExitCodes.DRIFT;
    }

    /**
     * Findings and warnings one line each, escaped whole ({@link TerminalText}): file names and messages come
     * from the repository, and a name holding a newline or an escape sequence must not forge or hide a line.
     */
    private void text(Linter.Result result, PrintWriter out, PrintWriter err) {
        result.warnings().forEach(w -> err.println(TerminalText.escape(w.toString())));
        err.flush();
        for (Finding finding : result.findings()) {
            out.println(TerminalText.escape(finding.toString()));
            // Where the file is not simply part of the one directory it was found in, say which builds and trees show it.
            String file = finding.position().file();
            String only = finding.seenIn().get(0);
            boolean inside = only.equals(".") ? !file.startsWith("../") && !file.startsWith("/")
                    : file.equals(only) || file.startsWith(only + "/");
            if (finding.seenIn().size() > 1 || !inside) {
                out.println("  seen in " + TerminalText.escape(listed(finding.seenIn())));
            }
        }
        int problems = result.findings().size();
        out.printf(Locale.ROOT, "%s: %s (%d kustomization%s built, %d director%s of plain YAML read%s%s)%n", TerminalText.escape(path.toString()),
                problems == 0 ? "no injection problems" : problems + " injection problem" + (problems == 1 ? "" : "s"),
                result.kustomizations(), result.kustomizations() == 1 ? "" : "s",
                result.directories(), result.directories() == 1 ? "y" : "ies",
                result.trees() == 0 ? "" : ", " + result.trees() + " tree" + (result.trees() == 1 ? "" : "s") + " of Flux or Argo CD checked whole",
                result.notChecked() == 0 ? "" : "; " + result.notChecked() + " not checked, see stderr");
    }

    /**
     * A number of seconds from its flag, else its environment variable, else the default: whole seconds from 1
     * to a day. Anything else is a usage error naming where the value came from.
     */
    private java.time.Duration seconds(String flag, String value, String variable, java.time.Duration fallback) {
        String given = value != null ? value : environment.variables().get(variable);
        if (given == null) {
            return fallback;
        }
        if (!given.matches("[0-9]{1,5}") || Integer.parseInt(given) < 1 || Integer.parseInt(given) > 86_400) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), (value != null ? flag : variable)
                    + ": expected whole seconds from 1 to 86400, got '" + TerminalText.escape(given) + "'");
        }
        return java.time.Duration.ofSeconds(Integer.parseInt(given));
    }

    private static String listed(List<String> builds) {
        List<String> shown = builds.subList(0, Math.min(LISTED_BUILDS, builds.size()));
        return String.join(", ", shown) + (builds.size() > shown.size() ? " and " + (builds.size() - shown.size()) + " more" : "");
    }

    private JsonReport json(Linter.Result result) {
        return new JsonReport("lint")
                .with("path", path.toString())
                .with("clean", result.findings().isEmpty())
                .with("checked", JsonReport.object("kustomizations", result.kustomizations(), "directories", result.directories(),
                        "trees", result.trees(), "notBuilt", result.notBuilt(), "timedOut", result.timedOut()))
                .with("findings", result.findings().stream().map(f -> JsonReport.object(
                        "rule", f.rule().id(), "severity", "error",
                        "file", f.position().file(), "line", f.position().line(), "column", f.position().column(),
                        "message", f.message(), "seenIn", f.seenIn(), "related", f.related().stream().map(r -> JsonReport.object(
                                "file", r.file(), "line", r.line(), "column", r.column())).toList())).toList())
                .with("warnings", JsonReport.problems(result.warnings()));
    }

    /**
     * SARIF 2.1.0, the format GitHub code scanning and GitLab read: one run, the rules as the driver's
     * rules, findings as results, and what could not be checked as tool notifications.
     */
    private JsonReport sarif(Linter.Result result) throws java.io.IOException {
        List<Rule> rules = Arrays.asList(Rule.values());
        List<Map<String, Object>> results = new ArrayList<>();
        for (Finding finding : result.findings()) {
            Map<String, Object> sarifResult = JsonReport.object(
                    "ruleId", finding.rule().id(),
                    "ruleIndex", rules.indexOf(finding.rule()),
                    "level", "error",
                    "message", JsonReport.object("text", finding.message()),
                    "locations", List.of(location(finding.position())));
            if (!finding.related().isEmpty()) {
                // The other places the message names (SARIF 2.1.0 §3.27.22), numbered as ids from 1.
                List<Map<String, Object>> related = new ArrayList<>();
                for (dev.meshwave.plan.SourcePosition other : finding.related()) {
                    Map<String, Object> location = JsonReport.object("id", related.size() + 1);
                    location.putAll(location(other));
                    related.add(location);
                }
                sarifResult.put("relatedLocations", related);
            }
            results.add(sarifResult);
        }
        List<Map<String, Object>> notifications = result.warnings().stream().map(w -> JsonReport.object(
                "level", "warning",
                "message", JsonReport.object("text", w.message()),
                "locations", List.of(location(w.position())))).toList();
        Map<String, Object> driver = JsonReport.object(
                "name", "meshwave",
                "semanticVersion", new MeshwaveCommand.Version().getVersion()[0].substring("meshwave ".length()),
                "rules", rules.stream().map(r -> JsonReport.object(
                        "id", r.id(),
                        "shortDescription", JsonReport.object("text", r.title()),
                        "fullDescription", JsonReport.object("text", r.help()),
                        "defaultConfiguration", JsonReport.object("level", "error"))).toList());
        Map<String, Object> run = JsonReport.object(
                "tool", JsonReport.object("driver", driver),
                "invocations", List.of(JsonReport.object("executionSuccessful", !result.builtNothing() && result.timedOut() == 0, "toolExecutionNotifications", notifications)),
                "results", results);
        return JsonReport.raw()
                .with("$schema", "https://json.schemastore.org/sarif-2.1.0.json")
                .with("version", "2.1.0")
                .with("runs", List.of(run));
    }

    /** A URI, as SARIF wants: relative paths stay relative references, absolute ones become file: URIs; both percent-encoded. */
    private static String uri(String file) {
        if (file.startsWith("/")) {
            return Path.of(file).toUri().toASCIIString();
        }
        // A first segment with a colon would read as a scheme ("c:d/ns.yaml"): "./" keeps it a path.
        String segment = file.contains("/") ? file.substring(0, file.indexOf('/')) : file;
        try {
            return new java.net.URI(null, null, segment.contains(":") ? "./" + file : file, null).toASCIIString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> location(dev.meshwave.plan.SourcePosition position) {
        return JsonReport.object("physicalLocation", JsonReport.object(
                "artifactLocation", JsonReport.object("uri", uri(position.file())),
                "region", JsonReport.object("startLine", position.line(), "startColumn", position.column())));
    }
}
