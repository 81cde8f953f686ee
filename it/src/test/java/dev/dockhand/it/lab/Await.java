package dev.dockhand.it.lab;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Bounded waits: poll a condition until it holds or the time is up (then fail with the last reason). */
public final class Await {
    /** Scales every timeout, for slow machines: -Dtiming.multiple=2. */
    public static final double MULTIPLE = Double.parseDouble(System.getProperty("timing.multiple", "1"));

    private Await() {}

    public interface Check {
        /** Returns normally when the condition holds; throws (e.g. AssertionError) when not yet. */
        void run() throws Exception;
    }

    public static void until(String what, Duration atMost, Check check) throws InterruptedException {
        long end = System.nanoTime() + (long) (atMost.toNanos() * MULTIPLE);
        Throwable last = null;
        while (System.nanoTime() < end) {
            try {
                check.run();
                return;
            } catch (Exception | AssertionError e) {
                last = e;
            }
            Thread.sleep(50); // polling interval; the loop is bounded by atMost
        }
        throw new AssertionError("not within " + atMost + ": " + what + (last == null ? "" : ": " + last), last);
    }

    public static <T> T value(String what, Duration atMost, Callable<T> get) throws InterruptedException {
        Object[] box = new Object[1];
        until(what, atMost, () -> box[0] = get.call());
        @SuppressWarnings("unchecked")
        T t = (T) box[0];
        return t;
    }
}
