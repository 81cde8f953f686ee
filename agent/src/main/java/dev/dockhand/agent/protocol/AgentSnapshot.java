package dev.dockhand.agent.protocol;

import java.util.List;

/**
 * Everything `agent status` shows. Field names are the JSON contract of the control socket, the HTTP
 * {@code /status} endpoint and the console; add fields, never rename them.
 *
 * @param role this node's role
 * @param nodeId UNIQUE_SELF_NODE_INT
 * @param fqdn this node's FQDN
 * @param clusterName cluster name
 * @param clusterConfig active cluster config
 * @param agentPid the agent's pid (1 in a container)
 * @param startedAtMs epoch millis the agent started
 * @param uptimeMs agent uptime
 * @param rssBytes the agent's own resident memory
 * @param state overall: STARTING, READY, DEGRADED, STOPPING
 * @param ready every service of the role is READY (or EXITED for one-shot steps)
 * @param services every local service, in start order
 * @param dependencies remote dependencies (services of other nodes this node waits for)
 * @param renderedFiles files the last render wrote
 * @param security {@code tls} or {@code plaintext}: whether the node's listeners are secured
 * @param certificates a secured node's certificates in use (none on a plaintext node)
 * @param quorum the KRaft controller quorum as this node's controller last saw it, null on a node without one
 * @param migrationPhase the node's phase of the move from ZooKeeper to KRaft (AGENT_MIGRATION_PHASE), null outside one;
 *     what the controllers report of it is the detail of the {@code zk-migration} dependency while the node waits for it
 * @param illegalTransitions state changes the supervisor's transition table does not have, since the agent started: a
 *     bug of the agent, each refused and logged; 0 from an agent that did not count them
 */
