package dev.dockhand.agent.health;

import java.time.Duration;

/**
 * A probe of one endpoint. Implementations never throw: every failure is a {@link HealthResult} with
 * the reason, and every network operation is bounded by {@code timeout}.
 */
@FunctionalInterface
public interface HealthCheck {
    HealthResult check(String host, int port, Duration timeout);
}
