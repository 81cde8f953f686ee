package dev.dockhand.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.health.HealthResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Hedged attempts while starting, one at a time once ready, and late answers dropped; on a manual loop. */
class ProberTest {
    static final Duration INTERVAL = Duration.ofMillis(100);

    final ManualLoop loop = new ManualLoop();
    /** Attempts out, answered only when the test says so (a probe that hangs until it does). */
    final List<Consumer<HealthResult>> out = new ArrayList<>();
    final ProbeRunner held = (String target, Supplier<HealthResult> probe, Consumer<HealthResult> onLoop) -> out.add(onLoop);
    final List<HealthResult> counted = new ArrayList<>();

    void answer(int attempt, HealthResult r) {
        loop.post(() -> out.get(attempt).accept(r));
        loop.runPending();
    }

    @Test
    void aHangingAttemptDoesNotHoldTheNextWhileStarting() {
        Prober p = new Prober(loop, held, "zk", () -> null, counted::add);
        p.schedule(Duration.ZERO, INTERVAL, true);
        loop.runPending();
        assertEquals(1, out.size(), "the first attempt goes out at once");
        loop.advance(INTERVAL);
        assertEquals(2, out.size(), "the first has not answered: a second goes out an interval later");
        loop.advance(INTERVAL.multipliedBy(10));
        assertEquals(Prober.MAX_IN_FLIGHT, out.size(), "never more than MAX_IN_FLIGHT out at once");

        answer(1, HealthResult.ok("Mode: standalone", 3));
        assertEquals(List.of("Mode: standalone"), counted.stream().map(HealthResult::detail).toList(), "the second answers first and counts");
    }

    @Test
    void aFreedSlotLetsTheNextAttemptOut() {
        Prober p = new Prober(loop, held, "kafka", () -> null, counted::add);
        p.schedule(Duration.ZERO, INTERVAL, true);
        loop.runPending();
        loop.advance(INTERVAL);
        assertEquals(2, out.size());
        answer(0, HealthResult.failed("timed out", 2000));
        assertEquals(1, counted.size(), "a failure while starting counts (the caller keeps the reason)");
        loop.advance(INTERVAL);
        assertEquals(3, out.size(), "the slot of the timed-out attempt is used again an interval later");
    }

    @Test
    void onceReadyOneAttemptAtATimeAndLateStartingAnswersAreDropped() {
        Prober[] self = new Prober[1];
        Prober p = new Prober(loop, held, "zk", () -> null, r -> {
            counted.add(r);
            if (r.ok()) {
                self[0].schedule(Duration.ofSeconds(2), Duration.ofSeconds(2), false);
            }
        });
        self[0] = p;
        p.schedule(Duration.ZERO, INTERVAL, true);
        loop.runPending();
        loop.advance(INTERVAL); // attempts 0 (hangs) and 1 out
        answer(1, HealthResult.ok("imok", 1)); // ready: liveness from now on
        answer(0, HealthResult.failed("timed out", 2000)); // the hung attempt of the start, late
        assertEquals(1, counted.size(), "a late answer of an attempt made while starting never counts: " + counted);

        loop.advance(Duration.ofSeconds(2));
        assertEquals(3, out.size(), "the first liveness attempt, 2 s after READY");
        loop.advance(Duration.ofSeconds(10));
        assertEquals(3, out.size(), "one at a time: no second attempt while the first has not answered");
        answer(2, HealthResult.failed("timed out", 2000));
        loop.advance(Duration.ofSeconds(2));
        assertEquals(4, out.size(), "the next attempt an interval after the answer");
        assertEquals(2, counted.size());
    }

    @Test
    void stopDropsAnswersAndEndsAttempts() {
        Prober p = new Prober(loop, held, "registry", () -> null, counted::add);
        p.schedule(Duration.ZERO, INTERVAL, true);
        loop.runPending();
        p.stop();
        answer(0, HealthResult.ok("200", 5));
        loop.advance(Duration.ofSeconds(5));
        assertTrue(counted.isEmpty(), "answers after stop are dropped");
        assertEquals(1, out.size(), "no attempts after stop");
        assertEquals(0, p.inFlight());
    }
}
