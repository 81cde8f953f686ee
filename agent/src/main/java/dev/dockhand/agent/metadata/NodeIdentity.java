package dev.dockhand.agent.metadata;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Who this node is: the resolved metadata contract (flags > env > metadata file > derived).
 *
 * @param role this node's role
 * @param clusterConfig the active cluster config id
 * @param clusterName the cluster's name
 * @param self this node's FQDN
 * @param nodes the cluster's node list in its declared order (adding nodes at the end keeps every id)
 * @param ordinal a Kubernetes StatefulSet ordinal found in the hostname, if any
 * @param placement the node's rack and the cluster's outside addresses, as given
 */
public record NodeIdentity(
        Sourced<String> role,
        Sourced<String> clusterConfig,
        Sourced<String> clusterName,
        Sourced<String> self,
        Sourced<List<Node>> nodes,
        OptionalInt ordinal,
        Placement placement) {

    public NodeIdentity(Sourced<String> role, Sourced<String> clusterConfig, Sourced<String> clusterName, Sourced<String> self,
            Sourced<List<Node>> nodes, OptionalInt ordinal) {
        this(role, clusterConfig, clusterName, self, nodes, ordinal, Placement.NONE);
    }

    /** 1-based position of this node in the node list, or empty when it is not there. */
    public OptionalInt selfIndex() {
        List<Node> list = nodes.value();
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).fqdn().equalsIgnoreCase(self.value())) {
                return OptionalInt.of(i + 1);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * This node's id: its explicit id in the node list, else its 1-based position there; empty when it
     * is not in the list.
     */
    public OptionalInt selfId() {
        OptionalInt index = selfIndex();
        if (index.isEmpty()) {
            return index;
        }
        Node node = nodes.value().get(index.getAsInt() - 1);
        return node.explicitId() ? OptionalInt.of(node.id()) : index;
    }

    /** The id of {@code node} of the node list: its explicit id, else its 1-based position; 0 when not listed. */
    public int idOf(Node node) {
        return node.explicitId() ? node.id() : nodes.value().indexOf(node) + 1;
    }

    public Optional<Node> selfNode() {
        return nodes.value().stream().filter(n -> n.fqdn().equalsIgnoreCase(self.value())).findFirst();
    }
}
