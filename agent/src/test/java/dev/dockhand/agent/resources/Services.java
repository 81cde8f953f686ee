package dev.dockhand.agent.resources;

import java.util.List;

/** The memory demands of the talk's four services (the catalog's weights and bounds). */
final class Services {
    private Services() {}

    static final MemoryDemand ZOOKEEPER = new MemoryDemand("zookeeper", 1, 128, 1024, 0.5, 0);
    static final MemoryDemand KAFKA_BROKER = new MemoryDemand("kafka-broker", 4, 256, 6144, 0.5, 0);
    static final MemoryDemand SCHEMA_REGISTRY = new MemoryDemand("schema-registry", 1, 128, 1024, 0.6, 0);
    static final MemoryDemand CONTROL_CENTER = new MemoryDemand("control-center", 1, 96, 512, 0.6, 0);

    /** A demand of {@code id} with another weight, bounds and fraction. */
    static MemoryDemand svc(String id, int weight, int minHeapMb, int maxHeapMb, double heapFraction, int fixedMb) {
        return new MemoryDemand(id, weight, minHeapMb, maxHeapMb, heapFraction, fixedMb);
    }

    /** Which services each role runs under the talk's two cluster configs. */
    static List<MemoryDemand> of(String config, String role) {
        return switch (config + "/" + role) {
            case "default/zookeeper" -> List.of(KAFKA_BROKER, ZOOKEEPER);
            case "default/broker" -> List.of(KAFKA_BROKER, SCHEMA_REGISTRY);
            case "default/gateway", "production/gateway" -> List.of(CONTROL_CENTER);
            case "production/broker" -> List.of(KAFKA_BROKER);
            case "production/zookeeper" -> List.of(ZOOKEEPER);
            case "production/schemareg" -> List.of(SCHEMA_REGISTRY);
            default -> throw new IllegalArgumentException(config + "/" + role);
        };
    }
}
