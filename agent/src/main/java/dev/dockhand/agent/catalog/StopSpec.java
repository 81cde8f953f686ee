package dev.dockhand.agent.catalog;

import dev.dockhand.agent.linux.Signal;
import java.time.Duration;

/**
 * How a service is stopped: {@code signal} to its process group, SIGKILL after {@code grace}.
 *
 * @param waitUntilSafe the longest a requested stop waits, before the signal, for the service's stop gate
 *     to open (a broker whose stop would take a partition below {@code min.insync.replicas}, a ZooKeeper
 *     member whose stop would lose the quorum); null: the signal goes at once. The wait is part of the
 *     grace: SIGKILL comes at most {@code grace} after the stop was requested, so a service that waited
 *     still has at least {@code grace - waitUntilSafe} to stop cleanly.
 */
public record StopSpec(Signal signal, Duration grace, Duration waitUntilSafe) {

    /** A stop without a gate. */
    public StopSpec(Signal signal, Duration grace) {
        this(signal, grace, null);
    }

    /**
     * Which stop gate a service has, by what it is: a Kafka broker (its probe speaks Kafka) guards its
     * partitions' {@code min.insync.replicas}; a service whose nodes need a majority (ZooKeeper) guards
     * that majority. Other services have none.
     */
    public enum Gate {
        NONE, MIN_INSYNC, QUORUM;

        public static Gate of(ServiceSpec service) {
            if (service.health() != null && service.health().probe() instanceof ProbeSpec.Kafka) {
                return MIN_INSYNC;
            }
            if (service.quorum() == ServiceSpec.Quorum.MAJORITY && service.health() != null
                    && service.health().probe() instanceof ProbeSpec.ZooKeeper) {
                return QUORUM;
            }
            return NONE;
        }
    }
}
