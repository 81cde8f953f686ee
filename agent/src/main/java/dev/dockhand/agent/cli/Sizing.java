package dev.dockhand.agent.cli;

import dev.dockhand.agent.InvalidInputException;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.render.Renderer;
import dev.dockhand.agent.resources.ContainerLimits;
import dev.dockhand.agent.resources.LimitsReader;
import dev.dockhand.agent.resources.Sizer;
import dev.dockhand.agent.resources.SizingPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 4 of the start sequence: read the container's limits and size every service's heap. Outside a
 * container (the dev stack on a workstation) {@code AGENT_MEMORY_MB} sets the memory this node may use,
 * so the stack does not size itself to the whole machine.
 */
final class Sizing {
    static final String ENV_MEMORY_MB = "AGENT_MEMORY_MB";

    private Sizing() {}

    static Map<String, Renderer.Heap> heaps(NodeSetup setup) {
        ContainerLimits limits = limits(setup.env, LimitsReader.system().read());
        List<ServiceSpec> services = setup.context.services();
        SizingPlan plan = Sizer.size(limits, services, setup.env);
        setup.sizingLines.addAll(plan.explain());
        Map<String, Renderer.Heap> heaps = new LinkedHashMap<>();
        plan.services().forEach(s -> heaps.put(s.id(), new Renderer.Heap(s.heapMb(), s.how())));
        return heaps;
    }

    static ContainerLimits limits(Map<String, String> env, ContainerLimits read) {
        String text = env.get(ENV_MEMORY_MB);
        if (text == null || text.isBlank()) {
            return read;
        }
        long mb;
        try {
            mb = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("env " + ENV_MEMORY_MB + ": '" + text + "' is not a number of MiB (e.g. 2048)");
        }
        if (mb <= 0) {
            throw new InvalidInputException("env " + ENV_MEMORY_MB + ": must be a positive number of MiB, is " + mb);
        }
        if (mb * 1024 * 1024 >= read.memoryBytes()) {
            return read; // a budget above the real limit changes nothing
        }
        return new ContainerLimits(mb * 1024 * 1024, "env " + ENV_MEMORY_MB, ContainerLimits.MemoryBound.BUDGET, read.cpus(), read.cpuSource(),
                read.cpuLimited(), read.cpuShares(), read.cgroupVersion());
    }
}
