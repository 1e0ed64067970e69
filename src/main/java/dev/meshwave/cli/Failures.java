package dev.meshwave.cli;

import dev.meshwave.git.InvalidRepositoryException;
import dev.meshwave.git.UnsafeRepositoryException;
import dev.meshwave.git.pr.ProviderException;
import dev.meshwave.output.UnsafeOutputException;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Problem;
import dev.meshwave.plan.Redaction;
import dev.meshwave.render.RenderException;
import dev.meshwave.render.TemplateException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Turns what a command throws into a message and an exit code; a stack trace only with {@code --stacktrace}. */
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
            invalid.problems().forEach(p -> err.println(p));
            long errors = invalid.problems().stream().filter(Problem::isError).count();
            err.println(errors == 1 ? "1 error" : errors + " errors");
            code = ExitCodes.USAGE;
        } else if (e instanceof dev.meshwave.render.UnsafeContentException) {
            err.println("meshwave: " + redaction.text(e.getMessage()));
            code = ExitCodes.UNSAFE;
        } else if (e instanceof RenderException || e instanceof TemplateException || e instanceof InvalidRepositoryException
                || e instanceof dev.meshwave.output.InvalidSettingException) {
            err.println("meshwave: " + redaction.text(e.getMessage()));
            code = ExitCodes.USAGE;
        } else if (e instanceof UnsafeOutputException || e instanceof UnsafeRepositoryException) {
            err.println("meshwave: " + redaction.text(e.getMessage()));
            code = ExitCodes.UNSAFE;
        } else if (e instanceof ProviderException) {
            err.println("meshwave: " + redaction.text(e.getMessage()));
            code = ExitCodes.UNSAFE;
        } else if (e instanceof IOException) {
            err.println("meshwave: " + redaction.text(e.getMessage()));
            code = ExitCodes.INTERNAL;
        } else {
            err.println("meshwave: internal error: " + redaction.text(e.toString()) + " (run again with --stacktrace and report it)");
            code = ExitCodes.INTERNAL;
        }
        if (wantsStackTrace(parseResult)) {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            err.print(redaction.text(trace.toString()));
        }
        err.flush();
        return code;
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
