package dev.dockhand.agent.supervise;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real loop, in real time, run by the thread that calls {@link #runUntil}: in the agent that is
 * the JVM's main thread, which would otherwise only wait for the supervisor to end (a thread less in
 * PID 1). Tasks run one at a time, in the order they are due, ties in the order they were queued. A
 * task that throws is logged; the loop goes on.
 */
public final class ExecutorLoop implements Loop {
    private static final Logger log = LoggerFactory.getLogger(ExecutorLoop.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long queued;
    private volatile Thread thread;

    private final class Task implements Comparable<Task>, Timer {
        final long dueNanos;
        final long order;
        final Runnable body;

        Task(long dueNanos, long order, Runnable body) {
            this.dueNanos = dueNanos;
            this.order = order;
            this.body = body;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(dueNanos - o.dueNanos, 0); // nanoTime may wrap: compare differences
            return c != 0 ? c : Long.compare(order, o.order);
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                queue.remove(this);
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void post(Runnable task) {
        schedule(Duration.ZERO, task);
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        long nanos = delay.isNegative() ? 0 : delay.toNanos();
        lock.lock();
        try {
            Task t = new Task(System.nanoTime() + nanos, queued++, task);
            queue.add(t);
            if (queue.peek() == t) {
                changed.signal(); // due before whatever the loop sleeps for
            }
            return t;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs tasks on the calling thread until {@code done} is true after a task (it is only checked
     * then: what makes it true must happen in a task). Tasks still queued then are dropped.
     *
     * @throws InterruptedException when the calling thread is interrupted while waiting for a task
     */
    public void runUntil(BooleanSupplier done) throws InterruptedException {
        thread = Thread.currentThread();
        try {
            while (!done.getAsBoolean()) {
                run(next());
            }
        } finally {
            thread = null;
            lock.lock();
            try {
                queue.clear();
            } finally {
                lock.unlock();
            }
        }
    }

    private Task next() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                Task t = queue.peek();
                if (t == null) {
                    changed.await();
                    continue;
                }
                long wait = t.dueNanos - System.nanoTime();
                if (wait <= 0) {
                    return queue.poll();
                }
                changed.awaitNanos(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    private static void run(Task t) {
        try {
            t.body.run();
        } catch (RuntimeException e) {
            log.error("supervisor task failed (the supervisor goes on): {}", e.toString(), e);
        }
    }

    @Override
    public long nowMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }

    @Override
    public long epochMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }
}
