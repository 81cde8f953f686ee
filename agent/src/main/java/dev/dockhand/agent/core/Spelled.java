package dev.dockhand.agent.core;

/**
 * A closed set's member as its users spell it (the catalog, an env variable): {@code on-failure},
 * {@code kraft-brokers}. {@link #byId} is the one lookup of every such enum.
 */
public interface Spelled {
    /** The spelling. */
    String id();

    /** The member of {@code values} spelled {@code id}, or null when there is none. */
    static <E extends Spelled> E byId(E[] values, String id) {
        for (E e : values) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        return null;
    }
}
