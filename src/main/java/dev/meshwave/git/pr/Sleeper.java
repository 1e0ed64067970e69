package dev.meshwave.git.pr;

import java.time.Duration;

/** Waits between retries; passed in so that tests can record the waits instead of sitting through them. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;

    /** Really waits, on the calling thread. */
    static Sleeper system() {
        return duration -> Thread.sleep(duration.toMillis());
    }
}
