package dev.dockhand.agent.catalog;

import java.time.Duration;

/**
 * Restart policy.
 *
 * @param policy when a service that ended by itself is started again
 * @param initialBackoff delay before the second retry (the first is immediate); doubles up to {@code maxBackoff}
 * @param maxBackoff cap of the backoff
 * @param maxRetries restarts allowed within one crash loop before the service is FAILED
 * @param resetAfter a service READY (or running without probe) this long starts a fresh crash-loop count
 * @param failStopsAgent whether a FAILED service stops the whole agent (and so the container)
 */
public record RestartSpec(
        RestartPolicy policy,
        Duration initialBackoff,
        Duration maxBackoff,
        int maxRetries,
        Duration resetAfter,
        boolean failStopsAgent) {
}
