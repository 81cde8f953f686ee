package dev.dockhand.agent.catalog;

import java.util.List;
import java.util.Map;

/**
 * A cluster config: which services each role runs ({@code clusterconfig assign --role R --svcid S...}).
 * Iteration order of {@code assignments} is the order written in the catalog.
 *
 * @param security whether its nodes' listeners are secured unless {@code AGENT_SECURITY} says otherwise
 */
public record ClusterConfig(String id, String description, Map<String, List<String>> assignments, Security security) {

    public ClusterConfig {
        assignments = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(assignments));
    }

    /** A plaintext cluster config (as the talk's were). */
    public ClusterConfig(String id, String description, Map<String, List<String>> assignments) {
        this(id, description, assignments, Security.PLAINTEXT);
    }

    public List<String> servicesOf(String role) {
        return assignments.getOrDefault(role, List.of());
    }

    public boolean assigns(String role) {
        return assignments.containsKey(role);
    }
}
