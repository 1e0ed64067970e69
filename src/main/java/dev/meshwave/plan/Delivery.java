package dev.meshwave.plan;

import java.util.function.Function;

/**
 * How a plan's control plane reaches the cluster. Today one kind: {@link Script}, an {@code install.sh}
 * that runs asmcli, install_asm or istioctl over meshwave's IstioOperator overlays. A new kind (Helm
 * through Flux or Argo CD, the Sail Operator) is a new record here and a new parameter of {@link #match},
 * so the compiler lists every place that must handle it. ({@code match} stands in for a {@code switch}
 * with type patterns, which Java 17 has only as a preview.)
 */
public sealed interface Delivery permits Delivery.Script {

    /** The one branch over the kinds: each case's function, applied to this delivery. */
    <R> R match(Function<Script, R> script);

    /** The delivery of a target version today: its installer, run by {@code install.sh}. */
    static Delivery of(MeshVersion version) {
        return new Script(Script.installer(version));
    }

    /**
     * The program that installs a revision. ASM 1.11 and later ship {@code asmcli}; 1.10 ships only
     * {@code install_asm} (anthos-service-mesh-packages release-1.10-asm: scripts/asm-installer/install_asm,
     * no asmcli/); plain Istio is installed by {@code istioctl install}.
     */
    enum Installer { ASMCLI, INSTALL_ASM, ISTIOCTL }

    /** {@code install.sh} runs {@code installer} with the overlays of {@code control-plane/}. */
    record Script(Installer installer) implements Delivery {

        /** The installer of a version: what {@code install.sh} runs and what {@code validate} checks against. */
        static Installer installer(MeshVersion version) {
            if (!version.isAsm()) {
                return Installer.ISTIOCTL;
            }
            return version.atLeast(1, 11) ? Installer.ASMCLI : Installer.INSTALL_ASM;
        }

        @Override
        public <R> R match(Function<Script, R> script) {
            return script.apply(this);
        }
    }
}
