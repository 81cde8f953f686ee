package dev.dockhand.agent.linux;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * {@link Linux} without a kernel, for unit tests of the packages above {@code linux}.
 *
 * <ul>
 *   <li>Every call is recorded in {@link #calls} as a short string ({@code "spawn [sleep, 1] session"},
 *       {@code "killGroup 100 TERM"}, {@code "subreaper"}).
 *   <li>{@link #spawn} hands out pids 100, 101, ... with two pipes each; {@link #write} puts bytes on a
 *       pipe, {@link #closeOutput} ends both pipes (EOF), {@link #exit} scripts how a pid ends.
 *   <li>{@link #waitAny()} blocks until a scripted exit is there, and returns empty (ECHILD) when no
 *       spawned child is left unreaped and nothing is scripted, like the kernel.
 *   <li>{@link #kill}/{@link #killGroup} of a live child script its death by that signal (unless
 *       {@link #killsAreIgnored} is set, or the signal's default action does not end a process) and
 *       close its output, as a real process would.
 * </ul>
 */
public final class FakeLinux implements Linux {
    /** Every call, in order. */
    public final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    /** true: kill() is recorded but the child keeps running (a service that ignores SIGTERM). */
    public volatile boolean killsAreIgnored;

    private final LinkedBlockingDeque<WaitResult> exits = new LinkedBlockingDeque<>();
    private final Map<Integer, LinkedBlockingDeque<byte[]>> pipes = new ConcurrentHashMap<>();
    private final Map<Integer, int[]> fdsOfPid = new ConcurrentHashMap<>();
    private final Set<Integer> live = new HashSet<>();
    private final List<Spawned> spawned = new ArrayList<>();
    private int nextPid = 100;
    private int nextFd = 1000;
    private int pid = 4242;
    private volatile boolean subreaper;
    private volatile RuntimeException nextSpawnFailure;
    private volatile IntConsumer onSpawn = p -> {};
    private volatile SignalState inherited = SignalState.DEFAULT;
    /** Signals whose default action neither ends a process nor is scripted here as its end. */
    private static final Set<Signal> NOT_FATAL = java.util.EnumSet.of(Signal.WINCH, Signal.CONT, Signal.URG, Signal.CHLD,
            Signal.STOP, Signal.TSTP, Signal.TTIN, Signal.TTOU);

    private static final byte[] EOF = new byte[0];
    /** Write end of each {@link #pipe()} -> its read end. */
    private final Map<Integer, Integer> writeEnds = new ConcurrentHashMap<>();
    private final Object pollMonitor = new Object();

    /** What {@link #getpid()} returns (4242 unless set; 1 plays PID 1). */
    public FakeLinux pid(int pid) {
        this.pid = pid;
        return this;
    }

    /** The next spawn throws {@code failure} (e.g. an {@link ErrnoException} for ENOENT). */
    public void failNextSpawn(RuntimeException failure) {
        this.nextSpawnFailure = failure;
    }

    /** Runs inside spawn, after the pid exists and before spawn returns (to script instant deaths). */
    public void onSpawn(IntConsumer action) {
        this.onSpawn = action;
    }

    public boolean isChildSubreaper() {
        return subreaper;
    }

    /** Children spawned so far, in order. */
    public synchronized List<Spawned> spawned() {
        return List.copyOf(spawned);
    }

    /** Waits until at least {@code n} children were spawned; returns the n-th. */
    public Spawned awaitSpawned(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (spawned.size() < n) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("fewer than " + n + " spawns within " + timeout + ": " + calls);
                }
                wait(left);
            }
            return spawned.get(n - 1);
        }
    }

    /** Puts {@code text} (UTF-8) on the child's stdout or stderr pipe. */
    public void write(int pid, boolean stderr, String text) {
        int[] fds = fdsOfPid.get(pid);
        put(stderr ? fds[1] : fds[0], text.getBytes(StandardCharsets.UTF_8));
    }

    /** End of file on both pipes of the child (it and everything that inherited them are gone). */
    public void closeOutput(int pid) {
        int[] fds = fdsOfPid.get(pid);
        if (fds != null) {
            put(fds[0], EOF);
            put(fds[1], EOF);
        }
    }

    /** Scripts that {@code pid} ended with {@code status}; {@link #waitAny()} will return it. */
    public void exit(int pid, ExitStatus status) {
        exits.add(new WaitResult(pid, status));
    }

    /** {@link #exit} plus {@link #closeOutput}: a process that simply ends. */
    public void exitAndClose(int pid, ExitStatus status) {
        closeOutput(pid);
        exit(pid, status);
    }

    @Override
    public void becomeChildSubreaper() {
        calls.add("subreaper");
        subreaper = true;
    }

    @Override
    public void setParentDeathSignal(Signal signal) {
        calls.add("pdeathsig " + signal.name());
    }

    @Override
    public int getpid() {
        return pid;
    }

    @Override
    public int getuid() {
        return 1000;
    }

    @Override
    public Spawned spawn(List<String> argv, Map<String, String> env, Path workDir, String runAs, boolean newSession) {
        calls.add("spawn " + argv + (newSession ? " session" : "") + (runAs != null ? " as " + runAs : ""));
        return doSpawn(true);
    }

    @Override
    public Spawned spawnForeground(List<String> argv, Map<String, String> env, Path workDir, SignalState signals) {
        calls.add("spawnForeground " + argv + (signals.equals(SignalState.DEFAULT) ? "" : " " + signals));
        return doSpawn(false);
    }

    /** What {@link #inheritedSignals()} returns (nothing blocked or ignored unless set). */
    public FakeLinux inherited(SignalState state) {
        this.inherited = state;
        return this;
    }

    @Override
    public SignalState inheritedSignals() {
        return inherited;
    }

    @Override
    public void resetIgnored(Signal signal) {
        calls.add("resetIgnored " + signal.name());
    }

    @Override
    public void unblockInCallingThread(java.util.Collection<Signal> signals) {
        calls.add("unblock " + signals);
    }

    @Override
    public void redirectStdoutToDevNull() {
        calls.add("stdout to /dev/null");
    }

    private Spawned doSpawn(boolean piped) {
        RuntimeException failure = nextSpawnFailure;
        if (failure != null) {
            nextSpawnFailure = null;
            throw failure;
        }
        Spawned s;
        synchronized (this) {
            int p = nextPid++;
            if (piped) {
                int out = nextFd++;
                int err = nextFd++;
                pipes.put(out, new LinkedBlockingDeque<>());
                pipes.put(err, new LinkedBlockingDeque<>());
                fdsOfPid.put(p, new int[] {out, err});
                s = new Spawned(p, out, err);
            } else {
                s = new Spawned(p, -1, -1);
            }
            live.add(p);
        }
        onSpawn.accept(s.pid());
        synchronized (this) {
            spawned.add(s);
            notifyAll();
        }
        return s;
    }

    @Override
    public Optional<WaitResult> waitAny() {
        try {
            while (true) {
                synchronized (this) {
                    if (live.isEmpty() && exits.isEmpty()) {
                        calls.add("waitAny: no children");
                        return Optional.empty();
                    }
                }
                // Short polls so that a spawn while we wait is noticed like the kernel would.
                WaitResult r = exits.poll(20, TimeUnit.MILLISECONDS);
                if (r != null) {
                    synchronized (this) {
                        live.remove(r.pid());
                    }
                    calls.add("reaped " + r.pid());
                    return Optional.of(r);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public boolean kill(int pid, Signal signal) {
        calls.add("kill " + pid + " " + signal.name());
        return deliver(pid, signal);
    }

    @Override
    public boolean killGroup(int pgid, Signal signal) {
        calls.add("killGroup " + pgid + " " + signal.name());
        return deliver(pgid, signal);
    }

    private boolean deliver(int pid, Signal signal) {
        boolean alive;
        synchronized (this) {
            alive = live.contains(pid) && exits.stream().noneMatch(r -> r.pid() == pid);
        }
        if (alive && !killsAreIgnored && !NOT_FATAL.contains(signal)) {
            exitAndClose(pid, new ExitStatus.Killed(signal.number, false));
        }
        return alive;
    }

    @Override
    public int read(int fd, byte[] buf) {
        LinkedBlockingDeque<byte[]> pipe = pipes.get(fd);
        if (pipe == null) {
            throw new ErrnoException("read(" + fd + ")", 9, "Bad file descriptor");
        }
        try {
            byte[] chunk = pipe.take();
            if (chunk.length == 0) {
                pipe.addFirst(EOF); // stays at end of file
                return -1;
            }
            int n = Math.min(chunk.length, buf.length);
            System.arraycopy(chunk, 0, buf, 0, n);
            if (n < chunk.length) {
                pipe.addFirst(Arrays.copyOfRange(chunk, n, chunk.length));
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close(int fd) {
        calls.add("close " + fd);
    }

    /** A pipe as the kernel makes one: bytes written to the second fd are read from the first. */
    @Override
    public synchronized int[] pipe() {
        int r = nextFd++;
        int w = nextFd++;
        pipes.put(r, new LinkedBlockingDeque<>());
        writeEnds.put(w, r);
        return new int[] {r, w};
    }

    @Override
    public void write(int fd, byte[] buf, int len) {
        Integer r = writeEnds.get(fd);
        if (r == null) {
            throw new ErrnoException("write(" + fd + ")", 9, "Bad file descriptor");
        }
        put(r, Arrays.copyOf(buf, len));
    }

    /** Readable: a pipe with bytes or at end of file. */
    @Override
    public int poll(int[] fds, int[] revents, int timeoutMillis) {
        long deadline = timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (pollMonitor) {
            while (true) {
                int n = 0;
                for (int i = 0; i < fds.length; i++) {
                    LinkedBlockingDeque<byte[]> pipe = pipes.get(fds[i]);
                    revents[i] = pipe == null ? 0x20 /* POLLNVAL */ : pipe.isEmpty() ? 0 : 0x1 /* POLLIN */;
                    n += revents[i] != 0 ? 1 : 0;
                }
                long left = deadline - System.nanoTime();
                if (n > 0 || left <= 0) {
                    return n;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(pollMonitor, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
        }
    }

    private void put(int fd, byte[] chunk) {
        pipes.get(fd).add(chunk);
        synchronized (pollMonitor) {
            pollMonitor.notifyAll();
        }
    }

    @Override
    public synchronized long rssBytes(int pid) {
        return live.contains(pid) ? 64L << 20 : -1;
    }

    /** Port -> who listens there, as {@link #listeners} answers. */
    public final Map<Integer, List<ProcFs.Listener>> portHolders = new ConcurrentHashMap<>();

    @Override
    public synchronized java.util.OptionalLong startTime(int pid) {
        return live.contains(pid) ? java.util.OptionalLong.of(1000L + pid) : java.util.OptionalLong.empty();
    }

    @Override
    public List<ProcFs.Listener> listeners(int port) {
        return portHolders.getOrDefault(port, List.of());
    }
}
