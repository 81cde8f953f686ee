package dev.dockhand.agent.plan;

import dev.dockhand.agent.resources.ContainerLimits;
import java.time.Instant;
import java.util.Map;

/**
 * Every outside fact a node's plan needs, read once by {@link PlanReader}: the catalog and who the node
 * is ({@code node}), its env, its limits, the time, and every file the plan looks at. {@link Planner#plan}
 * is a function of this value: it reads no file, no clock and no system property.
 *
 * @param now when the node's certificates are issued, if it issues any
 */
public record NodeFacts(Planner.Resolved node, Map<String, String> env, ContainerLimits limits, Instant now, NodeFiles files) {
    public NodeFacts {
        env = Map.copyOf(env);
    }

    /** The same facts at another time (a renewal's, a later reload's). */
    public NodeFacts at(Instant time) {
        return new NodeFacts(node, env, limits, time, files);
    }
}
