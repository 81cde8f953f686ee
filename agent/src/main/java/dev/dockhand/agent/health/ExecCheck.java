package dev.dockhand.agent.health;

import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.process.LaunchException;
import dev.dockhand.agent.process.LaunchSpec;
import dev.dockhand.agent.process.RunningProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A command run next to the service, with its environment, working directory and user: passes when it
 * exits 0 within the timeout; killed (its whole process group) when it does not. Blocks the probe
 * thread it runs on, never the supervisor's.
 */
final class ExecCheck implements HealthCheck {
    private final Probes.CommandContext context;
    private final List<String> command;

    ExecCheck(Probes.CommandContext context, List<String> command) {
        this.context = context;
        this.command = List.copyOf(command);
    }

    @Override
    public HealthResult check(String host, int port, Duration timeout) {
        long start = System.nanoTime();
        CountDownLatch done = new CountDownLatch(1);
        ExitStatus[] status = new ExitStatus[1];
        RunningProcess proc;
        try {
            proc = context.launcher().launch(new LaunchSpec(context.id() + "-probe", command, context.env(), context.workDir(),
                    context.runAs(), null, 0, true), (pid, st) -> {
                        status[0] = st;
                        done.countDown();
                    });
        } catch (LaunchException e) {
            return HealthResult.failed("cannot run probe: " + e.getMessage(), Probes.since(start));
        }
        try {
            if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                proc.signal(Signal.KILL);
                return HealthResult.failed("probe command timed out after " + timeout.toMillis() + " ms", Probes.since(start));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            proc.signal(Signal.KILL);
            return HealthResult.failed("interrupted", Probes.since(start));
        }
        long ms = Probes.since(start);
        return status[0].success() ? HealthResult.ok("probe command: exit 0", ms) : HealthResult.failed("probe command: " + status[0], ms);
    }
}
