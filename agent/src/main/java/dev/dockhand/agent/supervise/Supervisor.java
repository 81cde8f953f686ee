package dev.dockhand.agent.supervise;

import dev.dockhand.agent.InvalidInputException;
import dev.dockhand.agent.catalog.HealthSpec;
import dev.dockhand.agent.catalog.RestartSpec;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.health.HealthCheck;
import dev.dockhand.agent.health.HealthResult;
import dev.dockhand.agent.health.Probes;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.process.LaunchException;
import dev.dockhand.agent.process.LaunchSpec;
import dev.dockhand.agent.process.ProcessLauncher;
import dev.dockhand.agent.process.RunningProcess;
import dev.dockhand.agent.supervise.AgentSnapshot.DependencySnapshot;
import dev.dockhand.agent.supervise.AgentSnapshot.ProbeSnapshot;
import dev.dockhand.agent.supervise.AgentSnapshot.ServiceSnapshot;
import dev.dockhand.agent.supervise.NodePlan.PlannedService;
import dev.dockhand.agent.supervise.NodePlan.RemoteDependency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervises this node's services (see package-info for the contract). All state lives on the
 * {@link Loop}'s one thread; process exits, probe results, timers and control commands arrive there
 * as tasks, so a dependent starts in the same task in which its dependency becomes ready.
 */
public final class Supervisor implements SupervisorControl {
    private static final Logger log = LoggerFactory.getLogger("dev.dockhand.agent.supervise");
    /** How often a remote dependency is probed again once it is ready (for status only). */
    static final Duration REMOTE_READY_INTERVAL = Duration.ofSeconds(5);
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

    private final Loop loop;
    private final ProcessLauncher launcher;
    private final ProbeRunner probes;
    private final NodePlan.Replanner replanner;
    private final int agentPid;
    private final LongSupplier agentRss;
    private final long startedEpoch;
    private final long startedMono;

    private NodePlan plan;
    private final Map<String, Svc> services = new LinkedHashMap<>();
    private final Map<String, Remote> remotes = new LinkedHashMap<>();
    private boolean started;
    private boolean stopping;
    private int exitCode;
    private volatile long lastTick;
    private final CompletableFuture<Integer> terminated = new CompletableFuture<>();

