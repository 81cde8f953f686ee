package dev.dockhand.agent.resources;

import java.util.List;

/**
 * One service's part of the node's memory.
 *
 * @param id the service id
 * @param shareMb memory counted for this service (heap, off-heap, and for the broker its page cache)
 * @param heapMb the JVM heap, given as both {@code -Xms} and {@code -Xmx}
 * @param how how the figure was reached, for {@code agent render --explain} (e.g. "weight 4 of 5",
 *     "capped at maxHeapMb 1024", "fixed by AGENT_HEAP_MB_KAFKA_BROKER")
 */
public record ServiceSize(String id, long shareMb, int heapMb, String how) {

    /** {@code -Xms<h>m -Xmx<h>m}: the same initial and maximum heap, so memory use does not creep. */
    public List<String> jvmFlags() {
        return List.of("-Xms" + heapMb + "m", "-Xmx" + heapMb + "m");
    }
}
