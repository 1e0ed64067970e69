package dev.meshwave.cli;

/** meshwave's exit codes: few, documented, stable (STYLE.md). */
public final class ExitCodes {
    public static final int OK = 0;
    /** {@code render --check} found drift, or a check failed. */
    public static final int DRIFT = 1;
    /** Invalid plan, template or usage. */
    public static final int USAGE = 2;
    /** Unsafe state: output or repository that meshwave will not overwrite. */
    public static final int UNSAFE = 3;
    /** A bug or an environment failure meshwave did not expect. */
    public static final int INTERNAL = 4;

    private ExitCodes() {}
}