    /**
     * @param plan what to run
     * @param launcher spawns and reaps the services
     * @param probes where probes run
     * @param replanner re-renders for reload
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
        for (PlannedService p : plan.services()) {
            services.put(p.id(), new Svc(p));
            for (RemoteDependency d : p.remoteWaits()) {
                remotes.putIfAbsent(d.service(), new Remote(d));
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
            remotes.values().forEach(this::probeRemote);
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
        for (Svc s : services.values()) {
            if (s.state != ServiceState.PENDING || s.manualStop) {
                continue;
            }
            String waiting = unreadyWaits(s);
            if (waiting.isEmpty()) {
                spawn(s);
            } else {
                s.reason = "waiting for " + waiting;
            }
        }
    }

    private String unreadyWaits(Svc s) {
        List<String> out = new ArrayList<>();
        for (String w : s.planned.localWaits()) {
            Svc dep = services.get(w);
            if (dep == null || !dep.satisfies()) {
                out.add(w);
            }
        }
        for (RemoteDependency d : s.planned.remoteWaits()) {
            Remote r = remotes.get(d.service());
            if (!r.ready) {
                out.add(d.service() + " (" + r.detail + ")");
            }
        }
        return String.join(", ", out);
    }

    private void spawn(Svc s) {
        PlannedService p = s.planned;
        ServiceSpec spec = p.spec();
        s.generation++;
        s.failures = 0;
        int gen = s.generation;
        try {
            s.process = launcher.launch(
                    new LaunchSpec(p.id(), p.argv(), p.env(), p.workDir(), spec.user(), logFile(p), logMax(p), true),
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
        if (h.type().equals("none")) {
            moveTo(s, ServiceState.READY, "running (no probe declared)");
            armReset(s, gen);
            evaluate();
            return;
        }
        s.startupTimer = loop.schedule(h.startupTimeout(), () -> startupTimedOut(s, gen));
        String host = p.probeHost();
        int port = h.port() == null ? spec.port() : h.port();
        s.prober = new Prober(loop, probes, p.id(), () -> check(s, h, host, port), r -> probed(s, gen, r));
        s.prober.schedule(Duration.ZERO, startingInterval(h.interval()), true);
    }

    private HealthResult check(Svc s, HealthSpec h, String host, int port) {
        if (h.type().equals("exec")) {
            return execProbe(s.planned, h);
        }
        return Probes.of(h).check(host, port, h.timeout());
    }

    private void probed(Svc s, int gen, HealthResult r) {
        if (gen != s.generation || !s.state.running() || s.state == ServiceState.STOPPING) {
            return;
        }
        s.lastProbe = r;
        s.lastProbeEpoch = loop.epochMillis();
        HealthSpec h = s.planned.spec().health();
        switch (s.state) {
            case STARTING -> {
                if (r.ok()) {
                    cancel(s.startupTimer);
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
                        moveTo(s, ServiceState.READY, "probe passes again: " + r.detail());
                    }
                } else if (++s.failures >= h.failureThreshold() && s.state == ServiceState.READY) {
                    moveTo(s, ServiceState.UNHEALTHY, s.failures + " probes failed: " + r.detail());
                    if (h.restartWhenUnhealthy()) {
                        s.afterStop = AfterStop.CRASH;
                        stopProcess(s, "restarting: unhealthy");
                        return;
                    }
                }
            }
            default -> {
                // not probed in other states
            }
        }
    }

    private static Duration startingInterval(Duration interval) {
        return interval.compareTo(STARTING_PROBE_INTERVAL) < 0 ? interval : STARTING_PROBE_INTERVAL;
    }

    private void startupTimedOut(Svc s, int gen) {
        if (gen != s.generation || s.state != ServiceState.STARTING) {
            return;
        }
        String why = "not ready within its startup timeout of " + s.planned.spec().health().startupTimeout().toSeconds() + " s"
                + (s.lastProbe == null ? "" : " (last probe: " + s.lastProbe.detail() + ")");
        log.warn("{}: {}; stopping it", s.planned.id(), why);
        s.afterStop = AfterStop.CRASH;
        s.crashReason = why;
        stopProcess(s, why);
    }

    private void exited(Svc s, int gen, int pid, ExitStatus status) {
        if (gen != s.generation || s.process == null || s.process.pid() != pid) {
            return;
        }
        stopProbing(s);
        cancel(s.startupTimer);
        cancel(s.killTimer);
        cancel(s.resetTimer);
        s.process = null;
        if (s.state == ServiceState.STOPPING) {
            AfterStop after = s.afterStop;
            s.afterStop = AfterStop.NOTHING;
            if (stopping || s.manualStop || after == AfterStop.NOTHING) {
                moveTo(s, ServiceState.STOPPED, "stopped (" + status + ")");
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
    private void crashed(Svc s, String why, boolean success) {
        RestartSpec r = s.planned.spec().restart();
        s.crashReason = null;
        if (stopping) {
            moveTo(s, ServiceState.STOPPED, why);
            stopNext();
            return;
        }
        if (r.policy().equals("never") || (r.policy().equals("on-failure") && success)) {
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
        s.backoffTimer = loop.schedule(delay, () -> {
            if (s.state == ServiceState.BACKOFF && gen == s.generation && !stopping) {
                moveTo(s, ServiceState.PENDING, "restarting");
                evaluate();
            }
        });
    }

    private void failed(Svc s) {
        log.error("{}: FAILED; {}", s.planned.id(), s.planned.spec().restart().failStopsAgent()
                ? "the catalog says a failure of this service stops the node: stopping every service"
                : "the other services go on; `agent start " + s.planned.id() + "` tries again");
        if (s.planned.spec().restart().failStopsAgent()) {
            exitCode = 1;
            beginStop();
        }
    }

    /** A READY service that stays up for resetAfter starts a fresh crash-loop count. */
    private void armReset(Svc s, int gen) {
        cancel(s.resetTimer);
        s.resetTimer = loop.schedule(s.planned.spec().restart().resetAfter(), () -> {
            if (gen == s.generation && s.state == ServiceState.READY && s.attempt > 0) {
                log.info("{}: stable for {} s; crash-loop count reset", s.planned.id(),
                        s.planned.spec().restart().resetAfter().toSeconds());
                s.attempt = 0;
            }
        });
    }

