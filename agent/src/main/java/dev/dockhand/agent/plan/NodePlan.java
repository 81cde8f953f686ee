package dev.dockhand.agent.plan;

import dev.dockhand.agent.catalog.HealthSpec;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.metadata.NodeIdentity;
import dev.dockhand.agent.render.RenderPlan.Explained;
import dev.dockhand.agent.render.RenderPlan.RenderedFile;
import dev.dockhand.agent.render.RenderPlan.ResolvedCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A node's plan: the result of the start sequence's steps 1-5 (identity, validation, identity guard,
 * sizing, render), made in memory by {@link Planner} before anything is written or started. The
 * supervisor runs its services; {@code agent render} writes its files; {@code agent check} says it is
 * sound.
 *
 * @param node who this node is
 * @param identity the resolved identity, with where each value came from
 * @param services the role's services in start (topological) order, everything about them resolved once
 * @param files the files to render, per service
 * @param explain every token's value and where it came from (secrets masked)
 * @param sizing how the node's memory was split, one line per figure
 * @param dataDir the node's data dir
 * @param catalogPath where the catalog was read from
 * @param security whether the node's listeners are secured (who chose it: the SECURITY macro's explanation)
 * @param certificates a secured node's certificates, null on a plaintext node
 */
public record NodePlan(
        NodeInfo node,
        NodeIdentity identity,
        List<PlannedService> services,
        List<RenderedFile> files,
        List<Explained> explain,
        List<String> sizing,
        Path dataDir,
        Path catalogPath,
        Security security,
        NodeSecurity.Certificates certificates) {

    public NodePlan {
        services = List.copyOf(services);
        files = List.copyOf(files);
        explain = List.copyOf(explain);
        sizing = List.copyOf(sizing);
    }

    /** A plaintext node's plan. */
    public NodePlan(NodeInfo node, NodeIdentity identity, List<PlannedService> services, List<RenderedFile> files, List<Explained> explain,
            List<String> sizing, Path dataDir, Path catalogPath) {
        this(node, identity, services, files, explain, sizing, dataDir, catalogPath, Security.PLAINTEXT, null);
    }

    /** Who chose the node's security: {@code AGENT_SECURITY}, or the cluster config's default. */
    public String securitySource() {
        return explain.stream().filter(e -> e.scope().equals("node") && e.token().equals("SECURITY")).findFirst()
                .map(Explained::source).orElse("default");
    }

    /** Whether the node's listeners are secured (its probes then speak TLS too). */
    public boolean secured() {
        return security == Security.TLS;
    }

    /** Absolute paths of the files this plan renders. */
    public List<String> renderedFiles() {
        return files.stream().map(f -> f.target().toString()).toList();
    }

    /** The remote wait of a service that moves to the next phase of the migration to KRaft (ADR 012). */
    public static final String MIGRATION_PRECONDITION = "zk-migration";

    /**
     * The file that says {@code serviceId} still waits for its migration precondition: made when the plan
     * that waits is written, removed by the supervisor once the precondition held. While it exists the
     * service waits at every start, so that restarting a node while it waits cannot skip the check.
     */
    public Path migrationMarker(String serviceId) {
        return dataDir.resolve(".dockhand/migration-wait-" + serviceId);
    }

    /** Whether {@code service} waits for its migration precondition in this plan. */
    public static boolean waitsForMigration(PlannedService service) {
        return service.remoteWaits().stream().anyMatch(d -> d.service().equals(MIGRATION_PRECONDITION));
    }

    /**
     * @param nodeId UNIQUE_SELF_NODE_INT
     * @param controllers the KRaft controller quorum (every controller's host and controller port, node
     *     order), where a controller's probe looks for the leader; empty without KRaft
     * @param migrationPhase the node's phase of the move from ZooKeeper to KRaft, null outside one
     */
    public record NodeInfo(String role, int nodeId, String fqdn, String clusterName, String clusterConfig,
            List<Endpoint> controllers, String migrationPhase) {
        public NodeInfo {
            controllers = List.copyOf(controllers);
        }

        /** A node outside a migration from ZooKeeper to KRaft. */
        public NodeInfo(String role, int nodeId, String fqdn, String clusterName, String clusterConfig, List<Endpoint> controllers) {
            this(role, nodeId, fqdn, clusterName, clusterConfig, controllers, null);
        }

        /** A node of a cluster without KRaft controllers. */
        public NodeInfo(String role, int nodeId, String fqdn, String clusterName, String clusterConfig) {
            this(role, nodeId, fqdn, clusterName, clusterConfig, List.of());
        }
    }

    /**
     * A service ready to spawn: the catalog's definition, its command as rendered, and what it waits for.
     *
     * @param spec the catalog's definition (health, stop, restart, memory)
     * @param command argv, env, work dir, data dirs and log file, every token replaced
     * @param localWaits services of this node it waits for
     * @param remoteWaits services on other nodes it waits for
     * @param probeHost host the service's own probe connects to (loopback: every service listens on all
     *     addresses, and no name lookup can fail)
     * @param probe what the probe asks, and at which port (a secured broker's internal listener)
     * @param peers every node that runs this service, this one included, in node order: what a stop gate
     *     asks (a ZooKeeper member counts the ensemble's members that serve), at the probe's port
     * @param registration where a ZooKeeper-mode broker registers itself, or null for any other service
     */
    public record PlannedService(
            ServiceSpec spec,
            ResolvedCommand command,
            List<String> localWaits,
            List<RemoteDependency> remoteWaits,
            String probeHost,
            ProbeSpec probe,
            List<Peer> peers,
            ZooKeeperRegistration registration) {

        public PlannedService {
            localWaits = List.copyOf(localWaits);
            remoteWaits = List.copyOf(remoteWaits);
            peers = List.copyOf(peers);
        }

        /** A service that registers nowhere. */
        public PlannedService(ServiceSpec spec, ResolvedCommand command, List<String> localWaits, List<RemoteDependency> remoteWaits,
                String probeHost, ProbeSpec probe, List<Peer> peers) {
            this(spec, command, localWaits, remoteWaits, probeHost, probe, peers, null);
        }

        /** A service probed as its catalog entry says, whose peers nothing asks. */
        public PlannedService(ServiceSpec spec, ResolvedCommand command, List<String> localWaits, List<RemoteDependency> remoteWaits,
                String probeHost) {
            this(spec, command, localWaits, remoteWaits, probeHost, spec.health().probe(), List.of());
        }

        public String id() {
            return spec.id();
        }
    }

    /**
     * A dependency served by other nodes: ready when {@code required} of {@code endpoints} pass
     * {@code health}'s probe (a majority for ZooKeeper, whose catalog entry says so; one for the others).
     * A dependency whose own probe cannot be asked over the network (exec, none) is probed for an
     * accepting port: that is what "ready" can mean from another node.
     */
    public record RemoteDependency(String service, List<Endpoint> endpoints, HealthSpec health, int required) {
        public RemoteDependency {
            endpoints = List.copyOf(endpoints);
        }
    }

    /**
     * A ZooKeeper-mode broker's registration: the ephemeral znode {@code /brokers/ids/<brokerId>} its
     * ZooKeeper session holds while it runs. A broker killed with -9 leaves it behind until ZooKeeper
     * expires that session, and a broker started meanwhile exits ("node already exists"), so the
     * supervisor starts it once the znode is gone (ADR 004).
     *
     * @param brokerId the broker's {@code broker.id}
     * @param sessionTimeout its {@code zookeeper.session.timeout.ms} (Kafka's default when not set): the
     *     longest its old session can outlive it, give or take ZooKeeper's tick
     * @param zookeeper where ZooKeeper's members answer the agent (their probe port: the secure one on a
     *     secured node)
     */
    public record ZooKeeperRegistration(int brokerId, java.time.Duration sessionTimeout, List<Endpoint> zookeeper) {
        public ZooKeeperRegistration {
            zookeeper = List.copyOf(zookeeper);
        }

        /** The znode that holds the registration. */
        public String path() {
            return "/brokers/ids/" + brokerId;
        }
    }

    /** A node that runs a given service: its id (UNIQUE_SELF_NODE_INT, a broker's id), its FQDN, and the service's probe port there. */
    public record Peer(int nodeId, String host, int port) {}

    public record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** Re-plans for {@code agent reload}/SIGHUP: the new plan and the ids of services whose files changed. */
    public interface Replanner {
        Replan replan();

        /** Re-plans with the node's certificates issued anew (renewal), everything else as {@link #replan}. */
        default Replan renew() {
            return replan();
        }
    }

    public record Replan(NodePlan plan, Set<String> changedServices) {}
}
