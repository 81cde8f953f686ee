package dev.dockhand.agent.supervise;

/**
 * A supervised service's state (see DESIGN.md, Supervision):
 * PENDING (waiting for dependencies) → STARTING (spawned, not yet healthy) → READY → UNHEALTHY
 * (probe failing after ready) → BACKOFF → … → FAILED (crash loop); STOPPING → STOPPED; EXITED
 * for one-shot steps.
 */
public enum ServiceState {
    PENDING, STARTING, READY, UNHEALTHY, BACKOFF, FAILED, STOPPING, STOPPED, EXITED;

    /** Whether a process of the service is (supposed to be) alive in this state. */
    public boolean running() {
        return this == STARTING || this == READY || this == UNHEALTHY || this == STOPPING;
    }
}
