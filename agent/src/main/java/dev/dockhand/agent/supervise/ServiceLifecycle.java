package dev.dockhand.agent.supervise;

import dev.dockhand.agent.protocol.ServiceState;
import dev.dockhand.agent.catalog.HealthSpec;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.catalog.RestartSpec;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.catalog.StopSpec;
import dev.dockhand.agent.health.HealthCheck;
import dev.dockhand.agent.health.HealthResult;
import dev.dockhand.agent.health.Probes;
import dev.dockhand.agent.health.StopGate;
import dev.dockhand.agent.health.StopGates;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.plan.NodePlan.PlannedService;
import dev.dockhand.agent.process.LaunchException;
import dev.dockhand.agent.process.LaunchSpec;
import dev.dockhand.agent.process.ProcessLauncher;
import dev.dockhand.agent.process.RunningProcess;
import dev.dockhand.agent.render.RenderPlan.ResolvedCommand;
import dev.dockhand.agent.render.RenderPlan.ResolvedStep;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service under the supervisor: its state, its process, its timers, and every event that moves it
 * (prepare steps done, spawned, probed, exited, timed out, stopped), each checked against
 * {@link ServiceState}'s table in {@link #moveTo}. What concerns the node as a whole (which service may
 * start now, the order of a node's stop, what a FAILED service means for the node) is the supervisor's,
 * reached through {@link Node}. Loop thread only.
 */
