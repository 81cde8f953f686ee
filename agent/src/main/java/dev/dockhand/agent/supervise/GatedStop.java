package dev.dockhand.agent.supervise;

import dev.dockhand.agent.protocol.ServiceState;
import dev.dockhand.agent.health.HealthResult;
import dev.dockhand.agent.health.StopGate;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's stop that waits at its stop gate (ADR 010): a stop asked for is held until the gate
 * says it is safe (a broker whose partitions stay above {@code min.insync.replicas} without it, a
 * ZooKeeper member whose ensemble keeps its quorum), at most the catalog's {@code waitUntilSafe}, the
 * gate asked again every {@link #INTERVAL}; then the stop signal goes out with what is left of the
 * grace. A stop is never refused: when the wait runs out, or the stop is asked again or forced, it goes
 * ahead, and counts as unsafe. Loop thread only.
 */
final class GatedStop {
    private static final Logger log = LoggerFactory.getLogger("dev.dockhand.agent.supervise");
    /** How often a stop that waits until it is safe asks the service's stop gate again. */
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final ServiceLifecycle s;
    /** Since when a stop waits (monotonic ms; -1 when none does), what the gate said last, and an epoch per wait. */
    private long sinceMono = -1;
    private String detail;
    private int epoch;
    /** Stops that had to wait at the gate; stops that went ahead while it was still shut. */
    private int waits;
    private int unsafe;
    private Loop.Timer deadline;
    private Loop.Timer nextAsk;

    GatedStop(ServiceLifecycle s) {
        this.s = s;
    }

    boolean waiting() {
        return sinceMono >= 0;
    }

    /** How long the stop has waited, in ms (0 when none waits). */
    long waitedMs(long nowMono) {
        return waiting() ? nowMono - sinceMono : 0;
    }

    String detail() {
        return detail;
    }

    int waits() {
        return waits;
    }

    int unsafe() {
        return unsafe;
    }

    /** Holds the stop at {@code gate}; the service is STOPPING meanwhile. */
    void begin(StopGate gate, String why) {
        Loop loop = s.ctx.loop();
        sinceMono = loop.nowMillis();
        detail = null;
        int gen = s.generation;
        int e = ++epoch;
        Duration wait = s.planned.spec().stop().waitUntilSafe();
        s.moveTo(ServiceState.STOPPING, why + ": waiting up to " + wait.toSeconds() + " s until it is safe to stop");
        deadline = loop.schedule(wait, () -> waitedLongEnough(gen, e));
        ask(gen, e, gate);
    }

    private boolean current(int gen, int e) {
        return gen == s.generation && e == epoch && waiting() && s.state == ServiceState.STOPPING;
    }

    private void ask(int gen, int e, StopGate gate) {
        nextAsk = null;
        if (!current(gen, e)) {
            return;
        }
        Duration timeout = s.planned.spec().health().timeout();
        s.ctx.probes().submit(s.id() + " stop gate", () -> gate.ask(timeout), r -> answered(gen, e, gate, r));
    }

    private void answered(int gen, int e, StopGate gate, HealthResult r) {
        if (!current(gen, e)) {
            return;
        }
        Loop loop = s.ctx.loop();
        if (r.ok()) {
            if (detail != null) {
                log.info("{}: safe to stop after {} s: {}", s.id(), (loop.nowMillis() - sinceMono) / 1000, r.detail());
            }
            detail = r.detail();
            pass("safe to stop (" + r.detail() + ")");
            return;
        }
        if (detail == null) {
            waits++;
            log.warn("{}: stop waits, up to {} s, until it is safe: {}", s.id(), s.planned.spec().stop().waitUntilSafe().toSeconds(),
                    r.detail());
        } else if (!r.detail().equals(detail)) {
            log.info("{}: stop still waits ({} s): {}", s.id(), (loop.nowMillis() - sinceMono) / 1000, r.detail());
        }
        detail = r.detail();
        nextAsk = loop.schedule(INTERVAL, () -> ask(gen, e, gate));
    }

    private void waitedLongEnough(int gen, int e) {
        deadline = null;
        if (!current(gen, e)) {
            return;
        }
        Duration wait = s.planned.spec().stop().waitUntilSafe();
        log.warn("{}: still not safe to stop after {} s ({}); stopping it now: a stop asked for is never refused",
                s.id(), wait.toSeconds(), detail == null ? "the gate did not answer" : detail);
        unsafe++;
        pass("not safe after waiting " + wait.toSeconds() + " s, stopped anyway");
    }

    /** A waiting stop goes ahead now, without waiting for the gate (the stop was requested again, or forced). */
    void skip(String why) {
        log.warn("{}: {}: stopping it now, without waiting until it is safe{}", s.id(), why, detail == null ? "" : " (" + detail + ")");
        if (detail == null || !detail.startsWith("safe")) {
            unsafe++;
        }
        pass(why + ", without waiting until it is safe");
    }

    /** Leaves the gate and signals the process, with what is left of its grace. */
    private void pass(String why) {
        long waited = s.ctx.loop().nowMillis() - sinceMono;
        end();
        Duration grace = s.planned.spec().stop().grace().minusMillis(waited);
        s.signalStop(why, grace.isNegative() ? Duration.ZERO : grace, false);
    }

    /** The wait ends (passed, or its process ended): no more asking, no deadline, and no answer of it counts. */
    void end() {
        deadline = ServiceLifecycle.cancel(deadline);
        nextAsk = ServiceLifecycle.cancel(nextAsk);
        epoch++;
        sinceMono = -1;
    }
}
