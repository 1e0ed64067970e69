package dev.meshwave.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Shell completion (bash, and zsh through bashcompinit) and man pages, made from the command line's own model.",
            "With no option, prints the completion script: source <(meshwave completion)."})
final class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private final Environment environment;

    CompletionCommand(Environment environment) {
        this.environment = environment;
    }

    @Option(names = "--install", description = "Install the completion script and man pages under ~/.local/share "
            + "(bash-completion/completions/meshwave, man/man1/meshwave*.1); zsh: autoload -U bashcompinit && bashcompinit first.")
    boolean install;

    @Option(names = "--generate", paramLabel = "DIR", description = "Write meshwave.bash and man1/*.1 into DIR (the build does this).")
    Path generate;

    @Override
    public Integer call() throws IOException {
        CommandLine root = spec.root().commandLine();
        String script = AutoComplete.bash("meshwave", root);
        Map<String, String> manPages = manPages(root);
        if (generate != null) {
            write(generate.resolve("meshwave.bash"), script);
            for (Map.Entry<String, String> page : manPages.entrySet()) {
                write(generate.resolve("man1").resolve(page.getKey()), page.getValue());
            }
            return ExitCodes.OK;
        }
        if (install) {
            Path share = Path.of(environment.variables().getOrDefault("XDG_DATA_HOME",
                    environment.variables().getOrDefault("HOME", ".") + "/.local/share"));
            Path completion = share.resolve("bash-completion/completions/meshwave");
            write(completion, script);
            for (Map.Entry<String, String> page : manPages.entrySet()) {
                write(share.resolve("man/man1").resolve(page.getKey()), page.getValue());
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "installed %s and %d man pages under %s; open a new shell, or: source %s%n",
                    completion, manPages.size(), share.resolve("man/man1"), completion);
            return ExitCodes.OK;
        }
        spec.commandLine().getOut().print(script);
        return ExitCodes.OK;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** One troff man page per command: meshwave.1, meshwave-render.1, … */
    static Map<String, String> manPages(CommandLine root) {
        Map<String, String> pages = new TreeMap<>();
        pages.put("meshwave.1", manPage("meshwave", root.getCommandSpec()));
        root.getSubcommands().forEach((name, sub) -> pages.put("meshwave-" + name + ".1", manPage("meshwave " + name, sub.getCommandSpec())));
        return pages;
    }

    private static String manPage(String name, CommandSpec command) {
        StringBuilder page = new StringBuilder();
        String title = name.replace(' ', '-').toUpperCase(Locale.ROOT);
        page.append(".TH ").append(title).append(" 1 \"\" \"meshwave ").append(version(command)).append("\" \"meshwave manual\"\n");
        page.append(".SH NAME\n").append(name.replace("-", "\\-")).append(" \\- ")
                .append(escape(String.join(" ", command.usageMessage().description()))).append('\n');
        page.append(".SH SYNOPSIS\n.B ").append(name).append('\n');
        command.positionalParameters().forEach(p -> page.append(escape(p.paramLabel())).append(' '));
        page.append("[OPTIONS]\n");
        page.append(".SH OPTIONS\n");
        for (OptionSpec option : command.options()) {
            page.append(".TP\n.B ").append(escape(String.join(", ", option.names())));
            if (option.arity().max() > 0) {
                page.append(" \\fI").append(escape(option.paramLabel())).append("\\fR");
            }
            page.append('\n').append(escape(String.join(" ", option.description()))).append('\n');
        }
        if (!command.subcommands().isEmpty()) {
            page.append(".SH COMMANDS\n");
            command.subcommands().forEach((sub, line) -> page.append(".TP\n.B ").append(sub).append('\n')
                    .append(escape(String.join(" ", line.getCommandSpec().usageMessage().description()))).append('\n'));
        }
        page.append(".SH SEE ALSO\nIn the meshwave repository: README.md (a first plan to a first pull request), docs/plan.md (the plan),"
                + " docs/output.md (the output layout), docs/gitops.md (Argo CD, Flux and CI).\n");
        return page.toString();
    }

    private static String version(CommandSpec command) {
        String[] version = command.root().version();
        return version.length == 0 ? "" : escape(version[0].replaceFirst("^meshwave ", ""));
    }

    /** troff: a backslash doubled, a leading dot or quote protected, dashes as minus signs. */
    private static String escape(String text) {
        String escaped = text.replace("\\", "\\\\").replace("-", "\\-");
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }
}
