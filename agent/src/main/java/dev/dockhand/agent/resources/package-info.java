/**
 * Sizing: how much memory and CPU this container may use, and how the memory is split among the
 * services the node's role runs.
 *
 * <p>{@link dev.dockhand.agent.resources.LimitsReader} reads the limits from cgroup v2
 * ({@code memory.max}, {@code cpu.max}) or v1 ({@code memory.limit_in_bytes},
 * {@code cpu.cfs_quota_us}/{@code cpu.cfs_period_us}); every path is resolved under an injected root,
 * so tests use jimfs. With no limit it falls back to the machine: {@code /proc/meminfo} MemTotal and
 * the JVM's available processors. A cgroup limit larger than the machine counts as the machine.
 *
 * <p>{@link dev.dockhand.agent.resources.Sizer} turns the limits and the catalog's
 * memory demands ({@link dev.dockhand.agent.resources.MemoryDemand}, from the catalog's {@code memory} entries) into a {@link dev.dockhand.agent.resources.SizingPlan}:
 * <ol>
 *   <li>reserve the agent's own overhead ({@link dev.dockhand.agent.resources.Sizer#AGENT_OVERHEAD_MB}),
 *       every service's {@code fixedMb}, and the share of every service whose heap an env override
 *       ({@code AGENT_HEAP_MB_<SERVICE>}) fixes (heap / heapFraction);</li>
 *   <li>split the rest by weight, except that no service gets less than the share its
 *       {@code minHeapMb} needs (minHeap / heapFraction): those are pinned at their minimum and the
 *       others share what is left (water-filling). A plain proportional split would refuse ZooKeeper
 *       next to a broker in 1 GiB although both minimums fit;</li>
 *   <li>heap = share × heapFraction, capped at {@code maxHeapMb}. Memory above the cap is left to the
 *       service (page cache for the broker), not given to the others;</li>
 *   <li>when the minimums do not fit, refuse with an {@link dev.dockhand.agent.core.InvalidInputException}
 *       that names the limit and where it was read, each service's need, and what to do. No
 *       over-provisioning.</li>
 * </ol>
 *
 * <p>CPU: the quota (quota / period, rounded up, at least 1, at most the processors the JVM sees)
 * becomes {@code -XX:ActiveProcessorCount}. {@code cpu.shares} ({@code cpu.weight} in v2) is read and
 * shown but not used as a count: shares are a relative weight that only matters under contention, and
 * the JDK stopped deriving its processor count from them for the same reason (JDK-8281181).
 */
package dev.dockhand.agent.resources;
