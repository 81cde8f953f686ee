package dev.dockhand.agent.supervise;

import dev.dockhand.agent.catalog.HealthSpec;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.catalog.RestartSpec;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.catalog.StopSpec;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.health.HealthCheck;
import dev.dockhand.agent.health.HealthResult;
import dev.dockhand.agent.health.Probes;
import dev.dockhand.agent.health.StopGate;
import dev.dockhand.agent.health.StopGates;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.plan.NodePlan.PlannedService;
import dev.dockhand.agent.plan.NodePlan.RemoteDependency;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.process.LaunchException;
import dev.dockhand.agent.process.LaunchSpec;
import dev.dockhand.agent.process.ProcessLauncher;
import dev.dockhand.agent.process.RunningProcess;
import dev.dockhand.agent.render.RenderPlan.ResolvedCommand;
import dev.dockhand.agent.render.RenderPlan.ResolvedStep;
import dev.dockhand.agent.supervise.ServiceRun.AfterStop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervises this node's services (see package-info for the contract). All state lives on the
 * {@link Loop}'s one thread; process exits, probe results, timers and control commands arrive there
 * as tasks, so a dependent starts in the same task in which its dependency becomes ready. Every state
 * change goes through {@link #moveTo}, which refuses a move {@link ServiceState}'s table does not have.
 */
public final class Supervisor implements SupervisorControl {
    private static final Logger log = LoggerFactory.getLogger("dev.dockhand.agent.supervise");
    /**
     * Probe interval while a service starts, or a remote dependency is not ready yet, when the catalog's
     * interval is longer: what is waited for is seen within this much, so dependents start within
     * ~100 ms of their dependency being ready (DESIGN.md), not a whole catalog interval (500 ms) later.
     * Once READY the catalog's interval applies.
     */
    static final Duration STARTING_PROBE_INTERVAL = Duration.ofMillis(100);
    /** The loop ticks this often; {@link #alive()} is false after {@link #ALIVE_WINDOW} without a tick. */
    static final Duration TICK = Duration.ofSeconds(1);
    static final Duration ALIVE_WINDOW = Duration.ofSeconds(15);
    /** Bound of a control command waiting for the loop. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    /** How long a process may take to disappear after SIGKILL before the supervisor gives up on it. */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);
    /** How often a stop that waits until it is safe asks the service's stop gate again. */
    static final Duration GATE_INTERVAL = Duration.ofSeconds(1);

    private final Loop loop;
    private final ProcessLauncher launcher;
    private final ProbeRunner probes;
    private final NodePlan.Replanner replanner;
    private final int agentPid;
    private final LongSupplier agentRss;
    private final long startedEpoch;
    private final long startedMono;

    private NodePlan plan;
    /** A secured node's context for its probes; null on a plaintext node. */
    private final NodeTlsContext tls;
    private final Map<String, ServiceRun> services = new LinkedHashMap<>();
    private final Map<String, RemoteQuorum> remotes = new LinkedHashMap<>();
    private boolean started;
    private boolean stopping;
    private int exitCode;
    private volatile long lastTick;
    /** Ids of the services now FAILED; read by {@link #alive()} off the loop. */
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Integer> terminated = new CompletableFuture<>();

    /**
     * @param plan what to run
     * @param launcher spawns and reaps the services
     * @param probes where probes run
     * @param replanner re-plans for reload
     * @param loop the supervisor's thread and time
     * @param agentPid the agent's pid, for status
     * @param agentRss the agent's resident memory, for status
     */
    public Supervisor(NodePlan plan, ProcessLauncher launcher, ProbeRunner probes, NodePlan.Replanner replanner, Loop loop,
            int agentPid, LongSupplier agentRss) {
        this.plan = plan;
        this.launcher = launcher;
        this.probes = probes;
        this.replanner = replanner;
        this.loop = loop;
        this.agentPid = agentPid;
        this.agentRss = agentRss;
        this.startedEpoch = loop.epochMillis();
        this.startedMono = loop.nowMillis();
        this.lastTick = loop.nowMillis();
        this.tls = plan.secured() ? new NodeTlsContext() : null;
        if (tls != null) {
            tls.use(plan.certificates());
        }
        for (PlannedService p : plan.services()) {
            services.put(p.id(), new ServiceRun(p));
            for (RemoteDependency d : p.remoteWaits()) {
                remotes.putIfAbsent(d.service(), new RemoteQuorum(d, loop, probes, this::evaluate, tls == null ? null : tls.remote()));
            }
        }
    }

    /** Starts supervising: remote dependencies are probed, services start as their waits are ready. */
    public void start() {
        loop.post(() -> {
            if (started) {
                throw new IllegalStateException("the supervisor can be started once");
            }
            started = true;
            log.info("node {} ({}), role {}, cluster config {}: supervising {}", plan.node().nodeId(), plan.node().fqdn(),
                    plan.node().role(), plan.node().clusterConfig(), String.join(", ", services.keySet()));
            tick();
            scheduleRenewal();
            remotes.values().forEach(RemoteQuorum::start);
            if (services.isEmpty()) {
                log.warn("role {} runs no service under cluster config {}", plan.node().role(), plan.node().clusterConfig());
            }
            evaluate();
        });
    }

    /** SIGTERM/SIGINT: stop every service in reverse dependency order, each with its grace. */
    public void requestStop() {
        loop.post(this::beginStop);
    }

    /** True once every service has stopped and the exit code is known (set in a loop task). */
    public boolean terminated() {
        return terminated.isDone();
    }

    /** The agent's exit code once every service has stopped: 0 after a clean stop, 1 when a failed service stopped the node. */
    public int awaitTermination() throws InterruptedException {
        try {
            return terminated.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    // ---------------------------------------------------------------- the state machine (loop thread)

    private void tick() {
        lastTick = loop.nowMillis();
        if (!terminated.isDone()) {
            loop.schedule(TICK, this::tick);
        }
    }

    /** Starts every PENDING service whose waits are ready. */
    private void evaluate() {
        if (stopping) {
            return;
        }
        for (ServiceRun s : services.values()) {
            if (s.state != ServiceState.PENDING || s.manualStop) {
                continue;
            }
            String waiting = unreadyWaits(s);
            if (waiting.isEmpty()) {
                if (NodePlan.waitsForMigration(s.planned)) {
                    passedMigrationPrecondition(s);
                }
                prepareOrSpawn(s);
            } else {
                s.reason = "waiting for " + waiting;
            }
        }
    }

    private String unreadyWaits(ServiceRun s) {
        List<String> out = new ArrayList<>();
        for (String w : s.planned.localWaits()) {
            ServiceRun dep = services.get(w);
            if (dep == null || !dep.satisfies()) {
                out.add(w);
            }
        }
        for (RemoteDependency d : s.planned.remoteWaits()) {
            RemoteQuorum r = remotes.get(d.service());
            if (!r.ready()) {
                out.add(d.service() + " (" + r.detail() + ")");
            }
        }
        return String.join(", ", out);
    }

    /** The controllers reported what the service's migration phase needs: later starts need not ask again. */
    private void passedMigrationPrecondition(ServiceRun s) {
        try {
            java.nio.file.Files.deleteIfExists(plan.migrationMarker(s.planned.spec().id()));
        } catch (java.io.IOException e) {
            log.warn("{}: cannot remove {} ({}): its next start waits for the migration precondition again", s.planned.spec().id(),
                    plan.migrationMarker(s.planned.spec().id()), e.getMessage());
        }
    }

    /** Its waits are ready: runs the service's prepare steps first, if it has any, then spawns it. */
    private void prepareOrSpawn(ServiceRun s) {
        List<ResolvedStep> steps = s.planned.command().prepare();
        if (steps.isEmpty()) {
            spawn(s);
            return;
        }
        s.generation++;
        s.step = 0;
        moveTo(s, ServiceState.PREPARING, "preparing: " + steps.get(0).id());
        runStep(s, s.generation);
    }

    /** Runs step {@code s.step} off the loop; its outcome comes back as a loop task. */
    private void runStep(ServiceRun s, int gen) {
        PlannedService p = s.planned;
        ResolvedStep step = p.command().prepare().get(s.step);
        s.reason = "preparing: " + step.id() + " (step " + (s.step + 1) + " of " + p.command().prepare().size() + ")";
        probes.submit(PrepareSteps.target(p.id(), step),
                () -> PrepareSteps.run(launcher, p.command(), p.spec().user(), step, s.stepProcess),
                r -> stepDone(s, gen, step, r));
    }

    private void stepDone(ServiceRun s, int gen, ResolvedStep step, HealthResult r) {
        if (gen != s.generation || s.state != ServiceState.PREPARING) {
            return; // stopped or restarted meanwhile
        }
        if (!r.ok()) {
            log.warn("{}: prepare step {} failed: {}", s.id(), step.id(), r.detail());
            crashed(s, "prepare step " + step.id() + " failed: " + r.detail(), false);
            return;
        }
        log.info("{}: prepare step {}: {} ({} ms)", s.id(), step.id(), r.detail(), r.latencyMs());
        if (++s.step < s.planned.command().prepare().size()) {
            runStep(s, gen);
        } else if (!stopping && !s.manualStop) {
            spawn(s);
        }
    }

    /** Stops a service whose prepare step runs: the step is killed, its outcome ignored. */
    private void abandonSteps(ServiceRun s) {
        s.generation++;
        RunningProcess step = s.stepProcess.getAndSet(null);
        if (step != null) {
            step.signal(Signal.KILL);
        }
    }

    private void spawn(ServiceRun s) {
        PlannedService p = s.planned;
        ServiceSpec spec = p.spec();
        ResolvedCommand c = p.command();
        s.generation++;
        s.failures = 0;
        int gen = s.generation;
        try {
            s.process = launcher.launch(
                    new LaunchSpec(p.id(), c.argv(), c.env(), c.workDir(), spec.user(), c.logFile(), c.logMaxBytes(), true,
                            new LaunchSpec.Service(spec.ports(plan.security()), spec.stop().signal(), spec.stop().grace())),
                    (pid, status) -> loop.post(() -> exited(s, gen, pid, status)));
        } catch (LaunchException e) {
            s.process = null;
            log.error("{}: cannot start: {}", p.id(), e.getMessage());
            crashed(s, "cannot start: " + e.getMessage(), false);
            return;
        }
        s.startedMono = loop.nowMillis();
        moveTo(s, ServiceState.STARTING, "started, pid " + s.process.pid());
        HealthSpec h = spec.health();
        if (h.probe() instanceof ProbeSpec.None) {
            moveTo(s, ServiceState.READY, "running (no probe declared)");
            armReset(s, gen);
            evaluate();
            return;
        }
        s.timers.startup = loop.schedule(h.startupTimeout(), () -> startupTimedOut(s, gen));
        String host = p.probeHost();
        int port = p.probe().port();
        HealthCheck check = Probes.of(p.probe(),
                new Probes.CommandContext(launcher, p.id(), c.env(), c.workDir(), spec.user(), plan.node().nodeId(),
                        plan.node().controllers().stream().map(NodePlan.Endpoint::toString).toList()),
                tls == null ? null : tls.local(plan.node().fqdn()));
        s.prober = new Prober(loop, probes, p.id(), () -> check.check(host, port, h.timeout()), r -> probed(s, gen, r));
        s.prober.schedule(Duration.ZERO, startingInterval(h.interval()), true);
    }

    private void probed(ServiceRun s, int gen, HealthResult r) {
        if (gen != s.generation || !s.state.running() || s.state == ServiceState.STOPPING) {
            return;
        }
        s.lastProbe = r;
        s.lastProbeEpoch = loop.epochMillis();
        HealthSpec h = s.planned.spec().health();
        switch (s.state) {
            case STARTING -> {
                if (r.ok()) {
                    s.timers.startup = ServiceRun.Timers.cancel(s.timers.startup);
                    s.prober.schedule(h.interval(), h.interval(), false); // liveness: one attempt at a time
                    moveTo(s, ServiceState.READY, r.detail() + ", " + r.latencyMs() + " ms");
                    armReset(s, gen);
                    evaluate();
                } else {
                    s.reason = "starting: " + r.detail();
                }
            }
            case READY, UNHEALTHY -> {
                if (r.ok()) {
                    s.failures = 0;
                    if (s.state == ServiceState.UNHEALTHY) {
                        s.timers.unhealthy = ServiceRun.Timers.cancel(s.timers.unhealthy);
                        moveTo(s, ServiceState.READY, "probe passes again: " + r.detail());
                    }
                } else {
                    if (++s.failures >= h.failureThreshold() && s.state == ServiceState.READY) {
                        moveTo(s, ServiceState.UNHEALTHY, s.failures + " probes failed: " + r.detail());
                    }
                    if (s.state == ServiceState.UNHEALTHY && h.restartAfter() != null) {
                        if (r.alive()) {
                            // it answers (a broker catching up): not ready, and nothing a restart would mend
                            s.timers.unhealthy = ServiceRun.Timers.cancel(s.timers.unhealthy);
                            s.reason = "not ready: " + r.detail();
                        } else if (s.timers.unhealthy == null) {
                            // a hung or stopped process answers no probe and never exits: restart it once it
                            // has stayed unanswering this long (long enough for a GC pause to end)
                            s.timers.unhealthy = loop.schedule(h.restartAfter(), () -> unhealthyTooLong(s, gen));
                        }
                    }
                }
            }
            default -> {
                // not probed in other states
            }
        }
    }

    private void unhealthyTooLong(ServiceRun s, int gen) {
        s.timers.unhealthy = null;
        if (gen != s.generation || s.state != ServiceState.UNHEALTHY) {
            return;
        }
        Duration after = s.planned.spec().health().restartAfter();
        String why = "unhealthy for " + after.toSeconds() + " s" + (s.lastProbe == null ? "" : " (last probe: " + s.lastProbe.detail() + ")");
        log.warn("{}: {}; restarting it", s.id(), why);
        s.afterStop = AfterStop.CRASH;
        s.crashReason = why;
        stopProcess(s, "restarting: " + why, true);
    }

    static Duration startingInterval(Duration interval) {
        return interval.compareTo(STARTING_PROBE_INTERVAL) < 0 ? interval : STARTING_PROBE_INTERVAL;
    }

    private void startupTimedOut(ServiceRun s, int gen) {
        s.timers.startup = null;
        if (gen != s.generation || s.state != ServiceState.STARTING) {
            return;
        }
        Duration timeout = s.planned.spec().health().startupTimeout();
        if (s.lastProbe != null && s.lastProbe.alive() && !s.lastProbe.ok()) {
            // it answers and is not ready yet (a broker catching up on a large backlog): a restart would only
            // start the catch-up over; look again after another startup timeout, and restart it then if it
            // no longer answers
            log.warn("{}: not ready {} s after its start, but it answers ({}); not restarting it", s.id(),
                    (loop.nowMillis() - s.startedMono) / 1000, s.lastProbe.detail());
            s.timers.startup = loop.schedule(timeout, () -> startupTimedOut(s, gen));
            return;
        }
        String why = "not ready within its startup timeout of " + s.planned.spec().health().startupTimeout().toSeconds() + " s"
                + (s.lastProbe == null ? "" : " (last probe: " + s.lastProbe.detail() + ")");
        log.warn("{}: {}; stopping it", s.id(), why);
        s.afterStop = AfterStop.CRASH;
        s.crashReason = why;
        stopProcess(s, why, false);
    }

    private void exited(ServiceRun s, int gen, int pid, ExitStatus status) {
        if (gen != s.generation || s.process == null || s.process.pid() != pid) {
            return;
        }
        stopProbing(s);
        s.timers.cancelProcessTimers();
        s.process = null;
        s.gateSinceMono = -1;
        if (s.state == ServiceState.STOPPING) {
            AfterStop after = s.afterStop;
            s.afterStop = AfterStop.NOTHING;
            if (stopping || s.manualStop || after == AfterStop.NOTHING) {
                moveTo(s, ServiceState.STOPPED, stoppedHow(s, status));
                if (stopping) {
                    stopNext();
                }
            } else if (after == AfterStop.RESTART) {
                moveTo(s, ServiceState.PENDING, "restarting (" + status + ")");
                evaluate();
            } else {
                crashed(s, s.crashReason != null ? s.crashReason : "restarted after " + status, false);
            }
            return;
        }
        crashed(s, "exited: " + status, status.success());
    }

    /** A service ended without being asked to: the restart policy decides. */
    private void crashed(ServiceRun s, String why, boolean success) {
        RestartSpec r = s.planned.spec().restart();
        s.crashReason = null;
        if (stopping) {
            moveTo(s, ServiceState.STOPPED, why);
            stopNext();
            return;
        }
        if (!r.policy().restarts(success)) {
            moveTo(s, success ? ServiceState.EXITED : ServiceState.FAILED, why);
            if (!success) {
                failed(s);
            }
            evaluate();
            return;
        }
        s.attempt++;
        if (s.attempt > r.maxRetries()) {
            moveTo(s, ServiceState.FAILED, "crash loop: " + why + "; gave up after " + r.maxRetries() + " restarts");
            failed(s);
            return;
        }
        Duration delay = Backoff.nextDelay(r, s.attempt);
        s.restarts++;
        moveTo(s, ServiceState.BACKOFF, why + "; restart " + s.attempt + " of " + r.maxRetries() + " in " + delay.toMillis() + " ms");
        int gen = s.generation;
        s.timers.backoff = loop.schedule(delay, () -> {
            if (s.state == ServiceState.BACKOFF && gen == s.generation && !stopping) {
                moveTo(s, ServiceState.PENDING, "restarting");
                evaluate();
            }
        });
    }

    private void failed(ServiceRun s) {
        log.error("{}: FAILED; {}", s.id(), s.planned.spec().restart().failStopsAgent()
                ? "the catalog says a failure of this service stops the node: stopping every service"
                : "the other services go on; `agent start " + s.id() + "` tries again");
        if (s.planned.spec().restart().failStopsAgent()) {
            exitCode = 1;
            beginStop();
        }
    }

    /** A READY service that stays up for resetAfter starts a fresh crash-loop count. */
    private void armReset(ServiceRun s, int gen) {
        ServiceRun.Timers.cancel(s.timers.reset);
        s.timers.reset = loop.schedule(s.planned.spec().restart().resetAfter(), () -> {
            if (gen == s.generation && s.state == ServiceState.READY && s.attempt > 0) {
                log.info("{}: stable for {} s; crash-loop count reset", s.id(), s.planned.spec().restart().resetAfter().toSeconds());
                s.attempt = 0;
            }
        });
    }

    private void stopProcess(ServiceRun s, String why) {
        stopProcess(s, why, false);
    }

    /** @param hung the process may be stopped (it answered no probe): continue it after the stop signal */
    private void stopProcess(ServiceRun s, String why, boolean hung) {
        if (s.process == null) {
            return;
        }
        stopProbing(s);
        s.timers.startup = ServiceRun.Timers.cancel(s.timers.startup);
        s.stoppingSinceMono = loop.nowMillis();
        signalStop(s, why, s.planned.spec().stop().grace(), hung);
    }

    /**
     * A stop asked for (the agent's own stop, the operator's stop or restart, a reload): when the service
     * has a stop gate, the stop signal waits until the gate opens, at most the catalog's
     * {@code waitUntilSafe}, asked again every {@link #GATE_INTERVAL}; the wait is part of the grace.
     * Stops after a failure (startup timeout, liveness) do not wait: the process is not serving anyway.
     */
    private void requestedStop(ServiceRun s, String why) {
        if (s.process == null) {
            return;
        }
        StopGate gate = gateOf(s);
        if (gate == null) {
            stopProcess(s, why);
            return;
        }
        stopProbing(s);
        s.timers.startup = ServiceRun.Timers.cancel(s.timers.startup);
        s.stoppingSinceMono = loop.nowMillis();
        s.gateSinceMono = loop.nowMillis();
        s.gateDetail = null;
        int gen = s.generation;
        int epoch = ++s.gateEpoch;
        Duration wait = s.planned.spec().stop().waitUntilSafe();
        moveTo(s, ServiceState.STOPPING, why + ": waiting up to " + wait.toSeconds() + " s until it is safe to stop");
        s.timers.gateDeadline = loop.schedule(wait, () -> gateWaitedLongEnough(s, gen, epoch));
        askGate(s, gen, epoch, gate);
    }

    /** The gate of the service as planned now, or null when its stops do not wait. */
    private StopGate gateOf(ServiceRun s) {
        ServiceSpec spec = s.planned.spec();
        if (spec.stop().waitUntilSafe() == null) {
            return null;
        }
        List<StopGates.Member> others = s.planned.peers().stream().filter(p -> p.nodeId() != plan.node().nodeId())
                .map(p -> new StopGates.Member(p.host(), p.port())).toList();
        int port = s.planned.probe().port() > 0 ? s.planned.probe().port() : spec.peerPort(plan.security());
        return StopGates.of(StopSpec.Gate.of(spec), s.planned.probeHost(), port, plan.node().nodeId(), others,
                tls == null ? null : tls.local(plan.node().fqdn()), tls == null ? null : tls.remote());
    }

    private boolean waitingAtGate(ServiceRun s, int gen, int epoch) {
        return gen == s.generation && epoch == s.gateEpoch && s.waitingAtGate() && s.state == ServiceState.STOPPING;
    }

    private void askGate(ServiceRun s, int gen, int epoch, StopGate gate) {
        s.timers.gateAsk = null;
        if (!waitingAtGate(s, gen, epoch)) {
            return;
        }
        Duration timeout = s.planned.spec().health().timeout();
        probes.submit(s.id() + " stop gate", () -> gate.ask(timeout), r -> gateAnswered(s, gen, epoch, gate, r));
    }

    private void gateAnswered(ServiceRun s, int gen, int epoch, StopGate gate, HealthResult r) {
        if (!waitingAtGate(s, gen, epoch)) {
            return;
        }
        if (r.ok()) {
            if (s.gateDetail != null) {
                log.info("{}: safe to stop after {} s: {}", s.id(), (loop.nowMillis() - s.gateSinceMono) / 1000, r.detail());
            }
            s.gateDetail = r.detail();
            passGate(s, "safe to stop (" + r.detail() + ")");
            return;
        }
        if (s.gateDetail == null) {
            s.stopWaits++;
            log.warn("{}: stop waits, up to {} s, until it is safe: {}", s.id(), s.planned.spec().stop().waitUntilSafe().toSeconds(),
                    r.detail());
        } else if (!r.detail().equals(s.gateDetail)) {
            log.info("{}: stop still waits ({} s): {}", s.id(), (loop.nowMillis() - s.gateSinceMono) / 1000, r.detail());
        }
        s.gateDetail = r.detail();
        s.timers.gateAsk = loop.schedule(GATE_INTERVAL, () -> askGate(s, gen, epoch, gate));
    }

    private void gateWaitedLongEnough(ServiceRun s, int gen, int epoch) {
        s.timers.gateDeadline = null;
        if (!waitingAtGate(s, gen, epoch)) {
            return;
        }
        Duration wait = s.planned.spec().stop().waitUntilSafe();
        log.warn("{}: still not safe to stop after {} s ({}); stopping it now: a stop asked for is never refused",
                s.id(), wait.toSeconds(), s.gateDetail == null ? "the gate did not answer" : s.gateDetail);
        s.unsafeStops++;
        passGate(s, "not safe after waiting " + wait.toSeconds() + " s, stopped anyway");
    }

    /** A waiting stop goes ahead now, without waiting for the gate (the stop was requested again, or forced). */
    private void skipGate(ServiceRun s, String why) {
        log.warn("{}: {}: stopping it now, without waiting until it is safe{}", s.id(), why,
                s.gateDetail == null ? "" : " (" + s.gateDetail + ")");
        if (s.gateDetail == null || !s.gateDetail.startsWith("safe")) {
            s.unsafeStops++;
        }
        passGate(s, why + ", without waiting until it is safe");
    }

    /** Leaves the gate and signals the process, with what is left of its grace. */
    private void passGate(ServiceRun s, String why) {
        s.timers.cancelGate();
        s.gateEpoch++;
        long waited = loop.nowMillis() - s.gateSinceMono;
        s.gateSinceMono = -1;
        Duration grace = s.planned.spec().stop().grace().minusMillis(waited);
        signalStop(s, why, grace.isNegative() ? Duration.ZERO : grace, false);
    }

    /** Sends the stop signal (the service is STOPPING from here on); SIGKILL to its group after {@code grace}. */
    private void signalStop(ServiceRun s, String why, Duration grace, boolean hung) {
        Signal signal = s.planned.spec().stop().signal();
        String how = why + ": " + "SIG" + signal.name() + ", SIGKILL after " + grace.toSeconds() + " s";
        if (s.state == ServiceState.STOPPING) {
            log.info("{}: {}", s.id(), how); // after a wait at its gate: no state change to log it
        }
        moveTo(s, ServiceState.STOPPING, how);
        RunningProcess p = s.process;
        int gen = s.generation;
        p.signal(signal);
        if (hung) {
            // a stopped process (SIGSTOP, a debugger) holds the stop signal until it is continued:
            // continue it, so that it can stop cleanly within its grace instead of being killed after it
            p.signal(Signal.CONT);
        }
        s.timers.kill = loop.schedule(grace, () -> {
            if (gen == s.generation && s.state == ServiceState.STOPPING && s.process == p) {
                log.warn("{}: still running {} s after SIG{}; sending SIGKILL to its process group", s.id(),
                        grace.toSeconds(), signal.name());
                p.signal(Signal.KILL);
                // a process stuck in the kernel (uninterruptible I/O) may not die even then: do not let it
                // hold the whole node's stop forever
                s.timers.kill = loop.schedule(KILL_WAIT, () -> {
                    if (gen == s.generation && s.state == ServiceState.STOPPING && s.process == p) {
                        log.error("{}: pid {} did not exit {} s after SIGKILL; giving up on it", s.id(), p.pid(),
                                KILL_WAIT.toSeconds());
                        s.generation++;
                        s.process = null;
                        moveTo(s, ServiceState.STOPPED, "did not exit after SIGKILL");
                        if (stopping) {
                            stopNext();
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
    private static String stoppedHow(ServiceRun s, ExitStatus status) {
        Signal asked = s.planned.spec().stop().signal();
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

    private void beginStop() {
        if (renewal != null) {
            renewal.cancel();
            renewal = null;
        }
        if (stopping) {
            List<String> waiting = services.values().stream().filter(x -> x.state == ServiceState.STOPPING)
                    .map(x -> x.id() + " (" + (loop.nowMillis() - x.stoppingSinceMono) / 1000 + " s of "
                            + x.planned.spec().stop().grace().toSeconds() + " s grace)")
                    .toList();
            log.info("stop requested again: still stopping{}; each service keeps its grace",
                    waiting.isEmpty() ? "" : " " + String.join(", ", waiting));
            // the orchestrator insists: a stop that waits until it is safe goes ahead now
            for (ServiceRun x : services.values()) {
                if (x.waitingAtGate()) {
                    skipGate(x, "stop requested again");
                }
            }
            return;
        }
        stopping = true;
        log.info("stopping every service in reverse dependency order");
        for (ServiceRun s : services.values()) {
            if (s.state == ServiceState.PREPARING) {
                abandonSteps(s);
                moveTo(s, ServiceState.STOPPED, "agent stopping while it was preparing; its step was killed");
            }
            if (s.state == ServiceState.PENDING || s.state == ServiceState.BACKOFF) {
                s.timers.backoff = ServiceRun.Timers.cancel(s.timers.backoff);
                moveTo(s, ServiceState.STOPPED, "agent stopping before it started");
            }
        }
        stopNext();
    }

    /** Stops every running service none of whose local dependents still runs; terminates when none runs. */
    private void stopNext() {
        for (ServiceRun s : services.values()) {
            if (!s.state.running() || s.state == ServiceState.STOPPING) {
                continue;
            }
            if (runningDependents(s.id()).isEmpty()) {
                requestedStop(s, "agent stopping");
            }
        }
        if (services.values().stream().noneMatch(x -> x.state.running()) && !terminated.isDone()) {
            remotes.values().forEach(RemoteQuorum::stop);
            log.info("every service stopped; agent exits {}", exitCode);
            terminated.complete(exitCode);
        }
    }

    /** Every state change: checked against the transition table, logged, and FAILED tracked for {@link #alive}. */
    private void moveTo(ServiceRun s, ServiceState to, String reason) {
        ServiceState from = s.state;
        if (!from.canMoveTo(to)) {
            throw new IllegalStateException(s.id() + ": no move from " + from + " to " + to + " (" + reason + ")");
        }
        s.state = to;
        s.reason = reason;
        if (to == ServiceState.FAILED) {
            failed.add(s.id());
        } else {
            failed.remove(s.id());
        }
        if (from != to) {
            if (to == ServiceState.FAILED || to == ServiceState.UNHEALTHY) {
                log.warn("{}: {} -> {} ({})", s.id(), from, to, reason);
            } else {
                log.info("{}: {} -> {} ({})", s.id(), from, to, reason);
            }
        }
    }

    // ---------------------------------------------------------------- control (any thread)

    @Override
    public AgentSnapshot snapshot() {
        return onLoop(() -> Snapshots.of(plan, services.values(), remotes.values(), stopping, agentPid, startedEpoch,
                loop.nowMillis() - startedMono, agentRss.getAsLong(), loop.nowMillis()));
    }

    @Override
    public CommandResult start(String service) {
        return onService(service, true, s -> {
            if (s.state == ServiceState.STOPPING && s.afterStop == AfterStop.NOTHING) {
                // an operator's stop is under way: without this the service would end STOPPED after "start"
                s.manualStop = false;
                s.attempt = 0;
                s.afterStop = AfterStop.RESTART;
                return CommandResult.ok(service + " is stopping; it starts again after");
            }
            if (s.state.running() || s.state == ServiceState.PENDING || s.state == ServiceState.BACKOFF
                    || s.state == ServiceState.PREPARING) {
                s.manualStop = false;
                return CommandResult.ok(service + " is already " + s.state);
            }
            s.manualStop = false;
            s.attempt = 0;
            moveTo(s, ServiceState.PENDING, "started by the operator");
            evaluate();
            return CommandResult.ok("starting " + service + " (" + s.state + ")");
        });
    }

    @Override
    public CommandResult stop(String service, boolean force) {
        // a stop while the agent itself stops is harmless: it only marks the service as stopped by the operator
        return onService(service, false, s -> {
            List<String> dependents = runningDependents(service);
            if (!dependents.isEmpty() && !force) {
                return CommandResult.refused(String.join(", ", dependents) + (dependents.size() == 1 ? " depends" : " depend")
                        + " on " + service);
            }
            s.manualStop = true;
            if (s.state == ServiceState.PREPARING) {
                abandonSteps(s);
                moveTo(s, ServiceState.STOPPED, "stopped by the operator while preparing; its step was killed");
                return CommandResult.ok("stopped " + service);
            }
            if (s.state == ServiceState.PENDING || s.state == ServiceState.BACKOFF) {
                s.timers.backoff = ServiceRun.Timers.cancel(s.timers.backoff);
                moveTo(s, ServiceState.STOPPED, "stopped by the operator before it started");
                return CommandResult.ok("stopped " + service);
            }
            if (!s.state.running()) {
                return CommandResult.ok(service + " is already " + s.state);
            }
            if (s.state != ServiceState.STOPPING) {
                s.afterStop = AfterStop.NOTHING;
                if (force) {
                    stopProcess(s, "stopped by the operator (forced)");
                } else {
                    requestedStop(s, "stopped by the operator");
                }
            } else if (force && s.waitingAtGate()) {
                s.afterStop = AfterStop.NOTHING;
                skipGate(s, "stop forced by the operator");
            }
            String when = s.waitingAtGate() ? " once it is safe (waits up to " + s.planned.spec().stop().waitUntilSafe().toSeconds()
                    + " s; --force stops it now)" : "";
            return CommandResult.ok("stopping " + service + when
                    + (dependents.isEmpty() ? "" : " (forced; still running: " + String.join(", ", dependents) + ")"));
        });
    }

    @Override
    public CommandResult restart(String service) {
        return onService(service, true, s -> {
            s.manualStop = false;
            s.attempt = 0;
            if (s.state.running() && s.state != ServiceState.STOPPING) {
                s.afterStop = AfterStop.RESTART;
                requestedStop(s, "restart requested");
                return CommandResult.ok("restarting " + service + (s.waitingAtGate() ? " once it is safe to stop" : ""));
            }
            if (s.state == ServiceState.STOPPING) {
                s.afterStop = AfterStop.RESTART;
                return CommandResult.ok(service + " is stopping; it starts again after");
            }
            if (s.state == ServiceState.PREPARING) {
                abandonSteps(s);
            }
            s.timers.backoff = ServiceRun.Timers.cancel(s.timers.backoff);
            moveTo(s, ServiceState.PENDING, "restart requested");
            evaluate();
            return CommandResult.ok("starting " + service);
        });
    }

    // ---------------------------------------------------------------- certificate renewal (loop thread)

    /** How long a failed renewal waits before it is tried again (a third of the life is left for this). */
    static final Duration RENEWAL_RETRY = Duration.ofMinutes(1);
    /** Bound of a service's renewal command (a broker's: one Kafka tool run). */
    static final Duration RENEWAL_COMMAND_TIMEOUT = Duration.ofMinutes(2);
    private Loop.Timer renewal;
    /** A renewal's plan is being made off the loop. */
    private boolean renewing;
    /** The probe runner's target of a renewal's planning (logs, tests). */
    static final String RENEWAL_TARGET = "certificate renewal";

    /** On a secured node: renew the certificates at their renewal time. */
    private void scheduleRenewal() {
        if (plan.certificates() == null || stopping) {
            return;
        }
        var node = plan.certificates().node();
        // the renewal time is at two thirds of the lifetime: the last third is the lifetime's third
        Duration lifetime = Duration.between(node.renewAt(), node.notAfter()).multipliedBy(3);
        long delay = Math.max(0, plan.certificates().renewAt().toEpochMilli() - loop.epochMillis())
                + renewalStagger(plan.node().nodeId(), lifetime).toMillis();
        renewal = loop.schedule(Duration.ofMillis(delay), this::renewCertificates);
    }

    /**
     * How much later than its renewal time a node renews: nodes started together would otherwise renew
     * together, and a renewal restarts a ZooKeeper member. One step per node id (up to five steps, a
     * fortieth of the lifetime each, at most a minute): at most a tenth of the life, well inside the
     * third left after the renewal time; the quorum's stop gate does the rest.
     */
    static Duration renewalStagger(int nodeId, Duration lifetime) {
        long step = Math.min(60_000, lifetime.toMillis() / 40);
        return Duration.ofMillis(step * (Math.max(0, nodeId - 1) % 5));
    }

    /**
     * Issues the node new certificates, writes them, and makes each running service use them: with its
     * catalog's renewal command (a broker reloads its key stores, no restart, no lost record), or by a
     * restart that waits at the service's stop gate (a ZooKeeper member restarts only while the others keep
     * the quorum). A renewal that cannot be made is retried; the old certificates stay in use meanwhile.
     */
    private void renewCertificates() {
        renewal = null;
        if (stopping) {
            return;
        }
        // New keys, certificates and files are made on a probe thread, not the loop: on a busy node that
        // takes seconds, and probes, /readyz and `agent status` must keep their time meanwhile. A reload
        // is refused until the renewal is applied (both would write the node's files).
        renewing = true;
        AtomicReference<Object> outcome = new AtomicReference<>();
        probes.submit(RENEWAL_TARGET, () -> {
            try {
                outcome.set(replanner.renew());
                return HealthResult.ok("certificates renewed", 0);
            } catch (RuntimeException e) {
                outcome.set(e);
                return HealthResult.failed(e.toString(), 0);
            }
        }, r -> renewed(outcome.get()));
    }

    /** On the loop: the renewal's new plan in force, or its failure retried. */
    private void renewed(Object outcome) {
        renewing = false;
        if (stopping) {
            return;
        }
        if (!(outcome instanceof NodePlan.Replan replan)) {
            String why = outcome instanceof InvalidInputException ii ? String.join("; ", ii.problems()) : String.valueOf(outcome);
            log.error("certificate renewal failed, trying again in {} s; the current certificates stay in use: {}",
                    RENEWAL_RETRY.toSeconds(), why);
            renewal = loop.schedule(RENEWAL_RETRY, this::renewCertificates);
            return;
        }
        plan = replan.plan();
        tls.use(plan.certificates());
        var node = plan.certificates().node();
        log.info("certificates renewed: serial {}, valid until {}, next renewal at {}", node.certificate().getSerialNumber().toString(16),
                dev.dockhand.agent.core.UtcDate.isoSeconds(node.notAfter().toEpochMilli()),
                dev.dockhand.agent.core.UtcDate.isoSeconds(plan.certificates().renewAt().toEpochMilli()));
        for (PlannedService p : plan.services()) {
            ServiceRun s = services.get(p.id());
            if (s == null) {
                continue;
            }
            s.planned = p;
            if (!s.state.running() || s.state == ServiceState.STOPPING) {
                continue; // it reads the new files when it starts
            }
            if (p.command().certRenewal().isEmpty()) {
                s.afterStop = AfterStop.RESTART;
                requestedStop(s, "restarting with the renewed certificate");
            } else {
                runRenewalCommand(s, p);
            }
        }
        scheduleRenewal();
    }

    private void runRenewalCommand(ServiceRun s, PlannedService p) {
        ResolvedCommand c = p.command();
        HealthCheck command = Probes.of(new ProbeSpec.Exec(c.certRenewal()),
                new Probes.CommandContext(launcher, p.id(), c.env(), c.workDir(), p.spec().user(), plan.node().nodeId()));
        int gen = s.generation;
        probes.submit(p.id() + " certificate renewal", () -> command.check(p.probeHost(), 0, RENEWAL_COMMAND_TIMEOUT), r -> {
            if (r.ok()) {
                log.info("{}: uses the renewed certificate ({} ms)", p.id(), r.latencyMs());
            } else if (gen == s.generation && s.state.running() && s.state != ServiceState.STOPPING) {
                log.error("{}: its renewal command failed ({}); restarting it to use the renewed certificate", p.id(), r.detail());
                s.afterStop = AfterStop.RESTART;
                requestedStop(s, "restarting with the renewed certificate");
            }
        });
    }

    @Override
    public CommandResult reload() {
        return onLoop(() -> {
            if (stopping) {
                return CommandResult.refused("the agent is stopping");
            }
            if (renewing) {
                return CommandResult.refused("the node's certificates are being renewed; reload again in a few seconds");
            }
            NodePlan.Replan replan;
            try {
                replan = replanner.replan();
            } catch (InvalidInputException e) {
                log.error("reload refused, nothing changed: {}", String.join("; ", e.problems()));
                return CommandResult.refused("reload refused, the running services are untouched: " + String.join("; ", e.problems()));
            }
            plan = replan.plan();
            if (tls != null) {
                tls.use(plan.certificates());
            }
            List<String> restarted = new ArrayList<>();
            for (PlannedService p : replan.plan().services()) {
                ServiceRun s = services.get(p.id());
                if (s == null) {
                    continue; // a role's service set does not change by a reload of the same identity
                }
                s.planned = p;
                if (replan.changedServices().contains(p.id()) && s.state.running() && s.state != ServiceState.STOPPING) {
                    s.afterStop = AfterStop.RESTART;
                    requestedStop(s, "configuration changed");
                    restarted.add(p.id());
                }
            }
            log.info("reload: {}", restarted.isEmpty() ? "no running service's configuration changed" : "restarting " + String.join(", ", restarted));
            return CommandResult.ok(restarted.isEmpty() ? "reloaded; no running service's configuration changed"
                    : "reloaded; restarting " + String.join(", ", restarted));
        });
    }

    /**
     * The supervision loop makes progress and no service has FAILED. A node with a FAILED service must
     * not look alive to its orchestrator: the agent has given up on that service, and restarting the
     * whole container (Kubernetes' liveness probe, Docker's restart policy on an unhealthy container) is
     * what is left to try.
     */
    @Override
    public boolean alive() {
        return !terminated.isDone() && loop.nowMillis() - lastTick < ALIVE_WINDOW.toMillis() && failed.isEmpty();
    }

    /** Runs a command on one service, on the loop: unknown services (and, if asked, a stopping agent) are refused. */
    private CommandResult onService(String service, boolean refuseWhileStopping, Function<ServiceRun, CommandResult> command) {
        return onLoop(() -> {
            ServiceRun s = services.get(service);
            if (s == null) {
                return CommandResult.refused("no service '" + service + "' on this node");
            }
            if (refuseWhileStopping && stopping) {
                return CommandResult.refused("the agent is stopping");
            }
            return command.apply(s);
        });
    }

    /** The services of this node that wait for {@code service} and still run. */
    private List<String> runningDependents(String service) {
        return services.values().stream()
                .filter(d -> d.planned.localWaits().contains(service) && d.state.running())
                .map(ServiceRun::id)
                .toList();
    }

    private <T> T onLoop(Callable<T> task) {
        if (loop.inLoop()) {
            try {
                return task.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.post(() -> {
            try {
                f.complete(task.call());
            } catch (Exception | Error e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the supervisor", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the supervisor did not answer within " + COMMAND_TIMEOUT.toSeconds() + " s", e);
        }
    }


    private static void stopProbing(ServiceRun s) {
        if (s.prober != null) {
            s.prober.stop();
        }
    }
}
