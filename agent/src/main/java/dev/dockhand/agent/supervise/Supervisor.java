package dev.dockhand.agent.supervise;

import dev.dockhand.agent.protocol.ServiceState;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.plan.NodePlan.PlannedService;
import dev.dockhand.agent.plan.NodePlan.RemoteDependency;
import dev.dockhand.agent.process.ProcessLauncher;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervises this node's services (see package-info for the contract). All state lives on the
 * {@link Loop}'s one thread; process exits, probe results, timers and control commands arrive there
 * as tasks, so a dependent starts in the same task in which its dependency becomes ready.
 *
 * <p>What is the node's is here: which service may start now (its local and remote waits, a broker's
 * old ZooKeeper registration), the order of the node's stop, what a FAILED service means for the node,
 * reload and the operator's commands. One service's lifecycle is {@link ServiceLifecycle} (and its wait
 * at the stop gate, {@link GatedStop}); the certificates' renewal is {@link CertificateRenewal}.
 */
public final class Supervisor implements SupervisorControl {
    private static final Logger log = LoggerFactory.getLogger("dev.dockhand.agent.supervise");
    /** The loop ticks this often; {@link #alive()} is false after {@link #ALIVE_WINDOW} without a tick. */
    static final Duration TICK = Duration.ofSeconds(1);
    static final Duration ALIVE_WINDOW = Duration.ofSeconds(15);
    /** Bound of a control command waiting for the loop. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

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
    private final Map<String, ServiceLifecycle> services = new LinkedHashMap<>();
    private final Map<String, RemoteQuorum> remotes = new LinkedHashMap<>();
    /** Holds a ZooKeeper-mode broker's start while its previous process's registration is still there. */
    private final RegistrationWait registrations;
    private final CertificateRenewal renewal;
    private boolean started;
    private boolean stopping;
    private int exitCode;
    private volatile long lastTick;
    /** Ids of the services now FAILED; read by {@link #alive()} off the loop. */
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    /** Moves the transition table does not have, since the start: a bug, shown in status and metrics. */
    private final AtomicLong illegalMoves = new AtomicLong();
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
        this.registrations = new RegistrationWait(loop, probes,
                (r, timeout) -> RegistrationWait.askZooKeeper(r, timeout, tls == null ? null : tls.remote()), this::evaluate);
        ServiceLifecycle.Node node = new NodeView();
        this.renewal = new CertificateRenewal(node, replanner, services, this::use);
        for (PlannedService p : plan.services()) {
            services.put(p.id(), new ServiceLifecycle(node, p));
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
            renewal.schedule();
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

    // ---------------------------------------------------------------- what the services' lifecycles ask of the node

    /** The node as a service's lifecycle sees it: kept off the supervisor's public surface. */
    private final class NodeView implements ServiceLifecycle.Node {
        @Override
        public Loop loop() {
            return loop;
        }

        @Override
        public ProcessLauncher launcher() {
            return launcher;
        }

        @Override
        public ProbeRunner probes() {
            return probes;
        }

        @Override
        public NodePlan plan() {
            return plan;
        }

        @Override
        public NodeTlsContext tls() {
            return tls;
        }

        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public void evaluate() {
            Supervisor.this.evaluate();
        }

        @Override
        public void stopNext() {
            Supervisor.this.stopNext();
        }

        @Override
        public void failed(ServiceLifecycle s) {
            Supervisor.this.failed(s);
        }

        @Override
        public void moved(ServiceLifecycle s, ServiceState from, ServiceState to, boolean legal) {
            if (!legal) {
                illegalMoves.incrementAndGet();
            } else if (to == ServiceState.FAILED) {
                failed.add(s.id());
            } else {
                failed.remove(s.id());
            }
        }
    }

    /** Puts a new plan in force (a reload's, a renewal's): the probes use its certificates from now on. */
    private void use(NodePlan next) {
        plan = next;
        if (tls != null) {
            tls.use(plan.certificates());
        }
    }

    private void failed(ServiceLifecycle s) {
        boolean stopsNode = s.planned.spec().restart().failStopsAgent();
        log.error("{}: FAILED; {}", s.id(), stopsNode ? "the catalog says a failure of this service stops the node: stopping every service"
                : "the other services go on; `agent start " + s.id() + "` tries again");
        if (stopsNode) {
            exitCode = 1;
            beginStop();
        }
    }

    // ---------------------------------------------------------------- which service may start (loop thread)

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
        for (ServiceLifecycle s : services.values()) {
            if (s.state != ServiceState.PENDING || s.manualStop) {
                continue;
            }
            String waiting = unreadyWaits(s);
            String held = waiting.isEmpty() ? registrations.hold(s) : null;
            if (held != null) {
                s.reason = held;
            } else if (waiting.isEmpty()) {
                if (NodePlan.waitsForMigration(s.planned)) {
                    passedMigrationPrecondition(s);
                }
                s.prepareOrSpawn();
            } else {
                s.reason = "waiting for " + waiting;
            }
        }
    }

