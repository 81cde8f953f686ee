package dev.dockhand.agent.catalog;

/**
 * Memory sizing of a service.
 *
 * @param weight share of the node's memory relative to the other services of the role
 * @param minHeapMb smallest heap the service may get; start is refused if the limit cannot give it
 * @param maxHeapMb largest heap worth giving (0: no cap)
 * @param heapFraction fraction of the service's share that becomes heap (the rest is off-heap, metaspace, page cache)
 * @param fixedMb memory that the service uses outside the weighted share (0 when it is weighted)
 */
public record MemorySpec(int weight, int minHeapMb, int maxHeapMb, double heapFraction, int fixedMb) {}
