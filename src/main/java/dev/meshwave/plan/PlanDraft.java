package dev.meshwave.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The plan's settings with their defaults filled in and its derived values worked out, once, from a
 * document that passed the schema. The semantic rules and the overlay checks read these values, and
 * {@link PlanLoader} builds the {@link Plan} from them, so that a default (the CA, the injection
 * strategy, the finalize flags, the ordering, the restart) or a derived value (the target revision, the
 * revisions of a CA migration) is decided in one place and never re-derived from the raw document.
 * {@code plan.schema.json} names the same defaults for editors; {@code PlanLoaderTest} holds them equal.
 *
 * @param toRevision {@code to.revision}, or the default revision of {@code to.version} and its delivery (ASM's
 *     {@code asm-<M><m><p>-<r>}, Helm's {@code 1-23-3}, Sail's {@code <name>-v1-23-3}); empty when a plain Istio
 *     version delivered by istioctl has none (a rule refuses that plan)
 * @param delivery {@code to.install} and its settings, with their defaults
 * @param fromCa {@code from.ca}: no default, the CA in use is unknown unless the plan says it
 * @param ambient {@code spec.ambient}'s components in upgrade order, each at {@code version} or today's control plane's
 *     ({@code from.version}); empty when neither says a version (a rule refuses that plan)
 */
