package dev.dockhand.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real loop on the calling thread, in real time (short delays, every wait bounded by the class timeout). */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExecutorLoopTest {
    final ExecutorLoop loop = new ExecutorLoop();
    final List<String> ran = new CopyOnWriteArrayList<>();
    final AtomicBoolean done = new AtomicBoolean();

    @Test
    void tasksRunInDueOrderTiesInQueueOrderOnTheCallingThread() throws Exception {
        // Due times are taken from the clock at each call: the tasks due now are queued first, and the
        // delays leave far more room than a busy machine takes between two statements, so that only
        // the loop's ordering decides (the later-queued "soon" still runs before "late").
        Thread caller = Thread.currentThread();
        loop.post(() -> ran.add("now-1"));
        loop.post(() -> ran.add("now-2"));
        loop.post(() -> ran.add(Thread.currentThread() == caller ? "on-caller" : "elsewhere"));
        loop.schedule(Duration.ofMillis(500), () -> ran.add("late"));
        loop.schedule(Duration.ofMillis(20), () -> ran.add("soon"));
        loop.schedule(Duration.ofMillis(600), () -> {
            assertTrue(loop.inLoop(), "tasks run on the thread that runs the loop");
            done.set(true);
        });
        assertFalse(loop.inLoop(), "not the loop before runUntil");
        loop.runUntil(done::get);
        assertEquals(List.of("now-1", "now-2", "on-caller", "soon", "late"), ran);
        assertFalse(loop.inLoop(), "not the loop after runUntil");
    }

    @Test
    void aCancelledTaskNeverRunsAndAThrowingOneDoesNotStopTheLoop() throws Exception {
        Loop.Timer t = loop.schedule(Duration.ofMillis(10), () -> ran.add("cancelled"));
        t.cancel();
        loop.post(() -> {
            throw new IllegalStateException("a task that fails");
        });
        loop.schedule(Duration.ofMillis(30), () -> {
            ran.add("after");
            done.set(true);
        });
        loop.runUntil(done::get);
        assertEquals(List.of("after"), ran);
    }

    @Test
    void aTaskPostedFromAnotherThreadWakesALoopThatWaitsForALaterOne() throws Exception {
        loop.schedule(Duration.ofSeconds(30), () -> ran.add("much later"));
        CountDownLatch waiting = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try {
                waiting.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.post(() -> {
                ran.add("posted");
                done.set(true);
            });
        });
        other.start();
        loop.post(waiting::countDown);
        long start = System.nanoTime();
        loop.runUntil(done::get);
        assertEquals(List.of("posted"), ran);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "woken by the post, not by the 30 s task");
        other.join(5000);
    }
}
