package dev.dockhand.agent.cli;

import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.metadata.Node;
import dev.dockhand.agent.render.NodeContext;
import dev.dockhand.agent.render.RenderPlan;
import dev.dockhand.agent.supervise.NodePlan;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a render into what the supervisor runs: commands resolved, and each wait split into local
 * services and remote dependencies probed on the nodes that run them.
 */
final class PlanBuilder {
    /** Local probes go to loopback: every service listens on all addresses, and no name lookup can fail. */
    static final String LOCAL_PROBE_HOST = "127.0.0.1";

    private PlanBuilder() {}

    static NodePlan build(NodeContext ctx, RenderPlan render, List<String> renderedFiles) {
        var id = ctx.identity();
        NodePlan.NodeInfo info = new NodePlan.NodeInfo(id.role().value(), ctx.nodeId(), id.self().value(),
                id.clusterName().value(), id.clusterConfig().value());
        List<String> local = render.services().stream().map(s -> s.spec().id()).toList();
        List<NodePlan.PlannedService> services = new ArrayList<>();
        for (RenderPlan.ResolvedService s : render.services()) {
            List<String> localWaits = new ArrayList<>();
            List<NodePlan.RemoteDependency> remote = new ArrayList<>();
            for (String dep : ctx.catalog().waitsOf(s.spec().id())) {
                if (local.contains(dep)) {
                    localWaits.add(dep);
                    continue;
                }
                ServiceSpec depSpec = ctx.catalog().service(dep).orElseThrow();
                int port = depSpec.health().port() != null && depSpec.health().port() > 0 ? depSpec.health().port() : depSpec.port();
                List<NodePlan.Endpoint> endpoints = ctx.nodesRunning(dep).stream()
                        .map(Node::fqdn)
                        .map(h -> new NodePlan.Endpoint(h, port))
                        .toList();
                // ZooKeeper serves only while a majority of its ensemble is up; one answer is enough for the rest
                int required = dep.equals("zookeeper") ? endpoints.size() / 2 + 1 : 1;
                remote.add(new NodePlan.RemoteDependency(dep, endpoints, depSpec.health(), required));
            }
            services.add(new NodePlan.PlannedService(s.spec(), s.argv(), s.env(), ctx.paths().dataDir(), localWaits, remote,
                    LOCAL_PROBE_HOST));
        }
        return new NodePlan(info, services, renderedFiles);
    }
}
