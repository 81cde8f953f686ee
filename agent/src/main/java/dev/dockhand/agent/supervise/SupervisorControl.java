package dev.dockhand.agent.supervise;

import dev.dockhand.agent.protocol.AgentSnapshot;

/**
 * What the control plane may ask of a running supervisor. Implementations are thread-safe: the
 * control plane calls from its own threads.
 */
public interface SupervisorControl {

    /** A consistent picture of the node and every service, taken on the supervisor's thread. */
    AgentSnapshot snapshot();

    /** Start a service that is STOPPED or FAILED (it still waits for its dependencies). */
    CommandResult start(String service);

    /**
     * Stop a service. Refused (ok=false, the message names the dependents) when other services
     * of this node depend on it and {@code force} is false.
     */
    CommandResult stop(String service, boolean force);

    CommandResult restart(String service);

    /** Re-render every template; restart only the services whose rendered files changed. */
    CommandResult reload();

    /** Whether the supervision loop made progress recently (liveness); never false during a slow start. */
    boolean alive();
}