public record AgentSnapshot(
        String role,
        int nodeId,
        String fqdn,
        String clusterName,
        String clusterConfig,
        int agentPid,
        long startedAtMs,
        long uptimeMs,
        long rssBytes,
        String state,
        boolean ready,
        List<ServiceSnapshot> services,
        List<DependencySnapshot> dependencies,
        List<String> renderedFiles,
        String security,
        List<CertificateSnapshot> certificates,
        QuorumSnapshot quorum,
        String migrationPhase,
        long illegalTransitions) {

    /** A snapshot without the count of illegal transitions (as agents before it sent). */
    public AgentSnapshot(String role, int nodeId, String fqdn, String clusterName, String clusterConfig, int agentPid, long startedAtMs,
            long uptimeMs, long rssBytes, String state, boolean ready, List<ServiceSnapshot> services, List<DependencySnapshot> dependencies,
            List<String> renderedFiles, String security, List<CertificateSnapshot> certificates, QuorumSnapshot quorum,
            String migrationPhase) {
        this(role, nodeId, fqdn, clusterName, clusterConfig, agentPid, startedAtMs, uptimeMs, rssBytes, state, ready, services, dependencies,
                renderedFiles, security, certificates, quorum, migrationPhase, 0);
    }

    /** A snapshot of a node outside a migration to KRaft. */
    public AgentSnapshot(String role, int nodeId, String fqdn, String clusterName, String clusterConfig, int agentPid, long startedAtMs,
            long uptimeMs, long rssBytes, String state, boolean ready, List<ServiceSnapshot> services, List<DependencySnapshot> dependencies,
            List<String> renderedFiles, String security, List<CertificateSnapshot> certificates, QuorumSnapshot quorum) {
        this(role, nodeId, fqdn, clusterName, clusterConfig, agentPid, startedAtMs, uptimeMs, rssBytes, state, ready, services, dependencies,
                renderedFiles, security, certificates, quorum, null);
    }

    /** A snapshot of a node that says nothing of its security (as agents before it did). */
    public AgentSnapshot(String role, int nodeId, String fqdn, String clusterName, String clusterConfig, int agentPid, long startedAtMs,
            long uptimeMs, long rssBytes, String state, boolean ready, List<ServiceSnapshot> services, List<DependencySnapshot> dependencies,
            List<String> renderedFiles) {
        this(role, nodeId, fqdn, clusterName, clusterConfig, agentPid, startedAtMs, uptimeMs, rssBytes, state, ready, services, dependencies,
                renderedFiles, null, null, null);
    }

    /** A snapshot of a node without a KRaft controller. */
    public AgentSnapshot(String role, int nodeId, String fqdn, String clusterName, String clusterConfig, int agentPid, long startedAtMs,
            long uptimeMs, long rssBytes, String state, boolean ready, List<ServiceSnapshot> services, List<DependencySnapshot> dependencies,
            List<String> renderedFiles, String security, List<CertificateSnapshot> certificates) {
        this(role, nodeId, fqdn, clusterName, clusterConfig, agentPid, startedAtMs, uptimeMs, rssBytes, state, ready, services, dependencies,
                renderedFiles, security, certificates, null);
    }

    /**
     * A certificate the node uses; never its key.
     *
     * @param use what it is for: {@code node} (every listener and the node's own clients) or
     *     {@code zookeeper-client} (the brokers' shared identity toward ZooKeeper)
     * @param subject its subject
     * @param serial its serial number, hex
     * @param notAfterMs epoch millis it expires
     * @param renewAtMs epoch millis the agent renews it
     */
    /**
     * A certificate of the node: its own ({@code node}, {@code zookeeper-client}), or a CA it trusts
     * ({@link #CA}: renewed by no one, {@code renewAtMs} 0).
     */
    public record CertificateSnapshot(String use, String subject, String serial, long notAfterMs, long renewAtMs) {
        public static final String CA = "ca";

        public boolean isCa() {
            return CA.equals(use);
        }
    }

    /**
     * The KRaft controller quorum, as its leader described it to this node's controller probe.
     *
     * @param leaderId the leader's node id
     * @param leaderEpoch its epoch (grows with every election)
     * @param highWatermark the committed end of the metadata log
     * @param voters every voter, the leader among them
     * @param atMs epoch millis of the probe that learnt it
     */
    public record QuorumSnapshot(int leaderId, int leaderEpoch, long highWatermark, List<VoterSnapshot> voters, long atMs) {}

    /**
     * @param id the voter's node id
     * @param logEndOffset its metadata log end offset as the leader knows it, -1 when unknown
     * @param lag records behind the leader, -1 when unknown
     * @param lastFetchMsAgo time since it last fetched from the leader, -1 for the leader or when unknown
     * @param lastCaughtUpMsAgo time since it was last caught up, -1 when unknown
     */
    public record VoterSnapshot(int id, long logEndOffset, long lag, long lastFetchMsAgo, long lastCaughtUpMsAgo) {}

    /**
     * @param id service id
     * @param state current state
     * @param reason why it is in this state (last transition's reason)
     * @param pid process id, 0 when not running
     * @param uptimeMs time since the current process started, 0 when not running
     * @param restarts restarts since the agent started
     * @param ports ports the service listens on
     * @param lastProbe last probe result, null before the first
     * @param stopGate the service's stop gate (a stop that waits until it is safe), null when it has none
     */
    public record ServiceSnapshot(
            String id,
            ServiceState state,
            String reason,
            int pid,
            long uptimeMs,
            int restarts,
            List<Integer> ports,
            ProbeSnapshot lastProbe,
            StopGateSnapshot stopGate) {

        /** A service without a stop gate. */
        public ServiceSnapshot(String id, ServiceState state, String reason, int pid, long uptimeMs, int restarts, List<Integer> ports,
                ProbeSnapshot lastProbe) {
            this(id, state, reason, pid, uptimeMs, restarts, ports, lastProbe, null);
        }
    }

    /**
     * A service's stop gate: whether a requested stop waits now until it is safe, and how its stops went.
     *
     * @param waiting a requested stop waits at the gate now (the stop signal has not been sent)
     * @param waitedMs how long the current wait has lasted, 0 when none
     * @param maxWaitMs the longest a stop waits (the catalog's {@code stop.waitUntilSafe})
     * @param detail what the gate said last during the current or the last wait, null before any
     * @param waits stops since the agent started that had to wait
     * @param unsafe stops that went ahead while the gate was still shut (the wait ran out, or the stop was
     *     requested again or forced)
     */
    public record StopGateSnapshot(boolean waiting, long waitedMs, long maxWaitMs, String detail, int waits, int unsafe) {}

    /**
     * @param ok whether the probe passed
     * @param detail probe's message, e.g. "Mode: leader" or "connection refused"
     * @param latencyMs time the probe took
     * @param atMs epoch millis of the probe
     */
    public record ProbeSnapshot(boolean ok, String detail, long latencyMs, long atMs) {}

    /**
     * @param service the service waited for
     * @param nodes FQDNs of the nodes that run it
     * @param ready whether it counts as ready (for ZooKeeper: a majority answers)
     * @param detail e.g. "2/3 answered"
     */
    public record DependencySnapshot(String service, List<String> nodes, boolean ready, String detail) {}
}
