package dev.meshwave.render;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

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

    /**
     * Runs {@code task} on a window of items at a time and hands each result to {@code consumer} in list
     * order, so that only one window's results are alive at once. A failure stops before the next window,
     * and is still the first one in list order.
     */
    static <T, R> void forEachInOrder(List<T> items, int window, Task<T, R> task, BiConsumer<T, R> consumer) throws TemplateException {
        for (int from = 0; from < items.size(); from += window) {
            List<T> chunk = items.subList(from, Math.min(items.size(), from + window));
            List<R> results = parallelMap(chunk, task);
            for (int i = 0; i < chunk.size(); i++) {
                consumer.accept(chunk.get(i), results.get(i));
            }
        }
    }

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
