package dev.dockhand.agent.resources;

import dev.dockhand.agent.catalog.MemorySpec;
import dev.dockhand.agent.catalog.ServiceSpec;
import java.util.List;
import java.util.Map;

/** The catalog's memory specs for the talk's four services (the weights the shipped catalog uses). */
final class Services {
    private Services() {}

    static final ServiceSpec ZOOKEEPER = svc("zookeeper", new MemorySpec(1, 128, 1024, 0.5, 0));
    static final ServiceSpec KAFKA_BROKER = svc("kafka-broker", new MemorySpec(4, 256, 6144, 0.5, 0));
    static final ServiceSpec SCHEMA_REGISTRY = svc("schema-registry", new MemorySpec(1, 128, 1024, 0.6, 0));
    static final ServiceSpec CONTROL_CENTER = svc("control-center", new MemorySpec(1, 96, 512, 0.6, 0));

    static ServiceSpec svc(String id, MemorySpec memory) {
        return new ServiceSpec(id, id, 0, List.of("true"), Map.of(), List.of(), null, List.of(),
                null, null, null, memory, null, null);
    }

    /** Which services each role runs under the talk's two cluster configs. */
    static List<ServiceSpec> of(String config, String role) {
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
