package dev.dockhand.agent.supervise;

import dev.dockhand.agent.catalog.RestartSpec;
import java.time.Duration;

/** Restart delays: the first retry at once, then initialBackoff doubling up to maxBackoff. */
final class Backoff {
    private Backoff() {}

    /** Delay before restart number {@code attempt} (1-based) of one crash loop. */
    static Duration nextDelay(RestartSpec spec, int attempt) {
        if (attempt <= 1) {
            return Duration.ZERO;
        }
        long initial = spec.initialBackoff().toMillis();
        long max = spec.maxBackoff().toMillis();
        int doublings = Math.min(attempt - 2, 30);
        long delay = initial << doublings;
        if (delay < 0 || delay > max) {
            delay = max;
        }
        return Duration.ofMillis(delay);
    }
}
