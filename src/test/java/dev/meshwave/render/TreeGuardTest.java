package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.plan.Redaction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What may never be written or committed: unsafe paths and secrets, each refused with the file named and the secret unshown. */
class TreeGuardTest {

    private static Map<String, byte[]> tree(String... pathsAndTexts) {
        Map<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < pathsAndTexts.length; i += 2) {
            files.put(pathsAndTexts[i], pathsAndTexts[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/etc/meshwave/kustomization.yaml | not a relative path",
        "C:/mesh/kustomization.yaml       | not a relative path",
        "clusters/../../etc/passwd        | not normalized",
        "clusters/./prod/x.yaml           | not normalized",
        "clusters//prod/x.yaml            | not normalized",
        "clusters/prod/                   | not normalized",
        "clusters/con/mesh/x.yaml         | reserved device name on Windows",
        "clusters/prod/NUL.yaml           | reserved device name on Windows",
        "clusters/prod/lpt1               | reserved device name on Windows",
        "clusters/pro:d/x.yaml            | character Windows forbids",
        "clusters\\prod\\x.yaml           | character Windows forbids",
        "clusters/prod./x.yaml            | ends with a dot or space",
    })
    void unsafePathsAreRefused(String path, String reason) {
        UnsafeContentException e = assertThrows(UnsafeContentException.class, () -> TreeGuard.check(tree(path, "x: 1\n")));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void namesThatDifferOnlyByCaseAreRefusedAtEveryLevel() {
        UnsafeContentException file = assertThrows(UnsafeContentException.class,
                () -> TreeGuard.check(tree("c/README.md", "a", "c/readme.md", "b")));
        assertTrue(file.getMessage().contains("differ only by case"), file.getMessage());
        UnsafeContentException dir = assertThrows(UnsafeContentException.class,
                () -> TreeGuard.check(tree("clusters/Prod/a.yaml", "a", "clusters/prod/b.yaml", "b")));
        assertTrue(dir.getMessage().contains("clusters/prod beside clusters/Prod"), dir.getMessage());
    }

    @Test
    void filesCheckedAsTheyArriveAreRefusedAsTheSortedTreeIs() {
        // Clusters arrive in plan order, not path order: the refusal is still the first one in path order.
        Map<String, byte[]> files = tree("z/a.yaml", "token: ghp_" + "a".repeat(36) + "\n", "b/Prod/a.yaml", "a", "b/prod/c.yaml", "c",
                "b/x./y.yaml", "a", "a/ok.yaml", "a");
        String sorted = assertThrows(UnsafeContentException.class, () -> TreeGuard.check(files)).getMessage();
        TreeGuard.Scan scan = new TreeGuard.Scan(new Redaction());
        java.util.List<String> arrival = new java.util.ArrayList<>(files.keySet());
        java.util.Collections.reverse(arrival);
        arrival.forEach(path -> scan.file(path, files.get(path)));
        assertTrue(sorted.contains("b/prod beside b/Prod"), sorted);
        assertTrue(assertThrows(UnsafeContentException.class, scan::finish).getMessage().equals(sorted));
    }

    @Test
    void ordinaryRenderedPathsPass() {
        assertDoesNotThrow(() -> TreeGuard.check(tree("clusters/prod-us/mesh/stages/01-apps/kustomization.yaml", "a: 1\n",
                "clusters/prod-us/mesh/control-plane/asm-1233-2-distribute-root/05-option-ca-migration-citadel.yaml",
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "token: ghp_0123456789abcdefghijABCDEFGHIJ0123456789",
        "token: github_pat_11ABCDEFG0123456789_abcdefghijABCDEFGHIJ0123456789abcdefghij",
        "token: glpat-abcdefghij0123456789",
        "key: AKIAIOSFODNN7EXAMPLE",
        "key: AIzaSyA-0123456789abcdefghijABCDEFGHIJK",
        "hook: xoxb-0123456789-abcdefghij",
        "repo: https://meshwave:s3cr3t-value@git.example.com/gitops.git",
    })
    void secretsAreRefusedWithFileAndLineButNeverShown(String secret) {
        String text = "apiVersion: v1\nkind: ConfigMap\n" + secret + "\n";
        UnsafeContentException e = assertThrows(UnsafeContentException.class,
                () -> TreeGuard.check(tree("clusters/prod/stages/00-control-plane/leak.yaml", text)));
        assertTrue(e.getMessage().contains("refusing to write clusters/prod/stages/00-control-plane/leak.yaml: line 3 holds what looks like"),
                e.getMessage());
        String value = secret.substring(secret.indexOf(' ') + 1);
        assertFalse(e.getMessage().contains(value.substring(Math.max(0, value.length() - 12))), "the secret is not printed: " + e.getMessage());
    }

    @Test
    void aTokenTheRunHoldsIsRefusedInAnyEncodingWithItsVariableNamed() {
        String token = "mw-held-" + "4f7a9c2e1b8d";
        Redaction holds = Redaction.of(Map.of("MESHWAVE_GIT_TOKEN", token));
        String basic = java.util.Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
        UnsafeContentException e = assertThrows(UnsafeContentException.class,
                () -> TreeGuard.check(tree("clusters/prod/a.yaml", "a: 1\n", "clusters/prod/b.yaml", "a: 1\nauth: Basic " + basic + "\n"), holds));
        assertTrue(e.getMessage().startsWith("refusing to write clusters/prod/b.yaml: line 2 holds what looks like the token in"
                + " MESHWAVE_GIT_TOKEN (base64-encoded) (not shown)"), e.getMessage());
        assertFalse(e.getMessage().contains(basic.substring(20, 28)), e.getMessage());
        UnsafeContentException text = assertThrows(UnsafeContentException.class, () -> TreeGuard.checkText("pr body", "see " + token, holds));
        assertFalse(text.getMessage().contains(token), text.getMessage());
        assertDoesNotThrow(() -> TreeGuard.check(tree("clusters/prod/b.yaml", "auth: Basic " + basic + "\n")), "unheld, it is just text");
    }

    @Test
    void gitUrlsWithoutCredentialsAndPublicCertificatesPass() {
        assertDoesNotThrow(() -> TreeGuard.checkText("pr body", "clone https://git.example.com/gitops.git or ssh://git@git.example.com/gitops.git\n"));
    }

    /**
     * A scan fed cluster by cluster refuses what a scan of the whole tree refuses, with the same first message: a case clash
     * below a cluster's root, one at its root (two clusters), a secret, or nothing.
     */
    @org.junit.jupiter.api.Test
    void aScanClusterByClusterRefusesWhatTheWholeTreeScanRefuses() {
        byte[] plain = "kind: ConfigMap\n".getBytes(StandardCharsets.UTF_8);
        java.util.List<Map<String, Map<String, byte[]>>> fleets = java.util.List.of(
                Map.of("c/a", Map.of("c/a/stages/x.yaml", plain, "c/a/stages/X.yaml", plain), "c/b", Map.of("c/b/k.yaml", plain)),
                Map.of("c/a", Map.of("c/a/k.yaml", plain), "c/A", Map.of("c/A/k.yaml", plain)),
                Map.of("c/a", Map.of("c/a/k.yaml", plain, "c/a/Stages/y.yaml", plain, "c/a/stages/z.yaml", plain)),
                Map.of("c/a", Map.of("c/a/k.yaml", plain), "c/b", Map.of("c/b/k.yaml", plain)));
        for (Map<String, Map<String, byte[]>> fleet : fleets) {
            TreeMap<String, byte[]> whole = new TreeMap<>();
            fleet.values().forEach(whole::putAll);
            String expected = message(() -> TreeGuard.check(whole, new Redaction()));
            TreeGuard.Scan scan = new TreeGuard.Scan(new Redaction());
            for (Map.Entry<String, Map<String, byte[]>> cluster : new TreeMap<>(fleet).entrySet()) {
                scan.cluster(cluster.getKey(), new TreeMap<>(cluster.getValue()), Map.of());
            }
            org.junit.jupiter.api.Assertions.assertEquals(expected, message(scan::finish), fleet.toString());
        }
    }

    private interface Check {
        void run() throws UnsafeContentException;
    }

    private static String message(Check check) {
        try {
            check.run();
            return "";
        } catch (UnsafeContentException e) {
            return e.getMessage();
        }
    }
}
