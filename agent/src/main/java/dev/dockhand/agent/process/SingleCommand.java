package dev.dockhand.agent.process;

import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.linux.ErrnoException;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.JvmSignals;
import dev.dockhand.agent.linux.Linux;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.linux.SignalState;
import dev.dockhand.agent.linux.Spawned;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code agent run -- CMD ARGS}: the agent as a drop-in for tini and dumb-init. It becomes a child
 * subreaper when it is not PID 1, spawns CMD with the agent's own stdin, stdout and stderr, forwards
 * every signal in {@link #FORWARDED} to it, reaps every orphan that lands on it, and when CMD ends
 * returns CMD's exit code, or 128 + the signal that killed it (as tini and sh do).
 *
 * <p>CMD always gets its own process group, as under tini: a group signal it sends ({@code kill 0})
 * stays in its group and never reaches the agent. When the agent holds the terminal's foreground,
 * CMD's group takes it, so Ctrl-C reaches CMD once, directly. With {@link Options#processGroup()}
 * (tini's {@code -g}) forwarded signals go to CMD's whole group, and when CMD ends the rest of its group
 * gets SIGTERM (dumb-init's default).
 *
 * <p>CMD starts with the signal mask the agent was started with and the signals it found ignored still
 * ignored (tini restores both): a command behaves under the agent as it would have without it. So
 * that the ignored ones reach CMD that way, the agent takes them over only after the spawn.
 *
 * <p>Job control as dumb-init does it: SIGTSTP, SIGTTIN and SIGTTOU are forwarded, then the agent stops
 * itself; SIGCONT resumes the agent (the kernel does that) and is forwarded. As PID 1 of a PID
 * namespace the agent cannot stop itself (the kernel ignores it); CMD still stops.
 */
public final class SingleCommand {
    private static final Logger log = LoggerFactory.getLogger(SingleCommand.class);

    /**
     * The signals passed on to CMD: every standard signal but those the JVM or the kernel keeps
     * ({@link JvmSignals#KEPT_BY_THE_JVM_OR_KERNEL}) and SIGCHLD, which is about the agent's own
     * children.
     */
    public static final List<Signal> FORWARDED = Arrays.stream(Signal.values())
            .filter(s -> s != Signal.CHLD && !JvmSignals.KEPT_BY_THE_JVM_OR_KERNEL.contains(s))
            .toList();

    private static final Set<Signal> JOB_CONTROL = Set.of(Signal.TSTP, Signal.TTIN, Signal.TTOU);

    /** What sh returns for a command it cannot find, and for one it finds but cannot execute. */
    public static final int NOT_FOUND = 127;
    public static final int NOT_EXECUTABLE = 126;

    /**
     * tini's and dumb-init's options.
     *
     * @param processGroup {@code -g}: forwarded signals go to CMD's whole process group, and the rest of
     *     the group gets SIGTERM when CMD ends
     * @param subreaper {@code -s}: become a child subreaper; the agent does so anyway when not PID 1
     * @param zeroExitCodes {@code -e CODE} (repeatable): these exit codes count as 0, checked after
     *     128 + signal is applied, as tini does
     * @param parentDeathSignal {@code -p SIG}: the signal the agent gets when its parent dies, or null
     * @param rewrites {@code -r S:R} (repeatable, dumb-init): a received signal S is forwarded as signal
     *     number R, or not at all when R is 0
     * @param warnOnReap {@code -w}: log a warning for every zombie reaped that is not CMD
     */
    public record Options(boolean processGroup, boolean subreaper, Set<Integer> zeroExitCodes, Signal parentDeathSignal,
            Map<Signal, Integer> rewrites, boolean warnOnReap) {
        public Options {
            zeroExitCodes = Set.copyOf(zeroExitCodes);
            for (int code : zeroExitCodes) {
                if (code < 0 || code > 255) {
                    throw new IllegalArgumentException("-e " + code + ": an exit code is between 0 and 255");
                }
            }
            rewrites = Map.copyOf(rewrites);
            rewrites.forEach((from, to) -> {
                if (!FORWARDED.contains(from)) {
                    throw new IllegalArgumentException("-r " + from.number + ":" + to + ": " + Signal.nameOf(from.number)
                            + " never reaches the agent's handlers (" + whyNotForwarded(from) + "), so it cannot be rewritten");
                }
                if (to < 0 || to > 31) {
                    throw new IllegalArgumentException("-r " + from.number + ":" + to + ": the new signal is a number from 1 to 31, or 0 to drop it");
                }
            });
        }

        /** No flags: CMD alone gets signals, nothing remapped. */
        public static Options defaults() {
            return new Options(false, false, Set.of(), null, Map.of(), false);
        }

        /**
         * Parses {@code -r}'s {@code S:R}: S a signal (number or name), R a signal or 0 to drop it.
         *
         * @throws IllegalArgumentException naming the value and the expected form
         */
        public static Map.Entry<Signal, Integer> parseRewrite(String text) {
            int colon = text.indexOf(':');
            String usage = "-r '" + text + "': expected S:R, a signal S (1 to 31, or a name such as TERM) and the signal R to"
                    + " forward instead, or 0 to drop it (e.g. -r 15:2, -r TERM:INT, -r 28:0)";
            if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException(usage);
            }
            try {
                Signal from = Signal.parse(text.substring(0, colon));
                String r = text.substring(colon + 1).strip();
                int to = r.equals("0") ? 0 : Signal.parse(r).number;
                return Map.entry(from, to);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(usage + "; " + e.getMessage());
            }
        }

        private static String whyNotForwarded(Signal s) {
            if (s == Signal.KILL || s == Signal.STOP) {
                return "no process can catch it";
            }
            if (s == Signal.CHLD) {
                return "it tells the agent about its own children";
            }
            return "the JVM keeps it for itself";
        }
    }

    /** Installs a signal handler; false when the signal cannot be caught. */
    @FunctionalInterface
    interface SignalHook {
        boolean install(SignalState inherited, Signal signal, Consumer<Signal> handler);
    }

    private final Linux linux;
    private final Options options;
    private final SignalHook signals;
    private final Object lock = new Object();
    private final List<Signal> pending = new ArrayList<>();
    private final Map<Signal, Integer> rewrites;
    private int childPid;
    private boolean childGone;

    /** Catches signals with {@link JvmSignals}: call at most once per JVM. */
    public SingleCommand(Linux linux, Options options) {
        this(linux, options, (inherited, s, h) -> JvmSignals.handle(linux, inherited, s, h));
    }

    /* test */ SingleCommand(Linux linux, Options options, SignalHook signals) {
        this.linux = linux;
        this.options = options;
        this.signals = signals;
        this.rewrites = options.rewrites().isEmpty() ? Map.of() : new EnumMap<>(options.rewrites());
    }

    /**
     * Runs CMD to its end and returns the code the agent should exit with. Waits as long as CMD runs.
     *
     * @param argv CMD and its arguments; CMD is looked up in {@code env}'s PATH
     * @param env CMD's complete environment
     * @param workDir CMD's working directory, or null for the agent's
     * @throws LaunchException when CMD cannot be started (the message names it and why; its
     *     {@link LaunchException#shellCode()} is 127 or 126)
     */
    public int run(List<String> argv, Map<String, String> env, Path workDir) {
        if (argv.isEmpty()) {
            throw new LaunchException("agent run: no command given (usage: agent run [-g] [-e CODE] -- CMD ARGS)");
        }
        // before any handler replaces an inherited SIG_IGN
        SignalState inherited = linux.inheritedSignals();
        if (options.parentDeathSignal() != null) {
            linux.setParentDeathSignal(options.parentDeathSignal());
        }
        if (options.subreaper() || linux.getpid() != 1) {
            // Outside PID 1, orphans of CMD would go to our parent or the real init: claim them.
            linux.becomeChildSubreaper();
        }
        List<Signal> afterSpawn = new ArrayList<>();
        for (Signal s : FORWARDED) {
            if (inherited.isIgnored(s)) {
                afterSpawn.add(s); // still ignored in the agent when CMD is spawned: CMD inherits that
            } else if (s == Signal.QUIT) {
                afterSpawn.add(s); // its JVMTI set-up is slow and the JVM keeps QUIT meanwhile: not on the way to exec
            } else {
                install(inherited, s, argv.get(0));
            }
        }
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        ExitListener orphans = options.warnOnReap() ? (pid, status) -> log.warn("reaped zombie pid {} ({})", pid, status) : null;
        try (ChildReaper reaper = new ChildReaper(linux, orphans)) {
            Spawned child;
            try {
                child = reaper.spawn(
                        () -> linux.spawnForeground(argv, env, workDir, inherited),
                        (pid, status) -> {
                            synchronized (lock) {
                                childGone = true; // from now on the pid may be reused: forward nothing
                            }
                            exit.complete(status);
                        });
            } catch (ErrnoException e) {
                throw cannotStart(argv.get(0), e);
            }
            log.debug("started {} as pid {} ({} inherited)", argv.get(0), child.pid(), inherited);
            List<Signal> early;
            synchronized (lock) {
                childPid = child.pid();
                early = List.copyOf(pending);
                pending.clear();
            }
            early.forEach(this::forward);
            afterSpawn.forEach(s -> install(inherited, s, argv.get(0)));
            // the JVM prints its thread dump on SIGQUIT to fd 1: not into CMD's output
            linux.redirectStdoutToDevNull();
            ExitStatus status = awaitExit(exit);
            if (options.processGroup()) {
                // dumb-init's default: what CMD leaves behind in its group is asked to stop too
                boolean rest = linux.killGroup(child.pid(), Signal.TERM);
                log.debug("{} ended; {}", argv.get(0), rest ? "sent SIGTERM to the rest of its process group" : "its process group is empty");
            }
            int code = status.shellCode() & 0xff;
            if (options.zeroExitCodes().contains(code)) {
                log.debug("{} ended with {}; reported as 0 (-e {})", argv.get(0), status, code);
                return 0;
            }
            log.debug("{} ended with {}", argv.get(0), status);
            return code;
        }
    }

    private void install(SignalState inherited, Signal s, String command) {
        if (!signals.install(inherited, s, this::onSignal)) {
            log.debug("{} is kept by the JVM; not forwarded to {}", Signal.nameOf(s.number), command);
        }
    }

    private static LaunchException cannotStart(String command, ErrnoException e) {
        boolean missing = e.errno() == ErrnoException.ENOENT || e.errno() == ErrnoException.ENOTDIR;
        return new LaunchException("cannot run '" + Names.printable(command) + "': " + e.reason(), missing ? NOT_FOUND : NOT_EXECUTABLE);
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

    private void forward(Signal received) {
        int pid;
        synchronized (lock) {
            if (childGone) {
                return;
            }
            pid = childPid;
        }
        Integer to = rewrites.get(received);
        Signal out = to == null ? received : to == 0 ? null : Signal.of(to);
        if (out == null) {
            log.debug("{} dropped (-r {}:0)", Signal.nameOf(received.number), received.number);
        } else {
            try {
                boolean delivered = options.processGroup() ? linux.killGroup(pid, out) : linux.kill(pid, out);
                log.debug("forwarded {}{} to {} {}{}", Signal.nameOf(received.number), out == received ? "" : " as " + Signal.nameOf(out.number),
                        options.processGroup() ? "group" : "pid", pid, delivered ? "" : " (already gone)");
            } catch (RuntimeException e) {
                log.warn("cannot forward {} to {}: {}", Signal.nameOf(out.number), pid, e.getMessage());
            }
        }
        if (JOB_CONTROL.contains(received)) {
            // dumb-init: the agent follows CMD into the stopped state, so the shell or orchestrator that
            // sent it sees the job stopped; SIGCONT resumes us and is forwarded like any other signal
            log.debug("{}: stopping the agent too", Signal.nameOf(received.number));
            linux.kill(linux.getpid(), Signal.STOP);
        }
    }
}
