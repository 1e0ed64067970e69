package dev.meshwave.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stopping a child process meshwave started (kubectl, a git credential helper) together with
 * everything it started in turn: a shell's {@code sleep} or a kustomize fetch outlives its parent
 * otherwise. Here in {@code plan}, the lowest layer, so that {@code git} and {@code lint} kill the same way.
 */
public final class ProcessTree {

    private ProcessTree() {}

    /**
     * Kills {@code process} and its descendants, then waits up to two seconds for each to be gone, so
     * that nothing of it still writes into a directory the caller removes next, or is seen running.
     */
    public static void kill(Process process) {
        List<ProcessHandle> handles = new ArrayList<>(process.descendants().toList());
        handles.add(process.toHandle());
        handles.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : handles) {
            try {
                handle.onExit().get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                // gone already, or unkillable: nothing more to do here
            }
        }
    }
}