final class ServiceLifecycle {
    private static final Logger log = LoggerFactory.getLogger("dev.dockhand.agent.supervise");
    /**
     * Probe interval while a service starts, or a remote dependency is not ready yet, when the catalog's
     * interval is longer: what is waited for is seen within this much, so dependents start within
     * ~100 ms of their dependency being ready (docs/supervision.md), not a whole catalog interval (500 ms)
     * later. Once READY the catalog's interval applies.
     */
    static final Duration STARTING_PROBE_INTERVAL = Duration.ofMillis(100);
    /** How long a process may take to disappear after SIGKILL before the supervisor gives up on it. */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);

    /** What a service's lifecycle needs of the node it runs on. */
    interface Node {
        Loop loop();

        ProcessLauncher launcher();

        ProbeRunner probes();

        /** The plan in force (a reload or a renewal replaces it). */
        NodePlan plan();

        /** A secured node's TLS for probes and gates; null on a plaintext node. */
        NodeTlsContext tls();

        /** The whole node is stopping. */
        boolean stopping();

        /** A service became ready, or left the way: start what may start now. */
        void evaluate();

        /** While the node stops: a service stopped, so others may stop now. */
        void stopNext();

        /** The service is FAILED for good: the node decides what that means for it. */
        void failed(ServiceLifecycle s);

        /** Every state change, for what the node keeps across services (liveness, the illegal moves count). */
        void moved(ServiceLifecycle s, ServiceState from, ServiceState to, boolean legal);
    }

    /** What to do when a process the supervisor stopped has ended. */
    enum AfterStop { NOTHING, RESTART, CRASH }

    final Node ctx;
    PlannedService planned;
    ServiceState state = ServiceState.PENDING;
    String reason = "waiting to start";

    /** The current process, null when none runs; its generation tells its events from an earlier one's. */
    RunningProcess process;
    int generation;
    long startedMono;
    long stoppingSinceMono;

    /** Restarts since the agent started (for status); restarts in the current crash loop; failed probes in a row. */
    int restarts;
    int attempt;
    int failures;

    /** Stopped by the operator: not started again until the operator says so. */
    boolean manualStop;
    AfterStop afterStop = AfterStop.NOTHING;
    /** Why a stop that counts as a crash was made (startup timeout, liveness). */
    String crashReason;

    /** While PREPARING: the index of the step that runs, and its process (set off the loop while it runs). */
    private int step;
    private final AtomicReference<RunningProcess> stepProcess = new AtomicReference<>();
    /** A requested stop that waits at the service's stop gate. */
    final GatedStop gate = new GatedStop(this);

    HealthResult lastProbe;
    long lastProbeEpoch;
    /** The probe of the current generation, while it runs; null before the first start. */
    private Prober prober;
    private Loop.Timer startupTimer;
    private Loop.Timer backoffTimer;
    private Loop.Timer killTimer;
    private Loop.Timer resetTimer;
    private Loop.Timer unhealthyTimer;

    ServiceLifecycle(Node ctx, PlannedService planned) {
        this.ctx = ctx;
        this.planned = planned;
    }

    String id() {
        return planned.id();
    }

    /** Whether a requested stop waits at the gate now. */
    boolean waitingAtGate() {
        return gate.waiting();
    }

    /** Whether dependents may rely on it: READY, or a one-shot step that EXITED cleanly. */
    boolean satisfies() {
        return state == ServiceState.READY || state == ServiceState.EXITED;
    }

    static Loop.Timer cancel(Loop.Timer t) {
        if (t != null) {
            t.cancel();
        }
        return null;
    }

    // ---------------------------------------------------------------- starting

    /** Its waits are ready: runs the service's prepare steps first, if it has any, then spawns it. */
    void prepareOrSpawn() {
        List<ResolvedStep> steps = planned.command().prepare();
        if (steps.isEmpty()) {
            spawn();
            return;
        }
        generation++;
        step = 0;
        moveTo(ServiceState.PREPARING, "preparing: " + steps.get(0).id());
        runStep(generation);
    }

    /** Runs step {@code step} off the loop; its outcome comes back as a loop task. */
    private void runStep(int gen) {
        PlannedService p = planned;
        ResolvedStep s = p.command().prepare().get(step);
        reason = "preparing: " + s.id() + " (step " + (step + 1) + " of " + p.command().prepare().size() + ")";
        ctx.probes().submit(PrepareSteps.target(p.id(), s),
                () -> PrepareSteps.run(ctx.launcher(), p.command(), p.spec().user(), s, stepProcess),
                r -> stepDone(gen, s, r));
    }

    private void stepDone(int gen, ResolvedStep s, HealthResult r) {
        if (gen != generation || state != ServiceState.PREPARING) {
            return; // stopped or restarted meanwhile
        }
        if (!r.ok()) {
            log.warn("{}: prepare step {} failed: {}", id(), s.id(), r.detail());
            crashed("prepare step " + s.id() + " failed: " + r.detail(), false);
            return;
        }
        log.info("{}: prepare step {}: {} ({} ms)", id(), s.id(), r.detail(), r.latencyMs());
        if (++step < planned.command().prepare().size()) {
            runStep(gen);
        } else if (!ctx.stopping() && !manualStop) {
            spawn();
        }
    }

    /** Stops the service's prepare step, if one runs: the step is killed, its outcome ignored. */
    private void abandonSteps() {
        generation++;
        RunningProcess p = stepProcess.getAndSet(null);
        if (p != null) {
            p.signal(Signal.KILL);
        }
    }

    private void spawn() {
        PlannedService p = planned;
        ServiceSpec spec = p.spec();
        ResolvedCommand c = p.command();
        NodePlan plan = ctx.plan();
        generation++;
        failures = 0;
        int gen = generation;
        try {
            process = ctx.launcher().launch(
                    new LaunchSpec(p.id(), c.argv(), c.env(), c.workDir(), spec.user(), c.logFile(), c.logMaxBytes(), true,
                            new LaunchSpec.Service(spec.ports(plan.security()), spec.stop().signal(), spec.stop().grace())),
                    (pid, status) -> ctx.loop().post(() -> exited(gen, pid, status)));
        } catch (LaunchException e) {
            process = null;
            log.error("{}: cannot start: {}", p.id(), e.getMessage());
            crashed("cannot start: " + e.getMessage(), false);
            return;
        }
        startedMono = ctx.loop().nowMillis();
        moveTo(ServiceState.STARTING, "started, pid " + process.pid());
        HealthSpec h = spec.health();
        if (h.probe() instanceof ProbeSpec.None) {
            moveTo(ServiceState.READY, "running (no probe declared)");
            armReset(gen);
            ctx.evaluate();
            return;
        }
        startupTimer = ctx.loop().schedule(h.startupTimeout(), () -> startupTimedOut(gen));
        String host = p.probeHost();
        int port = p.probe().port();
        NodeTlsContext tls = ctx.tls();
        HealthCheck check = Probes.of(p.probe(),
                new Probes.CommandContext(ctx.launcher(), p.id(), c.env(), c.workDir(), spec.user(), plan.node().nodeId(),
                        plan.node().controllers().stream().map(NodePlan.Endpoint::toString).toList()),
                tls == null ? null : tls.local(plan.node().fqdn()));
        prober = new Prober(ctx.loop(), ctx.probes(), p.id(), () -> check.check(host, port, h.timeout()), r -> probed(gen, r));
        prober.schedule(Duration.ZERO, startingInterval(h.interval()), true);
    }

    static Duration startingInterval(Duration interval) {
        return interval.compareTo(STARTING_PROBE_INTERVAL) < 0 ? interval : STARTING_PROBE_INTERVAL;
    }

    // ---------------------------------------------------------------- probes and timeouts

    private void probed(int gen, HealthResult r) {
        if (gen != generation || !state.running() || state == ServiceState.STOPPING) {
            return;
        }
        lastProbe = r;
        lastProbeEpoch = ctx.loop().epochMillis();
        HealthSpec h = planned.spec().health();
        switch (state) {
            case STARTING -> {
                if (r.ok()) {
                    startupTimer = cancel(startupTimer);
                    prober.schedule(h.interval(), h.interval(), false); // liveness: one attempt at a time
                    moveTo(ServiceState.READY, r.detail() + ", " + r.latencyMs() + " ms");
                    armReset(gen);
                    ctx.evaluate();
                } else {
                    reason = "starting: " + r.detail();
                }
            }
            case READY, UNHEALTHY -> {
                if (r.ok()) {
                    failures = 0;
                    if (state == ServiceState.UNHEALTHY) {
                        unhealthyTimer = cancel(unhealthyTimer);
                        moveTo(ServiceState.READY, "probe passes again: " + r.detail());
                    }
                } else {
                    if (++failures >= h.failureThreshold() && state == ServiceState.READY) {
                        moveTo(ServiceState.UNHEALTHY, failures + " probes failed: " + r.detail());
                    }
                    if (state == ServiceState.UNHEALTHY && h.restartAfter() != null) {
                        if (r.alive()) {
                            // it answers (a broker catching up): not ready, and nothing a restart would mend
                            unhealthyTimer = cancel(unhealthyTimer);
                            reason = "not ready: " + r.detail();
                        } else if (unhealthyTimer == null) {
                            // a hung or stopped process answers no probe and never exits: restart it once it
                            // has stayed unanswering this long (long enough for a GC pause to end)
                            unhealthyTimer = ctx.loop().schedule(h.restartAfter(), () -> unhealthyTooLong(gen));
                        }
                    }
                }
            }
            default -> {
                // not probed in other states
            }
        }
    }

    private void unhealthyTooLong(int gen) {
        unhealthyTimer = null;
        if (gen != generation || state != ServiceState.UNHEALTHY) {
            return;
        }
        Duration after = planned.spec().health().restartAfter();
        String why = "unhealthy for " + after.toSeconds() + " s" + (lastProbe == null ? "" : " (last probe: " + lastProbe.detail() + ")");
        log.warn("{}: {}; restarting it", id(), why);
        afterStop = AfterStop.CRASH;
        crashReason = why;
        stopProcess("restarting: " + why, true);
    }

    private void startupTimedOut(int gen) {
        startupTimer = null;
        if (gen != generation || state != ServiceState.STARTING) {
            return;
        }
        Duration timeout = planned.spec().health().startupTimeout();
        if (lastProbe != null && lastProbe.alive() && !lastProbe.ok()) {
            // it answers and is not ready yet (a broker catching up on a large backlog): a restart would only
            // start the catch-up over; look again after another startup timeout, and restart it then if it
            // no longer answers
            log.warn("{}: not ready {} s after its start, but it answers ({}); not restarting it", id(),
                    (ctx.loop().nowMillis() - startedMono) / 1000, lastProbe.detail());
            startupTimer = ctx.loop().schedule(timeout, () -> startupTimedOut(gen));
            return;
        }
        String why = "not ready within its startup timeout of " + timeout.toSeconds() + " s"
                + (lastProbe == null ? "" : " (last probe: " + lastProbe.detail() + ")");
        log.warn("{}: {}; stopping it", id(), why);
        afterStop = AfterStop.CRASH;
        crashReason = why;
        stopProcess(why, false);
    }

    /** A READY service that stays up for resetAfter starts a fresh crash-loop count. */
    private void armReset(int gen) {
        cancel(resetTimer);
        resetTimer = ctx.loop().schedule(planned.spec().restart().resetAfter(), () -> {
            if (gen == generation && state == ServiceState.READY && attempt > 0) {
                log.info("{}: stable for {} s; crash-loop count reset", id(), planned.spec().restart().resetAfter().toSeconds());
                attempt = 0;
            }
        });
    }

    // ---------------------------------------------------------------- ends and restarts

    private void exited(int gen, int pid, ExitStatus status) {
        if (gen != generation || process == null || process.pid() != pid) {
            return;
        }
        stopProbing();
        cancelProcessTimers();
        process = null;
        if (state == ServiceState.STOPPING) {
            AfterStop after = afterStop;
            afterStop = AfterStop.NOTHING;
            if (ctx.stopping() || manualStop || after == AfterStop.NOTHING) {
                moveTo(ServiceState.STOPPED, stoppedHow(status));
                if (ctx.stopping()) {
                    ctx.stopNext();
                }
            } else if (after == AfterStop.RESTART) {
                moveTo(ServiceState.PENDING, "restarting (" + status + ")");
                ctx.evaluate();
            } else {
                crashed(crashReason != null ? crashReason : "restarted after " + status, false);
            }
            return;
        }
        crashed("exited: " + status, status.success());
    }

    /** A service ended without being asked to: the restart policy decides. */
    private void crashed(String why, boolean success) {
        RestartSpec r = planned.spec().restart();
        crashReason = null;
        if (ctx.stopping()) {
            moveTo(ServiceState.STOPPED, why);
            ctx.stopNext();
            return;
        }
        if (!r.policy().restarts(success)) {
            moveTo(success ? ServiceState.EXITED : ServiceState.FAILED, why);
            if (!success) {
                ctx.failed(this);
            }
            ctx.evaluate();
            return;
        }
        attempt++;
        if (attempt > r.maxRetries()) {
            moveTo(ServiceState.FAILED, "crash loop: " + why + "; gave up after " + r.maxRetries() + " restarts");
            ctx.failed(this);
            return;
        }
        Duration delay = Backoff.nextDelay(r, attempt);
        restarts++;
        moveTo(ServiceState.BACKOFF, why + "; restart " + attempt + " of " + r.maxRetries() + " in " + delay.toMillis() + " ms");
        int gen = generation;
        backoffTimer = ctx.loop().schedule(delay, () -> {
            if (state == ServiceState.BACKOFF && gen == generation && !ctx.stopping()) {
                moveTo(ServiceState.PENDING, "restarting");
                ctx.evaluate();
            }
        });
    }

    // ---------------------------------------------------------------- stopping

    /** A stop after a failure (startup timeout, liveness, a forced stop): no wait at the gate. */
    void stopProcess(String why) {
        stopProcess(why, false);
    }

    /** @param hung the process may be stopped (it answered no probe): continue it after the stop signal */
    private void stopProcess(String why, boolean hung) {
        if (process == null) {
            return;
        }
        stopProbing();
        startupTimer = cancel(startupTimer);
        stoppingSinceMono = ctx.loop().nowMillis();
        signalStop(why, planned.spec().stop().grace(), hung);
    }

    /**
     * A stop asked for (the agent's own stop, the operator's stop or restart, a reload): with a stop gate,
     * the stop signal waits until the gate opens ({@link GatedStop}); the wait is part of the grace.
     */
    void requestedStop(String why) {
        if (process == null) {
            return;
        }
        StopGate g = gateOf();
        if (g == null) {
            stopProcess(why);
            return;
        }
        stopProbing();
        startupTimer = cancel(startupTimer);
        stoppingSinceMono = ctx.loop().nowMillis();
        gate.begin(g, why);
    }

    /** A stop asked for, with a start after it. */
    void restartThroughGate(String why) {
        afterStop = AfterStop.RESTART;
        requestedStop(why);
    }

    /** The gate of the service as planned now, or null when its stops do not wait. */
    private StopGate gateOf() {
        ServiceSpec spec = planned.spec();
        if (spec.stop().waitUntilSafe() == null) {
            return null;
        }
        NodePlan plan = ctx.plan();
        NodeTlsContext tls = ctx.tls();
        List<StopGates.Member> others = planned.peers().stream().filter(p -> p.nodeId() != plan.node().nodeId())
                .map(p -> new StopGates.Member(p.host(), p.port())).toList();
        int port = planned.probe().port() > 0 ? planned.probe().port() : spec.peerPort(plan.security());
        return StopGates.of(StopSpec.Gate.of(spec), planned.probeHost(), port, plan.node().nodeId(), others,
                tls == null ? null : tls.local(plan.node().fqdn()), tls == null ? null : tls.remote());
    }

    /** Sends the stop signal (the service is STOPPING from here on); SIGKILL to its group after {@code grace}. */
    void signalStop(String why, Duration grace, boolean hung) {
        Signal signal = planned.spec().stop().signal();
        String how = why + ": " + "SIG" + signal.name() + ", SIGKILL after " + grace.toSeconds() + " s";
        if (state == ServiceState.STOPPING) {
            log.info("{}: {}", id(), how); // after a wait at its gate: no state change to log it
        }
        moveTo(ServiceState.STOPPING, how);
        RunningProcess p = process;
        int gen = generation;
        p.signal(signal);
        if (hung) {
            // a stopped process (SIGSTOP, a debugger) holds the stop signal until it is continued:
            // continue it, so that it can stop cleanly within its grace instead of being killed after it
            p.signal(Signal.CONT);
        }
        killTimer = ctx.loop().schedule(grace, () -> {
            if (gen == generation && state == ServiceState.STOPPING && process == p) {
                log.warn("{}: still running {} s after SIG{}; sending SIGKILL to its process group", id(), grace.toSeconds(), signal.name());
                p.signal(Signal.KILL);
                // a process stuck in the kernel (uninterruptible I/O) may not die even then: do not let it
                // hold the whole node's stop forever
                killTimer = ctx.loop().schedule(KILL_WAIT, () -> {
                    if (gen == generation && state == ServiceState.STOPPING && process == p) {
                        log.error("{}: pid {} did not exit {} s after SIGKILL; giving up on it", id(), p.pid(), KILL_WAIT.toSeconds());
                        generation++;
                        process = null;
                        moveTo(ServiceState.STOPPED, "did not exit after SIGKILL");
                        if (ctx.stopping()) {
                            ctx.stopNext();
                        }
                    }
                });
            }
        });
    }

    /**
     * "stopped (exit code 143)" reads as a failure, but every JVM exits 143 after a clean SIGTERM
     * shutdown: say which it was.
     */
    private String stoppedHow(ExitStatus status) {
        Signal asked = planned.spec().stop().signal();
        if (status.success()) {
            return "stopped cleanly (exit code 0)";
        }
        if (status instanceof ExitStatus.Exited e && e.code() == 128 + asked.number) {
            return "stopped cleanly (exit code " + e.code() + " after SIG" + asked.name() + ", as a JVM does)";
        }
        if (status instanceof ExitStatus.Killed k && k.signal() == asked.number) {
            return "stopped cleanly (by SIG" + asked.name() + ")";
        }
        return "stopped (" + status + ")";
    }

    /**
     * A stop of a service that has no process yet: it stops here ({@code true}), its prepare step killed;
     * one that runs is left to its stop ({@code false}).
     *
     * @param whilePreparing the reason when it was preparing; {@code beforeStart} when it was still to start
     */
    boolean stopBeforeItRuns(String whilePreparing, String beforeStart) {
        if (state == ServiceState.PREPARING) {
            abandonSteps();
            moveTo(ServiceState.STOPPED, whilePreparing);
            return true;
        }
        if (state == ServiceState.PENDING || state == ServiceState.BACKOFF) {
            backoffTimer = cancel(backoffTimer);
            moveTo(ServiceState.STOPPED, beforeStart);
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- the operator's commands

    CommandResult operatorStart() {
        if (state == ServiceState.STOPPING && afterStop == AfterStop.NOTHING) {
            // an operator's stop is under way: without this the service would end STOPPED after "start"
            manualStop = false;
            attempt = 0;
            afterStop = AfterStop.RESTART;
            return CommandResult.ok(id() + " is stopping; it starts again after");
        }
        if (state.running() || state == ServiceState.PENDING || state == ServiceState.BACKOFF || state == ServiceState.PREPARING) {
            manualStop = false;
            return CommandResult.ok(id() + " is already " + state);
        }
        manualStop = false;
        attempt = 0;
        moveTo(ServiceState.PENDING, "started by the operator");
        ctx.evaluate();
        return CommandResult.ok("starting " + id() + " (" + state + ")");
    }

    /** @param dependents the local services that wait for this one and still run (a stop of it needs {@code force}) */
    CommandResult operatorStop(boolean force, List<String> dependents) {
        if (!dependents.isEmpty() && !force) {
            return CommandResult.refused(String.join(", ", dependents) + (dependents.size() == 1 ? " depends" : " depend") + " on " + id());
        }
        manualStop = true;
        if (stopBeforeItRuns("stopped by the operator while preparing; its step was killed",
                "stopped by the operator before it started")) {
            return CommandResult.ok("stopped " + id());
        }
        if (!state.running()) {
            return CommandResult.ok(id() + " is already " + state);
        }
        if (state != ServiceState.STOPPING) {
            afterStop = AfterStop.NOTHING;
            if (force) {
                stopProcess("stopped by the operator (forced)");
            } else {
                requestedStop("stopped by the operator");
            }
        } else if (force && gate.waiting()) {
            afterStop = AfterStop.NOTHING;
            gate.skip("stop forced by the operator");
        }
        String when = gate.waiting() ? " once it is safe (waits up to " + planned.spec().stop().waitUntilSafe().toSeconds()
                + " s; --force stops it now)" : "";
        return CommandResult.ok("stopping " + id() + when
                + (dependents.isEmpty() ? "" : " (forced; still running: " + String.join(", ", dependents) + ")"));
    }

    CommandResult operatorRestart() {
        manualStop = false;
        attempt = 0;
        if (state.running() && state != ServiceState.STOPPING) {
            restartThroughGate("restart requested");
            return CommandResult.ok("restarting " + id() + (gate.waiting() ? " once it is safe to stop" : ""));
        }
        if (state == ServiceState.STOPPING) {
            afterStop = AfterStop.RESTART;
            return CommandResult.ok(id() + " is stopping; it starts again after");
        }
        if (state == ServiceState.PREPARING) {
            abandonSteps();
        }
        backoffTimer = cancel(backoffTimer);
        moveTo(ServiceState.PENDING, "restart requested");
        ctx.evaluate();
        return CommandResult.ok("starting " + id());
    }

    /**
     * A reload changed the service's files, command or environment: a running service restarts (through its
     * gate); a step that ran to its end did its work on the old configuration, so it runs again on the new
     * one (the users' logins, after a change of the users file) once what it waits for is ready.
     *
     * @return whether it restarts or runs again
     */
    boolean configurationChanged() {
        if (state.running() && state != ServiceState.STOPPING) {
            restartThroughGate("configuration changed");
            return true;
        }
        if (state == ServiceState.EXITED) {
            attempt = 0;
            moveTo(ServiceState.PENDING, "configuration changed: runs again");
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- state

    /**
     * Every state change: checked against the transition table and logged. A move the table does not have
     * is a bug: it is logged as one, counted (status and metrics show the count), and refused with an
     * exception, which ends the loop task that asked for it.
     */
    void moveTo(ServiceState to, String why) {
        ServiceState from = state;
        if (!from.canMoveTo(to)) {
            log.error("{}: BUG: no move from {} to {} in the transition table ({}); it stays {}", id(), from, to, why, from);
            ctx.moved(this, from, to, false);
            throw new IllegalStateException(id() + ": no move from " + from + " to " + to + " (" + why + ")");
        }
        state = to;
        reason = why;
        ctx.moved(this, from, to, true);
        if (from != to) {
            if (to == ServiceState.FAILED || to == ServiceState.UNHEALTHY) {
                log.warn("{}: {} -> {} ({})", id(), from, to, why);
            } else {
                log.info("{}: {} -> {} ({})", id(), from, to, why);
            }
        }
    }

    private void stopProbing() {
        if (prober != null) {
            prober.stop();
        }
    }

    /** Cancels every timer that belongs to a running process (not the backoff), and a wait at the gate. */
    private void cancelProcessTimers() {
        startupTimer = cancel(startupTimer);
        killTimer = cancel(killTimer);
        resetTimer = cancel(resetTimer);
        unhealthyTimer = cancel(unhealthyTimer);
        gate.end();
    }
}