record PlanDraft(
        Optional<MeshVersion> fromVersion,
        MeshVersion toVersion,
        boolean downgrade,
        Optional<String> toRevision,
        Optional<Plan.CertificateAuthority> fromCa,
        Plan.CertificateAuthority ca,
        Plan.Injection injection,
        Plan.Restart restart,
        Plan.Ordering ordering,
        Plan.Finalize finishing,
        Plan.NonRevisionedInjector nonRevisionedInjector,
        Optional<Plan.CaMigration> caMigration,
        Delivery delivery,
        List<Plan.AmbientComponent> ambient) {

    static final String DISTRIBUTE_ROOT_SUFFIX = "-distribute-root";
    static final String MESHCA_SUFFIX = "-meshca-ca-migration";

    static PlanDraft of(JsonNode spec) {
        JsonNode from = spec.path("from");
        JsonNode to = spec.path("to");
        MeshVersion toVersion = MeshVersion.parse(to.path("version").asText());
        Delivery delivery = delivery(spec, toVersion);
        Optional<String> toRevision = to.has("revision") ? Optional.of(to.path("revision").asText()) : delivery.match(
                script -> toVersion.defaultRevision(),
                helm -> Optional.of(toVersion.major() + "-" + toVersion.minor() + "-" + toVersion.patch()),
                sail -> Optional.of(Delivery.Sail.revision(sail.name(), toVersion)));
        Optional<Plan.CertificateAuthority> fromCa = Optional.ofNullable(from.get("ca")).map(c -> constant(Plan.CertificateAuthority.class, c.asText()));
        Plan.CertificateAuthority ca = constant(Plan.CertificateAuthority.class, to.path("ca").asText("mesh_ca"));
        JsonNode finalize = spec.path("finalize");
        return new PlanDraft(
                Optional.ofNullable(from.get("version")).filter(JsonNode::isTextual).map(v -> MeshVersion.parse(v.asText())),
                toVersion,
                to.path("downgrade").asBoolean(false),
                toRevision,
                fromCa,
                ca,
                constant(Plan.Injection.class, spec.path("injection").asText("revision")),
                constant(Plan.Restart.class, spec.path("restart").asText("annotation")),
                constant(Plan.Ordering.class, spec.path("ordering").asText("waves")),
                // Helm's base chart and Sail own the un-revisioned names: meshwave renders no Service istiod for them.
                new Plan.Finalize(finalize.path("istiodService").asBoolean(!delivery.inGit()),
                        // A plan that moves the default tag in a wave does not move it again at the end.
                        finalize.path("defaultTag").asBoolean(!spec.path("tags").has("default")),
                        finalize.path("removeOldRevision").asBoolean(true)),
                constant(Plan.NonRevisionedInjector.class, spec.path("existing").path("nonRevisionedInjector").asText("absent")),
                caMigration(spec, fromCa, ca, toRevision.orElse("")),
                delivery,
                ambient(spec));
    }

    /** {@code spec.ambient}: istio-cni, then ztunnel, each that the plan names and whose version today is known. */
    private static List<Plan.AmbientComponent> ambient(JsonNode spec) {
        List<Plan.AmbientComponent> components = new ArrayList<>();
        for (Plan.Component component : Plan.Component.values()) {
            JsonNode node = spec.path("ambient").path(component.key());
            JsonNode version = node.has("version") ? node.get("version") : spec.path("from").path("version");
            if (node.isObject() && version.isTextual()) {
                components.add(new Plan.AmbientComponent(component, MeshVersion.parse(version.asText()),
                        Plan.UpdateStrategy.of(node.path("updateStrategy").asText("RollingUpdate"))));
            }
        }
        return List.copyOf(components);
    }

    /** {@code to.install} with its settings; without it, the script of the target version's installer. */
    private static Delivery delivery(JsonNode spec, MeshVersion toVersion) {
        JsonNode to = spec.path("to");
        switch (to.path("install").asText("")) {
            case "helm" -> {
                JsonNode helm = to.path("helm");
                String namespace = helm.path("namespace").asText("istio-system");
                JsonNode source = helm.path("flux").path("sourceRef");
                JsonNode argocd = helm.path("argocd");
                return new Delivery.Helm(
                        constant(Delivery.Controller.class, helm.path("controller").asText("flux")),
                        helm.path("repository").asText(Delivery.Helm.ISTIO_CHARTS),
                        namespace,
                        helm.path("baseRelease").asText("istio-base"),
                        spec.path("from").path("helm").path("release")
                                .asText(Delivery.Helm.istiodRelease(spec.path("from").path("revision").asText())),
                        source.isObject() ? Optional.of(new Delivery.FluxSource(source.path("name").asText(),
                                source.path("namespace").asText(namespace))) : Optional.empty(),
                        helm.path("flux").path("interval").asText("10m"),
                        argocd.path("namespace").asText("argocd"),
                        argocd.path("project").asText("default"),
                        argocd.path("server").asText("https://kubernetes.default.svc"));
            }
            case "sail" -> {
                JsonNode sail = to.path("sail");
                return new Delivery.Sail(sail.path("name").asText("default"), sail.path("namespace").asText("istio-system"),
                        sail.path("gracePeriodSeconds").asInt(2592000));
            }
            case "istioctl" -> {
                return new Delivery.Script(Delivery.Installer.ISTIOCTL);
            }
            default -> { // asmcli, or not set: the installer of the version (a rule refuses asmcli for plain Istio)
                return Delivery.of(toVersion);
            }
        }
    }

    /**
     * {@code spec.caMigration}, or {@code from.ca: citadel} with {@code to.ca: mesh_ca}: the two revisions
     * to install, named after the target revision unless the plan names them.
     */
    private static Optional<Plan.CaMigration> caMigration(JsonNode spec, Optional<Plan.CertificateAuthority> fromCa,
            Plan.CertificateAuthority ca, String base) {
        boolean migrates = spec.has("caMigration")
                || (fromCa.equals(Optional.of(Plan.CertificateAuthority.CITADEL)) && ca == Plan.CertificateAuthority.MESH_CA);
        if (!migrates) {
            return Optional.empty();
        }
        JsonNode migration = spec.path("caMigration");
        return Optional.of(new Plan.CaMigration(
                migration.has("distributeRootRevision") ? migration.path("distributeRootRevision").asText() : base + DISTRIBUTE_ROOT_SUFFIX,
                migration.has("meshcaRevision") ? migration.path("meshcaRevision").asText() : base + MESHCA_SUFFIX));
    }

    /** Whether the plan migrates from Citadel to Mesh CA. */
    boolean migratesCa() {
        return caMigration.isPresent();
    }

    /** A plan's spelling of an enum constant ({@code canary-first}, {@code mesh_ca}) as the constant. */
    private static <E extends Enum<E>> E constant(Class<E> type, String spelling) {
        return Enum.valueOf(type, spelling.replace('-', '_').toUpperCase(Locale.ROOT));
    }
}
