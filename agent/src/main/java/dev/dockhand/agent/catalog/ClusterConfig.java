package dev.dockhand.agent.catalog;

import java.util.List;
import java.util.Map;

/**
 * A cluster config: which services each role runs ({@code clusterconfig assign --role R --svcid S...}).
 * Iteration order of {@code assignments} is the order written in the catalog.
 */
public record ClusterConfig(String id, String description, Map<String, List<String>> assignments) {

    public ClusterConfig {
        assignments = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(assignments));
    }

    public List<String> servicesOf(String role) {
        return assignments.getOrDefault(role, List.of());
    }

    public boolean assigns(String role) {
        return assignments.containsKey(role);
    }
}
