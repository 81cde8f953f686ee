package dev.dockhand.agent.process;

import dev.dockhand.agent.linux.Linux;
import dev.dockhand.agent.linux.Spawned;
import dev.dockhand.agent.linux.WaitResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code in the agent that waits for children (docs/adr/001-reaping.md). One thread per process
 * blocks in {@code waitpid(-1, &status, 0)} and hands each reaped pid to the one listener registered
 * for it; pids nobody registered are orphans re-parented to us (PID 1 or child subreaper) and are
 * logged.
 *
 * <p>A {@code ChildReaper} is one owner's handle on that thread: the launcher of services and
 * single-command mode each open one. However many handles a process opens, in turn or at once, they
 * share the one waiting thread of their {@link Linux}: a second {@code waitpid(-1)} in the same process
 * would take exits that belong to the first one's listeners (and a closed owner's thread keeps waiting
 * as long as any child or orphan lives). The thread ends when no handle is open and no child is left,
 * and removes itself from {@link #WAITERS} in the same step, so that the next handle starts a new one
 * only once the old one will never wait again.
 *
 * <p>Spawn and registration happen under the waiter's lock, and the waiter takes the same lock before
 * it looks a pid up: a child that exits before {@link #spawn} returns is still given to its listener.
 */
final class ChildReaper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChildReaper.class);

    /**
     * With no children, the waiter sleeps until the next spawn, but looks again this often: a process
     * can become our child without our spawning it (a {@code docker exec} process whose parent outside
     * the namespace died is re-parented to PID 1).
     */
    static final Duration IDLE_RECHECK = Duration.ofSeconds(1);

    /** The waiting thread of each process; a fake {@link Linux} in a test is a process of its own. */
    private static final Map<Linux, Waiter> WAITERS = new IdentityHashMap<>();

    private final Waiter waiter;
    private final ExitListener orphans;
    /** Guarded by the waiter's lock. */
    private int running;
    private boolean closed;

    /** Opens a handle on the process's waiting thread, starting it if none runs. */
    ChildReaper(Linux linux) {
        this(linux, null);
    }

    /**
     * @param orphans also told of every orphan reaped while this handle is open (on the waiter's
     *     thread; it must not block), or null
     */
    ChildReaper(Linux linux, ExitListener orphans) {
        this.orphans = orphans;
        synchronized (WAITERS) {
            Waiter w = WAITERS.get(linux);
            if (w == null) {
                w = new Waiter(linux);
                WAITERS.put(linux, w);
                w.thread.start();
            }
            w.open(this);
            this.waiter = w;
        }
    }

    /**
     * Runs {@code spawn} and registers {@code listener} for the new pid before the waiter can look the
     * pid up. The listener is called once, on the waiter's thread, with the pid's exit status.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    Spawned spawn(Supplier<Spawned> spawn, ExitListener listener) {
        return waiter.spawn(this, spawn, listener);
    }

    /** Pids spawned through this handle and not yet reaped. */
    int running() {
        waiter.lock.lock();
        try {
            return running;
        } finally {
            waiter.lock.unlock();
        }
    }

    /** No new spawns through this handle; the children it spawned are still reaped and told. */
    @Override
    public void close() {
        waiter.close(this);
    }

    /** For tests: this handle is closed and every child it spawned has been reaped. */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        waiter.lock.lock();
        try {
            long left = timeout.toNanos();
            while (!closed || running > 0) {
                if (left <= 0) {
                    return false;
                }
                left = waiter.changed.awaitNanos(left);
            }
            return true;
        } finally {
            waiter.lock.unlock();
        }
    }

    /** For tests: whether a waiting thread runs for {@code linux}. */
    static boolean waiting(Linux linux) {
        synchronized (WAITERS) {
            return WAITERS.containsKey(linux);
        }
    }

    @Override
    public String toString() {
        return "ChildReaper[running=" + running() + "]";
    }

    /** A registered child: the handle that spawned it and its listener. */
    private record Owned(ChildReaper owner, ExitListener listener) {}

    /** The one thread of a process that calls {@link Linux#waitAny()}. */
    private static final class Waiter {
        private final Linux linux;
        private final Thread thread;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final Map<Integer, Owned> children = new HashMap<>();
        private final List<ChildReaper> open = new ArrayList<>();
        private long spawns;

        Waiter(Linux linux) {
            this.linux = linux;
            this.thread = new Thread(this::loop, "dockhand-reaper");
            thread.setDaemon(true);
        }

        void open(ChildReaper handle) {
            lock.lock();
            try {
                open.add(handle);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void close(ChildReaper handle) {
            lock.lock();
            try {
                handle.closed = true;
                open.remove(handle);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        Spawned spawn(ChildReaper owner, Supplier<Spawned> spawn, ExitListener listener) {
            lock.lock();
            try {
                if (owner.closed) {
                    throw new IllegalStateException("the process launcher is closed; no new children");
                }
                Spawned s = spawn.get();
                children.put(s.pid(), new Owned(owner, listener));
                owner.running++;
                spawns++;
                changed.signalAll();
                return s;
            } finally {
                lock.unlock();
            }
        }

        private void loop() {
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
                    reaped = Optional.empty();
                }
                if (reaped.isPresent()) {
                    dispatch(reaped.get());
                } else if (!idle(seen)) {
                    return;
                }
            }
        }

        /**
         * No children: wait for a spawn (or the recheck period) while a handle is open. False when no
         * handle is open: this waiter is then gone from {@link #WAITERS} and never waits again.
         */
        private boolean idle(long seen) {
            lock.lock();
            try {
                long deadline = System.nanoTime() + IDLE_RECHECK.toNanos();
                while (!open.isEmpty() && spawns == seen) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return true;
                    }
                    changed.awaitNanos(left);
                }
                if (spawns != seen) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
            // The same monitor as the constructor's: a handle opened from here on gets a new waiter,
            // and one opened before this point keeps this one.
            synchronized (WAITERS) {
                lock.lock();
                try {
                    if (!open.isEmpty() || spawns != seen) {
                        return true;
                    }
                    WAITERS.remove(linux, this);
                    changed.signalAll();
                    return false;
                } finally {
                    lock.unlock();
                }
            }
        }

        private void dispatch(WaitResult r) {
            Owned owned;
            List<ExitListener> orphanListeners = List.of();
            lock.lock();
            try {
                owned = children.remove(r.pid());
                if (owned != null) {
                    owned.owner.running--;
                    changed.signalAll();
                } else {
                    orphanListeners = open.stream().map(h -> h.orphans).filter(l -> l != null).toList();
                }
            } finally {
                lock.unlock();
            }
            if (owned == null) {
                log.debug("reaped orphan pid {} ({})", r.pid(), r.status());
                orphanListeners.forEach(l -> tell(l, r));
                return;
            }
            tell(owned.listener, r);
        }

        private static void tell(ExitListener listener, WaitResult r) {
            try {
                listener.exited(r.pid(), r.status());
            } catch (RuntimeException e) {
                // One listener's bug must not stop reaping for everyone else.
                log.error("exit listener for pid {} failed", r.pid(), e);
            }
        }
    }
}
