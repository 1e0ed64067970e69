package dev.meshwave.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "meshwave",
        mixinStandardHelpOptions = true,
        versionProvider = MeshwaveCommand.Version.class,
        description = "Renders a revision-based (canary) Istio / Cloud Service Mesh upgrade as staged Kustomize directories for GitOps.",
        subcommands = {ValidateCommand.class, RenderCommand.class, PublishCommand.class, RollbackCommand.class, ExplainCommand.class, SchemaCommand.class,
            ImportCommand.class, LintCommand.class, CompletionCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 drift (render --check), 2 invalid plan or usage, 3 unsafe output or repository (rejected push, foreign commits), 4 internal error; lint exits 1 when it finds problems."})
final class MeshwaveCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT, description = "Print the stack trace of an unexpected error.")
    boolean stacktrace;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (validate, render, publish, rollback, explain, schema, import, lint or completion)");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = MeshwaveCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            }
            return new String[] {"meshwave " + properties.getProperty("version", "unknown")};
        }
    }
}
