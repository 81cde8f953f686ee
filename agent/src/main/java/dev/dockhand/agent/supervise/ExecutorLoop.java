package dev.dockhand.agent.supervise;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The real loop: one daemon thread, real time. A task that throws is logged; the loop goes on. */
public final class ExecutorLoop implements Loop {
    private static final Logger log = LoggerFactory.getLogger(ExecutorLoop.class);
    private volatile Thread thread;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "supervisor");
        t.setDaemon(true);
        thread = t;
        return t;
    });

    @Override
    public void post(Runnable task) {
        executor.execute(guarded(task));
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = executor.schedule(guarded(task), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    public long epochMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    public void shutdown() {
        executor.shutdownNow();
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("supervisor task failed (the supervisor goes on): {}", e.toString(), e);
            }
        };
    }
}