    private String unreadyWaits(ServiceLifecycle s) {
        List<String> out = new ArrayList<>();
        for (String w : s.planned.localWaits()) {
            ServiceLifecycle dep = services.get(w);
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
    private void passedMigrationPrecondition(ServiceLifecycle s) {
        try {
            java.nio.file.Files.deleteIfExists(plan.migrationMarker(s.planned.spec().id()));
        } catch (java.io.IOException e) {
            log.warn("{}: cannot remove {} ({}): its next start waits for the migration precondition again", s.planned.spec().id(),
                    plan.migrationMarker(s.planned.spec().id()), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- the node's stop (loop thread)

    private void beginStop() {
        renewal.cancel();
        if (stopping) {
            List<String> waiting = services.values().stream().filter(x -> x.state == ServiceState.STOPPING)
                    .map(x -> x.id() + " (" + (loop.nowMillis() - x.stoppingSinceMono) / 1000 + " s of "
                            + x.planned.spec().stop().grace().toSeconds() + " s grace)")
                    .toList();
            log.info("stop requested again: still stopping{}; each service keeps its grace",
                    waiting.isEmpty() ? "" : " " + String.join(", ", waiting));
            // the orchestrator insists: a stop that waits until it is safe goes ahead now
            for (ServiceLifecycle x : services.values()) {
                if (x.waitingAtGate()) {
                    x.gate.skip("stop requested again");
                }
            }
            return;
        }
        stopping = true;
        log.info("stopping every service in reverse dependency order");
        for (ServiceLifecycle s : services.values()) {
            s.stopBeforeItRuns("agent stopping while it was preparing; its step was killed", "agent stopping before it started");
        }
        stopNext();
    }

    /** Stops every running service none of whose local dependents still runs; terminates when none runs. */
    private void stopNext() {
        for (ServiceLifecycle s : services.values()) {
            if (!s.state.running() || s.state == ServiceState.STOPPING) {
                continue;
            }
            if (runningDependents(s.id()).isEmpty()) {
                s.requestedStop("agent stopping");
            }
        }
        if (services.values().stream().noneMatch(x -> x.state.running()) && !terminated.isDone()) {
            remotes.values().forEach(RemoteQuorum::stop);
            log.info("every service stopped; agent exits {}", exitCode);
            terminated.complete(exitCode);
        }
    }

    // ---------------------------------------------------------------- control (any thread)

    @Override
    public AgentSnapshot snapshot() {
        return onLoop(() -> Snapshots.of(plan, services.values(), remotes.values(), stopping, agentPid, startedEpoch,
                loop.nowMillis() - startedMono, agentRss.getAsLong(), loop.nowMillis(), illegalMoves.get()));
    }

    @Override
    public CommandResult start(String service) {
        return onService(service, true, ServiceLifecycle::operatorStart);
    }

    @Override
    public CommandResult stop(String service, boolean force) {
        // a stop while the agent itself stops is harmless: it only marks the service as stopped by the operator
        return onService(service, false, s -> s.operatorStop(force, runningDependents(service)));
    }

    @Override
    public CommandResult restart(String service) {
        return onService(service, true, ServiceLifecycle::operatorRestart);
    }

    @Override
    public CommandResult reload() {
        return onLoop(() -> {
            if (stopping) {
                return CommandResult.refused("the agent is stopping");
            }
            if (renewal.renewing()) {
                return CommandResult.refused("the node's certificates are being renewed; reload again in a few seconds");
            }
            NodePlan.Replan replan;
            try {
                replan = replanner.replan();
            } catch (InvalidInputException e) {
                log.error("reload refused, nothing changed: {}", String.join("; ", e.problems()));
                return CommandResult.refused("reload refused, the running services are untouched: " + String.join("; ", e.problems()));
            }
            use(replan.plan());
            List<String> restarted = new ArrayList<>();
            for (PlannedService p : replan.plan().services()) {
                ServiceLifecycle s = services.get(p.id());
                if (s == null) {
                    continue; // a role's service set does not change by a reload of the same identity
                }
                s.planned = p;
                if (replan.changedServices().contains(p.id()) && s.configurationChanged()) {
                    restarted.add(p.id());
                }
            }
            evaluate();
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
    private CommandResult onService(String service, boolean refuseWhileStopping, Function<ServiceLifecycle, CommandResult> command) {
        return onLoop(() -> {
            ServiceLifecycle s = services.get(service);
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
                .map(ServiceLifecycle::id)
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
}
