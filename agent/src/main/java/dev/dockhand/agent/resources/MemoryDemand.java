package dev.dockhand.agent.resources;

/**
 * What one service asks of the node's memory (the catalog's {@code memory} entry, named by the service).
 *
 * @param serviceId the service
 * @param weight share of the node's memory relative to the other services of the node
 * @param minHeapMb smallest heap the service may get; start is refused if the limit cannot give it
 * @param maxHeapMb largest heap worth giving (0: no cap)
 * @param heapFraction fraction of the service's share that becomes heap
 * @param fixedMb memory that the service uses outside the weighted share (0 when it is weighted)
 */
public record MemoryDemand(String serviceId, int weight, int minHeapMb, int maxHeapMb, double heapFraction, int fixedMb) {}
