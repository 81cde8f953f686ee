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

    void submit(Supplier<HealthResult> probe, Consumer<HealthResult> onLoop);

    /** Probes on a small pool of daemon threads; results posted to {@code loop}. */
    static ProbeRunner threads(Loop loop) {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "probe-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return (probe, onLoop) -> pool.execute(() -> {
            HealthResult r;
            try {
                r = probe.get();
            } catch (RuntimeException e) {
                r = HealthResult.failed("probe failed: " + e, 0);
            }
            HealthResult result = r;
            loop.post(() -> onLoop.accept(result));
        });
    }
}
