package dev.meshwave.render;

import dev.meshwave.plan.FileNames;
import dev.meshwave.plan.Redaction;
import dev.meshwave.plan.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The last look at everything meshwave is about to write or commit: every path must be safe on
 * every file system a GitOps repository is checked out on, and no file or pull-request text may hold
 * a secret, nor a token the run holds (in any encoding {@link Redaction} knows). A finding names the
 * file and line, never the secret.
 */
public final class TreeGuard {

    private TreeGuard() {}

    /** Checks the paths and contents of a tree of files (output-root relative, '/'-separated). */
    public static void check(Map<String, byte[]> files) throws UnsafeContentException {
        check(files, new Redaction());
    }

    /** Checks a tree, also for the secrets the run {@code holds}. */
    public static void check(Map<String, byte[]> files, Redaction holds) throws UnsafeContentException {
        Map<String, String> byFoldedCase = new HashMap<>();
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            String path = file.getKey();
            checkPath(path);
            String prefix = "";
            for (String segment : path.split("/")) {
                prefix = prefix.isEmpty() ? segment : prefix + "/" + segment;
                String other = byFoldedCase.putIfAbsent(prefix.toLowerCase(Locale.ROOT), prefix);
                if (other != null && !other.equals(prefix)) {
                    throw new UnsafeContentException("refusing to write " + prefix + " beside " + other
                            + ": the names differ only by case, and on a case-insensitive file system (macOS, Windows) one replaces the other");
                }
            }
            refuseSecret(path, Secrets.findInFile(path, new String(file.getValue(), StandardCharsets.UTF_8), holds));
        }
    }

    /** Refuses a text that holds a secret; {@code what} names it in the message (a file, a pull-request body). */
    public static void checkText(String what, String text) throws UnsafeContentException {
        checkText(what, text, new Redaction());
    }

    /** As {@link #checkText(String, String)}, also for the secrets the run {@code holds}. */
    public static void checkText(String what, String text, Redaction holds) throws UnsafeContentException {
        refuseSecret(what, Secrets.find(text, holds));
    }

    private static void refuseSecret(String what, Optional<Secrets.Finding> secret) throws UnsafeContentException {
        if (secret.isPresent()) {
            throw new UnsafeContentException("refusing to write " + what + ": line " + secret.get().line() + " holds what looks like "
                    + secret.get().kind() + " (not shown); meshwave never writes or commits secrets. Remove it from the plan's"
                    + " overlays or templates, and refer to secrets by path or from the cluster instead");
        }
    }

    /** A relative, normalized path whose every segment is a valid file name on Linux, macOS and Windows. */
    static void checkPath(String path) throws UnsafeContentException {
        if (path.isEmpty() || path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
            throw new UnsafeContentException("refusing to write '" + path + "': not a relative path");
        }
        for (String segment : path.split("/", -1)) {
            Optional<String> problem = FileNames.problem(segment);
            if (problem.isPresent()) {
                throw new UnsafeContentException("refusing to write '" + path + "': " + problem.get());
            }
        }
    }
}
