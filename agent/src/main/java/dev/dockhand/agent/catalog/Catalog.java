package dev.dockhand.agent.catalog;

import java.util.List;
import java.util.Optional;

/**
 * The validated catalog: what the talk's workbench script declares (roles, services, cluster configs,
 * autogen entries, start order). Obtain one from {@link CatalogReader}; every instance has passed
 * {@link CatalogValidator}.
 *
 * @param nodeTemplates files every node renders whatever its role, with the node's macros only (the
 *     client configs that Kafka's and ZooKeeper's tools on the node read)
 */
public record Catalog(
        Distro distro,
        List<Role> roles,
        List<ServiceSpec> services,
        List<ClusterConfig> clusterConfigs,
        List<Autogen> autogen,
        List<StartEntry> startOrder,
        List<TemplateSpec> nodeTemplates) {

    public Catalog {
        roles = List.copyOf(roles);
        services = List.copyOf(services);
        clusterConfigs = List.copyOf(clusterConfigs);
        autogen = List.copyOf(autogen);
        startOrder = List.copyOf(startOrder);
        nodeTemplates = List.copyOf(nodeTemplates);
    }

    /** A catalog without node templates (what a workbench script declares). */
    public Catalog(Distro distro, List<Role> roles, List<ServiceSpec> services, List<ClusterConfig> clusterConfigs,
            List<Autogen> autogen, List<StartEntry> startOrder) {
        this(distro, roles, services, clusterConfigs, autogen, startOrder, List.of());
    }

    public Optional<ServiceSpec> service(String id) {
        return services.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public Optional<Role> role(String id) {
        return roles.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    public Optional<ClusterConfig> clusterConfig(String id) {
        return clusterConfigs.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** The services a start entry declares it waits for; empty when the service has no entry. */
    public List<String> waitsOf(String serviceId) {
        return startOrder.stream()
                .filter(e -> e.service().equals(serviceId))
                .findFirst()
                .map(StartEntry::waitFor)
                .orElse(List.of());
    }
}
