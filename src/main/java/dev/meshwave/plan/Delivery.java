package dev.meshwave.plan;

import java.util.Optional;
import java.util.function.Function;

/**
 * How a plan's control plane reaches the cluster ({@code spec.to.install}): {@link Script}, an
 * {@code install.sh} that runs asmcli, install_asm or istioctl over meshwave's IstioOperator overlays;
 * {@link Helm}, Helm releases in Git applied by Flux or Argo CD; {@link Sail}, the Sail Operator's objects
 * in Git. A new kind is a new record here and a new parameter of {@link #match}, so the compiler lists every
 * place that must handle it. ({@code match} stands in for a {@code switch} with type patterns, which Java 17
 * has only as a preview.)
 */
public sealed interface Delivery permits Delivery.Script, Delivery.Helm, Delivery.Sail {

    /** The one branch over the kinds: each case's function, applied to this delivery. */
    <R> R match(Function<Script, R> script, Function<Helm, R> helm, Function<Sail, R> sail);

    /** Whether the control plane is an object in Git, so that stages can install, point and retire it. */
    default boolean inGit() {
        return match(script -> false, helm -> true, sail -> true);
    }

    /** The delivery of a target version when the plan does not choose one: its installer, run by {@code install.sh}. */
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
        public <R> R match(Function<Script, R> script, Function<Helm, R> helm, Function<Sail, R> sail) {
            return script.apply(this);
        }
    }

    /** Which GitOps controller applies the Helm releases. */
    enum Controller { FLUX, ARGOCD }

    /** A Flux HelmRepository the plan names ({@code to.helm.flux.sourceRef}). */
    record FluxSource(String name, String namespace) {}

    /**
     * Istio's charts as Helm releases in Git (Istio's Helm install: releases {@code istio-base} and
     * {@code istiod[-<revision>]} in {@code istio-system}): {@code fromRelease} is today's istiod release, taken
     * into Git by stage 00 and removed by the cleanup stage; {@code fluxSource} empty means meshwave renders a
     * HelmRepository for {@code repository}.
     */
    record Helm(Controller controller, String repository, String namespace, String baseRelease, String fromRelease,
            Optional<FluxSource> fluxSource, String fluxInterval, String argocdNamespace, String argocdProject,
            String argocdServer) implements Delivery {

        /** Istio's official chart repository (istio.io, Helm install guide). */
        public static final String ISTIO_CHARTS = "https://istio-release.storage.googleapis.com/charts";

        /** The release name of an istiod of {@code revision}: {@code istiod}, or {@code istiod-<revision>} (istio.io Helm upgrade guide). */
        public static String istiodRelease(String revision) {
            return Plan.DEFAULT_REVISION.equals(revision) ? "istiod" : "istiod-" + revision;
        }

        @Override
        public <R> R match(Function<Script, R> script, Function<Helm, R> helm, Function<Sail, R> sail) {
            return helm.apply(this);
        }
    }

    /**
     * The Sail Operator's {@code Istio} object (sailoperator.io/v1) with {@code updateStrategy: RevisionBased}:
     * each version is an IstioRevision named {@code <name>-v<version with dashes>}; {@code gracePeriodSeconds}
     * keeps an inactive revision until the cleanup stage.
     */
    record Sail(String name, String namespace, int gracePeriodSeconds) implements Delivery {

        /** Sail's default {@code inactiveRevisionDeletionGracePeriodSeconds} (sail-operator api/v1 istio_types.go). */
        public static final int SAIL_DEFAULT_GRACE_SECONDS = 30;

        /** The IstioRevision Sail makes of the Istio object {@code name} at {@code version}: {@code default-v1-24-3}. */
        public static String revision(String name, MeshVersion version) {
            return name + "-v" + version.major() + "-" + version.minor() + "-" + version.patch();
        }

        @Override
        public <R> R match(Function<Script, R> script, Function<Helm, R> helm, Function<Sail, R> sail) {
            return sail.apply(this);
        }
    }
}
