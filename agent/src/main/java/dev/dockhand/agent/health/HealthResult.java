package dev.dockhand.agent.health;

/**
 * One probe's outcome.
 *
 * @param ok whether the service passed: it is ready
 * @param alive whether the service answered at all: a broker catching up is alive and not ready, a
 *     hung one is neither; only a service that is not alive is restarted for failing probes
 * @param detail what it answered or why it failed, e.g. "Mode: leader" or "connection refused"
 * @param latencyMs how long the probe took
 */
public record HealthResult(boolean ok, boolean alive, String detail, long latencyMs) {
    public static HealthResult ok(String detail, long latencyMs) {
        return new HealthResult(true, true, detail, latencyMs);
    }

    /** No answer, or not the answer of the service: not alive. */
    public static HealthResult failed(String detail, long latencyMs) {
        return new HealthResult(false, false, detail, latencyMs);
    }

    /** The service answers, but is not ready yet (a broker catching up). */
    public static HealthResult notReady(String detail, long latencyMs) {
        return new HealthResult(false, true, detail, latencyMs);
    }
}
