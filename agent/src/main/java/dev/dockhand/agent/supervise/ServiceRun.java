package dev.dockhand.agent.supervise;

import dev.dockhand.agent.health.HealthResult;
import dev.dockhand.agent.plan.NodePlan.PlannedService;
import dev.dockhand.agent.process.RunningProcess;

/** One service's runtime state under the supervisor; touched on the loop thread only. */
final class ServiceRun {
    /** What to do when a process the supervisor stopped has ended. */
    enum AfterStop { NOTHING, RESTART, CRASH }

    PlannedService planned;
    ServiceState state = ServiceState.PENDING;
    String reason = "waiting to start";

    /** The current process, null when none runs; its generation tells its events from an earlier one's. */
    RunningProcess process;
    int generation;
    long startedMono;
    long stoppingSinceMono;

    /** Restarts since the agent started (for status); restarts in the current crash loop; failed probes in a row. */
    int restarts;
    int attempt;
    int failures;

    /** Stopped by the operator: not started again until the operator says so. */
    boolean manualStop;
    AfterStop afterStop = AfterStop.NOTHING;
    /** Why a stop that counts as a crash was made (startup timeout, liveness). */
    String crashReason;

    /** While PREPARING: the index of the step that runs, and its process (set off the loop while it runs). */
    int step;
    final java.util.concurrent.atomic.AtomicReference<RunningProcess> stepProcess = new java.util.concurrent.atomic.AtomicReference<>();
    /**
     * A requested stop waiting at the service's stop gate: since when (monotonic ms; -1 when none waits),
     * what the gate said last, and an epoch that tells the answers of this wait from an earlier one's.
     */
    long gateSinceMono = -1;
    String gateDetail;
    int gateEpoch;
    /** Stops that had to wait at the gate; stops that went ahead while it was still shut. */
    int stopWaits;
    int unsafeStops;

    HealthResult lastProbe;
    long lastProbeEpoch;
    /** The probe of the current generation, while it runs; null before the first start. */
    Prober prober;
    final Timers timers = new Timers();

    ServiceRun(PlannedService planned) {
        this.planned = planned;
    }

    String id() {
        return planned.id();
    }

    /** Whether a requested stop waits at the gate now. */
    boolean waitingAtGate() {
        return gateSinceMono >= 0;
    }

    /** Whether dependents may rely on it: READY, or a one-shot step that EXITED cleanly. */
    boolean satisfies() {
        return state == ServiceState.READY || state == ServiceState.EXITED;
    }

    /** The timers a service can have armed, each cancelled when what it waits for is moot. */
    static final class Timers {
        Loop.Timer startup;
        Loop.Timer backoff;
        Loop.Timer kill;
        Loop.Timer reset;
        Loop.Timer unhealthy;
        /** A waiting stop: when its wait runs out; when it asks its gate again. */
        Loop.Timer gateDeadline;
        Loop.Timer gateAsk;

        /** Cancels every timer that belongs to a running process (not the backoff). */
        void cancelProcessTimers() {
            startup = cancel(startup);
            kill = cancel(kill);
            reset = cancel(reset);
            unhealthy = cancel(unhealthy);
            cancelGate();
        }

        void cancelGate() {
            gateDeadline = cancel(gateDeadline);
            gateAsk = cancel(gateAsk);
        }

        static Loop.Timer cancel(Loop.Timer t) {
            if (t != null) {
                t.cancel();
            }
            return null;
        }
    }
}
