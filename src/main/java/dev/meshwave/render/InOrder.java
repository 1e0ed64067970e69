package dev.meshwave.render;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-cluster work run in parallel with results that never depend on timing: results come back in
 * list order, and when several items fail, the first failure in list order is the one thrown.
 */
final class InOrder {

    /** Work on one item that may fail with a template error. */
    @FunctionalInterface
    interface Task<T, R> {
        R apply(T item) throws TemplateException;
    }

    private record Outcome<R>(R result, TemplateException failure) {}

    private InOrder() {}

    static <T, R> List<R> parallelMap(List<T> items, Task<T, R> task) throws TemplateException {
        List<Outcome<R>> outcomes = items.parallelStream().map(item -> {
            try {
                return new Outcome<>(task.apply(item), null);
            } catch (TemplateException e) {
                return new Outcome<R>(null, e);
            }
        }).toList();
        List<R> results = new ArrayList<>();
        for (Outcome<R> outcome : outcomes) {
            if (outcome.failure() != null) {
                throw outcome.failure();
            }
            results.add(outcome.result());
        }
        return results;
    }
}
