package dev.dockhand.agent.supervise;

import dev.dockhand.agent.health.HealthResult;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs probes off the supervisor's thread (a probe may wait its whole timeout) and hands each result
 * back on the loop. Tests run probes inline.
 */
public interface ProbeRunner {

    /**
     * Runs {@code probe} and hands its result to {@code onLoop} on the loop thread.
     *
     * @param target what is probed: the service id for a service's own probe, {@code service@host:port}
     *     for one endpoint of a remote dependency (for logs and for tests that script results)
     */
    void submit(String target, Supplier<HealthResult> probe, Consumer<HealthResult> onLoop);

    /** Probes on a small pool of daemon threads; results posted to {@code loop}. */
    static ProbeRunner threads(Loop loop) {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
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
