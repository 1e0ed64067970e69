package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MeshVersionTest {

    @Test
    void parsesAnAsmVersion() {
        MeshVersion v = MeshVersion.parse("1.14.0-asm.1");
        assertEquals(new MeshVersion(1, 14, 0, OptionalInt.of(1)), v);
        assertTrue(v.isAsm());
        assertEquals("1.14.0-asm.1", v.toString());
    }

    @Test
    void parsesAPlainIstioVersion() {
        MeshVersion v = MeshVersion.parse("1.22.3");
        assertEquals(new MeshVersion(1, 22, 3, OptionalInt.empty()), v);
        assertFalse(v.isAsm());
        assertEquals("1.22.3", v.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.14", "1.14.0-asm", "1.14.0-asm.", "v1.14.0", "1.14.0-rc.1", "1.14.0-asm.1 ", "1.14.x"})
    void rejectsWhatIsNotAMeshVersion(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MeshVersion.parse(text));
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    /** MESH-FACTS §1: asm-&lt;M&gt;&lt;m&gt;&lt;p&gt;-&lt;r&gt;. */
    @ParameterizedTest
    @CsvSource({
        "1.14.0-asm.1, asm-1140-1",
        "1.23.3-asm.2, asm-1233-2",
        "1.10.6-asm.2, asm-1106-2",
        "1.13.0-asm.0, asm-1130-0",
    })
    void derivesTheDefaultRevisionOfAnAsmVersion(String version, String revision) {
        assertEquals(Optional.of(revision), MeshVersion.parse(version).defaultRevision());
    }

    @Test
    void aPlainIstioVersionHasNoDefaultRevision() {
        assertEquals(Optional.empty(), MeshVersion.parse("1.22.3").defaultRevision());
    }

    @Test
    void ordersNumericallyWithThePlainReleaseBeforeItsAsmBuilds() {
        List<String> ordered = List.of("1.9.9", "1.10.6-asm.2", "1.14.0", "1.14.0-asm.0", "1.14.0-asm.1",
                "1.14.0-asm.10", "1.14.1", "1.22.3", "2.0.0");
        List<MeshVersion> shuffled = new ArrayList<>(ordered.stream().map(MeshVersion::parse).toList());
        Collections.reverse(shuffled);
        Collections.sort(shuffled);
        assertEquals(ordered, shuffled.stream().map(MeshVersion::toString).toList());
    }

    @Test
    void comparesEqualVersionsAsEqual() {
        assertEquals(0, MeshVersion.parse("1.14.0-asm.1").compareTo(MeshVersion.parse("1.14.0-asm.1")));
        assertTrue(MeshVersion.parse("1.13.0-asm.0").compareTo(MeshVersion.parse("1.14.0-asm.0")) < 0);
        assertTrue(MeshVersion.parse("1.14.0-asm.0").compareTo(MeshVersion.parse("1.13.0-asm.0")) > 0);
    }

    @ParameterizedTest
    @CsvSource({
        "1.23.3-asm.2, 1, 23, true",
        "1.23.3-asm.2, 1, 22, true",
        "1.23.3-asm.2, 1, 24, false",
        "1.22.3,       1, 23, false",
        "1.9.9,        1, 10, false",
        "2.0.0,        1, 30, true",
        "1.30.0,       2, 0,  false",
    })
    void atLeastComparesMajorAndMinorOnly(String version, int major, int minor, boolean expected) {
        assertEquals(expected, MeshVersion.parse(version).atLeast(major, minor));
    }
}
