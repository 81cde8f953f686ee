package dev.dockhand.agent.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The transition table: what a supervisor may do to a service, and what it may not. */
class ServiceStateTest {
    @Test
    void theLifecycleOfDesignMdIsInTheTable() {
        assertTrue(ServiceState.PENDING.canMoveTo(ServiceState.STARTING));
        assertTrue(ServiceState.STARTING.canMoveTo(ServiceState.READY));
        assertTrue(ServiceState.READY.canMoveTo(ServiceState.UNHEALTHY));
        assertTrue(ServiceState.UNHEALTHY.canMoveTo(ServiceState.READY));
        assertTrue(ServiceState.READY.canMoveTo(ServiceState.BACKOFF));
        assertTrue(ServiceState.BACKOFF.canMoveTo(ServiceState.PENDING));
        assertTrue(ServiceState.STARTING.canMoveTo(ServiceState.FAILED));
        assertTrue(ServiceState.READY.canMoveTo(ServiceState.STOPPING));
        assertTrue(ServiceState.STOPPING.canMoveTo(ServiceState.STOPPED));
        assertTrue(ServiceState.STARTING.canMoveTo(ServiceState.EXITED));
        for (ServiceState s : ServiceState.values()) {
            assertTrue(s.canMoveTo(s), s + " may stay");
        }
    }

    @Test
    void aServiceWithoutAProcessNeverBecomesReadyOrStopping() {
        for (ServiceState from : new ServiceState[] {ServiceState.PENDING, ServiceState.BACKOFF, ServiceState.STOPPED,
                ServiceState.FAILED, ServiceState.EXITED}) {
            assertFalse(from.canMoveTo(ServiceState.READY), from + " -> READY");
            assertFalse(from.canMoveTo(ServiceState.UNHEALTHY), from + " -> UNHEALTHY");
            assertFalse(from.canMoveTo(ServiceState.STOPPING), from + " -> STOPPING");
        }
        assertFalse(ServiceState.BACKOFF.canMoveTo(ServiceState.STARTING), "a restart goes through PENDING (its waits)");
        assertFalse(ServiceState.STOPPED.canMoveTo(ServiceState.STARTING), "so does a start");
        assertFalse(ServiceState.STOPPING.canMoveTo(ServiceState.READY), "a stopping service is not ready again");
    }
}
