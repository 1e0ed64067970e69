package dev.meshwave.lint;

import dev.meshwave.admission.Admission;
import dev.meshwave.admission.Injector;
import dev.meshwave.plan.Ambient;
import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.MeshVersion;
import dev.meshwave.plan.Problem;
import dev.meshwave.plan.SourcePosition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The injection rules over the objects applied together (one kustomization's build, or one directory),
 * answered with the same admission model that checks meshwave's own stages.
 */
final class InjectionRules {

    /** A finding before it is merged across builds: the rule, where, what, and the other places it names. */
    record Hit(Rule rule, SourcePosition position, String message, List<SourcePosition> related) {
        Hit {
            related = List.copyOf(related);
        }

        Hit(Rule rule, SourcePosition position, String message) {
            this(rule, position, message, List.of());
        }
    }

    private static final String INJECTION = "istio-injection";
    private static final String REV = "istio.io/rev";
    private static final String TAG = "istio.io/tag";

    private InjectionRules() {}

    /** The hits among objects applied together; injectors the model cannot read go to {@code notChecked}. */
    static List<Hit> check(List<Manifest> objects, List<Problem> notChecked) {
        List<Hit> hits = new ArrayList<>();
        List<Manifest> namespaces = objects.stream().filter(m -> m.kind().equals("Namespace")).toList();
        bothLabels(namespaces, hits);
        ambientWithSidecarLabel(namespaces, hits);
        ambientWorkloadsInSidecarNamespaces(objects, namespaces, hits);
        Map<Manifest, Injector> injectors = injectors(objects, notChecked);
        tagsNamedLikeRevisions(injectors, hits);
        overlaps(injectors, namespaces, hits);
        injectorsWithoutService(injectors, objects, hits);
        validatorsWithoutService(objects, hits);
        InjectedSidecars.check(objects, hits);
        return hits;
    }

    private static void bothLabels(List<Manifest> namespaces, List<Hit> hits) {
        for (Manifest namespace : namespaces) {
            Map<String, String> labels = namespace.labels();
            if (labels.containsKey(INJECTION) && labels.containsKey(REV)) {
                // Point at the label to remove, where the file has it; a patch elsewhere may have added it.
                String at = namespace.positions().containsKey(Manifest.label(INJECTION)) ? INJECTION : REV;
                hits.add(new Hit(Rule.BOTH_INJECTION_LABELS, namespace.at(Manifest.label(at)),
                        "namespace '" + namespace.name() + "' carries both " + INJECTION + "=" + labels.get(INJECTION) + " and " + REV + "="
                                + labels.get(REV) + "; " + INJECTION + " wins and " + REV + " is ignored (remove " + INJECTION
                                + " to move it to a revision)"));
            }
        }
    }

    /**
     * Sidecar injection takes precedence over ztunnel capture (istio.io, ambient "Enable ambient mode": "The sidecar takes
     * precedence over ztunnel for pods that have both"), so an ambient namespace that an injector selects turns sidecar at its
     * next restart. Upstream, both halves: the injector never reads the ambient label (istio/istio@1.28.10:pkg/kube/inject/,
     * {@code injectRequired} in inject.go and webhook.go: no {@code istio.io/dataplane-mode}), and the CNI node agent leaves a
     * pod with a sidecar out of ztunnel capture (istio/istio@1.28.10:cni/pkg/util/enablement_selector.go, {@code Matches}:
     * "Ztunnel and sidecar for a single pod is currently not supported; opt out"; istio/istio@1.22.0:cni/pkg/util/podutil.go,
     * {@code PodRedirectionEnabled}, the same). {@code istio-injection} with another value than {@code enabled} selects no
     * injector, and makes {@code istio.io/rev} ignored too. A pod's own labels ({@code sidecar.istio.io/inject},
     * {@code istio.io/dataplane-mode: none}) are a workload's deliberate choice, which Istio supports; lint judges namespaces.
     */
    private static void ambientWithSidecarLabel(List<Manifest> namespaces, List<Hit> hits) {
        for (Manifest namespace : namespaces) {
            Map<String, String> labels = namespace.labels();
            String label = sidecarLabel(labels);
            if (Ambient.is(labels) && label != null) {
                String at = namespace.positions().containsKey(Manifest.label(label)) ? label : Ambient.LABEL;
                hits.add(new Hit(Rule.AMBIENT_WITH_SIDECAR_LABEL, namespace.at(Manifest.label(at)), "namespace '" + namespace.name()
                        + "' is ambient (" + Ambient.LABEL + "=ambient) and labelled " + label + "=" + labels.get(label) + "; sidecar injection"
                        + " takes precedence over ztunnel capture, so its pods get sidecars at their next restart (remove " + label
                        + " to stay ambient)"));
            }
        }
    }

    /** The sidecar injection label that selects a namespace for an injector, or null: istio-injection=enabled, else istio.io/rev. */
    private static String sidecarLabel(Map<String, String> labels) {
        String injection = labels.get(INJECTION);
        return "enabled".equals(injection) ? INJECTION : injection == null && labels.containsKey(REV) ? REV : null;
    }

    /**
     * The same precedence for one workload: pods enrolled in ambient by their own label ({@code istio.io/dataplane-mode: ambient}
     * on the pod, which the CNI node agent reads as it reads the namespace's: istio/istio@1.28.10:cni/pkg/util/podutil.go and
     * enablement_selector.go) in a namespace that an injector selects get a sidecar, and ztunnel leaves them out, unless the pod
     * opts out of injection with the label {@code sidecar.istio.io/inject: "false"} (the injector webhooks' object selector:
     * istio/istio@1.28.10:manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml) or the annotation
     * (pkg/kube/inject/inject.go, {@code injectRequired}). Checked when the
     * workload's Namespace is applied with it and is not ambient itself (then the namespace's finding says it).
     */
    private static void ambientWorkloadsInSidecarNamespaces(List<Manifest> objects, List<Manifest> namespaces, List<Hit> hits) {
        Map<String, Manifest> byName = new LinkedHashMap<>();
        namespaces.forEach(n -> byName.putIfAbsent(n.name(), n));
        for (Manifest workload : objects) {
            Manifest namespace = byName.get(workload.namespace());
            java.util.Optional<String> metadata = InjectedSidecars.podMetadata(workload.kind());
            if (namespace == null || metadata.isEmpty() || Ambient.is(namespace.labels())) {
                continue;
            }
            String label = sidecarLabel(namespace.labels());
            Map<?, ?> podLabels = InjectedSidecars.get(workload.object(), metadata.get() + "/labels") instanceof Map<?, ?> m ? m : Map.of();
            Map<?, ?> podAnnotations = InjectedSidecars.get(workload.object(), metadata.get() + "/annotations") instanceof Map<?, ?> a ? a : Map.of();
            if (label == null || !"ambient".equals(Manifest.text(podLabels.get(Ambient.LABEL)))
                    || "false".equals(Manifest.text(podLabels.get("sidecar.istio.io/inject")))
                    || "false".equals(Manifest.text(podAnnotations.get("sidecar.istio.io/inject")))) {
                continue;
            }
            hits.add(new Hit(Rule.AMBIENT_WITH_SIDECAR_LABEL, workload.at(metadata.get() + "/labels/" + Ambient.LABEL.replace("/", "~1")),
                    workload.kind() + " '" + workload.name() + "' enrols its pods in ambient (" + Ambient.LABEL + "=ambient) in namespace '"
                            + namespace.name() + "', which is labelled " + label + "=" + namespace.labels().get(label) + "; sidecar injection"
                            + " takes precedence over ztunnel capture, so its pods get sidecars and ztunnel leaves them out (label its pods"
                            + " sidecar.istio.io/inject: \"false\" to keep them ambient)", List.of(namespace.at(Manifest.label(label)))));
        }
    }

    /**
     * The webhook configurations Istio's analyzer checks (istio/istio
     * {@code pkg/config/analysis/analyzers/webhook/webhook.go}, {@code Analyze}): every
     * MutatingWebhookConfiguration that names a revision (see {@link #revisions}) or has a webhook
     * whose name ends in {@code istio.io}.
     */
    private static Map<Manifest, Injector> injectors(List<Manifest> objects, List<Problem> notChecked) {
        Map<Manifest, Injector> injectors = new LinkedHashMap<>();
        for (Manifest manifest : objects) {
            if (manifest.kind().equals("MutatingWebhookConfiguration") && (!revisions(manifest).isEmpty() || webhooks(manifest).stream()
                    .anyMatch(w -> w.get("name") instanceof String name && name.endsWith("istio.io")))) {
                try {
                    injectors.put(manifest, Injector.fromManifest(manifest.object()));
                } catch (RuntimeException e) {
                    // Not shaped like a webhook configuration (the API server would refuse it): nothing to simulate.
                    notChecked.add(Problem.warning(manifest.at("/webhooks"), "", "MutatingWebhookConfiguration '" + manifest.name()
                            + "' not checked: its webhooks are not shaped as the API server expects ("
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")"));
                }
            }
        }
        return injectors;
    }

    private static void tagsNamedLikeRevisions(Map<Manifest, Injector> injectors, List<Hit> hits) {
        Set<String> revisions = new TreeSet<>();
        injectors.forEach((manifest, injector) -> {
            if (!manifest.labels().containsKey(TAG) && !injector.revision().isEmpty() && !injector.revision().equals("default")) {
                revisions.add(injector.revision());
            }
        });
        for (Manifest manifest : injectors.keySet()) {
            String tag = manifest.labels().get(TAG);
            if (tag == null) {
                continue;
            }
            String why = revisions.contains(tag) ? "the name of revision " + tag + ", whose own injector is applied with it"
                    : MeshVersion.looksLikeRevision(tag) ? "the shape of a revision name (asm-<version>-<n>, <M>-<m>-<p> or asm-managed*)"
                    : null;
            if (why != null) {
                hits.add(new Hit(Rule.TAG_NAMED_LIKE_REVISION, manifest.at(Manifest.label(TAG)), "revision tag '" + tag + "' ("
                        + manifest.name() + ") has " + why + "; tags and revisions share " + REV
                        + " values, so namespaces labelled with it are ambiguous (name tags by channel, e.g. prod-stable, canary)"));
            }
        }
    }

    /**
     * The revision names a webhook configuration mentions, as Istio's analyzer extracts them
     * ({@code extractRevisions}): its {@code istio.io/rev} label and every {@code istio.io/rev} value in
     * its webhooks' namespace and object selectors (matchLabels and matchExpressions), so a tag's name
     * is found in its selectors.
     */
    private static Set<String> revisions(Manifest manifest) {
        Set<String> revisions = new TreeSet<>();
        if (manifest.labels().containsKey(REV)) {
            revisions.add(manifest.labels().get(REV));
        }
        for (Map<?, ?> webhook : webhooks(manifest)) {
            for (String field : List.of("namespaceSelector", "objectSelector")) {
                if (!(webhook.get(field) instanceof Map<?, ?> selector)) {
                    continue;
                }
                if (selector.get("matchLabels") instanceof Map<?, ?> labels && labels.get(REV) != null) {
                    revisions.add(Manifest.text(labels.get(REV)));
                }
                if (selector.get("matchExpressions") instanceof List<?> expressions) {
                    for (Object expression : expressions) {
                        if (expression instanceof Map<?, ?> e && REV.equals(e.get("key")) && e.get("values") instanceof List<?> values) {
                            values.forEach(v -> revisions.add(Manifest.text(v)));
                        }
                    }
                }
            }
        }
        return revisions;
    }

    /**
     * Like Istio's analyzer (IST0139, istio/istio {@code pkg/config/analysis/analyzers/webhook/webhook.go}):
     * every namespace label set it tries, plus the namespaces actually applied, against every pod label
     * set, counting each webhook that matches, so two webhooks of one configuration overlap as two
     * configurations do. The analyzer reports each configuration of an overlap, naming the others; so
     * does lint, once per group of configurations that meet on one pod.
     */
    private static void overlaps(Map<Manifest, Injector> injectors, List<Manifest> namespaces, List<Hit> hits) {
        if (injectors.isEmpty()) {
            return;
        }
        List<Injector> all = List.copyOf(injectors.values());
        Map<Injector, Manifest> manifests = new LinkedHashMap<>();
        injectors.forEach((manifest, injector) -> manifests.putIfAbsent(injector, manifest));
        Set<String> names = new TreeSet<>();
        injectors.forEach((manifest, injector) -> {
            names.addAll(revisions(manifest));
            if (manifest.labels().containsKey(TAG)) {
                names.add(manifest.labels().get(TAG));
            }
        });
        namespaces.forEach(n -> {
            if (n.labels().containsKey(REV)) {
                names.add(n.labels().get(REV));
            }
        });
        Set<Map<String, String>> namespaceSets = new LinkedHashSet<>(Admission.namespaceLabelSets(List.copyOf(names)));
        namespaces.forEach(n -> namespaceSets.add(n.labels()));
        List<Map<String, String>> podSets = Admission.podLabelSets(List.copyOf(names));
        Set<Set<String>> reported = new HashSet<>();
        for (Map<String, String> namespace : namespaceSets) {
            for (Map<String, String> pod : podSets) {
                List<Admission.Match> matches = Admission.everyWebhook(all, namespace, pod);
                if (matches.size() < 2) {
                    continue;
                }
                Set<Injector> group = new LinkedHashSet<>();
                matches.forEach(m -> group.add(m.injector()));
                Set<String> key = new TreeSet<>();
                group.forEach(i -> key.add(i.name()));
                if (!reported.add(key)) {
                    continue;
                }
                String message = matches.size() + " sidecar injector webhooks match pods labelled " + Admission.describe(pod)
                        + " in namespaces labelled " + Admission.describe(namespace) + " (IST0139), so such pods are injected more than once: "
                        + String.join(", ", matches.stream().map(Admission.Match::toString).toList());
                for (Injector injector : group) {
                    hits.add(new Hit(Rule.OVERLAPPING_INJECTORS, manifests.get(injector).at("/metadata/name"), message));
                }
            }
        }
    }

    /**
     * An injector webhook's Service must be there (IST0139, "Injector refers to a control plane service
     * that does not exist": istio/istio {@code pkg/config/analysis/analyzers/webhook/webhook.go}). Istio's
     * analyzer looks in the cluster; lint reads Git, where the control plane is often installed by
     * asmcli or istioctl and not applied: the Service a revision's installer creates ({@code istiod-<rev>},
     * or {@code istiod} for a non-revisioned or {@code default} install) is taken as there, any other
     * must be applied with the webhook.
     */
    private static void injectorsWithoutService(Map<Manifest, Injector> injectors, List<Manifest> objects, List<Hit> hits) {
        Set<String> services = new HashSet<>();
        objects.stream().filter(m -> m.kind().equals("Service")).forEach(s -> services.add(s.namespace() + "/" + s.name()));
        for (Manifest manifest : injectors.keySet()) {
            String revision = manifest.labels().getOrDefault(REV, "");
            String installed = revision.isEmpty() || revision.equals("default") ? "istiod" : "istiod-" + revision;
            List<Map<?, ?>> webhooks = webhooks(manifest);
            for (int i = 0; i < webhooks.size(); i++) {
                if (!(webhooks.get(i).get("clientConfig") instanceof Map<?, ?> clientConfig)
                        || !(clientConfig.get("service") instanceof Map<?, ?> service)) {
                    continue; // a url: nothing to look for
                }
                String name = Manifest.text(service.get("name"));
                String namespace = Manifest.text(service.get("namespace"));
                if (name.equals(installed) || services.contains(namespace + "/" + name) || services.contains("/" + name)) {
                    continue;
                }
                hits.add(new Hit(Rule.INJECTOR_SERVICE_NOT_FOUND, manifest.at("/webhooks/" + i + "/clientConfig/service/name"),
                        "MutatingWebhookConfiguration '" + manifest.name() + "' (webhook " + webhooks.get(i).get("name") + ") calls Service "
                                + (namespace.isEmpty() ? "" : namespace + "/") + name + ", which is not applied with it and is not the Service"
                                + " its revision's installer creates (" + installed + ") (IST0139): the pods it selects are refused"
                                + " (failurePolicy Fail) or start without a sidecar (apply the Service with it, or call " + installed + ")"));
            }
        }
    }

    /** A validator calling Service {@code istiod} needs that Service applied with it (MESH-FACTS §5). */
    private static void validatorsWithoutService(List<Manifest> objects, List<Hit> hits) {
        Set<String> services = new HashSet<>();
        objects.stream().filter(m -> m.kind().equals("Service")).forEach(s -> services.add(s.namespace() + "/" + s.name()));
        for (Manifest manifest : objects) {
            if (!manifest.kind().equals("ValidatingWebhookConfiguration")) {
                continue;
            }
            List<Map<?, ?>> webhooks = webhooks(manifest);
            for (int i = 0; i < webhooks.size(); i++) {
                if (!(webhooks.get(i).get("clientConfig") instanceof Map<?, ?> clientConfig)
                        || !(clientConfig.get("service") instanceof Map<?, ?> service) || !"istiod".equals(service.get("name"))) {
                    continue;
                }
                String namespace = Manifest.text(service.get("namespace"));
                // An object without metadata.namespace lands where the applier says: it may well be that namespace.
                if (!services.contains(namespace + "/istiod") && !services.contains("/istiod")) {
                    hits.add(new Hit(Rule.VALIDATOR_WITHOUT_ISTIOD_SERVICE, manifest.at("/webhooks/" + i + "/clientConfig/service/name"),
                            "ValidatingWebhookConfiguration '" + manifest.name() + "' (webhook " + webhooks.get(i).get("name")
                                    + ") calls Service istiod in " + (namespace.isEmpty() ? "its namespace" : namespace)
                                    + ", which is not applied with it; once istiod sets failurePolicy Fail, every change to"
                                    + " Istio resources is refused (apply Service istiod with the validator)"));
                }
            }
        }
    }

    private static List<Map<?, ?>> webhooks(Manifest manifest) {
        List<Map<?, ?>> webhooks = new ArrayList<>();
        if (manifest.object().get("webhooks") instanceof List<?> list) {
            list.forEach(w -> {
                if (w instanceof Map<?, ?> map) {
                    webhooks.add(map);
                }
            });
        }
        return webhooks;
    }
}
