package dev.dockhand.agent.supervise;

import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.health.HealthCheck;
import dev.dockhand.agent.health.HealthResult;
import dev.dockhand.agent.health.ProbeTls;
import dev.dockhand.agent.health.Probes;
import dev.dockhand.agent.plan.NodePlan.Endpoint;
import dev.dockhand.agent.plan.NodePlan.RemoteDependency;
import dev.dockhand.agent.protocol.AgentSnapshot.DependencySnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dependency served by other nodes, probed there: one prober per endpoint, hedged until the
 * dependency is ready, and ready as soon as its quorum of endpoints passes (a majority for ZooKeeper),
 * without waiting for an endpoint that hangs. On the loop thread only.
 */
final class RemoteQuorum {
    private static final Logger log = LoggerFactory.getLogger("dev.dockhand.agent.supervise");
    /** How often a remote dependency is probed again once it is ready (for status only). */
    static final Duration READY_INTERVAL = Duration.ofSeconds(5);

    final RemoteDependency dep;
    private final Loop loop;
    private final ProbeRunner runner;
    private final Runnable onChange;
    private final ProbeTls tls;
    private boolean ready;
    private String detail = "not probed yet";
    /** The last answer of each endpoint that has answered. */
    private final Map<String, HealthResult> answers = new LinkedHashMap<>();
    private final List<Prober> probers = new ArrayList<>();

    /** @param onChange called (on the loop) when readiness, or the detail waiting services quote, changes */
    RemoteQuorum(RemoteDependency dep, Loop loop, ProbeRunner runner, Runnable onChange) {
        this(dep, loop, runner, onChange, null);
    }

    /** @param tls how to probe a secured cluster's nodes, or null for plaintext */
    RemoteQuorum(RemoteDependency dep, Loop loop, ProbeRunner runner, Runnable onChange, ProbeTls tls) {
        this.tls = tls;
        this.dep = dep;
        this.loop = loop;
        this.runner = runner;
        this.onChange = onChange;
    }

    boolean ready() {
        return ready;
    }

    String detail() {
        return detail;
    }

    void start() {
        HealthCheck check = Probes.of(dep.health().probe(), null, tls);
        Duration timeout = dep.health().timeout();
        for (Endpoint e : dep.endpoints()) {
            Prober prober = new Prober(loop, runner, dep.service() + "@" + e, () -> check.check(e.host(), e.port(), timeout),
                    res -> answered(e, res));
            probers.add(prober);
            prober.schedule(Duration.ZERO, ServiceLifecycle.startingInterval(dep.health().interval()), true);
        }
    }

    void stop() {
        probers.forEach(Prober::stop);
    }

    DependencySnapshot snapshot() {
        return new DependencySnapshot(dep.service(), dep.endpoints().stream().map(Endpoint::host).toList(), ready, detail);
    }

    private void answered(Endpoint e, HealthResult res) {
        answers.put(e.toString(), res);
        long ok = answers.values().stream().filter(HealthResult::ok).count();
        boolean nowReady = ok >= dep.required();
        if (!nowReady && !ready && answers.size() < dep.endpoints().size()) {
            return; // not every endpoint has answered yet: nothing to say
        }
        String before = detail;
        detail = ok + "/" + dep.endpoints().size() + " answered" + (dep.required() > 1 ? ", " + dep.required() + " needed" : "");
        if (!nowReady) {
            // a node that answers but says "not yet" says why (a migration's precondition): the waiting services quote it
            answers.values().stream().filter(r -> r.alive() && !r.ok()).findFirst().ifPresent(r -> detail += ": " + r.detail());
        } else if (dep.health().probe() instanceof dev.dockhand.agent.catalog.ProbeSpec.ZkMigration) {
            // the migration's state is what status shows of this dependency, not only that it holds
            answers.values().stream().filter(HealthResult::ok).findFirst().ifPresent(r -> detail += ": " + r.detail());
        }
        if (nowReady != ready) {
            ready = nowReady;
            String who = answers.entrySet().stream().map(x -> x.getKey() + " " + x.getValue().detail()).collect(Collectors.joining("; "));
            if (ready) {
                log.info("remote {} ready: {} ({})", dep.service(), detail, who);
            } else {
                log.warn("remote {} not ready: {} ({})", dep.service(), detail, who);
            }
            // ready: every READY_INTERVAL, for status; not ready: hedged, to see it back soon
            Duration next = ready ? READY_INTERVAL : ServiceLifecycle.startingInterval(dep.health().interval());
            probers.forEach(p -> p.schedule(next, next, !ready));
            onChange.run();
        } else if (!detail.equals(before)) {
            // the waiting services' reasons quote the detail ("waiting for zookeeper (1/3 answered...)")
            onChange.run();
        }
    }
}
