package dev.meshwave.plan;

import java.util.Optional;
import java.util.regex.Pattern;

/** Which file and directory names are safe on every file system a GitOps repository is checked out on. */
public final class FileNames {

    private static final Pattern WINDOWS_RESERVED = Pattern.compile("(?i)(?:CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(?:\\..*)?");
    private static final Pattern WINDOWS_FORBIDDEN = Pattern.compile("[<>:\"|?*\\\\\\x00-\\x1f]");

    private FileNames() {}

    /** Why one segment of a path is not a safe name on Linux, macOS and Windows; empty when it is. */
    public static Optional<String> problem(String segment) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
            return Optional.of("it is not normalized (empty, '.' or '..' segment)");
        }
        if (WINDOWS_FORBIDDEN.matcher(segment).find()) {
            return Optional.of("'" + segment + "' holds a character Windows forbids in file names");
        }
        if (WINDOWS_RESERVED.matcher(segment).matches()) {
            return Optional.of("'" + segment + "' is a reserved device name on Windows");
        }
        if (segment.endsWith(".") || segment.endsWith(" ")) {
            return Optional.of("'" + segment + "' ends with a dot or space, which Windows drops");
        }
        return Optional.empty();
    }
}
