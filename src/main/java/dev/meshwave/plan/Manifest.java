package dev.meshwave.plan;

import java.util.Map;
import java.util.TreeMap;

/**
 * One Kubernetes object of someone's files (a kubectl export, a GitOps repository): its fields as plain
 * maps, lists and strings, and where its nodes were written. For an object kustomize built, lint gives
 * it the positions of the file it came from. {@code typed} holds the pointers of the scalars written as
 * numbers or booleans ({@link ManifestFile.Document#typed}), for import, which writes values back out.
 */
public record Manifest(Map<String, Object> object, Map<String, SourcePosition> positions, SourcePosition start, java.util.Set<String> typed) {

    public Manifest(Map<String, Object> object, Map<String, SourcePosition> positions, SourcePosition start) {
        this(object, positions, start, java.util.Set.of());
    }

    /**
     * The value at a JSON pointer of this object as YAML typed it when it was written: the numbers and booleans
     * among its scalars are {@code Integer}, {@code Long}, {@code BigInteger}, {@code Double} or {@code Boolean}
     * again, everything else as read. Mappings keep their order.
     */
    public Object typedValue(Object value, String pointer) {
        return ManifestFile.typed(value, pointer, typed);
    }

    public String kind() {
        return text(object.get("kind"));
    }

    public String name() {
        return text(metadata().get("name"));
    }

    /** {@code metadata.namespace}, or empty when the object does not say (kustomize or the applier decides). */
    public String namespace() {
        return text(metadata().get("namespace"));
    }

    /** The object's labels; a label whose value is null is absent, as a strategic-merge patch would leave it. */
    public Map<String, String> labels() {
        Map<String, String> labels = new TreeMap<>();
        if (metadata().get("labels") instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (v != null) {
                    labels.put(String.valueOf(k), String.valueOf(v));
                }
            });
        }
        return labels;
    }

    public Map<?, ?> metadata() {
        return object.get("metadata") instanceof Map<?, ?> map ? map : Map.of();
    }

    /** The position of the node at a JSON pointer, or of its nearest ancestor that was written. */
    public SourcePosition at(String pointer) {
        String p = pointer;
        while (!p.isEmpty()) {
            SourcePosition position = positions.get(p);
            if (position != null) {
                return position;
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
        return start;
    }

    /** The pointer of a label key, e.g. {@code /metadata/labels/istio.io~1rev}. */
    public static String label(String key) {
        return "/metadata/labels/" + key.replace("~", "~0").replace("/", "~1");
    }

    public static String text(Object value) {
        return value == null ? "" : String.valueOf(value);
    }
}
