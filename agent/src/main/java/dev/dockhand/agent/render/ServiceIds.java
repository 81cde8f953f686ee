package dev.dockhand.agent.render;

/**
 * The talk's service ids that macros refer to ({@code ZOOKEEPER_SERVICE_STRING} means the nodes that
 * run service {@code zookeeper}). A catalog may define other services; these four have macros.
 */
public final class ServiceIds {
    public static final String ZOOKEEPER = "zookeeper";
    public static final String KAFKA_BROKER = "kafka-broker";
    public static final String SCHEMA_REGISTRY = "schema-registry";
    public static final String CONTROL_CENTER = "control-center";

    private ServiceIds() {}
}
