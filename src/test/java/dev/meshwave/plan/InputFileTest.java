package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFileTest {

    @TempDir
    Path dir;

    private String refusal(Path file, long limit) {
        return assertThrows(InvalidPlanException.class, () -> InputFile.read(file, limit, "manifest")).problems().get(0).toString();
    }

    @Test
    void aRegularUtf8FileWithinTheLimitIsReadAsText() throws Exception {
        Path file = Files.writeString(dir.resolve("a.yaml"), "caf\u00e9: 1\n");
        assertEquals("caf\u00e9: 1\n", InputFile.read(file, 9, "manifest"));
    }

    @Test
    void theLimitCountsBytes() throws Exception {
        Path file = Files.writeString(dir.resolve("a.yaml"), "caf\u00e9: 1\n"); // 9 bytes, 8 characters
        assertEquals(file + ":1:1: the file is larger than 8 bytes; a manifest that large is not what meshwave expects", refusal(file, 8));
    }

    @Test
    void aDirectoryIsNamedAndNotRead() {
        assertEquals(dir + ":1:1: the manifest is not a regular file (a directory); meshwave reads only regular files", refusal(dir, 100));
    }

    @Test
    void aMissingFileIsNamed() {
        assertEquals(dir.resolve("nope.yaml") + ":1:1: no such file", refusal(dir.resolve("nope.yaml"), 100));
    }

    @Test
    void invalidUtf8IsReportedWhereItIs() throws Exception {
        byte[] bytes = "a: 1\nb: xy\n".getBytes(StandardCharsets.UTF_8);
        bytes[8] = (byte) 0xC3; // a lead byte followed by 'y'
        Path file = Files.write(dir.resolve("a.yaml"), bytes);
        assertEquals(file + ":2:4: the file is not UTF-8 (invalid byte 0xC3)", refusal(file, 100));
    }

    @Test
    void aTruncatedSequenceAtTheEndIsInvalidToo() throws Exception {
        Path file = Files.write(dir.resolve("a.yaml"), new byte[] {'a', (byte) 0xE2, (byte) 0x82});
        assertEquals(file + ":1:2: the file is not UTF-8 (invalid byte 0xE2)", refusal(file, 100));
    }
}
