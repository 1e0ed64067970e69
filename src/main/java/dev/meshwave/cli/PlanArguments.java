package dev.meshwave.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The plan file and the templates it is rendered with, declared once for every command that takes them,
 * so that {@code --help}, completion and man pages say the same thing everywhere. Two picocli mixins
 * rather than one, because picocli keeps arguments in the order they are declared and that order shows:
 * {@code PLAN} comes first (a command run without arguments says "Missing required parameter: 'PLAN'"
 * before naming a missing required option), and {@code --templates} stands where it always stood among
 * a command's options (man pages list them in that order).
 */
final class PlanArguments {

    private PlanArguments() {}

    /** The {@code PLAN} positional: declare it before any other argument of the command. */
    static final class PlanFile {
        @Parameters(index = "0", paramLabel = "PLAN", description = "The plan file (plan.yaml).")
        Path path;
    }

    /**
     * {@code --templates}. {@code validate} declares its own: its help also says that it renders the plan
     * in memory with them.
     */
    static final class TemplateOverrides {
        @Option(names = "--templates", paramLabel = "DIR", description = "Directory of templates that replace built-in ones of the same file name.")
        Path directory;
    }
}
