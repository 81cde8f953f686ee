package dev.dockhand.it.lab;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Every wait of the netns tests is bounded and scaled by one factor, {@code -Dtiming.multiple=2}
 * on a slow or busy machine. Waits poll a condition; none sleeps for a fixed time.
 */
public final class Timing {
    /** Factor every timeout is multiplied by (system property {@code timing.multiple}, default 1). */
    public static final double MULTIPLE = parse(System.getProperty("timing.multiple", "1"));

    private Timing() {}

    private static double parse(String text) {
        try {
            double v = Double.parseDouble(text.strip());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("-Dtiming.multiple: '" + text + "' is not a positive number (e.g. 1.5)");
    }

    public static Duration scaled(Duration d) {
        return Duration.ofMillis((long) (d.toMillis() * MULTIPLE));
    }

    public static Duration seconds(long s) {
        return scaled(Duration.ofSeconds(s));
    }

    /** Polls {@code condition} every {@code every} until true; fails naming {@code what} after {@code timeout} (scaled). */
    public static void await(String what, Duration timeout, Duration every, BooleanSupplier condition) {
        awaitValue(what, timeout, every, () -> condition.getAsBoolean() ? Boolean.TRUE : null, () -> "");
    }

    /**
     * Polls {@code probe} until it returns non-null and returns that; after {@code timeout} (scaled) fails with
     * {@code what} and whatever {@code lastSeen} describes (e.g. the last status seen).
     */
    public static <T> T awaitValue(String what, Duration timeout, Duration every, Supplier<T> probe, Supplier<String> lastSeen) {
        long deadline = System.nanoTime() + scaled(timeout).toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T v = probe.get();
                if (v != null) {
                    return v;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError err = new AssertionError("timed out after " + scaled(timeout).toSeconds() + " s waiting for " + what
                        + (last == null ? "" : " (last error: " + last + ")") + describe(lastSeen));
                if (last != null) {
                    err.initCause(last);
                }
                throw err;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(every.toMillis()); // poll interval, not a wait for a condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    private static String describe(Supplier<String> lastSeen) {
        try {
            String s = lastSeen.get();
            return s == null || s.isEmpty() ? "" : "; last seen: " + s;
        } catch (RuntimeException e) {
            return "; last seen: (" + e + ")";
        }
    }
}
