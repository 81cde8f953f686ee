package dev.dockhand.agent.render;

import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.ClusterConfig;
import dev.dockhand.agent.catalog.Macro;
import dev.dockhand.agent.catalog.MigrationPhase;
import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.metadata.Node;
import dev.dockhand.agent.metadata.NodeIdentity;
import dev.dockhand.agent.metadata.Source;
import dev.dockhand.agent.metadata.Sourced;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every macro's value for this node, with where it came from. Per-service macros (heap, port) are
 * added by {@link #forService}.
 */
public final class NodeContext {
    /** ZooKeeper's quorum and election ports in {@code server.N} lines. */
    static final int ZK_QUORUM_PORT = 2888;
    static final int ZK_ELECTION_PORT = 3888;

    private final Catalog catalog;
    private final NodeIdentity identity;
    private final Paths paths;
    private final ClusterConfig config;
    private final Sourced<Security> security;
    private final java.nio.file.Path usersFile;
    private final Sourced<MigrationPhase> migration;
    private final Map<Macro, Sourced<String>> values = new EnumMap<>(Macro.class);

    /** A node with its cluster config's default security. */
    public NodeContext(Catalog catalog, NodeIdentity identity, Paths paths) {
        this(catalog, identity, paths, null);
    }

    /** @param security the node's security and where it was chosen; null for the cluster config's default */
    public NodeContext(Catalog catalog, NodeIdentity identity, Paths paths, Sourced<Security> security) {
        this(catalog, identity, paths, security, null);
    }

    /**
     * @param usersFile a secured node's users file as the agent last found it valid (a copy of AGENT_USERS_FILE), for
     *     the step that gives the users their logins
     */
    public NodeContext(Catalog catalog, NodeIdentity identity, Paths paths, Sourced<Security> security, java.nio.file.Path usersFile) {
        this(catalog, identity, paths, security, usersFile, null);
    }

    /** @param migration where the node stands in the move from ZooKeeper to KRaft (AGENT_MIGRATION_PHASE), or null */
    public NodeContext(Catalog catalog, NodeIdentity identity, Paths paths, Sourced<Security> security, java.nio.file.Path usersFile,
            Sourced<MigrationPhase> migration) {
        this.migration = migration;
        this.usersFile = usersFile;
        this.catalog = catalog;
        this.identity = identity;
        this.paths = paths;
        this.config = catalog.clusterConfig(identity.clusterConfig().value())
                .orElseThrow(() -> new IllegalArgumentException("cluster config not validated"));
        this.security = security != null ? security
                : new Sourced<>(config.security(), Source.derived("default of cluster config " + config.id()));
        compute();
    }

    /** The node's migration phase (AGENT_MIGRATION_PHASE) and where it was set, or null outside a migration. */
    public Sourced<MigrationPhase> migration() {
        return migration;
    }

    /** Whether this node's listeners are secured. */
    public Security security() {
        return security.value();
    }

    /** The node's security and where it was chosen (AGENT_SECURITY, or the cluster config's default). */
    public Sourced<Security> securityChoice() {
        return security;
    }

    public Catalog catalog() {
        return catalog;
    }

    public NodeIdentity identity() {
        return identity;
    }

    public Paths paths() {
        return paths;
    }

    /** The active cluster config. */
    public ClusterConfig config() {
        return config;
    }

    /** This node's services under the active cluster config, in start (dependency) order. */
    public List<ServiceSpec> services() {
        List<String> ids = config.servicesOf(identity.role().value()).stream()
                .filter(id -> catalog.service(id).map(sv -> sv.runsUnder(security())).orElse(true))
                .toList();
        List<ServiceSpec> ordered = new ArrayList<>();
        // topological order: start-order entries first as declared, by their waits
        List<String> pending = new ArrayList<>(ids);
        int guard = 0;
        while (!pending.isEmpty() && guard++ < 1000) {
            for (var it = pending.iterator(); it.hasNext(); ) {
                String s = it.next();
                boolean ready = catalog.waitsOf(s).stream().noneMatch(pending::contains);
                if (ready) {
                    catalog.service(s).ifPresent(ordered::add);
                    it.remove();
                }
            }
        }
        return ordered;
    }

    public int nodeId() {
        return Integer.parseInt(values.get(Macro.UNIQUE_SELF_NODE_INT).value());
    }

    /** Macro values for this node (without the per-service ones). */
    public Map<Macro, Sourced<String>> values() {
        return values;
    }

    /** Macro values when rendering {@code service}, whose heap is {@code heapMb}. */
    public Map<Macro, Sourced<String>> forService(ServiceSpec service, int heapMb, String heapSource) {
        Map<Macro, Sourced<String>> m = new EnumMap<>(values);
        Source sizing = Source.derived(heapSource);
        m.put(Macro.SERVICE_HEAP, new Sourced<>("-Xms" + heapMb + "m -Xmx" + heapMb + "m", sizing));
        m.put(Macro.SERVICE_HEAP_MB, new Sourced<>(String.valueOf(heapMb), sizing));
        m.put(Macro.SERVICE_PORT, new Sourced<>(String.valueOf(service.port()), Source.derived("catalog services." + service.id() + ".port")));
        m.put(Macro.SERVICE_INTERNAL_PORT, new Sourced<>(String.valueOf(service.internalPort() > 0 ? service.internalPort() : service.port()),
                Source.derived("catalog services." + service.id() + (service.internalPort() > 0 ? ".internalPort" : ".port"))));
        m.put(Macro.SERVICE_METRICS_PORT, new Sourced<>(String.valueOf(service.metricsPort()),
                Source.derived("catalog services." + service.id() + ".metricsPort")));
        return m;
    }

    /** Nodes that run {@code serviceId} under the active cluster config, in node order. */
    public List<Node> nodesRunning(String serviceId) {
        if (catalog.service(serviceId).map(sv -> !sv.runsUnder(security())).orElse(false)) {
            return List.of();
        }
        return identity.nodes().value().stream()
                .filter(n -> config.servicesOf(n.role()).contains(serviceId))
                .toList();
    }

    /** The id of {@code node}: its explicit id in the node list, else its 1-based position there. */
    public int idOf(Node node) {
        return identity.idOf(node);
    }

    private void compute() {
        var nodes = identity.nodes();
        String listSrc = nodes.source().toString();
        int self = identity.selfId().orElse(1);
        boolean explicit = identity.selfNode().map(Node::explicitId).orElse(false);
        Source idSource = Source.derived((explicit ? "explicit id " + self + " of " : "position " + self + " of ")
                + identity.self().value() + " in the node list (" + listSrc + ")");
        if (nodes.source().kind() == Source.Kind.DERIVED && identity.ordinal().isPresent()) {
            self = identity.ordinal().getAsInt() + 1;
            idSource = Source.derived("StatefulSet ordinal " + identity.ordinal().getAsInt() + " of the hostname, plus 1");
        }
        values.put(Macro.UNIQUE_SELF_NODE_INT, new Sourced<>(String.valueOf(self), idSource));
        values.put(Macro.GET_NODE_FQDN, identity.self());
        values.put(Macro.GET_NODE_ROLE, identity.role());
        values.put(Macro.CLUSTER_NAME, identity.clusterName());
        put(Macro.CLUSTER_ID, ClusterId.of(identity.clusterName().value()), "SHA-256 of the cluster name");
        put(Macro.ZOOKEEPER_SERVICE_STRING, hostPorts(ServiceIds.ZOOKEEPER, "", false), "nodes running zookeeper (" + listSrc + ")");
        put(Macro.ZOOKEEPER_SERVERS,
                nodesRunning(ServiceIds.ZOOKEEPER).stream()
                        .map(n -> "server." + idOf(n) + "=" + n.fqdn() + ":" + ZK_QUORUM_PORT + ":" + ZK_ELECTION_PORT)
                        .collect(Collectors.joining("\n")),
                "nodes running zookeeper (" + listSrc + ")");
        put(Macro.KAFKA_BOOTSTRAP_STRING, brokerHostPorts(false), "nodes running a broker (" + String.join(", ", ServiceIds.BROKERS)
                + ") (" + listSrc + ")");
        put(Macro.KAFKA_INTERNAL_BOOTSTRAP_STRING, brokerHostPorts(true),
                "nodes running a broker (" + listSrc + "), " + (secured() ? "internal port" : "port"));
        put(Macro.SCHEMA_REGISTRY_URLS, hostPorts(ServiceIds.SCHEMA_REGISTRY, secured() ? "https://" : "http://", false),
                "nodes running schema-registry (" + listSrc + ")");
        values.put(Macro.SECURITY, new Sourced<>(security().id, security.source()));
        put(Macro.TLS_DIR, paths.confDir().resolve("tls").toString(), "config (out) dir, tls");
        if (usersFile != null) {
            values.put(Macro.USERS_FILE, new Sourced<>(usersFile.toString(),
                    Source.derived("env AGENT_USERS_FILE as the agent last found it valid: a copy in the TLS dir")));
        }
        // least privilege (ADR 019): the nodes that run Kafka itself are its super users; the console's and the registry's
        // nodes, and the Connect workers', get what kafka-access grants them, ZooKeeper's nothing
        List<String> kafkaServices = new ArrayList<>(ServiceIds.BROKERS);
        kafkaServices.addAll(ServiceIds.CONTROLLERS);
        List<Node> kafkaNodes = nodesRunningAny(kafkaServices);
        put(Macro.SUPER_USERS, kafkaNodes.stream().map(n -> dev.dockhand.agent.security.Users.nodePrincipal(n.fqdn())).collect(Collectors.joining(";")),
                "the certificate subject of every node running a broker or a KRaft controller (" + listSrc + ")");
        put(Macro.CONSOLE_NODES, nodesRunning(ServiceIds.CONTROL_CENTER).stream().filter(n -> !kafkaNodes.contains(n)).map(Node::fqdn)
                .collect(Collectors.joining(",")), "nodes running control-center and no broker or controller (" + listSrc + ")");
        put(Macro.REGISTRY_NODES, nodesRunning(ServiceIds.SCHEMA_REGISTRY).stream().filter(n -> !kafkaNodes.contains(n)).map(Node::fqdn)
                .collect(Collectors.joining(",")), "nodes running schema-registry and no broker or controller (" + listSrc + ")");
        put(Macro.CONNECT_NODES, nodesRunning(ServiceIds.CONNECT).stream().filter(n -> !kafkaNodes.contains(n)).map(Node::fqdn)
                .collect(Collectors.joining(",")), "nodes running connect and no broker or controller (" + listSrc + ")");
        if (paths.agentHttpPort() == 0) {
            put(Macro.AGENT_ENDPOINTS, "", "none: the agents' HTTP endpoints are off (AGENT_HTTP_PORT=0)");
        } else {
            put(Macro.AGENT_ENDPOINTS,
                    nodes.value().stream().map(n -> n.role() + "=" + n.fqdn() + ":" + paths.agentHttpPort()).collect(Collectors.joining(",")),
                    "every node (" + listSrc + ")");
        }
        int brokers = nodesRunningAny(ServiceIds.BROKERS).size();
        int rf = Math.max(1, Math.min(3, brokers));
        put(Macro.BROKER_COUNT, String.valueOf(brokers), "nodes running a broker");
        put(Macro.DEFAULT_REPLICATION_FACTOR, String.valueOf(rf), "min(3, " + brokers + " brokers)");
        put(Macro.MIN_INSYNC_REPLICAS, String.valueOf(rf >= 3 ? 2 : 1), "2 when replication factor >= 3, else 1");
        values.put(Macro.DATA_DIR, new Sourced<>(paths.dataDir().toString(), Source.derived("data dir")));
        values.put(Macro.CONF_DIR, new Sourced<>(paths.confDir().toString(), Source.derived("config (out) dir")));
        values.put(Macro.HOME_DIR, new Sourced<>(paths.homeDir().toString(), Source.derived("distribution home")));
        values.put(Macro.JAVA, new Sourced<>(paths.java(), Source.derived("java of the services")));
        put(Macro.CONSOLE_PORT, String.valueOf(catalog.service(ServiceIds.CONTROL_CENTER).map(ServiceSpec::port).orElse(9021)),
                "catalog services.control-center.port");
        put(Macro.AGENT_HTTP_PORT, String.valueOf(paths.agentHttpPort()), "agent HTTP port");
        String broker = ServiceIds.BROKERS.stream().filter(config::runs).findFirst().orElse(ServiceIds.KAFKA_BROKER);
        put(Macro.BROKER_METRICS_PORT, String.valueOf(catalog.service(broker).map(ServiceSpec::metricsPort).orElse(0)),
                "catalog services." + broker + ".metricsPort");
        kraft(listSrc);
    }

    /**
     * KRaft's macros: the Kafka line of the config, and the controller quorum from the node list. The
     * directory id of each controller's metadata log dir is derived, like the cluster id, from the
     * cluster name (and the node's id), so that every controller formats its storage with the same
     * initial voter set without talking to the others.
     */
    private void kraft(String listSrc) {
        values.put(Macro.KAFKA_LIB, new Sourced<>(paths.homeDir().resolve(config.kafkaLib()).toString(),
                Source.derived("distribution home + catalog clusterConfigs." + config.id() + ".kafkaLib")));
        int port = catalog.service(ServiceIds.KRAFT_CONTROLLER).map(ServiceSpec::port).orElse(DEFAULT_CONTROLLER_PORT);
        put(Macro.KRAFT_CONTROLLER_PORT, String.valueOf(port), "catalog services." + ServiceIds.KRAFT_CONTROLLER + ".port");
        List<Node> controllers = nodesRunningAny(ServiceIds.CONTROLLERS);
        String how = "nodes running a controller (" + String.join(", ", ServiceIds.CONTROLLERS) + ") (" + listSrc + ")";
        put(Macro.KRAFT_BOOTSTRAP_SERVERS, controllers.stream().map(n -> n.fqdn() + ":" + port).collect(Collectors.joining(",")), how);
        put(Macro.KRAFT_VOTERS, controllers.stream().map(n -> idOf(n) + "@" + n.fqdn() + ":" + port).collect(Collectors.joining(",")), how);
        String clusterName = identity.clusterName().value();
        put(Macro.KRAFT_INITIAL_CONTROLLERS, controllers.stream()
                .map(n -> idOf(n) + "@" + n.fqdn() + ":" + port + ":" + ClusterId.directoryOf(clusterName, idOf(n)))
                .collect(Collectors.joining(",")), how + "; directory ids derived from the cluster name and node id");
    }

    /** The KRaft controllers' port when the catalog has no kraft-controller service. */
    static final int DEFAULT_CONTROLLER_PORT = 9093;

    /** Nodes that run any of {@code serviceIds} under the active cluster config, in node order. */
    public List<Node> nodesRunningAny(List<String> serviceIds) {
        return identity.nodes().value().stream()
                .filter(n -> config.servicesOf(n.role()).stream().anyMatch(serviceIds::contains))
                .toList();
    }

    /** The KRaft controller quorum's endpoints (fqdn, controller port), node order; empty without one. */
    public List<Node> controllerNodes() {
        return nodesRunningAny(ServiceIds.CONTROLLERS);
    }

    /**
     * fqdn:port of every broker node, each with the port of the broker service it runs: the clients' port,
     * or with {@code internal} the one the nodes use among themselves on a secured node.
     */
    private String brokerHostPorts(boolean internal) {
        List<String> out = new ArrayList<>();
        for (Node n : identity.nodes().value()) {
            for (String b : ServiceIds.BROKERS) {
                if (config.servicesOf(n.role()).contains(b)) {
                    out.add(n.fqdn() + ":" + catalog.service(b).map(sv -> internal ? sv.peerPort(security()) : sv.port()).orElse(0));
                    break;
                }
            }
        }
        return String.join(",", out);
    }

    private boolean secured() {
        return security() == Security.TLS;
    }

    private String hostPorts(String serviceId, String scheme, boolean internal) {
        int port = catalog.service(serviceId).map(sv -> internal ? sv.peerPort(security()) : sv.port()).orElse(0);
        return nodesRunning(serviceId).stream().map(n -> scheme + n.fqdn() + ":" + port).collect(Collectors.joining(","));
    }

    private void put(Macro m, String value, String how) {
        values.put(m, new Sourced<>(value, Source.derived(how)));
    }
}
