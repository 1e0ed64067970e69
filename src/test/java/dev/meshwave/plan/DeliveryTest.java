package dev.meshwave.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeliveryTest {

    @ParameterizedTest
    @CsvSource({"1.10.6-asm.2, INSTALL_ASM", "1.11.0-asm.1, ASMCLI", "1.23.3-asm.2, ASMCLI", "1.22.3, ISTIOCTL"})
    void todayEveryVersionIsDeliveredByTheScriptOfItsInstaller(String version, Delivery.Installer installer) {
        Delivery delivery = Delivery.of(MeshVersion.parse(version));
        assertEquals(installer, delivery.match(Delivery.Script::installer, helm -> null, sail -> null));
    }
}
