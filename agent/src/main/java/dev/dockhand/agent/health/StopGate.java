package dev.dockhand.agent.health;

import java.time.Duration;

/**
 * Whether a service may be stopped now without taking what it serves below its safety bound: a broker
 * whose stop would leave a partition below {@code min.insync.replicas}, a ZooKeeper member whose stop
 * would lose the ensemble's quorum. The supervisor asks before it sends the stop signal, off its loop,
 * and asks again until the gate opens or the service's {@code waitUntilSafe} runs out.
 *
 * <p>The answer is a {@link HealthResult}: {@code ok} when the stop is safe now; otherwise its detail
 * says what a stop now would break, or why the gate cannot tell (a gate that cannot tell stays shut:
 * the wait is bounded, an unsafe stop is not undone).
 */
@FunctionalInterface
public interface StopGate {
    /** Asks once; every network operation bounded by {@code timeout}; never throws. */
    HealthResult ask(Duration timeout);
}
