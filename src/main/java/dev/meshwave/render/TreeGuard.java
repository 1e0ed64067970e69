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
        Scan scan = new Scan(holds);
        files.forEach(scan::file);
        scan.finish();
    }

    /**
     * Checks files one at a time as a render makes them, in any order, keeping only their paths (for the
     * case clashes) and the finding that comes first in path order: {@link #finish()} refuses exactly what
     * a check of the whole sorted tree refuses, with the same message.
     */
    public static final class Scan {
        private record Finding(String file, int rank, int depth, UnsafeContentException refusal) {}

        private final Redaction holds;
        // Each directory or file path → the first file (in path order) under it, and per case-folded path
        // the spelling whose first file comes first: the one a sorted walk meets first.
        private final Map<String, String> firstFile = new HashMap<>();
        private final Map<String, String> spellingByFoldedCase = new HashMap<>();
        private Finding first;

        public Scan(Redaction holds) {
            this.holds = holds;
        }

        /** One file, by its path from the output root. */
        public void file(String path, byte[] bytes) {
            file(path, secretIn(path, bytes));
        }

        /**
         * What {@link #file(String, byte[])} refuses in a file's content, or null: the costly part of the check, which
         * holds no state, so a render runs it on many files at once and hands the answers over in order.
         */
        public UnsafeContentException secretIn(String path, byte[] bytes) {
            try {
                refuseSecret(path, Secrets.findInFile(path, new String(bytes, StandardCharsets.UTF_8), holds));
                return null;
            } catch (UnsafeContentException e) {
                return e;
            }
        }

        /** One file whose content {@link #secretIn} has checked ({@code secret}: what it refused, or null). */
        public void file(String path, UnsafeContentException secret) {
            try {
                checkPath(path);
            } catch (UnsafeContentException e) {
                found(new Finding(path, 0, 0, e));
            }
            String prefix = "";
            for (String segment : path.split("/")) {
                prefix = prefix.isEmpty() ? segment : prefix + "/" + segment;
                firstFile.merge(prefix, path, (a, b) -> a.compareTo(b) <= 0 ? a : b);
                spellingByFoldedCase.merge(prefix.toLowerCase(Locale.ROOT), prefix,
                        (a, b) -> firstFile.get(a).compareTo(firstFile.get(b)) <= 0 ? a : b);
            }
            if (secret != null) {
                found(new Finding(path, 2, 0, secret));
            }
        }

        /**
         * One cluster's files, those under {@code root} and the team files an in-place cluster edits outside it, with what
         * {@link #secretIn} refused in them. A path below the root can clash by case only with another below the same root
         * (cluster paths never overlap, case-folded included: plan.ClusterRules), so those are checked now and forgotten;
         * only the root, its parents and the paths outside it are kept. A fleet's memory then grows with its clusters, not
         * with their files.
         */
        public void cluster(String root, java.util.SortedMap<String, ?> files, Map<String, UnsafeContentException> secrets) {
            Scan local = new Scan(holds);
            for (String path : files.keySet()) {
                if (path.startsWith(root + "/")) {
                    local.file(path, secrets.get(path));
                } else {
                    file(path, secrets.get(path));
                }
            }
            int rootDepth = root.split("/").length;
            for (Map.Entry<String, String> entry : local.firstFile.entrySet()) {
                String prefix = entry.getKey();
                int depth = prefix.split("/").length;
                if (depth > rootDepth) {
                    String other = local.spellingByFoldedCase.get(prefix.toLowerCase(Locale.ROOT));
                    if (!other.equals(prefix)) {
                        local.found(clash(entry.getValue(), prefix, other));
                    }
                } else {
                    firstFile.merge(prefix, entry.getValue(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
                    spellingByFoldedCase.merge(prefix.toLowerCase(Locale.ROOT), prefix,
                            (a, b) -> firstFile.get(a).compareTo(firstFile.get(b)) <= 0 ? a : b);
                }
            }
            if (local.first != null) {
                found(local.first);
            }
        }

        /**
         * Whether a file seen so far has an unsafe path or a secret: {@link #finish} will refuse the tree, so
         * nothing more of it need go where it would be written (a directory sink stages files on disk).
         */
        public boolean refuses() {
            return first != null;
        }

        /** Refuses the first unsafe path, case clash or secret in path order, if any. */
        public void finish() throws UnsafeContentException {
            for (Map.Entry<String, String> spelling : firstFile.entrySet()) {
                String prefix = spelling.getKey();
                String other = spellingByFoldedCase.get(prefix.toLowerCase(Locale.ROOT));
                if (!other.equals(prefix)) {
                    found(clash(spelling.getValue(), prefix, other));
                }
            }
            if (first != null) {
                throw first.refusal();
            }
        }

        private static Finding clash(String firstFile, String prefix, String other) {
            return new Finding(firstFile, 1, prefix.split("/").length, new UnsafeContentException("refusing to write "
                    + prefix + " beside " + other + ": the names differ only by case, and on a case-insensitive file system"
                    + " (macOS, Windows) one replaces the other"));
        }

        private void found(Finding finding) {
            if (first == null || java.util.Comparator.comparing(Finding::file).thenComparingInt(Finding::rank)
                    .thenComparingInt(Finding::depth).compare(finding, first) < 0) {
                first = finding;
            }
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
