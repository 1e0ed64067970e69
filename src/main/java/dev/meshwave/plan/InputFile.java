package dev.meshwave.plan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;

/**
 * The one way meshwave reads a file it is handed (plan, overlays, templates, kubectl exports, a
 * repository's files): a regular file only, checked before it is opened, so a FIFO or a device such
 * as {@code /dev/zero} never blocks or fills memory; a size limit checked before reading and again
 * while reading, for a file that grows in between; then strict UTF-8. Every refusal is an
 * {@link InvalidPlanException} at {@code file:line:column}, which the command line maps to exit 2.
 */
public final class InputFile {

    private InputFile() {}

    /** The file as UTF-8 text (a leading byte order mark is kept for the caller to judge). */
    public static String read(Path file, long limit, String what) throws InvalidPlanException {
        return read(file, file.toString(), limit, what);
    }

    /** The same, with {@code label} naming the file in problems (a path relative to what the user typed). */
    public static String read(Path file, String label, long limit, String what) throws InvalidPlanException {
        return decode(label, bytes(file, label, limit, what));
    }

    /**
     * The file's bytes, for readers that decode them with their own positions (YAML); at most
     * {@code limit} of them.
     */
    public static byte[] bytes(Path file, String label, long limit, String what) throws InvalidPlanException {
        try {
            return bounded(file, limit);
        } catch (Refused e) {
            throw switch (e.reason()) {
                case DIRECTORY, NOT_REGULAR -> problem(label, "the " + what + " is not a regular file ("
                        + (e.reason() == Reason.DIRECTORY ? "a directory" : "a FIFO, socket or device") + "); meshwave reads only regular files");
                case TOO_LARGE -> tooLarge(label, what, limit);
            };
        } catch (NoSuchFileException e) {
            throw problem(label, "no such file");
        } catch (IOException e) {
            throw problem(label, "cannot read the " + what + ": " + e.getMessage());
        }
    }

    /** Why {@link #bounded} did not read a file. */
    public enum Reason { DIRECTORY, NOT_REGULAR, TOO_LARGE }

    /** A file {@link #bounded} refused to read, before reading it or as soon as it passed the limit. */
    public static final class Refused extends Exception {
        private final Reason reason;

        Refused(Reason reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /**
     * The bounded read itself, for callers that phrase their own refusals (lint reports a repository's
     * unreadable files as warnings): the type is checked before the file is opened, the size before
     * and while reading.
     */
    public static byte[] bounded(Path file, long limit) throws IOException, Refused {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new Refused(attributes.isDirectory() ? Reason.DIRECTORY : Reason.NOT_REGULAR);
        }
        if (attributes.size() > limit) {
            throw new Refused(Reason.TOO_LARGE);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw new Refused(Reason.TOO_LARGE); // it grew after the check
            }
            return bytes;
        }
    }

    /** Strict UTF-8: an invalid byte is reported where it is, counting columns in characters. */
    public static String decode(String label, byte[] bytes) throws InvalidPlanException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = Math.min(in.position(), bytes.length - 1);
            throw new InvalidPlanException(List.of(Problem.error(positionOfByte(label, bytes, in.position()), "",
                    "the file is not UTF-8 (invalid byte 0x" + String.format(Locale.ROOT, "%02X", bytes[at] & 0xff) + ")")));
        }
        out.flip();
        return out.toString();
    }

    /** The line and column of a byte offset, counting columns in characters of the valid prefix. */
    static SourcePosition positionOfByte(String file, byte[] bytes, int offset) {
        int line = 1;
        int lineStart = 0;
        int end = Math.min(offset, bytes.length);
        for (int i = 0; i < end; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        String prefix;
        try {
            prefix = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes, lineStart, end - lineStart)).toString();
        } catch (CharacterCodingException e) {
            prefix = "";
        }
        return new SourcePosition(file, line, prefix.codePointCount(0, prefix.length()) + 1);
    }

    private static InvalidPlanException tooLarge(String label, String what, long limit) {
        return problem(label, "the file is larger than " + limit + " bytes; " + (what.matches("[aeiou].*") ? "an " : "a ") + what + " that large is not what meshwave expects");
    }

    private static InvalidPlanException problem(String label, String message) {
        return new InvalidPlanException(List.of(Problem.error(new SourcePosition(label, 1, 1), "", message)));
    }
}
