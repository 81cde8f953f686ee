package dev.dockhand.agent.resources;

import java.util.Optional;

/**
 * What this container may use, and where each figure was read (a path, or the fallback used), so that
 * {@code agent render --explain} can say why a heap is what it is.
 *
 * @param memoryBytes memory the container may use: the cgroup limit, or the machine's memory when there
 *     is none (or when the limit exceeds the machine)
 * @param memorySource the file the figure came from, e.g. {@code /sys/fs/cgroup/memory.max}
 * @param memoryLimited whether a cgroup limit (not the machine's size) decided {@code memoryBytes}
 * @param cpus CPU quota in cores (quota / period), or the available processors when there is no quota
 * @param cpuSource the file(s) the quota came from, or {@code Runtime.availableProcessors()}
 * @param cpuLimited whether a cgroup quota decided {@code cpus}
 * @param cpuShares {@code cpu.shares} (v1) or {@code cpu.weight} (v2) when set, shown only
 * @param cgroupVersion 1, 2, or 0 when no cgroup hierarchy was found
 */
public record ContainerLimits(
        long memoryBytes,
        String memorySource,
        boolean memoryLimited,
        double cpus,
        String cpuSource,
        boolean cpuLimited,
        Optional<Long> cpuShares,
        int cgroupVersion) {

    public long memoryMb() {
        return memoryBytes / (1024 * 1024);
    }

    /** Processors for {@code -XX:ActiveProcessorCount}: the quota rounded up, at least 1. */
    public int cpuCount() {
        return Math.max(1, (int) Math.ceil(cpus - 1e-9));
    }
}
