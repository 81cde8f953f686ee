package dev.dockhand.agent.process;

import dev.dockhand.agent.linux.ErrnoException;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Linux;
import dev.dockhand.agent.linux.ProcFs;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.linux.Spawned;
import dev.dockhand.agent.render.Secrets;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ProcessLauncher}: spawns through {@link Linux#spawn}, reaps through one
 * {@link ChildReaper}, and reads every child's stdout and stderr on one {@link OutputMux} thread, line
 * by line and prefixed with its id, to the agent's own stdout and stderr (and to the service's log
 * file when it has one).
 *
 * <p>When {@code onExit} runs: after the child was reaped AND both of its pipes reached end of file,
 * so every line it wrote is out before anyone hears that it ended. If a descendant that outlived it
 * keeps a pipe open (a daemon that forked and did not close its fds), {@code onExit} runs
 * {@link #DEFAULT_DRAIN_GRACE} after the reap anyway, and that descendant's lines keep flowing under
 * the same prefix until it closes the pipe. {@code onExit} runs on the reaper thread, the output thread or
 * the JDK's delay thread, whichever completes the condition: it must hand work off, not block.
 */
public final class Launcher implements ProcessLauncher {
    private static final Logger log = LoggerFactory.getLogger(Launcher.class);

    /** How long after the reap {@code onExit} waits for the pipes to reach end of file. */
    public static final Duration DEFAULT_DRAIN_GRACE = Duration.ofSeconds(2);

    private final Linux linux;
    private final PrefixedOutput output;
    private final Duration drainGrace;
    private final ChildReaper reaper;
    private final OutputMux outputs;
    private final ProcessLedger ledger;

    /**
     * @param linux the kernel ({@code Linuxes.system()}, or a fake in tests)
     * @param out where the children's stdout lines go (the agent's {@code System.out})
     * @param err where the children's stderr lines go (the agent's {@code System.err})
     */
    public Launcher(Linux linux, PrintStream out, PrintStream err) {
        this(linux, out, err, DEFAULT_DRAIN_GRACE, null);
    }

    /** @param drainGrace see the class comment */
    public Launcher(Linux linux, PrintStream out, PrintStream err, Duration drainGrace) {
        this(linux, out, err, drainGrace, null);
    }

    /**
     * @param drainGrace see the class comment
     * @param ledger where services are recorded while they run, or null
     */
    public Launcher(Linux linux, PrintStream out, PrintStream err, Duration drainGrace, ProcessLedger ledger) {
        this.linux = linux;
        this.output = new PrefixedOutput(out, err);
        this.drainGrace = drainGrace;
        this.reaper = new ChildReaper(linux);
        this.outputs = new OutputMux(linux);
        this.ledger = ledger;
    }

    @Override
    public RunningProcess launch(LaunchSpec spec, ExitListener onExit) {
        if (spec.argv().isEmpty()) {
            throw new LaunchException(spec.id() + ": no command to start (empty argv)");
        }
        if (spec.service() != null) {
            refuseTakenPorts(spec);
        }
        RotatingLog logFile = null;
        if (spec.logFile() != null) {
            try {
                logFile = new RotatingLog(spec.logFile(), spec.logMaxBytes());
            } catch (IOException e) {
                throw new LaunchException(spec.id() + ": cannot open log file " + spec.logFile() + ": " + e);
            }
        }
        Child child = new Child(spec, onExit, logFile);
        Spawned spawned;
        try {
            spawned = reaper.spawn(
                    () -> linux.spawn(spec.argv(), spec.env(), spec.workDir(), spec.runAs(), spec.newSession()),
                    child::reaped);
        } catch (ErrnoException | IllegalStateException | UnsupportedOperationException e) {
            if (logFile != null) {
                logFile.close();
            }
            throw new LaunchException(spec.id() + ": cannot start '" + spec.argv().get(0) + "': " + e.getMessage());
        }
        child.started(spawned);
        if (ledger != null && spec.service() != null) {
            ledger.started(spec.id(), spawned.pid(), spec.service().stopSignal(), spec.service().grace());
        }
        log.debug("{}: started pid {}: {}", spec.id(), spawned.pid(), Secrets.maskArgs(spec.argv()));
        return child;
    }

    /**
     * A port of the service that some process already listens on is someone else's: a service of a
     * previous agent that nobody stopped, or another program. Starting anyway would make the probe
     * count that process's answers as this service's readiness while the service itself fails to bind.
     */
    private void refuseTakenPorts(LaunchSpec spec) {
        int self = linux.getpid();
        for (int port : spec.service().ports()) {
            // the agent's own listener is not someone else's (a service may be probed on the agent's port)
            List<ProcFs.Listener> holders = linux.listeners(port).stream().filter(h -> h.pid() != self).toList();
            if (!holders.isEmpty()) {
                ProcFs.Listener h = holders.get(0);
                throw new LaunchException(spec.id() + ": port " + port + " is held by "
                        + (h.pid() > 0 ? "pid " + h.pid() + " (" + h.commandLine() + ")" : h.commandLine())
                        + ", which this agent did not start; stop it, or give this service another port");
            }
        }
    }

    /** No new launches; the children already started are still reaped and told. */
    @Override
    public void close() {
        reaper.close();
        outputs.close();
    }

    /** For tests: every child was reaped and the output thread has ended. */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return reaper.awaitStopped(timeout) && outputs.awaitStopped(timeout);
    }

    private final class Child implements RunningProcess {
        private final LaunchSpec spec;
        private final ExitListener onExit;
        private final RotatingLog logFile;
        private final CompletableFuture<Void> stdoutEof = new CompletableFuture<>();
        private final CompletableFuture<Void> stderrEof = new CompletableFuture<>();
        private final AtomicBoolean told = new AtomicBoolean();
        private volatile int pid;
        private volatile boolean reaped;

        Child(LaunchSpec spec, ExitListener onExit, RotatingLog logFile) {
            this.spec = spec;
            this.onExit = onExit;
            this.logFile = logFile;
            CompletableFuture.allOf(stdoutEof, stderrEof).thenRun(() -> {
                if (logFile != null) {
                    logFile.close();
                }
            });
        }

        void started(Spawned s) {
            pid = s.pid();
            outputs.add(s.stdoutFd(), spec.id() + "-stdout", line -> line(false, line)).thenRun(() -> stdoutEof.complete(null));
            outputs.add(s.stderrFd(), spec.id() + "-stderr", line -> line(true, line)).thenRun(() -> stderrEof.complete(null));
        }

        private void line(boolean stderr, byte[] line) {
            output.write(stderr, spec.id(), line);
            if (logFile != null) {
                logFile.append(line);
            }
        }

        /** On the reaper thread; may come before {@link #started} when the child dies at once. */
        void reaped(int pid, ExitStatus status) {
            this.pid = pid;
            reaped = true;
            CompletableFuture.allOf(stdoutEof, stderrEof)
                    .completeOnTimeout(null, drainGrace.toMillis(), TimeUnit.MILLISECONDS)
                    .thenRun(() -> tell(pid, status));
        }

        private void tell(int pid, ExitStatus status) {
            if (!told.compareAndSet(false, true)) {
                return;
            }
            if (!stdoutEof.isDone() || !stderrEof.isDone()) {
                log.info("{}: pid {} ended ({}) but a process it started still holds its output open", spec.id(), pid, status);
            }
            if (ledger != null && spec.service() != null) {
                ledger.ended(pid);
            }
            try {
                onExit.exited(pid, status);
            } catch (RuntimeException e) {
                log.error("{}: exit listener failed", spec.id(), e);
            }
        }

        @Override
        public int pid() {
            return pid;
        }

        /**
         * New session: the whole process group, also after the leader was reaped (the kernel keeps
         * a pgid from being reused as a pid while the group has members, so leftovers are hit and
         * nothing else is). Same group as the agent: the child alone, and only until it is reaped.
         */
        @Override
        public void signal(Signal signal) {
            if (spec.newSession()) {
                linux.killGroup(pid, signal);
            } else if (!reaped) {
                linux.kill(pid, signal);
            }
        }

        @Override
        public String toString() {
            return spec.id() + "[pid " + pid + (reaped ? ", reaped" : "") + "]";
        }
    }
}
