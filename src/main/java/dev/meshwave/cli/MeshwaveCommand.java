package dev.meshwave.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "meshwave",
        mixinStandardHelpOptions = true,
        versionProvider = MeshwaveCommand.Version.class,
        description = "Renders a revision-based (canary) Istio / Cloud Service Mesh upgrade as staged Kustomize directories for GitOps.",
        footer = {"", "Exit codes: 0 ok, 1 drift (render --check), 2 invalid plan or usage, 3 unsafe output or repository (rejected push, foreign commits), 4 internal error; lint exits 1 when it finds problems."})
final class MeshwaveCommand implements Runnable {

    /**
     * The subcommands, in the order --help lists them. Not in the annotation: picocli would build every
     * command's model (reflection over its options, their types, its mixins) on every run; {@link
     * #commandLine} builds only the one a command line names. Each name is its class's {@code @Command}
     * name (MeshwaveCommandTest holds them equal).
     */
    static final List<Subcommand> SUBCOMMANDS = List.of(
            new Subcommand("validate", ValidateCommand.class),
            new Subcommand("render", RenderCommand.class),
            new Subcommand("publish", PublishCommand.class),
            new Subcommand("rollback", RollbackCommand.class),
            new Subcommand("explain", ExplainCommand.class),
            new Subcommand("schema", SchemaCommand.class),
            new Subcommand("import", ImportCommand.class),
            new Subcommand("lint", LintCommand.class),
            new Subcommand("completion", CompletionCommand.class));

    record Subcommand(String name, Class<?> type) {}

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT, description = "Print the stack trace of an unexpected error.")
    boolean stacktrace;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (validate, render, publish, rollback, explain, schema, import, lint or completion)");
    }

    /**
     * The command line for these arguments. When the first argument names a command, only that one is
     * built: picocli hands every later argument to it, and nothing it parses or prints reads its
     * siblings. Anything else (no command, a root option first, a mistyped command, {@code completion},
     * which prints the whole tree) gets them all, so usage, suggestions and help stay the same.
     */
    static CommandLine commandLine(CommandLine.IFactory factory, String... args) {
        CommandLine root = new CommandLine(new MeshwaveCommand(), factory);
        String first = args.length == 0 ? "" : args[0];
        boolean one = !first.equals("completion") && SUBCOMMANDS.stream().anyMatch(s -> s.name().equals(first));
        for (Subcommand subcommand : SUBCOMMANDS) {
            if (!one || subcommand.name().equals(first)) {
                root.addSubcommand(subcommand.name(), new CommandLine(subcommand.type(), factory));
            }
        }
        return root;
    }

    /**
     * "meshwave 1.2.3". Here rather than in {@link Version}, which implements a picocli interface: {@link
     * Main} answers {@code --version} without loading picocli at all.
     */
    static String version() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = MeshwaveCommand.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return "meshwave " + properties.getProperty("version", "unknown");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            return new String[] {version()};
        }
    }
}
