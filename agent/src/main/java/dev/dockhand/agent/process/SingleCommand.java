package dev.dockhand.agent.process;

import dev.dockhand.agent.linux.ErrnoException;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.JvmSignals;
import dev.dockhand.agent.linux.Linux;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.linux.Spawned;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code agent run -- CMD ARGS}: the agent as a drop-in for tini. It becomes a child subreaper when
 * it is not PID 1, spawns CMD with the agent's own stdin, stdout and stderr, forwards the signals in
 * {@link #FORWARDED} to it, reaps every orphan that lands on it, and when CMD ends returns CMD's exit
 * code, or 128 + the signal that killed it (as tini and sh do).
 *
 * <p>By default CMD stays in the agent's process group, so a terminal's Ctrl-C reaches it directly
 * (it then also gets the INT the agent forwards, as under tini). With {@link Options#processGroup()}
 * (tini's {@code -g}) CMD gets its own process group, which becomes the terminal's foreground group
 * when stdin is a terminal, and forwarded signals go to the whole group.
 *
 * <p>SIGQUIT and SIGUSR2 belong to the JVM (thread dump, thread suspension) and are not forwarded.
 */
public final class SingleCommand {
    private static final Logger log = LoggerFactory.getLogger(SingleCommand.class);

    /** The signals passed on to CMD, where the JVM lets us catch them. */
    public static final List<Signal> FORWARDED =
            List.of(Signal.HUP, Signal.INT, Signal.QUIT, Signal.USR1, Signal.USR2, Signal.TERM, Signal.WINCH);

    /**
     * tini's options.
     *
     * @param processGroup {@code -g}: CMD in its own process group; signals go to the group
     * @param subreaper {@code -s}: become a child subreaper; the agent does so anyway when not PID 1
     * @param zeroExitCodes {@code -e CODE} (repeatable): these exit codes count as 0, checked after
     *     128 + signal is applied, as tini does
     * @param parentDeathSignal {@code -p SIG}: the signal the agent gets when its parent dies, or null
     */
    public record Options(boolean processGroup, boolean subreaper, Set<Integer> zeroExitCodes, Signal parentDeathSignal) {
        public Options {
            zeroExitCodes = Set.copyOf(zeroExitCodes);
            for (int code : zeroExitCodes) {
                if (code < 0 || code > 255) {
                    throw new IllegalArgumentException("-e " + code + ": an exit code is between 0 and 255");
                }
            }
        }

        /** No flags: CMD in the agent's group, nothing remapped. */
        public static Options defaults() {
            return new Options(false, false, Set.of(), null);
        }
    }

    /** Installs a signal handler; false when the signal cannot be caught. */
    @FunctionalInterface
    interface SignalHook {
        boolean install(Signal signal, Consumer<Signal> handler);
    }

    private final Linux linux;
    private final Options options;
    private final SignalHook signals;
    private final Object lock = new Object();
    private final List<Signal> pending = new ArrayList<>();
    private int childPid;
    private boolean childGone;

    /** Catches signals with {@link JvmSignals}: call at most once per JVM. */
    public SingleCommand(Linux linux, Options options) {
        this(linux, options, JvmSignals::handle);
    }

    /* test */ SingleCommand(Linux linux, Options options, SignalHook signals) {
        this.linux = linux;
        this.options = options;
        this.signals = signals;
    }

    /**
     * Runs CMD to its end and returns the code the agent should exit with. Waits as long as CMD runs.
     *
     * @param argv CMD and its arguments; CMD is looked up in {@code env}'s PATH
     * @param env CMD's complete environment
     * @param workDir CMD's working directory, or null for the agent's
     * @throws LaunchException when CMD cannot be started (the message names it and why)
     */
    public int run(List<String> argv, Map<String, String> env, Path workDir) {
        if (argv.isEmpty()) {
            throw new LaunchException("agent run: no command given (usage: agent run [-g] [-e CODE] -- CMD ARGS)");
        }
        if (options.parentDeathSignal() != null) {
            linux.setParentDeathSignal(options.parentDeathSignal());
        }
        if (options.subreaper() || linux.getpid() != 1) {
            // Outside PID 1, orphans of CMD would go to our parent or the real init: claim them.
            linux.becomeChildSubreaper();
        }
        for (Signal s : FORWARDED) {
            if (!signals.install(s, this::onSignal)) {
                log.debug("{} is kept by the JVM; not forwarded to {}", Signal.nameOf(s.number), argv.get(0));
            }
        }
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        Spawned child;
        try (ChildReaper reaper = new ChildReaper(linux)) {
            try {
                child = reaper.spawn(
                        () -> linux.spawnForeground(argv, env, workDir, options.processGroup()),
                        (pid, status) -> {
                            synchronized (lock) {
                                childGone = true; // from now on the pid may be reused: forward nothing
                            }
                            exit.complete(status);
                        });
            } catch (ErrnoException e) {
                throw new LaunchException("cannot start '" + argv.get(0) + "': " + e.getMessage());
            }
            List<Signal> early;
            synchronized (lock) {
                childPid = child.pid();
                early = List.copyOf(pending);
                pending.clear();
            }
            early.forEach(this::forward);
            ExitStatus status = awaitExit(exit);
            int code = status.shellCode() & 0xff;
            if (options.zeroExitCodes().contains(code)) {
                log.debug("{} ended with {}; reported as 0 (-e {})", argv.get(0), status, code);
                return 0;
            }
            log.debug("{} ended with {}", argv.get(0), status);
            return code;
        }
    }

    private static ExitStatus awaitExit(CompletableFuture<ExitStatus> exit) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return exit.get();
                } catch (InterruptedException e) {
                    // CMD is still running and we are its reaper: keep waiting, restore the flag after.
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("exit listener failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void onSignal(Signal signal) {
        synchronized (lock) {
            if (childGone) {
                return;
            }
            if (childPid == 0) {
                pending.add(signal); // arrived while CMD was being spawned: deliver right after
                return;
            }
        }
        forward(signal);
    }

    private void forward(Signal signal) {
        int pid;
        synchronized (lock) {
            if (childGone) {
                return;
            }
            pid = childPid;
        }
        try {
            boolean delivered = options.processGroup() ? linux.killGroup(pid, signal) : linux.kill(pid, signal);
            log.debug("forwarded {} to {} {}{}", Signal.nameOf(signal.number), options.processGroup() ? "group" : "pid", pid,
                    delivered ? "" : " (already gone)");
        } catch (RuntimeException e) {
            log.warn("cannot forward {} to {}: {}", Signal.nameOf(signal.number), pid, e.getMessage());
        }
    }
}
