package dev.dockhand.agent.render;

/**
 * The talk's service ids that macros refer to ({@code ZOOKEEPER_SERVICE_STRING} means the nodes that
 * run service {@code zookeeper}), and KRaft's. A catalog may define other services; these have macros.
 */
public final class ServiceIds {
    public static final String ZOOKEEPER = "zookeeper";
    public static final String KAFKA_BROKER = "kafka-broker";
    public static final String SCHEMA_REGISTRY = "schema-registry";
    public static final String CONTROL_CENTER = "control-center";
    /** Kafka Connect's distributed worker. */
    public static final String CONNECT = "connect";
    /** The step that gives a secured cluster's users their logins and ACLs. */
    public static final String KAFKA_ACCESS = "kafka-access";
    /** KRaft mode: a broker, a controller, and both in one process (a one-node cluster). */
    public static final String KRAFT_BROKER = "kraft-broker";
    public static final String KRAFT_CONTROLLER = "kraft-controller";
    public static final String KRAFT_COMBINED = "kraft-combined";

    /** Services that serve Kafka's clients: the brokers of either mode ({@code KAFKA_BOOTSTRAP_STRING}). */
    static final java.util.List<String> BROKERS = java.util.List.of(KAFKA_BROKER, KRAFT_BROKER, KRAFT_COMBINED);
    /** Services that are voters of a KRaft controller quorum. */
    static final java.util.List<String> CONTROLLERS = java.util.List.of(KRAFT_CONTROLLER, KRAFT_COMBINED);

    private ServiceIds() {}
}
