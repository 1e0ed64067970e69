package dev.meshwave.plan;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An upgrade plan that passed the schema and every semantic check: immutable, with defaults filled
 * in and the target revision resolved. The render layer takes it as its only input.
 */
public record Plan(
        String file,
        String name,
        From from,
        To to,
        Injection injection,
        Map<String, String> tags,
        List<Cluster> clusters,
        List<Wave> waves,
        Restart restart,
        Finalize finishing) {

    public Plan {
        tags = Map.copyOf(tags);
        clusters = List.copyOf(clusters);
        waves = List.copyOf(waves);
    }

    /** The revision in use now; {@link #DEFAULT_REVISION} is the non-revisioned install. */
    public record From(String revision, Optional<MeshVersion> version) {
        public boolean isNonRevisioned() {
            return DEFAULT_REVISION.equals(revision);
        }
    }

    public record To(
            MeshVersion version,
            String revision,
            Optional<String> hub,
            Optional<String> profile,
            CertificateAuthority ca,
            Optional<String> caPool,
            List<String> options,
            List<Overlay> overlays) {
        public To {
            options = List.copyOf(options);
            overlays = List.copyOf(overlays);
        }
    }

    /** A user's IstioOperator overlay: its path as written in the plan and its text. */
    public record Overlay(String path, String text) {}

    public record Cluster(
            String name,
            String path,
            Optional<String> project,
            Optional<String> location,
            Optional<String> network,
            Optional<String> fleetProject,
            Optional<IngressGateway> ingressGateway,
            Optional<String> namespacesFrom) {}

    /** The shared gateway Service whose {@code service.istio.io/canonical-revision} selector follows the canary. */
    public record IngressGateway(String namespace, String service, String fromCanonicalRevision) {}

    public record Wave(String name, List<String> namespaces, List<String> clusters) {
        public Wave {
            namespaces = List.copyOf(namespaces);
            clusters = List.copyOf(clusters);
        }

        /** A wave without {@code clusters} applies to every cluster. */
        public boolean appliesTo(Cluster cluster) {
            return clusters.isEmpty() || clusters.contains(cluster.name());
        }
    }

    public record Finalize(boolean istiodService, boolean defaultTag, boolean removeOldRevision) {
        public boolean rendersObjects() {
            return istiodService || defaultTag;
        }
    }

    public enum Injection { REVISION, TAG }

    public enum Restart { ANNOTATION, JOB, MANUAL }

    public enum CertificateAuthority {
        MESH_CA, CITADEL, GCP_CAS, MANAGED_CAS;

        /** The spelling of plans and of asmcli's {@code --ca}. */
        public String flag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final String DEFAULT_REVISION = "default";

    /** Waves that apply to a cluster, in plan order. */
    public List<Wave> wavesFor(Cluster cluster) {
        return waves.stream().filter(w -> w.appliesTo(cluster)).toList();
    }
}
