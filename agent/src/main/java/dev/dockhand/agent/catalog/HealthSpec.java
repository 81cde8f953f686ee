package dev.dockhand.agent.catalog;

import java.time.Duration;

/**
 * A service's health probe and its timing.
 *
 * @param probe what is asked
 * @param interval time between probes once READY (while starting, at most 100 ms)
 * @param timeout one probe's time limit
 * @param failureThreshold consecutive failures after READY before the service counts as UNHEALTHY
 * @param startupTimeout how long a starting service may take to pass its first probe (long enough for
 *     a broker's log recovery); a probe never kills a service before that
 * @param restartAfter restart a service that has stayed UNHEALTHY this long (liveness: a hung or stopped
 *     process answers no probe and never exits by itself); null: never restart it for failing probes
 */
public record HealthSpec(
        ProbeSpec probe,
        Duration interval,
        Duration timeout,
        int failureThreshold,
        Duration startupTimeout,
        Duration restartAfter) {

    /** The probe's type name, as the catalog writes it. */
    public String type() {
        return probe.type();
    }
}
