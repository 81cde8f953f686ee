package dev.dockhand.agent.health;

/**
 * One probe's outcome.
 *
 * @param ok whether the service passed: it is ready
 * @param alive whether the service answered at all: a broker catching up is alive and not ready, a
 *     hung one is neither; only a service that is not alive is restarted for failing probes
 * @param detail what it answered or why it failed, e.g. "Mode: leader" or "connection refused"
 * @param latencyMs how long the probe took
 * @param quorum what a KRaft controller's probe learnt of the controller quorum, or null
 */
public record HealthResult(boolean ok, boolean alive, String detail, long latencyMs, KafkaQuorumState quorum) {
    public HealthResult(boolean ok, boolean alive, String detail, long latencyMs) {
        this(ok, alive, detail, latencyMs, null);
    }

    /** This result with what it learnt of the quorum. */
    public HealthResult withQuorum(KafkaQuorumState q) {
        return new HealthResult(ok, alive, detail, latencyMs, q);
    }

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
