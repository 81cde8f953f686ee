package dev.dockhand.agent.plan;

import dev.dockhand.agent.catalog.MemorySpec;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.render.Renderer;
import dev.dockhand.agent.resources.ContainerLimits;
import dev.dockhand.agent.resources.MemoryDemand;
import dev.dockhand.agent.resources.Sizer;
import dev.dockhand.agent.resources.SizingPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 4 of the start sequence: size every service's heap from the node's limits. Outside a container
 * (the dev stack on a workstation) {@code AGENT_MEMORY_MB} sets the memory this node may use, so the
 * stack does not size itself to the whole machine.
 */
final class Sizing {
    static final String ENV_MEMORY_MB = "AGENT_MEMORY_MB";
    /** 1 PiB: more is a typo, and MiB times 2^20 must not overflow a long. */
    static final long MAX_MEMORY_MB = 1L << 30;

    /** Heaps by service id, and how the memory was split (for the log and {@code --explain}). */
    record Result(Map<String, Renderer.Heap> heaps, List<String> lines) {}

    private Sizing() {}

    static Result heaps(List<ServiceSpec> services, Map<String, String> env, ContainerLimits read) {
        ContainerLimits limits = limits(env, read);
        List<MemoryDemand> demands = services.stream().map(s -> demand(s.id(), s.memory())).toList();
        SizingPlan plan = Sizer.size(limits, demands, env);
        Map<String, Renderer.Heap> heaps = new LinkedHashMap<>();
        plan.services().forEach(s -> heaps.put(s.id(), new Renderer.Heap(s.heapMb(), s.how())));
        return new Result(heaps, plan.explain());
    }

    private static MemoryDemand demand(String id, MemorySpec m) {
        return new MemoryDemand(id, m.weight(), m.minHeapMb(), m.maxHeapMb(), m.heapFraction(), m.fixedMb());
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
            throw new InvalidInputException("env " + ENV_MEMORY_MB + ": '" + Names.printable(text)
                    + "' is not a number of MiB (e.g. 2048)");
        }
        if (mb <= 0) {
            throw new InvalidInputException("env " + ENV_MEMORY_MB + ": must be a positive number of MiB, is " + mb);
        }
        if (mb > MAX_MEMORY_MB) {
            throw new InvalidInputException("env " + ENV_MEMORY_MB + "=" + mb + " is more than " + MAX_MEMORY_MB
                    + " MiB (1 PiB); give the memory this node may use in MiB, e.g. 2048");
        }
        if (mb * 1024 * 1024 >= read.memoryBytes()) {
            return read; // a budget above the real limit changes nothing
        }
        return new ContainerLimits(mb * 1024 * 1024, "env " + ENV_MEMORY_MB, ContainerLimits.MemoryBound.BUDGET, read.cpus(), read.cpuSource(),
                read.cpuLimited(), read.cpuShares(), read.cgroupVersion());
    }
}
