package dev.dockhand.agent.health;

/**
 * One probe's outcome.
 *
 * @param ok whether the service passed
 * @param detail what it answered or why it failed, e.g. "Mode: leader" or "connection refused"
 * @param latencyMs how long the probe took
 */
public record HealthResult(boolean ok, String detail, long latencyMs) {
    public static HealthResult ok(String detail, long latencyMs) {
        return new HealthResult(true, detail, latencyMs);
    }

    public static HealthResult failed(String detail, long latencyMs) {
        return new HealthResult(false, detail, latencyMs);
    }
}
