package dev.meshwave.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a long run on stderr: on a terminal one line rewritten in place, elsewhere (CI logs)
 * one plain line per item, nothing with {@code --quiet}. {@code MESHWAVE_PROGRESS=tty|plain} overrides
 * the terminal check.
 */
final class Progress {

    private final PrintWriter err;
    private final boolean tty;
    private final boolean quiet;
    private boolean open;

    Progress(PrintWriter err, Environment environment, boolean quiet) {
        this.err = err;
        String forced = environment.variables().getOrDefault("MESHWAVE_PROGRESS", "");
        this.tty = forced.equals("tty") || (forced.isEmpty() && System.console() != null
                && !"dumb".equals(environment.variables().get("TERM")));
        this.quiet = quiet;
    }

    /** One item of {@code total} done. */
    void item(String text, int done, int total) {
        if (quiet) {
            return;
        }
        String line = String.format(Locale.ROOT, "[%d/%d] %s", done, total, text);
        if (tty) {
            err.print("\r\033[K" + line);
            open = true;
            if (done == total) {
                finish();
            }
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Ends a rewritten line, so that what follows starts on its own. */
    void finish() {
        if (open) {
            err.println();
            err.flush();
            open = false;
        }
    }
}
