package dev.dockhand.agent.resources;

import java.util.Optional;

/**
 * What this container may use, and where each figure was read (a path, or the fallback used), so that
 * {@code agent render --explain} can say why a heap is what it is.
 *
 * @param memoryBytes memory the container may use: the cgroup limit, or the machine's memory when there
 *     is none (or when the limit exceeds the machine)
 * @param memorySource the file the figure came from, e.g. {@code /sys/fs/cgroup/memory.max}
 * @param memoryBound what decided {@code memoryBytes}: a cgroup limit, a budget given to the node, or
 *     the machine's size
 * @param cpus CPU quota in cores (quota / period), or the available processors when there is no quota
 * @param cpuSource the file(s) the quota came from, or {@code Runtime.availableProcessors()}
 * @param cpuLimited whether a cgroup quota decided {@code cpus}
 * @param cpuShares {@code cpu.shares} (v1) or {@code cpu.weight} (v2) when set, shown only
 * @param cgroupVersion 1, 2, or 0 when no cgroup hierarchy was found
 */
public record ContainerLimits(
        long memoryBytes,
        String memorySource,
        MemoryBound memoryBound,
        double cpus,
        String cpuSource,
        boolean cpuLimited,
        Optional<Long> cpuShares,
        int cgroupVersion) {

    /** What decided how much memory the node may use, in the words the sizing lines use. */
    public enum MemoryBound {
        CONTAINER_LIMIT("container limit"),
        /** {@code AGENT_MEMORY_MB}, below the machine's memory and any container limit (the dev stack). */
        BUDGET("a budget for this node, not a container limit"),
        MACHINE("no container limit: the machine's memory");

        private final String words;

        MemoryBound(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    public long memoryMb() {
        return memoryBytes / (1024 * 1024);
    }

    /** Processors for {@code -XX:ActiveProcessorCount}: the quota rounded up, at least 1. */
    public int cpuCount() {
        return Math.max(1, (int) Math.ceil(cpus - 1e-9));
    }
}
