package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OverviewCacheTest {
    @Test
    void reusesTheOverviewForTheTtlThenCollectsAgain() {
        AtomicLong now = new AtomicLong();
        AtomicInteger collections = new AtomicInteger();
        OverviewCache cache = new OverviewCache(() -> {
            collections.incrementAndGet();
            return Fixtures.overview();
        }, now::get, Duration.ofSeconds(2));
        assertEquals(false, cache.collectedOnce());
        Overview first = cache.get();
        assertEquals(true, cache.collectedOnce());
        now.addAndGet(Duration.ofMillis(1999).toNanos());
        assertSame(first, cache.get());
        assertEquals(1, collections.get());
        now.addAndGet(Duration.ofMillis(1).toNanos());
        cache.get();
        assertEquals(2, collections.get());
    }

    @Test
    void concurrentRequestsShareOneCollection() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        AtomicInteger collections = new AtomicInteger();
        OverviewCache cache = new OverviewCache(() -> {
            collections.incrementAndGet();
            entered.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Fixtures.overview();
        }, System::nanoTime, Duration.ZERO);
        java.util.List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r);
            threads.add(t);
            return t;
        });
        try {
            Future<Overview> a = pool.submit(cache::get);
            entered.await(5, TimeUnit.SECONDS);
            Future<Overview> b = pool.submit(cache::get);
            Future<Overview> c = pool.submit(cache::get);
            // b and c find the collection under way and wait for it instead of starting their own
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (waitingOnCollection(threads) < 2 && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertEquals(2, waitingOnCollection(threads), "b and c wait for a's collection");
            release.countDown();
            Overview o = a.get(5, TimeUnit.SECONDS);
            assertSame(o, b.get(5, TimeUnit.SECONDS));
            assertSame(o, c.get(5, TimeUnit.SECONDS));
            assertEquals(1, collections.get());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Threads parked in CompletableFuture.join, i.e. waiting for someone else's collection. */
    private static long waitingOnCollection(java.util.List<Thread> threads) {
        return threads.stream().filter(t -> java.util.Arrays.stream(t.getStackTrace())
                .anyMatch(f -> f.getClassName().equals(java.util.concurrent.CompletableFuture.class.getName())
                        && f.getMethodName().equals("join"))).count();
    }
}
