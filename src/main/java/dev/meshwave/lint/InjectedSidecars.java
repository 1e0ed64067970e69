package dev.meshwave.lint;

import dev.meshwave.plan.Manifest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Workloads whose manifests already hold a sidecar: the output of {@code istioctl kube-inject} committed
 * to Git. The proxy's image and settings are then written in the manifest, not chosen by the namespace's
 * labels, so a wave that relabels the namespace does not move such a pod to the new revision.
 *
 * <p>What kube-inject writes (istio/istio@1.28.10): {@code pkg/kube/inject/inject.go} {@code IntoObject}
 * injects a Pod, a CronJob's {@code spec.jobTemplate.spec.template} (with the status annotation on
 * {@code spec.jobTemplate.metadata}) and the {@code spec.template} of every other kind; the container is
 * named {@code istio-proxy} ({@code ProxyContainerName}), in {@code initContainers} as a native sidecar
 * or in {@code containers}; {@code pkg/kube/inject/webhook.go} {@code applyMetadata} sets the
 * {@code sidecar.istio.io/status} annotation, whose JSON names the {@code revision}
 * ({@code pkg/kube/inject/testdata/inject/cronjob.yaml.injected}, {@code hello.yaml.injected}). A pod that an
 * injector selects is re-injected with that injector's proxy ({@code webhook.go} {@code reapplyOverwrittenContainers}).
 * An {@code istio-proxy} container without the annotation is the pod's own customization of the injected one,
 * which the injector lays over its template: reported only when it pins an image other than {@code auto}
 * (a gateway's {@code image: auto}, {@code manifests/charts/gateway/templates/deployment.yaml}, is the injector's to fill).
 */
final class InjectedSidecars {

    private static final String PROXY = "istio-proxy";
    private static final String STATUS = "sidecar.istio.io/status";
    /** The image an injector fills in (webhook.go {@code AutoImage}). */
    private static final String AUTO = "auto";
    private static final List<String> TEMPLATED = List.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job");

    /** Where a kind keeps its pod: the pod spec, and the metadata kube-inject annotates (a CronJob: two candidates). */
    private record Pod(String spec, List<String> metadata) {}

    private InjectedSidecars() {}

    static void check(List<Manifest> objects, List<InjectionRules.Hit> hits) {
        for (Manifest workload : objects) {
            pod(workload.kind()).ifPresent(pod -> check(workload, pod, hits));
        }
    }

    /** The pointer of a workload's pod metadata (where its pods' labels are written), for a kind that has pods. */
    static Optional<String> podMetadata(String kind) {
        return pod(kind).map(p -> p.metadata().get(p.metadata().size() - 1));
    }

    private static Optional<Pod> pod(String kind) {
        if (kind.equals("Pod")) {
            return Optional.of(new Pod("/spec", List.of("/metadata")));
        }
        if (kind.equals("CronJob")) {
            return Optional.of(new Pod("/spec/jobTemplate/spec/template/spec",
                    List.of("/spec/jobTemplate/metadata", "/spec/jobTemplate/spec/template/metadata")));
        }
        return TEMPLATED.contains(kind) ? Optional.of(new Pod("/spec/template/spec", List.of("/spec/template/metadata"))) : Optional.empty();
    }

    private static void check(Manifest workload, Pod pod, List<InjectionRules.Hit> hits) {
        Optional<String> container = Optional.empty();
        Map<?, ?> proxy = Map.of();
        for (String field : List.of("initContainers", "containers")) {
            String list = pod.spec() + "/" + field;
            if (get(workload.object(), list) instanceof List<?> containers) {
                for (int i = 0; i < containers.size() && container.isEmpty(); i++) {
                    if (containers.get(i) instanceof Map<?, ?> c && PROXY.equals(c.get("name"))) {
                        container = Optional.of(list + "/" + i + "/name");
                        proxy = c;
                    }
                }
            }
        }
        Optional<String> status = Optional.empty();
        String statusAt = "";
        for (String metadata : pod.metadata()) {
            if (status.isEmpty() && get(workload.object(), metadata + "/annotations") instanceof Map<?, ?> annotations
                    && annotations.get(STATUS) != null) {
                status = Optional.of(Manifest.text(annotations.get(STATUS)));
                statusAt = metadata + "/annotations/" + STATUS.replace("/", "~1");
            }
        }
        String image = Manifest.text(proxy.get("image"));
        String who = workload.kind() + " '" + workload.name() + "'";
        if (status.isPresent()) {
            String revision = status.flatMap(InjectedSidecars::revision).orElse("");
            String what = container.isPresent() ? "an injected sidecar (container " + PROXY + (image.isEmpty() ? "" : ", image " + image)
                    + (revision.isEmpty() ? "" : ", revision " + revision) + ", " + STATUS + ")"
                    : "the " + STATUS + " annotation of an injected sidecar" + (revision.isEmpty() ? "" : " (revision " + revision + ")");
            hits.add(new InjectionRules.Hit(Rule.INJECTED_SIDECAR_IN_MANIFEST, workload.at(container.orElse(statusAt)), who + " carries " + what
                    + " in its manifest, as istioctl kube-inject writes it: its proxy is set here, not by its namespace's labels, so"
                    + " relabelling the namespace does not move it to another revision unless an injector webhook re-injects the pod"
                    + " (re-run istioctl kube-inject for the new revision, or remove the injected fields and let the namespace label inject it)"));
        } else if (container.isPresent() && !image.isEmpty() && !image.equals(AUTO)) {
            // Without the status annotation an istio-proxy container is the pod's own customization of the injected one (a
            // gateway's, with image auto, among them): the injector lays the pod's fields over its template, image included
            // unless it is "auto" (webhook.go reapplyOverwrittenContainers, AutoImage).
            hits.add(new InjectionRules.Hit(Rule.INJECTED_SIDECAR_IN_MANIFEST, workload.at(container.get()), who + " sets the image of its "
                    + PROXY + " container to " + image + " in its manifest: an injector keeps a pod's own " + PROXY + " fields over its"
                    + " template, so relabelling the namespace does not move this proxy to another revision's image (set image: auto, or"
                    + " remove it, to let the injector choose)"));
        }
    }

    /** The {@code revision} of the status annotation's JSON, when it names one. */
    private static Optional<String> revision(String status) {
        try {
            if (new Load(LoadSettings.builder().build()).loadFromString(status) instanceof Map<?, ?> fields
                    && fields.get("revision") instanceof String revision && !revision.isEmpty()) {
                return Optional.of(revision);
            }
        } catch (RuntimeException e) {
            // not what the injector writes: no revision to name
        }
        return Optional.empty();
    }

    /** The value at a JSON pointer of plain maps and lists, or null. */
    static Object get(Object node, String pointer) {
        Object at = node;
        for (String part : pointer.substring(1).split("/")) {
            String key = part.replace("~1", "/").replace("~0", "~");
            if (at instanceof Map<?, ?> map) {
                at = map.get(key);
            } else if (at instanceof List<?> list && key.matches("[0-9]{1,9}") && Integer.parseInt(key) < list.size()) {
                at = list.get(Integer.parseInt(key));
            } else {
                return null;
            }
        }
        return at;
    }
}
