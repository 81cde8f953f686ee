package dev.dockhand.agent.process;

import dev.dockhand.agent.linux.Linux;
import dev.dockhand.agent.linux.Spawned;
import dev.dockhand.agent.linux.WaitResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code in the agent that waits for children (docs/adr/001-reaping.md). One thread blocks in
 * {@code waitpid(-1, &status, 0)} and hands each reaped pid to the one listener registered for it;
 * pids nobody registered are orphans re-parented to us (PID 1 or child subreaper) and are logged.
 *
 * <p>Spawn and registration happen under {@link #lock}, and the reaper takes the same lock before it
 * looks a pid up: a child that exits before {@link #spawn} returns is still given to its listener.
 */
final class ChildReaper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChildReaper.class);

    /**
     * With no children, the reaper sleeps until the next spawn, but looks again this often: a process
     * can become our child without our spawning it (a {@code docker exec} process whose parent outside
     * the namespace died is re-parented to PID 1).
     */
    static final Duration IDLE_RECHECK = Duration.ofSeconds(1);

    private final Linux linux;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Integer, ExitListener> listeners = new HashMap<>();
    private final Thread thread;
    private long spawns;
    private boolean closed;
    private boolean stopped;

    ChildReaper(Linux linux) {
        this.linux = linux;
        this.thread = new Thread(this::loop, "dockhand-reaper");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs {@code spawn} and registers {@code listener} for the new pid before the reaper can look
     * the pid up. The listener is called once, on the reaper's thread, with the pid's exit status.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    Spawned spawn(Supplier<Spawned> spawn, ExitListener listener) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the process launcher is closed; no new children");
            }
            Spawned s = spawn.get();
            listeners.put(s.pid(), listener);
            spawns++;
            changed.signalAll();
            return s;
        } finally {
            lock.unlock();
        }
    }

    /** Pids spawned and not yet reaped. */
    int running() {
        lock.lock();
        try {
            return listeners.size();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        try {
            while (true) {
                long seen;
                lock.lock();
                try {
                    seen = spawns;
                } finally {
                    lock.unlock();
                }
                Optional<WaitResult> reaped;
                try {
                    reaped = linux.waitAny();
                } catch (RuntimeException e) {
                    // Not ECHILD or EINTR: nothing sensible to do but say so and try again later.
                    log.error("waiting for children failed: {}", e.getMessage());
                    if (!idle(seen)) {
                        return;
                    }
                    continue;
                }
                if (reaped.isEmpty()) {
                    if (!idle(seen)) {
                        return;
                    }
                    continue;
                }
                dispatch(reaped.get());
            }
        } finally {
            lock.lock();
            try {
                stopped = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** No children: wait for a spawn (or the recheck period). False when closed: the reaper ends. */
    private boolean idle(long seen) {
        lock.lock();
        try {
            long deadline = System.nanoTime() + IDLE_RECHECK.toNanos();
            while (!closed && spawns == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                changed.awaitNanos(left);
            }
            return !closed || spawns != seen;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void dispatch(WaitResult r) {
        ExitListener listener;
        lock.lock();
        try {
            listener = listeners.remove(r.pid());
        } finally {
            lock.unlock();
        }
        if (listener == null) {
            log.debug("reaped orphan pid {} ({})", r.pid(), r.status());
            return;
        }
        try {
            listener.exited(r.pid(), r.status());
        } catch (RuntimeException e) {
            // One listener's bug must not stop reaping for everyone else.
            log.error("exit listener for pid {} failed", r.pid(), e);
        }
    }

    /** No new spawns; the reaper ends once the last child is gone (it keeps reaping until then). */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** For tests: waits until the reaper thread has ended. */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (!stopped) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "ChildReaper[" + thread.getName() + ", running=" + running() + "]";
    }
}
