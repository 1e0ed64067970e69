package dev.meshwave.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point. {@link #run} is what tests call; {@link #main} only adds {@code System.exit}. */
public final class Main {

    /** picocli's system property: a comma-separated list of regular expressions of types it registers no converter for. */
    private static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

    private Main() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line with this process's environment and returns its exit code (see {@link ExitCodes}). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, Environment.system(), args);
    }

    /**
     * Runs one command line against the given environment (variables, clock, secrets). Everything it
     * prints, on either stream and from any code path, passes the environment's {@link
     * dev.meshwave.plan.Redaction}: a secret a server or a credential helper echoes cannot reach a
     * terminal or a CI log.
     */
    public static int run(PrintWriter rawOut, PrintWriter rawErr, Environment environment, String... args) {
        PrintWriter out = new PrintWriter(environment.redaction().writer(rawOut), true);
        PrintWriter err = new PrintWriter(environment.redaction().writer(rawErr), true);
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // What picocli prints for --version (CommandLine.printVersionHelp), without loading picocli or
            // building the model of nine commands: about half of this run's start-up (docs/development.md).
            try {
                out.println(MeshwaveCommand.version());
            } catch (java.io.IOException e) {
                err.println("meshwave: internal error: cannot read the version: " + Failures.printable(String.valueOf(e.getMessage())));
                return ExitCodes.INTERNAL;
            }
            out.flush();
            return ExitCodes.OK;
        }
        // picocli registers converters for java.sql types (Time, Timestamp, Connection, Driver) by reflection
        // in every command line it builds, which loads java.sql's DriverManager; no option here takes one.
        System.getProperties().putIfAbsent(CONVERTER_EXCLUDES, "java\\.sql\\..*");
        CommandLine commandLine = MeshwaveCommand.commandLine(new Factory(environment), args);
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
