package dev.meshwave.testing;

import dev.meshwave.cli.Environment;
import dev.meshwave.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs meshwave in-process, the way a user's shell would, and captures what it prints. Every run is
 * checked for the secrets tests plant ({@link PlantedSecrets}): printing one fails the test, whatever
 * the test itself asserts.
 */
public final class Cli {

    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {}

    public static Result run(String... args) {
        return run(Environment.system(), args);
    }

    public static Result run(Environment environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), environment, args);
        PlantedSecrets.assertNotPrinted("stdout", out.toString());
        PlantedSecrets.assertNotPrinted("stderr", err.toString());
        return new Result(code, out.toString(), err.toString());
    }
}
