package dev.dockhand.agent.process;

import dev.dockhand.agent.linux.Linux;
import dev.dockhand.agent.linux.Signal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process groups this agent started and has not yet seen end, kept in a file on the node's data
 * volume: one line per child, its id, pid, start time (clock ticks since boot, which tells the process
 * from a later one that reused its pid), stop signal and grace.
 *
 * <p>Why: an agent that is not PID 1 can be killed with {@code -9}; its services, each in its own
 * session, live on as orphans holding their ports. The next agent on the same data dir would probe
 * them, take them for its own services, and then crash-loop its real ones on "address in use". So at
 * start it {@link #reclaim reclaims} what the ledger names and is still alive with the recorded start
 * time: the stop signal to the group, the grace, then SIGKILL. A process not in the ledger is never
 * touched. In a container (the agent is PID 1) nothing survives the agent, and the ledger is empty.
 */
public final class ProcessLedger {
    private static final Logger log = LoggerFactory.getLogger(ProcessLedger.class);
    /** How often {@link #reclaim} looks whether the survivors are gone. */
    private static final Duration POLL = Duration.ofMillis(50);
    /** The longest {@link #reclaim} waits after SIGKILL. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    /** One child: what it is, pid and start time, how it is stopped. */
    public record Entry(String id, int pid, long startTime, Signal stopSignal, Duration grace) {}

    private final Path file;
    private final Linux linux;
    private final Map<Integer, Entry> entries = new LinkedHashMap<>();

    public ProcessLedger(Path file, Linux linux) {
        this.file = file;
        this.linux = linux;
    }

    /** Records a child just started. */
    public synchronized void started(String id, int pid, Signal stopSignal, Duration grace) {
        OptionalLong t = linux.startTime(pid);
        if (t.isEmpty()) {
            return; // already gone
        }
        entries.put(pid, new Entry(id, pid, t.getAsLong(), stopSignal, grace));
        save();
    }

    /** Forgets a child that was reaped. */
    public synchronized void ended(int pid) {
        if (entries.remove(pid) != null) {
            save();
        }
    }

    /** What the ledger on disk names and is still alive as the same process (pid and start time). */
    public List<Entry> survivors() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : read()) {
            OptionalLong t = linux.startTime(e.pid());
            if (t.isPresent() && t.getAsLong() == e.startTime()) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Stops the survivors of a previous agent on this data dir, each group with its stop signal, then
     * SIGKILL to those still there after their grace (at most {@code maxGrace}); then starts a new
     * ledger. Returns how many there were.
     */
    public int reclaim(Duration maxGrace) {
        List<Entry> left = survivors();
        for (Entry e : left) {
            log.warn("{}: pid {} of a previous agent on this data dir is still running; stopping its process group "
                    + "(SIG{}, SIGKILL after {} s) before starting", e.id(), e.pid(), e.stopSignal().name(),
                    min(e.grace(), maxGrace).toSeconds());
            linux.killGroup(e.pid(), e.stopSignal());
            linux.killGroup(e.pid(), Signal.CONT);
        }
        long start = System.nanoTime();
        List<Entry> alive = new ArrayList<>(left);
        while (!alive.isEmpty()) {
            long elapsed = System.nanoTime() - start;
            alive.removeIf(e -> !sameProcess(e));
            for (Entry e : List.copyOf(alive)) {
                if (elapsed >= min(e.grace(), maxGrace).toNanos()) {
                    log.warn("{}: pid {} still running after its grace; SIGKILL to its process group", e.id(), e.pid());
                    linux.killGroup(e.pid(), Signal.KILL);
                    alive.remove(e);
                    awaitGone(e);
                }
            }
            pause();
        }
        synchronized (this) {
            entries.clear();
            save();
        }
        return left.size();
    }

    private boolean sameProcess(Entry e) {
        OptionalLong t = linux.startTime(e.pid());
        return t.isPresent() && t.getAsLong() == e.startTime();
    }

    private void awaitGone(Entry e) {
        long deadline = System.nanoTime() + KILL_WAIT.toNanos();
        while (sameProcess(e) && System.nanoTime() < deadline) {
            pause();
        }
        if (sameProcess(e)) {
            log.error("{}: pid {} did not end after SIGKILL; its port may stay taken", e.id(), e.pid());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis()); // another process's end: nothing to wait on but /proc
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The ledger's lines; a missing or unreadable ledger is empty (nothing to reclaim). */
    List<Entry> read() {
        List<Entry> out = new ArrayList<>();
        String text;
        try {
            text = dev.dockhand.agent.core.InputFiles.read(file, dev.dockhand.agent.core.InputFiles.STATE_LIMIT);
        } catch (dev.dockhand.agent.core.InputFiles.Refused e) {
            if (!e.missing()) {
                log.warn("process ledger {} {}; not reclaiming anything", file, e.getMessage());
            }
            return out;
        }
        for (String line : text.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length != 5) {
                continue;
            }
            try {
                out.add(new Entry(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]), Signal.parse(f[3]),
                        Duration.ofSeconds(Long.parseLong(f[4]))));
            } catch (IllegalArgumentException e) {
                // a line this agent did not write: skip it
            }
        }
        return out;
    }

    private void save() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries.values()) {
            sb.append(e.id()).append(' ').append(e.pid()).append(' ').append(e.startTime()).append(' ')
                    .append(e.stopSignal().name()).append(' ').append(e.grace().toSeconds()).append('\n');
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system (tests)
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // the services run either way; only a later agent's cleanup after a kill -9 would miss them
            log.warn("cannot update the process ledger {}: {}", file, e.toString());
        }
    }
}
