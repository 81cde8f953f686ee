package dev.dockhand.agent.supervise;

import dev.dockhand.agent.protocol.ServiceState;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.health.KafkaQuorumState;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.protocol.AgentSnapshot.DependencySnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ProbeSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** What `agent status` shows, taken from the supervisor's state on its loop thread. */
final class Snapshots {
    private Snapshots() {}

    static AgentSnapshot of(NodePlan plan, Collection<ServiceLifecycle> services, Collection<RemoteQuorum> remotes, boolean stopping,
            int agentPid, long startedEpoch, long uptimeMs, long rss, long nowMono, long illegalMoves) {
        List<ServiceSnapshot> list = new ArrayList<>();
        for (ServiceLifecycle s : services) {
            ProbeSnapshot probe = s.lastProbe == null ? null
                    : new ProbeSnapshot(s.lastProbe.ok(), s.lastProbe.detail(), s.lastProbe.latencyMs(), s.lastProbeEpoch);
            java.time.Duration maxWait = s.planned.spec().stop().waitUntilSafe();
            AgentSnapshot.StopGateSnapshot gate = maxWait == null ? null
                    : new AgentSnapshot.StopGateSnapshot(s.waitingAtGate(), s.gate.waitedMs(nowMono),
                            maxWait.toMillis(), s.gate.detail(), s.gate.waits(), s.gate.unsafe());
            String reason = s.waitingAtGate()
                    ? "stop waits until it is safe (" + s.gate.waitedMs(nowMono) / 1000 + " s of " + maxWait.toSeconds() + " s): "
                            + (s.gate.detail() == null ? "asking" : s.gate.detail())
                    : s.reason;
            list.add(new ServiceSnapshot(s.id(), s.state, reason, s.process == null ? 0 : s.process.pid(),
                    s.process == null ? 0 : nowMono - s.startedMono, s.restarts, s.planned.spec().ports(plan.security()), probe, gate));
        }
        List<DependencySnapshot> deps = remotes.stream().map(RemoteQuorum::snapshot).toList();
        boolean ready = !services.isEmpty() && services.stream().allMatch(ServiceLifecycle::satisfies) && !stopping;
        String state;
        if (stopping) {
            state = "STOPPING";
        } else if (ready) {
            state = "READY";
        } else if (services.stream().anyMatch(s -> s.state == ServiceState.FAILED || s.state == ServiceState.UNHEALTHY
                || (s.state == ServiceState.STOPPED && s.manualStop))) {
            state = "DEGRADED";
        } else {
            state = "STARTING";
        }
        NodePlan.NodeInfo n = plan.node();
        return new AgentSnapshot(n.role(), n.nodeId(), n.fqdn(), n.clusterName(), n.clusterConfig(), agentPid, startedEpoch,
                uptimeMs, rss, state, ready, list, deps, plan.renderedFiles(),
                plan.security().id, certificates(plan), quorum(services), n.migrationPhase(), illegalMoves);
    }

    /** The quorum from the freshest probe of a local service that learnt it (a controller's). */
    private static AgentSnapshot.QuorumSnapshot quorum(Collection<ServiceLifecycle> services) {
        ServiceLifecycle from = null;
        for (ServiceLifecycle s : services) {
            if (s.lastProbe != null && s.lastProbe.quorum() != null && (from == null || s.lastProbeEpoch > from.lastProbeEpoch)) {
                from = s;
            }
        }
        if (from == null) {
            return null;
        }
        KafkaQuorumState q = from.lastProbe.quorum();
        return new AgentSnapshot.QuorumSnapshot(q.leaderId(), q.leaderEpoch(), q.highWatermark(), q.voters().stream()
                .map(v -> new AgentSnapshot.VoterSnapshot(v.id(), v.logEndOffset(), v.lag(), v.lastFetchMsAgo(), v.lastCaughtUpMsAgo()))
                .toList(), from.lastProbeEpoch);
    }

    private static List<AgentSnapshot.CertificateSnapshot> certificates(NodePlan plan) {
        var c = plan.certificates();
        if (c == null) {
            return List.of();
        }
        List<AgentSnapshot.CertificateSnapshot> out = new ArrayList<>();
        out.add(certificate("node", c.node()));
        if (c.zooKeeperClient() != null) {
            out.add(certificate("zookeeper-client", c.zooKeeperClient()));
        }
        // the trusted CAs: their ends are the operator's to watch (no renewal: a rotation, docs/security.md)
        for (var ca : c.trust().cas()) {
            out.add(new AgentSnapshot.CertificateSnapshot(AgentSnapshot.CertificateSnapshot.CA, ca.getSubjectX500Principal().getName(),
                    ca.getSerialNumber().toString(16), ca.getNotAfter().getTime(), 0));
        }
        return out;
    }

    private static AgentSnapshot.CertificateSnapshot certificate(String use, dev.dockhand.agent.security.NodeTls t) {
        return new AgentSnapshot.CertificateSnapshot(use, t.certificate().getSubjectX500Principal().getName(),
                t.certificate().getSerialNumber().toString(16), t.notAfter().toEpochMilli(), t.renewAt().toEpochMilli());
    }
}
