package dev.dockhand.agent.console;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Reuses one overview for {@code ttl}, and lets concurrent requests share the collection under way,
 * so that many open pages (and Prometheus) do not multiply the load on the cluster.
 */
final class OverviewCache {
    private final Supplier<Overview> collector;
    private final LongSupplier nanoClock;
    private final long ttlNanos;

    private Overview cached;
    private long cachedAtNanos;
    private CompletableFuture<Overview> inFlight;

    OverviewCache(Supplier<Overview> collector, LongSupplier nanoClock, Duration ttl) {
        this.collector = collector;
        this.nanoClock = nanoClock;
        this.ttlNanos = ttl.toNanos();
    }

    /** Whether an overview has been collected: from then on a page never waits for a cold collection. */
    synchronized boolean collectedOnce() {
        return cached != null;
    }

    Overview get() {
        CompletableFuture<Overview> mine;
        CompletableFuture<Overview> theirs;
        synchronized (this) {
            if (cached != null && nanoClock.getAsLong() - cachedAtNanos < ttlNanos) {
                return cached;
            }
            theirs = inFlight;
            if (theirs == null) {
                mine = inFlight = new CompletableFuture<>();
            } else {
                mine = null;
            }
        }
        if (mine == null) {
            return theirs.join(); // bounded: the collection itself is bounded by the deadline
        }
        try {
            Overview o = collector.get();
            synchronized (this) {
                cached = o;
                cachedAtNanos = nanoClock.getAsLong();
                inFlight = null;
            }
            mine.complete(o);
            return o;
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                inFlight = null;
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }
}
