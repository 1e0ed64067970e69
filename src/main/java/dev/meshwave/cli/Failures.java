package dev.meshwave.cli;

import dev.meshwave.git.InvalidRepositoryException;
import dev.meshwave.git.UnsafeRepositoryException;
import dev.meshwave.git.pr.ProviderException;
import dev.meshwave.output.UnsafeOutputException;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Problem;
import dev.meshwave.plan.Redaction;
import dev.meshwave.plan.TerminalText;
import dev.meshwave.render.RenderException;
import dev.meshwave.render.TemplateException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Turns what a command throws into a message and an exit code; a stack trace only with {@code --stacktrace}.
 * Messages echo plan values, file names and server replies, so everything printed goes through
 * {@link TerminalText}: a problem is one line, escaped whole (a newline in a value is {@code \n}); any
 * other message keeps the line breaks it has, each line escaped and every line after the first indented,
 * so that nothing echoed can pass for a line of meshwave's own ({@code meshwave: …}, {@code file:line:col: …}).
 */
final class Failures implements CommandLine.IExecutionExceptionHandler {

    private final PrintWriter err;
    private final Redaction redaction;

    Failures(PrintWriter err, Redaction redaction) {
        this.err = err;
        this.redaction = redaction;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        int code;
        if (e instanceof InvalidPlanException invalid) {
            invalid.problems().forEach(p -> err.println(TerminalText.escape(p.toString())));
            long errors = invalid.problems().stream().filter(Problem::isError).count();
            err.println(errors == 1 ? "1 error" : errors + " errors");
            code = ExitCodes.USAGE;
        } else if (e instanceof dev.meshwave.render.UnsafeContentException) {
            err.println("meshwave: " + printable(redaction.text(e.getMessage())));
            code = ExitCodes.UNSAFE;
        } else if (e instanceof RenderException || e instanceof TemplateException || e instanceof InvalidRepositoryException
                || e instanceof dev.meshwave.output.InvalidSettingException) {
            err.println("meshwave: " + printable(redaction.text(e.getMessage())));
            code = ExitCodes.USAGE;
        } else if (e instanceof UnsafeOutputException || e instanceof UnsafeRepositoryException) {
            err.println("meshwave: " + printable(redaction.text(e.getMessage())));
            code = ExitCodes.UNSAFE;
        } else if (e instanceof ProviderException) {
            err.println("meshwave: " + printable(redaction.text(e.getMessage())));
            code = ExitCodes.UNSAFE;
        } else if (e instanceof IOException) {
            err.println("meshwave: " + printable(redaction.text(e.getMessage())));
            code = ExitCodes.INTERNAL;
        } else {
            err.println("meshwave: internal error: " + printable(redaction.text(e.toString())) + " (run again with --stacktrace and report it)");
            code = ExitCodes.INTERNAL;
        }
        if (wantsStackTrace(parseResult)) {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            // The trace's own layout (a tab before each frame) stays; what a message echoed is escaped.
            trace.toString().lines().forEach(line -> err.println(line.startsWith("\t")
                    ? "\t" + TerminalText.escape(redaction.text(line.substring(1))) : TerminalText.escape(redaction.text(line))));
        }
        err.flush();
        return code;
    }

    /**
     * A message of one or more lines (split at {@code \n} only, so a carriage return is escaped, not obeyed):
     * each line escaped, and the lines after the first indented.
     */
    static String printable(String message) {
        return String.join("\n  ", java.util.Arrays.stream(String.valueOf(message).stripTrailing().split("\n", -1))
                .map(TerminalText::escape).toList());
    }

    private static boolean wantsStackTrace(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--stacktrace")) {
                return true;
            }
        }
        return false;
    }
}
