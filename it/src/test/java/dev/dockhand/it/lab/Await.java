package dev.dockhand.it.lab;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Bounded waits in the assertion style: poll a check that throws (an AssertionError, say) until it
 * passes or the time is up, then fail with its last reason. The one polling loop is
 * {@link Timing#awaitValue}; timeouts are scaled by {@code -Dtiming.multiple} as every wait is.
 */
public final class Await {
    /** How often a check is tried again. */
    static final Duration EVERY = Duration.ofMillis(50);

    private Await() {}

    public interface Check {
        /** Returns normally when the condition holds; throws (e.g. AssertionError) when not yet. */
        void run() throws Exception;
    }

    /**
     * Thrown by a check that can never pass any more (the process it asks has exited): ends the wait at
     * once, as a test failure, instead of polling until the time is up.
     */
    public static final class Hopeless extends AssertionError {
        private static final long serialVersionUID = 1L;

        public Hopeless(String message) {
            super(message);
        }
    }

    public static void until(String what, Duration atMost, Check check) {
        until(what, atMost, EVERY, check);
    }

    /** As {@link #until(String, Duration, Check)}, tried every {@code every}: for checks that cost a process each (docker exec). */
    public static void until(String what, Duration atMost, Duration every, Check check) {
        value(what, atMost, every, () -> {
            check.run();
            return Boolean.TRUE;
        });
    }

    public static <T> T value(String what, Duration atMost, Callable<T> get) {
        return value(what, atMost, EVERY, get);
    }

    public static <T> T value(String what, Duration atMost, Duration every, Callable<T> get) {
        Throwable[] last = new Throwable[1];
        return Timing.awaitValue(what, atMost, every, () -> {
            try {
                T v = get.call();
                last[0] = null;
                return v;
            } catch (Hopeless e) {
                throw e;
            } catch (Exception | AssertionError e) {
                last[0] = e;
                return null;
            }
        }, () -> last[0] == null ? "" : String.valueOf(last[0]));
    }
}
