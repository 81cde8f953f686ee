package dev.dockhand.agent.supervise;

import dev.dockhand.agent.health.HealthResult;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.process.LaunchException;
import dev.dockhand.agent.process.LaunchSpec;
import dev.dockhand.agent.process.ProcessLauncher;
import dev.dockhand.agent.process.RunningProcess;
import dev.dockhand.agent.render.RenderPlan.ResolvedCommand;
import dev.dockhand.agent.render.RenderPlan.ResolvedStep;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one prepare step of a service (catalog {@code prepare}) to its end. Called on a probe thread,
 * never on the supervisor's: a step may take seconds (a JVM that formats storage) or hang until its
 * timeout. The outcome is a {@link HealthResult} so that it travels back to the loop the way a probe's
 * answer does: ok (ran and exited 0, or skipped because its {@code unless} file exists), or failed.
 */
final class PrepareSteps {
    private PrepareSteps() {}

    /** What names a step's output lines and its runner target: {@code kraft-broker/format}. */
    static String target(String serviceId, ResolvedStep step) {
        return serviceId + "/" + step.id();
    }

    /**
     * Runs {@code step} with the service's environment, working directory and user.
     *
     * @param current holds the step's process while it runs, so that a stop of the service can kill it
     */
    static HealthResult run(ProcessLauncher launcher, ResolvedCommand service, String runAs, ResolvedStep step,
            AtomicReference<RunningProcess> current) {
        long start = System.nanoTime();
        if (step.unless() != null && Files.exists(step.unless(), LinkOption.NOFOLLOW_LINKS)) {
            return HealthResult.ok("skipped: " + step.unless() + " exists", ms(start));
        }
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<ExitStatus> status = new AtomicReference<>();
        RunningProcess proc;
        try {
            proc = launcher.launch(new LaunchSpec(target(service.serviceId(), step), step.argv(), service.env(), service.workDir(),
                    runAs, service.logFile(), service.logMaxBytes(), true), (pid, st) -> {
                        status.set(st);
                        done.countDown();
                    });
        } catch (LaunchException e) {
            return HealthResult.failed("cannot run: " + e.getMessage(), ms(start));
        }
        current.set(proc);
        try {
            if (!done.await(step.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                proc.signal(Signal.KILL);
                return HealthResult.failed("did not end within its timeout of " + step.timeout().toSeconds() + " s; killed", ms(start));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            proc.signal(Signal.KILL);
            return HealthResult.failed("interrupted", ms(start));
        } finally {
            current.compareAndSet(proc, null);
        }
        ExitStatus st = status.get();
        return st.success() ? HealthResult.ok("done (exit 0)", ms(start)) : HealthResult.failed(st.toString(), ms(start));
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
