package dev.dockhand.agent.supervise;

import java.time.Duration;

/**
 * The supervisor's single thread and its time. Every task runs on that one thread, in order, so the
 * supervisor's state needs no locks. The real loop is a single-thread scheduled executor; tests use a
 * manual loop whose time only moves when the test advances it.
 */
public interface Loop {

    /** Runs {@code task} on the loop thread, after the tasks already queued. */
    void post(Runnable task);

    /** Runs {@code task} on the loop thread after {@code delay}; cancellable. */
    Timer schedule(Duration delay, Runnable task);

    /** Monotonic time in milliseconds. */
    long nowMillis();

    /** Wall-clock time in epoch milliseconds, for what operators read. */
    long epochMillis();

    /** True when called on the loop thread. */
    boolean inLoop();

    /** A scheduled task. */
    interface Timer {
        void cancel();
    }
}
