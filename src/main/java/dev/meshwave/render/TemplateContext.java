package dev.meshwave.render;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values a template sees: an insertion-ordered map with a fluent {@code with}. A context handed to
 * someone else is theirs to extend through {@link #copy()}, never by adding to the caller's map.
 */
public final class TemplateContext extends LinkedHashMap<String, Object> {
    private static final long serialVersionUID = 1L;

    public TemplateContext with(String key, Object value) {
        put(key, value);
        return this;
    }

    public TemplateContext withAll(Map<String, ?> values) {
        putAll(values);
        return this;
    }

    /** A new context with the same values, to extend without touching this one. */
    public TemplateContext copy() {
        return new TemplateContext().withAll(this);
    }
}
