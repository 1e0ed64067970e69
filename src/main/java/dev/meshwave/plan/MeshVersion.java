package dev.meshwave.plan;

import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An Istio version {@code M.m.p} or an Anthos / Cloud Service Mesh version {@code M.m.p-asm.r}. */
public record MeshVersion(int major, int minor, int patch, OptionalInt asmRelease) implements Comparable<MeshVersion> {

    /** At most nine digits a number, so that each fits an int (a longer one was a NumberFormatException, exit 4). */
    private static final Pattern FORM = Pattern.compile("([0-9]{1,9})\\.([0-9]{1,9})\\.([0-9]{1,9})(?:-asm\\.([0-9]{1,9}))?");
    /** Names a revision takes (MESH-FACTS §1): ASM's {@code asm-<M><m><p>-<r>}, Istio's {@code <M>-<m>-<p>}, managed channels. */
    private static final Pattern REVISION_SHAPE = Pattern.compile("asm-\\d+-\\d+|\\d+-\\d+-\\d+|asm-managed.*");
    private static final Comparator<MeshVersion> ORDER = Comparator.comparingInt(MeshVersion::major)
            .thenComparingInt(MeshVersion::minor)
            .thenComparingInt(MeshVersion::patch)
            .thenComparingInt(v -> v.asmRelease().orElse(-1));

    public static MeshVersion parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a mesh version: " + text);
        }
        return new MeshVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)),
                m.group(4) == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(m.group(4))));
    }

    /** The version, or empty when the text is not one ({@link #parse} would throw). */
    public static Optional<MeshVersion> tryParse(String text) {
        return FORM.matcher(text).matches() ? Optional.of(parse(text)) : Optional.empty();
    }

    public boolean isAsm() {
        return asmRelease.isPresent();
    }

    /**
     * The revision asmcli derives from an ASM version: {@code 1.14.0-asm.1 -> asm-1140-1}. Plain Istio
     * versions have none (the plan must name one).
     */
    public Optional<String> defaultRevision() {
        return isAsm()
                ? Optional.of("asm-" + major + minor + patch + "-" + asmRelease.getAsInt())
                : Optional.empty();
    }

    /**
     * Whether a name is shaped like a revision. Tags and revisions share {@code istio.io/rev} values, so
     * a tag named like one makes every label ambiguous to a reader and to the analyzer.
     */
    public static boolean looksLikeRevision(String name) {
        return REVISION_SHAPE.matcher(name).matches();
    }

    public boolean atLeast(int major, int minor) {
        return this.major > major || (this.major == major && this.minor >= minor);
    }

    @Override
    public int compareTo(MeshVersion other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (isAsm() ? "-asm." + asmRelease.getAsInt() : "");
    }
}
