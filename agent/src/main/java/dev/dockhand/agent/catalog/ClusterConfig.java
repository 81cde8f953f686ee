package dev.dockhand.agent.catalog;

import java.util.List;
import java.util.Map;

/**
 * A cluster config: which services each role runs ({@code clusterconfig assign --role R --svcid S...}).
 * Iteration order of {@code assignments} is the order written in the catalog.
 *
 * @param security whether its nodes' listeners are secured unless {@code AGENT_SECURITY} says otherwise
 * @param kafkaLib the Kafka distribution this config's Kafka services run from, relative to the home
 *     dir ({@code lib/kafka}: Kafka 3.9, ZooKeeper mode; {@code lib/kafka4}: Kafka 4, KRaft); the
 *     {@code KAFKA_LIB} macro, so that which Kafka a node runs follows from its cluster config
 */
public record ClusterConfig(String id, String description, Map<String, List<String>> assignments, Security security,
        String kafkaLib) {
    /** The Kafka line of a config that names none: Kafka 3.9, the one with ZooKeeper mode. */
    public static final String DEFAULT_KAFKA_LIB = "lib/kafka";

    public ClusterConfig {
        assignments = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(assignments));
        kafkaLib = kafkaLib == null || kafkaLib.isEmpty() ? DEFAULT_KAFKA_LIB : kafkaLib;
    }

    /** A config on the default Kafka line. */
    public ClusterConfig(String id, String description, Map<String, List<String>> assignments, Security security) {
        this(id, description, assignments, security, null);
    }

    /** A plaintext cluster config (as the talk's were) on the default Kafka line. */
    public ClusterConfig(String id, String description, Map<String, List<String>> assignments) {
        this(id, description, assignments, Security.PLAINTEXT, null);
    }

    /**
     * Whether some role of this config runs {@code serviceId}. A wait for a service the config runs
     * nowhere is void under it: the console waits for the broker of whichever kind the config has.
     */
    public boolean runs(String serviceId) {
        return assignments.values().stream().anyMatch(s -> s.contains(serviceId));
    }

    public List<String> servicesOf(String role) {
        return assignments.getOrDefault(role, List.of());
    }

    public boolean assigns(String role) {
        return assignments.containsKey(role);
    }
}
