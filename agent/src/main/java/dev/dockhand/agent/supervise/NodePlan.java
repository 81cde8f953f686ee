package dev.dockhand.agent.supervise;

import dev.dockhand.agent.catalog.HealthSpec;
import dev.dockhand.agent.catalog.ServiceSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What `agent run` hands the supervisor after identity, validation, sizing and rendering: this
 * node's services, fully resolved (no tokens left), in dependency order.
 *
 * @param node who this node is
 * @param services the role's services in start (topological) order
 * @param renderedFiles absolute paths of the files the render wrote
 */
public record NodePlan(NodeInfo node, List<PlannedService> services, List<String> renderedFiles) {

    public NodePlan {
        services = List.copyOf(services);
        renderedFiles = List.copyOf(renderedFiles);
    }

    /** @param nodeId UNIQUE_SELF_NODE_INT */
    public record NodeInfo(String role, int nodeId, String fqdn, String clusterName, String clusterConfig) {}

    /**
     * A service ready to spawn.
     *
     * @param spec the catalog's definition (health, stop, restart, log)
     * @param argv the command with every token replaced
     * @param env the complete environment of the service
     * @param workDir working directory
     * @param localWaits services of this node it waits for
     * @param remoteWaits services on other nodes it waits for
     * @param probeHost host the service's own probe connects to (this node's FQDN or loopback)
     */
    public record PlannedService(
            ServiceSpec spec,
            List<String> argv,
            Map<String, String> env,
            Path workDir,
            List<String> localWaits,
            List<RemoteDependency> remoteWaits,
            String probeHost) {

        public PlannedService {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
            localWaits = List.copyOf(localWaits);
            remoteWaits = List.copyOf(remoteWaits);
        }

        public String id() {
            return spec.id();
        }
    }

    /**
     * A dependency served by other nodes: ready when {@code required} of {@code endpoints} pass
     * {@code probe} (a majority for ZooKeeper, one for the others).
     */
    public record RemoteDependency(String service, List<Endpoint> endpoints, HealthSpec probe, int required) {
        public RemoteDependency {
            endpoints = List.copyOf(endpoints);
        }
    }

    public record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** Re-renders for `agent reload`/SIGHUP: the new plan and the ids of services whose files changed. */
    public interface Replanner {
        Replan replan();
    }

    public record Replan(NodePlan plan, Set<String> changedServices) {}
}