    private void stopProcess(Svc s, String why) {
        if (s.process == null) {
            return;
        }
        stopProbing(s);
        cancel(s.startupTimer);
        Signal signal = Signal.parse(s.planned.spec().stop().signal());
        Duration grace = s.planned.spec().stop().grace();
        moveTo(s, ServiceState.STOPPING, why + ": " + "SIG" + signal.name() + ", SIGKILL after " + grace.toSeconds() + " s");
        s.stoppingSinceMono = loop.nowMillis();
        RunningProcess p = s.process;
        int gen = s.generation;
        p.signal(signal);
        s.killTimer = loop.schedule(grace, () -> {
            if (gen == s.generation && s.state == ServiceState.STOPPING && s.process == p) {
                log.warn("{}: still running {} s after SIG{}; sending SIGKILL to its process group", s.planned.id(),
                        grace.toSeconds(), signal.name());
                p.signal(Signal.KILL);
                // a process stuck in the kernel (uninterruptible I/O) may not die even then: do not let it
                // hold the whole node's stop forever
                s.killTimer = loop.schedule(KILL_WAIT, () -> {
                    if (gen == s.generation && s.state == ServiceState.STOPPING && s.process == p) {
                        log.error("{}: pid {} did not exit {} s after SIGKILL; giving up on it", s.planned.id(), p.pid(),
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

    private void beginStop() {
        if (stopping) {
            List<String> waiting = services.values().stream().filter(x -> x.state == ServiceState.STOPPING)
                    .map(x -> x.planned.id() + " (" + (loop.nowMillis() - x.stoppingSinceMono) / 1000 + " s of "
                            + x.planned.spec().stop().grace().toSeconds() + " s grace)")
                    .toList();
            log.info("stop requested again: still stopping{}; each service keeps its grace",
                    waiting.isEmpty() ? "" : " " + String.join(", ", waiting));
            return;
        }
        stopping = true;
        log.info("stopping every service in reverse dependency order");
        for (Svc s : services.values()) {
            if (s.state == ServiceState.PENDING || s.state == ServiceState.BACKOFF) {
                cancel(s.backoffTimer);
                moveTo(s, ServiceState.STOPPED, "agent stopping before it started");
            }
        }
        stopNext();
    }

    /** Stops every running service none of whose local dependents still runs; terminates when none runs. */
    private void stopNext() {
        for (Svc s : services.values()) {
            if (!s.state.running() || s.state == ServiceState.STOPPING) {
                continue;
            }
            if (runningDependents(s.planned.id()).isEmpty()) {
                stopProcess(s, "agent stopping");
            }
        }
        if (services.values().stream().noneMatch(x -> x.state.running()) && !terminated.isDone()) {
            remotes.values().forEach(r -> r.probers.forEach(Prober::stop));
            log.info("every service stopped; agent exits {}", exitCode);
            terminated.complete(exitCode);
        }
    }

    private void moveTo(Svc s, ServiceState to, String reason) {
        ServiceState from = s.state;
        s.state = to;
        s.reason = reason;
        if (from != to) {
            if (to == ServiceState.FAILED || to == ServiceState.UNHEALTHY) {
                log.warn("{}: {} -> {} ({})", s.planned.id(), from, to, reason);
            } else {
                log.info("{}: {} -> {} ({})", s.planned.id(), from, to, reason);
            }
        }
    }

    // ---------------------------------------------------------------- remote dependencies

    /** One prober per endpoint, hedged until the dependency is ready; ready as soon as enough endpoints pass. */
    private void probeRemote(Remote r) {
        if (stopping) {
            return;
        }
        HealthSpec h = r.dep.probe();
        if (h.type().equals("none") || h.type().equals("exec")) {
            // nothing to ask over the network: an accepting port is what "ready" can mean from here
            h = new HealthSpec("tcp", h.port(), null, null, null, List.of(), h.interval(), h.timeout(), h.failureThreshold(),
                    h.startupTimeout(), false);
        }
        HealthCheck check = Probes.of(h);
        Duration timeout = h.timeout();
        for (NodePlan.Endpoint e : r.dep.endpoints()) {
            Prober prober = new Prober(loop, probes, r.dep.service() + "@" + e, () -> check.check(e.host(), e.port(), timeout),
                    res -> remoteAnswered(r, e, res));
            r.probers.add(prober);
            prober.schedule(Duration.ZERO, startingInterval(r.dep.probe().interval()), true);
        }
    }

    private void remoteAnswered(Remote r, NodePlan.Endpoint e, HealthResult res) {
        r.answers.put(e.toString(), res);
        long ok = r.answers.values().stream().filter(HealthResult::ok).count();
        boolean ready = ok >= r.dep.required();
        if (!ready && !r.ready && r.answers.size() < r.dep.endpoints().size()) {
            return; // not every endpoint has answered yet: nothing to say
        }
        String before = r.detail;
        r.detail = ok + "/" + r.dep.endpoints().size() + " answered" + (r.dep.required() > 1 ? ", " + r.dep.required() + " needed" : "");
        if (ready != r.ready) {
            r.ready = ready;
            String who = r.answers.entrySet().stream().map(x -> x.getKey() + " " + x.getValue().detail()).collect(Collectors.joining("; "));
            if (ready) {
                log.info("remote {} ready: {} ({})", r.dep.service(), r.detail, who);
            } else {
                log.warn("remote {} not ready: {} ({})", r.dep.service(), r.detail, who);
            }
            // ready: every REMOTE_READY_INTERVAL, for status; not ready: hedged, to see it back soon
            Duration next = ready ? REMOTE_READY_INTERVAL : startingInterval(r.dep.probe().interval());
            r.probers.forEach(p -> p.schedule(next, next, !ready));
            evaluate();
        } else if (!r.detail.equals(before)) {
            // the waiting services' reasons quote the detail ("waiting for zookeeper (1/3 answered...)")
            evaluate();
        }
    }

    // ---------------------------------------------------------------- exec probes

    private HealthResult execProbe(PlannedService p, HealthSpec h) {
        long start = System.nanoTime();
        CountDownLatch done = new CountDownLatch(1);
        ExitStatus[] status = new ExitStatus[1];
        RunningProcess proc;
        try {
            proc = launcher.launch(new LaunchSpec(p.id() + "-probe", h.command(), p.env(), p.workDir(), p.spec().user(), null, 0, true),
                    (pid, st) -> {
                        status[0] = st;
                        done.countDown();
                    });
        } catch (LaunchException e) {
            return HealthResult.failed("cannot run probe: " + e.getMessage(), (System.nanoTime() - start) / 1_000_000);
        }
        try {
            if (!done.await(h.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                proc.signal(Signal.KILL);
                return HealthResult.failed("probe command timed out after " + h.timeout().toMillis() + " ms",
                        (System.nanoTime() - start) / 1_000_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            proc.signal(Signal.KILL);
            return HealthResult.failed("interrupted", 0);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        return status[0].success() ? HealthResult.ok("probe command: exit 0", ms) : HealthResult.failed("probe command: " + status[0], ms);
    }

    // ---------------------------------------------------------------- control (any thread)

    @Override
    public AgentSnapshot snapshot() {
        return onLoop(this::takeSnapshot);
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
            if (s.state.running() || s.state == ServiceState.PENDING || s.state == ServiceState.BACKOFF) {
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
            if (s.state == ServiceState.PENDING || s.state == ServiceState.BACKOFF) {
                cancel(s.backoffTimer);
                moveTo(s, ServiceState.STOPPED, "stopped by the operator before it started");
                return CommandResult.ok("stopped " + service);
            }
            if (!s.state.running()) {
                return CommandResult.ok(service + " is already " + s.state);
            }
            if (s.state != ServiceState.STOPPING) {
                s.afterStop = AfterStop.NOTHING;
                stopProcess(s, "stopped by the operator");
            }
            return CommandResult.ok("stopping " + service + (dependents.isEmpty() ? "" : " (forced; still running: " + String.join(", ", dependents) + ")"));
        });
    }

    @Override
    public CommandResult restart(String service) {
        return onService(service, true, s -> {
            s.manualStop = false;
            s.attempt = 0;
            if (s.state.running() && s.state != ServiceState.STOPPING) {
                s.afterStop = AfterStop.RESTART;
                stopProcess(s, "restart requested");
                return CommandResult.ok("restarting " + service);
            }
            if (s.state == ServiceState.STOPPING) {
                s.afterStop = AfterStop.RESTART;
                return CommandResult.ok(service + " is stopping; it starts again after");
            }
            cancel(s.backoffTimer);
            moveTo(s, ServiceState.PENDING, "restart requested");
            evaluate();
            return CommandResult.ok("starting " + service);
        });
    }

    @Override
    public CommandResult reload() {
        return onLoop(() -> {
            if (stopping) {
                return CommandResult.refused("the agent is stopping");
            }
            NodePlan.Replan replan;
            try {
                replan = replanner.replan();
            } catch (InvalidInputException e) {
                log.error("reload refused, nothing changed: {}", String.join("; ", e.problems()));
                return CommandResult.refused("reload refused, the running services are untouched: " + String.join("; ", e.problems()));
            }
            plan = replan.plan();
            List<String> restarted = new ArrayList<>();
            for (PlannedService p : replan.plan().services()) {
                Svc s = services.get(p.id());
                if (s == null) {
                    continue; // a role's service set does not change by a reload of the same identity
                }
                s.planned = p;
                if (replan.changedServices().contains(p.id()) && s.state.running() && s.state != ServiceState.STOPPING) {
                    s.afterStop = AfterStop.RESTART;
                    stopProcess(s, "configuration changed");
                    restarted.add(p.id());
                }
            }
            log.info("reload: {}", restarted.isEmpty() ? "no running service's configuration changed" : "restarting " + String.join(", ", restarted));
            return CommandResult.ok(restarted.isEmpty() ? "reloaded; no running service's configuration changed"
                    : "reloaded; restarting " + String.join(", ", restarted));
        });
    }

    @Override
    public boolean alive() {
        return !terminated.isDone() && loop.nowMillis() - lastTick < ALIVE_WINDOW.toMillis();
    }

    /** Runs a command on one service, on the loop: unknown services (and, if asked, a stopping agent) are refused. */
    private CommandResult onService(String service, boolean refuseWhileStopping, java.util.function.Function<Svc, CommandResult> command) {
        return onLoop(() -> {
            Svc s = services.get(service);
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
                .map(d -> d.planned.id())
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

    /** The service's port, then its metrics port (the ones of the two that it has). */
    private static List<Integer> ports(ServiceSpec spec) {
        List<Integer> ports = new ArrayList<>(2);
        if (spec.port() > 0) {
            ports.add(spec.port());
        }
        if (spec.metricsPort() > 0) {
            ports.add(spec.metricsPort());
        }
        return ports;
    }

    private AgentSnapshot takeSnapshot() {
        long now = loop.nowMillis();
        List<ServiceSnapshot> list = new ArrayList<>();
        for (Svc s : services.values()) {
            ProbeSnapshot probe = s.lastProbe == null ? null
                    : new ProbeSnapshot(s.lastProbe.ok(), s.lastProbe.detail(), s.lastProbe.latencyMs(), s.lastProbeEpoch);
            list.add(new ServiceSnapshot(s.planned.id(), s.state, s.reason, s.process == null ? 0 : s.process.pid(),
                    s.process == null ? 0 : now - s.startedMono, s.restarts, ports(s.planned.spec()), probe));
        }
        List<DependencySnapshot> deps = remotes.values().stream()
                .map(r -> new DependencySnapshot(r.dep.service(), r.dep.endpoints().stream().map(NodePlan.Endpoint::host).toList(),
                        r.ready, r.detail))
                .toList();
        boolean ready = !services.isEmpty() && services.values().stream().allMatch(Svc::satisfies) && !stopping;
        String state;
        if (stopping) {
            state = "STOPPING";
        } else if (ready) {
            state = "READY";
        } else if (services.values().stream().anyMatch(s -> s.state == ServiceState.FAILED || s.state == ServiceState.UNHEALTHY
                || (s.state == ServiceState.STOPPED && s.manualStop))) {
            state = "DEGRADED";
        } else {
            state = "STARTING";
        }
        NodePlan.NodeInfo n = plan.node();
        return new AgentSnapshot(n.role(), n.nodeId(), n.fqdn(), n.clusterName(), n.clusterConfig(), agentPid, startedEpoch,
                now - startedMono, agentRss.getAsLong(), state, ready, list, deps, plan.renderedFiles());
    }

    private static java.nio.file.Path logFile(PlannedService p) {
        return p.spec().log() == null || p.spec().log().file() == null ? null : p.workDir().resolve(p.spec().log().file());
    }

    private static long logMax(PlannedService p) {
        return p.spec().log() == null ? 0 : p.spec().log().maxBytes();
    }

    private static void stopProbing(Svc s) {
        if (s.prober != null) {
            s.prober.stop();
        }
    }

    private static void cancel(Loop.Timer t) {
        if (t != null) {
            t.cancel();
        }
    }

    private enum AfterStop { NOTHING, RESTART, CRASH }

    /** One service's runtime state; touched on the loop thread only. */
    private static final class Svc {
        PlannedService planned;
        ServiceState state = ServiceState.PENDING;
        String reason = "waiting to start";
        RunningProcess process;
        int generation;
        long startedMono;
        long stoppingSinceMono;
        int restarts;
        int attempt;
        int failures;
        boolean manualStop;
        AfterStop afterStop = AfterStop.NOTHING;
        String crashReason;
        HealthResult lastProbe;
        long lastProbeEpoch;
        /** The probe of the current generation, while it runs; null before the first start. */
        Prober prober;
        Loop.Timer startupTimer;
        Loop.Timer backoffTimer;
        Loop.Timer killTimer;
        Loop.Timer resetTimer;

        Svc(PlannedService planned) {
            this.planned = planned;
        }

        /** Whether dependents may rely on it: READY, or a one-shot step that EXITED cleanly. */
        boolean satisfies() {
            return state == ServiceState.READY || state == ServiceState.EXITED;
        }
    }

    /** A dependency served by other nodes, probed there. */
    private static final class Remote {
        final RemoteDependency dep;
        boolean ready;
        String detail = "not probed yet";
        /** The last answer of each endpoint that has answered. */
        final Map<String, HealthResult> answers = new LinkedHashMap<>();
        final List<Prober> probers = new ArrayList<>();

        Remote(RemoteDependency dep) {
            this.dep = dep;
        }
    }
}
