package dev.dockhand.agent.catalog;

import java.util.Arrays;
import java.util.Optional;

/**
 * The macros an autogen entry or a template token may name. The talk's names are kept; the values
 * are computed by the render package. Tokens in templates are written {@code @@NAME@@}; an autogen
 * entry maps any other pattern (the talk's {@code @@ID@@}, {@code @@HOST@@}) to one of these.
 */
public enum Macro {
    UNIQUE_SELF_NODE_INT("1-based position of this node in the node list (myid, broker.id)"),
    GET_NODE_FQDN("this node's FQDN"),
    GET_NODE_ROLE("this node's role"),
    CLUSTER_NAME("the cluster's name"),
    CLUSTER_ID("a Kafka cluster id derived from the cluster name (same on every node)"),
    ZOOKEEPER_SERVICE_STRING("fqdn:port of every ZooKeeper node, node order"),
    ZOOKEEPER_SERVERS("server.<id>=<fqdn>:2888:3888 lines, one per ZooKeeper node"),
    KAFKA_BOOTSTRAP_STRING("fqdn:port of every broker node, node order"),
    KAFKA_INTERNAL_BOOTSTRAP_STRING("fqdn:port of every broker's listener for the nodes (the mutual-TLS one on a secured node), node order"),
    SCHEMA_REGISTRY_URLS("http(s)://fqdn:port of every schema registry node, node order"),
    SECURITY("tls or plaintext: whether this node's listeners are secured (AGENT_SECURITY, else the cluster config's default)"),
    TLS_DIR("where the node's key, certificate chain, CA certificate and hashed users are rendered (secured nodes)"),
    USERS_FILE("a secured node's users file (AGENT_USERS_FILE) as the agent last found it valid: a copy in the TLS dir; not available on a plaintext node"),
    SUPER_USERS("User:CN=<fqdn> of every node that runs a broker or a KRaft controller, ';'-separated: Kafka's super.users"),
    CONSOLE_NODES("fqdn of every node that runs the console and no broker or controller, ','-separated: certificates given the console's read-only Kafka rights"),
    REGISTRY_NODES("fqdn of every node that runs the registry and no broker or controller, ','-separated: certificates given no Kafka right"),
    CONNECT_NODES("fqdn of every node that runs the Connect worker and no broker or controller, ','-separated: certificates given the worker's Kafka rights"),
    AGENT_ENDPOINTS("role=fqdn:port of every node's agent HTTP endpoint, node order"),
    SERVICE_HEAP("-Xms/-Xmx sized for the service being rendered"),
    SERVICE_HEAP_MB("the heap in MiB sized for the service being rendered"),
    SERVICE_PORT("the port of the service being rendered"),
    SERVICE_INTERNAL_PORT("the port the nodes use among themselves for the service being rendered (catalog internalPort, else its port)"),
    SERVICE_METRICS_PORT("the port of the service being rendered's own Prometheus metrics (catalog metricsPort)"),
    BROKER_METRICS_PORT("the port of every broker's own Prometheus metrics (catalog metricsPort of kafka-broker), 0 when none"),
    BROKER_COUNT("number of broker nodes"),
    DEFAULT_REPLICATION_FACTOR("min(3, broker count)"),
    MIN_INSYNC_REPLICAS("2 when the replication factor is 3 or more, else 1"),
    DATA_DIR("the node's data directory"),
    CONF_DIR("the directory configs are rendered into"),
    HOME_DIR("where the service distributions are installed"),
    CONSOLE_PORT("port of the control-center console"),
    AGENT_HTTP_PORT("port of the agent's read-only HTTP endpoint"),
    JAVA("the java executable services run with"),
    KAFKA_LIB("the lib dir of the Kafka line the active cluster config runs (catalog clusterConfigs.kafkaLib)"),
    KRAFT_CONTROLLER_PORT("the KRaft controllers' port (catalog services.kraft-controller.port)"),
    KRAFT_BOOTSTRAP_SERVERS("fqdn:port of every KRaft controller node, node order (controller.quorum.bootstrap.servers)"),
    KRAFT_VOTERS("id@fqdn:port of every KRaft controller node, node order (a static controller.quorum.voters)"),
    KRAFT_INITIAL_CONTROLLERS("id@fqdn:port:directory-id of every KRaft controller node (kafka-storage format --initial-controllers)");

    private final String description;

    Macro(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    public static Optional<Macro> named(String name) {
        return Arrays.stream(values()).filter(m -> m.name().equals(name)).findFirst();
    }
}
