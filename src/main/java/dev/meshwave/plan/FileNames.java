package dev.meshwave.plan;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which file and directory names are safe on every file system a GitOps repository is checked out on,
 * and in Git itself: Git (and JGit's ObjectChecker, which publish runs) refuses a tree entry that is,
 * or that Windows or macOS would read as, {@code .git}, and treats {@code .gitmodules} the same way.
 */
public final class FileNames {

    private static final Pattern WINDOWS_RESERVED = Pattern.compile("(?i)(?:CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(?:\\..*)?");
    private static final Pattern WINDOWS_FORBIDDEN = Pattern.compile("[<>:\"|?*\\\\\\x00-\\x1f]");
    /** What HFS+ ignores when it compares names, so {@code .g\u200Cit} is {@code .git} on macOS (JGit isMacHFSGit). */
    private static final Pattern HFS_IGNORABLE = Pattern.compile("[\\u200C-\\u200F\\u202A-\\u202E\\u206A-\\u206F\\uFEFF]");
    /** NTFS 8.3 short names of .gitmodules: {@code gitmod~1..4} and the hashed {@code gi7eba~1..9} (Git's is_ntfs_dotgitmodules). */
    private static final Pattern NTFS_GITMODULES = Pattern.compile("gitmod~[1-4]|gi7eba~[1-9]");
    /** The longest name ext4, APFS, NTFS and most other file systems take, in bytes. */
    public static final int MAX_NAME_BYTES = 255;

    private FileNames() {}

    /** Why one segment of a path is not a safe name on Linux, macOS and Windows; empty when it is. */
    public static Optional<String> problem(String segment) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
            return Optional.of("it is not normalized (empty, '.' or '..' segment)");
        }
        if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return Optional.of("a name is longer than " + MAX_NAME_BYTES + " bytes, which file systems refuse");
        }
        if (isGitName(segment)) {
            return Optional.of("'" + PlanSchema.shown(segment) + "' is a name Git refuses in a repository (.git or .gitmodules, or a name"
                    + " Windows or macOS reads as one)");
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

    /**
     * {@code .git} and {@code .gitmodules} in any case, with the trailing dots and spaces Windows drops,
     * with the characters HFS+ ignores, or as their NTFS short names ({@code git~1}, {@code gitmod~1},
     * {@code gi7eba~1}).
     */
    static boolean isGitName(String segment) {
        String name = HFS_IGNORABLE.matcher(segment).replaceAll("").toLowerCase(Locale.ROOT);
        String trimmed = name.replaceAll("[. ]+$", "");
        return trimmed.equals(".git") || trimmed.equals(".gitmodules") || name.equals("git~1")
                || NTFS_GITMODULES.matcher(name).matches();
    }
}
