package dev.meshwave.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwave.testing.Cli;
import dev.meshwave.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** control-plane/install.sh of the approved renders, run by a real shell with stand-in installers. */
class InstallScriptIT {

    private static final Path ASM_UPGRADE = Path.of("golden/asm-upgrade/clusters/onprem/mesh/control-plane");
    private static final Path ISTIO_TO_ASM = Path.of("golden/istio-to-asm/clusters/prod-us/mesh/control-plane");

    @TempDir
    Path tmp;

    // ASM 1.10 ships no asmcli, only install_asm (anthos-service-mesh-packages release-1.10-asm,
    // scripts/asm-installer/install_asm): --mode migrate from open-source Istio, no --fleet_id, no --offline.
    @Test
    void printShowsTheSeedsCommandLinesOnGoogleCloud() {
        Cli.Result result = Processes.run(ISTIO_TO_ASM, Map.of(), List.of("sh", "install.sh", "print"));
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("install_asm --project_id example-project-12345 --cluster_name prod-us --cluster_location us-central1"
                + " --mode migrate --output_dir ./asmcli-output-asm-1106-2 --enable_all --ca mesh_ca"
                + " --option multicluster --custom_overlay 00-revision.yaml --revision_name asm-1106-2\n"
                + "istioctl install -y -f 00-revision.yaml -f 01-option-multicluster.yaml --revision asm-1106-2\n", result.out());
    }

    @Test
    void offGoogleCloudAsmcliTargetsAKubeconfig() {
        Cli.Result result = Processes.run(ASM_UPGRADE, Map.of("KUBECONFIG", "/k/onprem", "FLEET_ID", "fleet-1"),
                List.of("sh", "install.sh", "print"));
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().startsWith("asmcli install --platform multicloud --kubeconfig /k/onprem --fleet_id fleet-1"
                + " --output_dir ./asmcli-output-asm-1140-0 --enable_all --ca mesh_ca --custom_overlay 00-revision.yaml"
                + " --custom_overlay 01-overlay-tuning.yaml --revision_name asm-1140-0\n"), result::toString);
    }

    @Test
    void offlineInstallsPassOfflineWithTheOutputDirectory() {
        Cli.Result result = Processes.run(ASM_UPGRADE, Map.of("KUBECONFIG", "/k", "FLEET_ID", "f", "OFFLINE", "1",
                "OUTPUT_DIR", "/srv/asm-1.14"), List.of("sh", "install.sh", "print"));
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().contains(" --output_dir /srv/asm-1.14 --offline --enable_all "), result::toString);
        Cli.Result online = Processes.run(ASM_UPGRADE, Map.of("KUBECONFIG", "/k", "FLEET_ID", "f"), List.of("sh", "install.sh", "print"));
        assertTrue(!online.out().contains("--offline"), online::toString);
    }

    @Test
    void asmcliRunsOnlyWhenItIsThePinnedVersion() throws IOException {
        Path log = tmp.resolve("args");
        Path pinned = fakeAsmcli("1.14.0-asm.0+config1", log);
        Map<String, String> env = Map.of("ASMCLI", pinned.toString(), "KUBECONFIG", "/k", "FLEET_ID", "f");
        Cli.Result ok = Processes.run(ASM_UPGRADE, env, List.of("sh", "install.sh", "asmcli"));
        assertEquals(0, ok.exitCode(), ok::toString);
        assertTrue(Files.readString(log).startsWith("install --platform multicloud --kubeconfig /k --fleet_id f "), Files.readString(log));

        Path newer = fakeAsmcli("1.14.1-asm.2+config1", tmp.resolve("never"));
        Cli.Result refused = Processes.run(ASM_UPGRADE, Map.of("ASMCLI", newer.toString(), "KUBECONFIG", "/k", "FLEET_ID", "f"),
                List.of("sh", "install.sh", "asmcli"));
        assertEquals(1, refused.exitCode(), refused::toString);
        assertTrue(refused.err().contains("does not install 1.14.0-asm.0"), refused::toString);
        assertTrue(Files.notExists(tmp.resolve("never")));
    }

    @Test
    void missingFactsAreAskedForNotGuessed() throws IOException {
        Cli.Result result = Processes.run(ASM_UPGRADE, Map.of("ASMCLI", "true"), List.of("sh", "install.sh", "istioctl-typo"));
        assertEquals(2, result.exitCode(), result::toString);
        Path pinned = fakeAsmcli("1.14.0-asm.0", tmp.resolve("never"));
        Cli.Result noKubeconfig = Processes.run(ASM_UPGRADE, Map.of("ASMCLI", pinned.toString()),
                List.of("sh", "-c", "unset KUBECONFIG; sh install.sh asmcli"));
        assertTrue(noKubeconfig.exitCode() != 0, noKubeconfig::toString);
        assertTrue(noKubeconfig.err().contains("set KUBECONFIG to the kubeconfig of cluster onprem"), noKubeconfig::toString);
        assertTrue(Files.notExists(tmp.resolve("never")));
    }

    private Path fakeAsmcli(String version, Path log) throws IOException {
        Path script = tmp.resolve("asmcli-" + version);
        Files.writeString(script, "#!/bin/sh\nif [ \"$1\" = --version ]; then echo '" + version + "'; exit 0; fi\necho \"$*\" > '" + log + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
