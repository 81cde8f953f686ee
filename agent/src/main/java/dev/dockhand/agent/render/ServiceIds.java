package dev.dockhand.agent.render;

/**
 * The talk's service ids that macros refer to ({@code ZOOKEEPER_SERVICE_STRING} means the nodes that
 * run service {@code zookeeper}). A catalog may define other services; these four have macros.
 */
final class ServiceIds {
    static final String ZOOKEEPER = "zookeeper";
    static final String KAFKA_BROKER = "kafka-broker";
    static final String SCHEMA_REGISTRY = "schema-registry";
    static final String CONTROL_CENTER = "control-center";

    private ServiceIds() {}
}
