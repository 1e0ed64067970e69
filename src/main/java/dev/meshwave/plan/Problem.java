package dev.meshwave.plan;

/**
 * One thing wrong (or worth a warning) in a plan or in a file it names, printed as
 * {@code file:line:col: yaml.path: message}.
 */
public record Problem(Severity severity, SourcePosition position, String yamlPath, String message) {

    public enum Severity { ERROR, WARNING }

    public static Problem error(SourcePosition position, String yamlPath, String message) {
        return new Problem(Severity.ERROR, position, yamlPath, message);
    }

    public static Problem warning(SourcePosition position, String yamlPath, String message) {
        return new Problem(Severity.WARNING, position, yamlPath, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        String prefix = severity == Severity.WARNING ? "warning: " : "";
        String path = yamlPath == null || yamlPath.isEmpty() ? "" : yamlPath + ": ";
        return position + ": " + prefix + path + message;
    }
}
