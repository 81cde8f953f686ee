package dev.dockhand.agent.protocol;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A supervised service's state (docs/supervision.md):
 * PENDING (waiting for dependencies, or for a ZooKeeper-mode broker's registration left by its dead
 * process to go: {@link RegistrationWait}) → PREPARING (its prepare steps run, such as formatting storage; a
 * service without steps skips it) → STARTING (spawned, not yet healthy) → READY → UNHEALTHY (probe
 * failing after ready) → BACKOFF → … → FAILED (crash loop); STOPPING → STOPPED; EXITED for one-shot
 * steps.
 *
 * <p>The moves a supervisor may make form a table ({@link #canMoveTo}), as Guava's {@code Service}
 * has one: a move that is not in it is a bug in the supervisor, refused with an exception rather than
 * left to show up as a service that is, say, READY without a process.
 */
public enum ServiceState {
    PENDING, STARTING, READY, UNHEALTHY, BACKOFF, FAILED, STOPPING, STOPPED, EXITED, PREPARING;

    private static final Map<ServiceState, Set<ServiceState>> NEXT = new EnumMap<>(ServiceState.class);

    static {
        // spawned; or the spawn failed (a retry, or given up); or stopped before it started
        NEXT.put(PENDING, EnumSet.of(PREPARING, STARTING, BACKOFF, FAILED, EXITED, STOPPED));
        // its steps done: spawned (or the spawn failed); a step failed (a crash: retry, or given up); stopped
        // meanwhile (the step is killed); restarted by the operator
        NEXT.put(PREPARING, EnumSet.of(STARTING, BACKOFF, FAILED, STOPPED, PENDING));
        // a process runs: its probe, its stop, or its end (restarted, given up, a one-shot done)
        Set<ServiceState> running = EnumSet.of(STOPPING, BACKOFF, FAILED, EXITED, STOPPED);
        NEXT.put(STARTING, union(running, READY));
        NEXT.put(READY, union(running, UNHEALTHY));
        NEXT.put(UNHEALTHY, union(running, READY));
        // waiting to restart: the restart, or a stop meanwhile
        NEXT.put(BACKOFF, EnumSet.of(PENDING, STOPPED));
        // stopped; restarted after the stop; or stopped to be restarted as a crash (startup timeout, liveness)
        NEXT.put(STOPPING, EnumSet.of(STOPPED, PENDING, BACKOFF, FAILED));
        // an operator's start or restart
        NEXT.put(STOPPED, EnumSet.of(PENDING));
        NEXT.put(FAILED, EnumSet.of(PENDING));
        NEXT.put(EXITED, EnumSet.of(PENDING));
    }

    private static Set<ServiceState> union(Set<ServiceState> a, ServiceState b) {
        Set<ServiceState> s = EnumSet.copyOf(a);
        s.add(b);
        return s;
    }

    /** Whether the supervisor may move a service from this state to {@code next} (staying is always allowed). */
    public boolean canMoveTo(ServiceState next) {
        return next == this || NEXT.get(this).contains(next);
    }

    /** Whether a process of the service is (supposed to be) alive in this state. */
    public boolean running() {
        return this == STARTING || this == READY || this == UNHEALTHY || this == STOPPING;
    }
}
