package dev.dockhand.agent.supervise;

import dev.dockhand.agent.health.HealthResult;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Probes one target again and again, on the loop thread: a service's own probe, or one endpoint of a
 * remote dependency.
 *
 * <p>Hedged, while what is probed is not ready yet: a new attempt goes out every interval even when
 * earlier ones have not answered, up to {@link #MAX_IN_FLIGHT} at once, and whichever answers first
 * counts. One attempt that hangs until its timeout does not hold back the next: ZooKeeper, asked at the
 * instant it binds its port, accepts the connection and never answers it, and a probe that waited for
 * that attempt sat out its whole timeout (2 s) while ZooKeeper had long been serving. Kubernetes and
 * Docker probe one attempt at a time, which is right for liveness and costs a whole timeout at start.
 *
 * <p>One at a time, once ready: the next attempt {@code interval} after the last answer, so failures
 * are counted in order against the failure threshold.
 *
 * <p>{@link #schedule} and {@link #stop} drop the answers of attempts already out: a late answer of an
 * attempt made while starting never counts as a liveness failure.
 */
final class Prober {
    /** Attempts out at once while hedged; each holds a probe thread until it answers or times out. */
    static final int MAX_IN_FLIGHT = 2;

    private final Loop loop;
    private final ProbeRunner runner;
    private final String target;
    private final Supplier<HealthResult> check;
    private final Consumer<HealthResult> onAnswer;
    private Duration interval = Duration.ZERO;
    private boolean hedged;
    private boolean stopped = true;
    /** Answers of attempts made before the last {@link #schedule} or {@link #stop} are dropped. */
    private int epoch;
    private int inFlight;
    private Loop.Timer timer;

    /**
     * @param target what is probed, for the runner (see {@link ProbeRunner#submit})
     * @param check one attempt; runs off the loop
     * @param onAnswer each counted answer, on the loop; may call {@link #schedule} or {@link #stop}
     */
    Prober(Loop loop, ProbeRunner runner, String target, Supplier<HealthResult> check, Consumer<HealthResult> onAnswer) {
        this.loop = loop;
        this.runner = runner;
        this.target = target;
        this.check = check;
        this.onAnswer = onAnswer;
    }

    /** From now on: the first attempt after {@code first}, then every {@code interval}, hedged or one at a time. */
    void schedule(Duration first, Duration interval, boolean hedged) {
        cancelTimer();
        epoch++;
        stopped = false;
        this.interval = interval;
        this.hedged = hedged;
        timer = loop.schedule(first, this::attempt);
    }

    /** No more attempts; answers of those out are dropped. */
    void stop() {
        cancelTimer();
        epoch++;
        stopped = true;
    }

    /** Attempts out now, counted or not (for tests). */
    int inFlight() {
        return inFlight;
    }

    private void attempt() {
        timer = null;
        if (stopped) {
            return;
        }
        int attemptEpoch = epoch;
        inFlight++;
        runner.submit(target, check, r -> answered(attemptEpoch, r));
        if (hedged && inFlight < MAX_IN_FLIGHT) {
            timer = loop.schedule(interval, this::attempt);
        }
    }

    private void answered(int attemptEpoch, HealthResult r) {
        inFlight--;
        boolean current = attemptEpoch == epoch && !stopped;
        if (current) {
            onAnswer.accept(r); // may schedule or stop
        }
        if (stopped || timer != null) {
            return; // stopped, or onAnswer rescheduled, or the next attempt is already armed
        }
        // hedged: a slot is free again (the attempts were all out); one at a time: this was the attempt
        if (hedged || current) {
            timer = loop.schedule(interval, this::attempt);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
