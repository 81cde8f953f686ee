package dev.dockhand.agent.catalog;

import java.time.Duration;
import java.util.List;

/**
 * A health probe declared in the catalog.
 *
 * @param type tcp, http, zookeeper, kafka, exec, or none
 * @param port port probed (default: the service's port)
 * @param path http path
 * @param expectStatus http status expected (default 200)
 * @param expectBody http body substring expected, or null
 * @param command argv for exec
 * @param interval time between probes
 * @param timeout one probe's time limit
 * @param failureThreshold consecutive failures after READY before the service counts as UNHEALTHY
 * @param startupTimeout how long a starting service may take to pass its first probe
 *     (long enough for a broker's log recovery); a probe never kills a service before that
 * @param restartAfter restart a service that has stayed UNHEALTHY this long (liveness: a hung or stopped
 *     process answers no probe and never exits by itself); null: never restart it for failing probes
 */
public record HealthSpec(
        String type,
        Integer port,
        String path,
        Integer expectStatus,
        String expectBody,
        List<String> command,
        Duration interval,
        Duration timeout,
        int failureThreshold,
        Duration startupTimeout,
        Duration restartAfter) {

    public static final List<String> TYPES = List.of("tcp", "http", "zookeeper", "kafka", "exec", "none");

    public HealthSpec {
        command = command == null ? List.of() : List.copyOf(command);
    }
}
