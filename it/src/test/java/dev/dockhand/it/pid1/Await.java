package dev.dockhand.it.pid1;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Bounded waits: poll a condition until it holds or the time is up (then fail with the last reason). */
final class Await {
    private Await() {}

    interface Check {
        void run() throws Exception;
    }

    static void until(String what, Duration atMost, Check check) throws InterruptedException {
        long end = System.nanoTime() + atMost.toNanos();
        Throwable last = null;
        while (System.nanoTime() < end) {
            try {
                check.run();
                return;
            } catch (Exception | AssertionError e) {
                last = e;
            }
            Thread.sleep(50); // polling interval; bounded by atMost
        }
        throw new AssertionError("not within " + atMost + ": " + what + (last == null ? "" : ": " + last), last);
    }

    static <T> T value(String what, Duration atMost, Callable<T> get) throws InterruptedException {
        Object[] box = new Object[1];
        until(what, atMost, () -> box[0] = get.call());
        @SuppressWarnings("unchecked")
        T t = (T) box[0];
        return t;
    }
}
