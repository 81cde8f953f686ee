package dev.dockhand.agent.health;

import dev.dockhand.agent.catalog.StopSpec;
import java.util.List;

/** Builds a service's {@link StopGate}: the one place where a kind of gate becomes its check. */
public final class StopGates {
    private StopGates() {}

    /** A node of the service's ensemble other than this one: where its probe port answers. */
    public record Member(String host, int port) {}

    /**
     * The gate of a service of this node, or null when a stop of it has nothing to wait for.
     *
     * @param kind what the catalog's service is (see {@link StopSpec.Gate#of})
     * @param host where this node's service answers (loopback)
     * @param port its probe port
     * @param nodeId this node's id: a broker's {@code broker.id}
     * @param others the other nodes that run the service (a ZooKeeper member's peers)
     * @param local how to reach this node's service over TLS (its own name checked), or null for plaintext
     * @param remote how to reach another node's over TLS (the name connected to checked), or null
     */
    public static StopGate of(StopSpec.Gate kind, String host, int port, int nodeId, List<Member> others, ProbeTls local,
            ProbeTls remote) {
        return switch (kind) {
            case MIN_INSYNC -> new KafkaStopGate(host, port, nodeId, local);
            // one or two members cannot lose one and keep a majority: waiting would never open the gate
            case QUORUM -> others.size() + 1 < 3 ? null : new ZooKeeperStopGate(others, remote);
            case NONE -> null;
        };
    }
}
