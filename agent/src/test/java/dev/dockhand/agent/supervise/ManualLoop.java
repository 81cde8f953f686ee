package dev.dockhand.agent.supervise;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Loop} whose time moves only when the test says (like Kafka's MockTime + MockScheduler).
 * Tasks run on the calling thread: {@link #runPending()} runs what is due now, {@link #advance}
 * moves time forward running every task that falls due on the way, in time order (ties in the order
 * they were queued). The test's own thread counts as the loop thread, so the supervisor's control
 * methods run inline.
 */
final class ManualLoop implements Loop {
    private static final long EPOCH_BASE = 1_700_000_000_000L;
    private final Thread owner = Thread.currentThread();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now = 10_000;
    private long seq;
    private long running;
    private long tasksRun;
    /** Every delay passed to {@link #schedule}, in order. */
    final List<Duration> scheduledDelays = new ArrayList<>();

    private final class Task implements Comparable<Task>, Timer {
        final long due;
        final long order = seq++;
        final Runnable body;
        boolean cancelled;

        Task(long due, Runnable body) {
            this.due = due;
            this.body = body;
        }

        @Override
        public int compareTo(Task o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(order, o.order);
        }

        @Override
        public void cancel() {
            synchronized (ManualLoop.this) {
                cancelled = true;
            }
        }
    }

    @Override
    public synchronized void post(Runnable task) {
        queue.add(new Task(now, task));
    }

    @Override
    public synchronized Timer schedule(Duration delay, Runnable task) {
        scheduledDelays.add(delay);
        Task t = new Task(now + Math.max(0, delay.toMillis()), task);
        queue.add(t);
        return t;
    }

    @Override
    public synchronized long nowMillis() {
        return now;
    }

    @Override
    public synchronized long epochMillis() {
        return EPOCH_BASE + now;
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == owner;
    }

    /** Runs every task due now, including those the tasks queue for now. */
    void runPending() {
        runUntil(nowMillis());
    }

    /** Moves time forward by {@code d}, running every task due on the way at its own time. */
    void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toMillis();
        }
        runUntil(target);
        synchronized (this) {
            now = Math.max(now, target);
        }
    }

    /** Number of the task running now (1-based, 0 outside any task): tells whether two things happened in one task. */
    synchronized long currentTask() {
        return running;
    }

    /** Tasks run so far. */
    synchronized long tasksRun() {
        return tasksRun;
    }

    /** Delay until the earliest live timer, or null when none is queued. */
    synchronized Duration nextDue() {
        return queue.stream().filter(t -> !t.cancelled).min(Task::compareTo).map(t -> Duration.ofMillis(t.due - now)).orElse(null);
    }

    private void runUntil(long target) {
        for (int guard = 0; ; guard++) {
            if (guard > 100_000) {
                throw new IllegalStateException("more than 100000 tasks without time moving: a task reschedules itself at once");
            }
            Task t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.due > target) {
                    return;
                }
                queue.poll();
                if (t.cancelled) {
                    continue;
                }
                now = Math.max(now, t.due);
                running = ++tasksRun;
            }
            try {
                t.body.run();
            } finally {
                synchronized (this) {
                    running = 0;
                }
            }
        }
    }
}
