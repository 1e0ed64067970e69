package dev.meshwave.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
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

    /** picocli's system property: a comma-separated list of regular expressions of types it registers no converter for. */
    private static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

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

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            return new String[] {Main.version()};
        }
    }

    /** Parses and runs one command line (for {@link Main#run}, which has wrapped the writers in the run's redaction). */
    static int execute(PrintWriter out, PrintWriter err, Environment environment, String... args) {
        // picocli registers converters for java.sql types (Time, Timestamp, Connection, Driver) by reflection
        // in every command line it builds, which loads java.sql's DriverManager; no option here takes one.
        System.getProperties().putIfAbsent(CONVERTER_EXCLUDES, "java\\.sql\\..*");
        CommandLine commandLine = commandLine(new Factory(environment), args);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(new Failures(err, environment.redaction()));
        commandLine.setParameterExceptionHandler((e, a) -> {
            err.println("meshwave: " + Failures.printable(usageMessage(e)));
            err.println("Try 'meshwave " + commandPath(e.getCommandLine()) + "--help' for usage.");
            return ExitCodes.USAGE;
        });
        int code;
        try {
            code = commandLine.execute(args);
        } catch (StackOverflowError | OutOfMemoryError e) {
            // picocli hands only Exceptions to Failures; exit 1 would read as "drift" or "problems found".
            err.println("meshwave: internal error: " + e.getClass().getSimpleName() + " (input too large or too deep?)");
            code = ExitCodes.INTERNAL;
        }
        out.flush();
        err.flush();
        return code;
    }

    /** Gives commands that ask for it (a constructor taking {@link Environment}) the run's environment. */
    record Factory(Environment environment) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                var constructor = type.getDeclaredConstructor(Environment.class);
                constructor.setAccessible(true);
                return constructor.newInstance(environment);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }

    /** picocli's message, with a mistyped command or option named as such and the closest ones suggested. */
    private static String usageMessage(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) {
            return e.getMessage();
        }
        String first = unmatched.getUnmatched().get(0);
        var commands = e.getCommandLine().getSubcommands().keySet();
        boolean command = !commands.isEmpty() && !first.startsWith("-");
        String message = command ? "unknown command '" + first + "'" : e.getMessage();
        java.util.List<String> suggestions = unmatched.getSuggestions();
        if (!suggestions.isEmpty()) {
            return message + "; did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?";
        }
        return command ? message + " (expected one of: " + String.join(", ", commands) + ")" : message;
    }

    private static String commandPath(CommandLine commandLine) {
        StringBuilder path = new StringBuilder();
        for (CommandLine c = commandLine; c.getParent() != null; c = c.getParent()) {
            path.insert(0, c.getCommandName() + " ");
        }
        return path.toString();
    }
}
