package dev.meshwave.lint;

import dev.meshwave.plan.ManifestFile;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * lint reads whatever a repository holds: any bytes are objects or an {@link ManifestFile.UnreadableException}
 * (a warning), and the rules never throw on what was read. {@code mvn -Pfuzz test -Dtest='ManifestFileFuzzTest'} fuzzes.
 */
class ManifestFileFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void anyBytes(byte[] bytes) {
        try {
            InjectionRules.check(ManifestFile.read("f.yaml", bytes, 1 << 20), new java.util.ArrayList<>());
        } catch (ManifestFile.UnreadableException e) {
            assertTrue(e.position().line() >= 1 && e.position().column() >= 1, e::getMessage);
        }
    }
}
