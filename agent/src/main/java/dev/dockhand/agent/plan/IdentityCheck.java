package dev.dockhand.agent.plan;

import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.ClusterConfig;
import dev.dockhand.agent.catalog.Role;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.metadata.Node;
import dev.dockhand.agent.metadata.NodeIdentity;
import java.util.List;

/** Validates a node's identity against the catalog: role, cluster config, cardinalities. */
final class IdentityCheck {
    private IdentityCheck() {}

    /** Adds every problem found to {@code problems}. */
    static void check(Catalog catalog, NodeIdentity id, Problems problems) {
        String configId = id.clusterConfig().value();
        ClusterConfig config = catalog.clusterConfig(configId).orElse(null);
        if (config == null) {
            problems.add("unknown cluster config '" + configId + "' (" + id.clusterConfig().source() + "); the catalog has: "
                    + String.join(", ", catalog.clusterConfigs().stream().map(ClusterConfig::id).toList()));
            return;
        }
        List<String> roleIds = catalog.roles().stream().map(Role::id).toList();
        String role = id.role().value();
        if (!role.isEmpty() && !roleIds.contains(role)) {
            problems.add("unknown role '" + role + "' (" + id.role().source() + "); the catalog has: " + String.join(", ", roleIds));
        } else if (!role.isEmpty() && !config.assigns(role)) {
            problems.add("role '" + role + "' (" + id.role().source() + ") runs nothing in cluster config '" + configId
                    + "' (" + id.clusterConfig().source() + "); that config assigns roles: "
                    + String.join(", ", config.assignments().keySet()));
        }
        for (Node n : id.nodes().value()) {
            if (!n.fqdn().equalsIgnoreCase(id.self().value()) && !roleIds.contains(n.role())) {
                problems.add("node " + n.fqdn() + " has unknown role '" + n.role() + "' (" + id.nodes().source() + ")");
            }
        }
        // every wait of this node's services is run here or by some node of the list
        if (!role.isEmpty() && config.assigns(role)) {
            List<String> local = config.servicesOf(role);
            for (String svc : local) {
                for (String dep : catalog.waitsOf(svc)) {
                    if (!config.runs(dep)) {
                        continue; // void under this config (the console waits for whichever broker it has)
                    }
                    boolean somewhere = local.contains(dep) || id.nodes().value().stream()
                            .anyMatch(n -> config.servicesOf(n.role()).contains(dep));
                    if (!somewhere) {
                        problems.add("service '" + svc + "' waits for '" + dep + "', but no node of the node list ("
                                + id.nodes().source() + ") runs '" + dep + "' under cluster config '" + configId
                                + "'; add such a node or remove the wait from the catalog's start order");
                    }
                }
            }
        }
        // cardinality holds for the roles this cluster config assigns
        for (Role r : catalog.roles()) {
            if (!config.assigns(r.id())) {
                continue;
            }
            long count = id.nodes().value().stream().filter(n -> n.role().equals(r.id())).count();
            if (!r.cardinality().allows((int) count)) {
                problems.add("cluster config '" + configId + "' needs " + r.cardinality() + " node(s) of role '" + r.id()
                        + "' but the node list (" + id.nodes().source() + ") has " + count);
            }
        }
    }
}
