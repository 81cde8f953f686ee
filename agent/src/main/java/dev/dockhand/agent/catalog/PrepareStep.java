package dev.dockhand.agent.catalog;

import java.time.Duration;
import java.util.List;

/**
 * A one-shot command the supervisor runs before it spawns a service, once the service's waits are ready:
 * formatting a KRaft node's storage on its first start, and later steps of the same kind (creating
 * users, seeding ZooKeeper). It runs off the supervisor's thread with the service's environment, working
 * directory and user, bounded by {@code timeout}; a step that fails or times out counts as a crash of the
 * service (restart policy, backoff).
 *
 * @param id names the step in logs and status ({@code format})
 * @param command argv; tokens replaced as in the service's command
 * @param unless a file (tokens replaced: {@code @@DATA_DIR@@/...}) whose existence means the step is done
 *     and is skipped, or null to run it before every start
 * @param timeout how long the step may take before it is killed and counts as failed
 */
public record PrepareStep(String id, List<String> command, String unless, Duration timeout) {
    public PrepareStep {
        command = List.copyOf(command);
    }
}
