package dev.dockhand.agent.cli;

import dev.dockhand.agent.render.Renderer;
import java.util.Map;

/** Glue between the resources package (cgroup limits and the split among services) and the renderer. */
final class Sizing {
    private Sizing() {}

    static Map<String, Renderer.Heap> heaps(NodeSetup setup) {
        return Map.of();
    }
}
