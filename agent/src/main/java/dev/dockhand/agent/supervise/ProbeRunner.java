package dev.dockhand.agent.supervise;

import dev.dockhand.agent.health.HealthResult;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs probes off the supervisor's thread (a probe may wait its whole timeout) and hands each result
 * back on the loop. Tests run probes inline.
 */
public interface ProbeRunner {

    /** How long a probe thread with nothing to do lives on. */
    java.time.Duration IDLE_THREAD_LIFE = java.time.Duration.ofSeconds(10);

    /**
     * Runs {@code probe} and hands its result to {@code onLoop} on the loop thread.
     *
     * @param target what is probed: the service id for a service's own probe, {@code service@host:port}
     *     for one endpoint of a remote dependency (for logs and for tests that script results)
     */
    void submit(String target, Supplier<HealthResult> probe, Consumer<HealthResult> onLoop);

    /**
     * Probes on a pool of daemon threads, one per probe out at once; results posted to {@code loop}.
     * A thread idle for {@link #IDLE_THREAD_LIFE} ends: after the hedged probing of a start, the pool
     * shrinks back to what the ready services' probes use within seconds, not the JDK's minute.
     */
    static ProbeRunner threads(Loop loop) {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_THREAD_LIFE.toMillis(), TimeUnit.MILLISECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "probe-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        return (target, probe, onLoop) -> pool.execute(() -> {
            HealthResult r;
            try {
                r = probe.get();
            } catch (RuntimeException e) {
                r = HealthResult.failed("probe of " + target + " failed: " + e, 0);
            }
            HealthResult result = r;
            loop.post(() -> onLoop.accept(result));
        });
    }
}
