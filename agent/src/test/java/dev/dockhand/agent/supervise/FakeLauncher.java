package dev.dockhand.agent.supervise;

import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.process.ExitListener;
import dev.dockhand.agent.process.LaunchException;
import dev.dockhand.agent.process.LaunchSpec;
import dev.dockhand.agent.process.ProcessLauncher;
import dev.dockhand.agent.process.RunningProcess;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ProcessLauncher} without processes: records every launch (argv, and the loop task it
 * happened in), hands out pids 100, 101, ..., records signals, and lets the test end a process.
 * Like the real launcher, an exit is reported through the listener, which the supervisor turns into
 * a loop task.
 */
final class FakeLauncher implements ProcessLauncher {
    /** Every launch and signal, in order: "launch zk", "signal zk TERM", "exit zk exit code 0". */
    final List<String> events = new ArrayList<>();
    final List<FakeProcess> launched = new ArrayList<>();
    private final ManualLoop loop;
    private int nextPid = 100;
    private String failNext;

    FakeLauncher(ManualLoop loop) {
        this.loop = loop;
    }

    /** The next launch throws a LaunchException with {@code message}. */
    void failNextLaunch(String message) {
        failNext = message;
    }

    final class FakeProcess implements RunningProcess {
        final int pid = nextPid++;
        final LaunchSpec spec;
        final long launchTask = loop.currentTask();
        final long launchedAt = loop.nowMillis();
        final List<Signal> signals = new ArrayList<>();
        private final ExitListener onExit;
        /** A signal in this set ends the process at once (by that signal); others are only recorded. */
        final java.util.Set<Signal> diesOn = java.util.EnumSet.of(Signal.KILL);
        boolean alive = true;

        FakeProcess(LaunchSpec spec, ExitListener onExit) {
            this.spec = spec;
            this.onExit = onExit;
        }

        String id() {
            return spec.id();
        }

        @Override
        public int pid() {
            return pid;
        }

        @Override
        public void signal(Signal signal) {
            events.add("signal " + id() + " " + signal);
            signals.add(signal);
            if (alive && diesOn.contains(signal)) {
                exit(new ExitStatus.Killed(signal.number, false));
            }
        }

        /** The process ends with {@code status}; the listener runs now (as the reaper's thread would). */
        void exit(ExitStatus status) {
            if (!alive) {
                throw new IllegalStateException(id() + " (pid " + pid + ") already exited");
            }
            alive = false;
            events.add("exit " + id() + " " + status);
            onExit.exited(pid, status);
        }

        void exit(int code) {
            exit(new ExitStatus.Exited(code));
        }

        /** Ends at once on SIGTERM too (a well-behaved service). */
        FakeProcess obeysTerm() {
            diesOn.add(Signal.TERM);
            return this;
        }
    }

    @Override
    public RunningProcess launch(LaunchSpec spec, ExitListener onExit) {
        if (failNext != null) {
            String m = failNext;
            failNext = null;
            events.add("launch-failed " + spec.id());
            throw new LaunchException(m);
        }
        FakeProcess p = new FakeProcess(spec, onExit);
        launched.add(p);
        events.add("launch " + spec.id());
        return p;
    }

    /** Launches of {@code id}, in order. */
    List<FakeProcess> of(String id) {
        return launched.stream().filter(p -> p.id().equals(id)).toList();
    }

    /** The latest launch of {@code id}. */
    FakeProcess last(String id) {
        List<FakeProcess> l = of(id);
        if (l.isEmpty()) {
            throw new AssertionError(id + " was never launched; events: " + events);
        }
        return l.get(l.size() - 1);
    }

    /** Events about {@code id} only. */
    List<String> eventsOf(String id) {
        return events.stream().filter(e -> e.split(" ")[1].equals(id)).toList();
    }

    @Override
    public void close() {}
}
