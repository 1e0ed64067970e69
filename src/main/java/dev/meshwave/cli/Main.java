package dev.meshwave.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Entry point. {@link #run} is what tests call; {@link #main} only adds {@code System.exit}. It names no
 * picocli type: the JVM verifies a class's every method when it links it, and loads what they name, so
 * {@code --version} here runs without loading picocli; {@link MeshwaveCommand#execute} runs the rest.
 */
public final class Main {

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
        if (versionOnly(args)) {
            return printVersion(out, err); // before reading the environment and indexing its secrets: none can be in it
        }
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
        if (versionOnly(args)) {
            return printVersion(out, err);
        }
        return MeshwaveCommand.execute(out, err, environment, args);
    }

    /** "meshwave 1.2.3", from the resource the build writes. */
    static String version() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return "meshwave " + properties.getProperty("version", "unknown");
    }

    /** {@code --version} (or {@code -V}) alone, which {@link #printVersion} answers. */
    private static boolean versionOnly(String... args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /**
     * What picocli prints for --version (CommandLine.printVersionHelp), without loading picocli or building
     * the model of nine commands: that was most of the run (docs/development.md, "Start-up").
     */
    private static int printVersion(PrintWriter out, PrintWriter err) {
        try {
            out.println(version());
        } catch (IOException e) {
            err.println("meshwave: internal error: cannot read the version: " + e.getClass().getSimpleName());
            err.flush();
            return ExitCodes.INTERNAL;
        }
        out.flush();
        return ExitCodes.OK;
    }
}
