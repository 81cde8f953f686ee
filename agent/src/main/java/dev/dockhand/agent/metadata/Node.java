package dev.dockhand.agent.metadata;

/**
 * One node of the cluster: its FQDN, its role, and its explicit id, if the node list gives one.
 *
 * @param id the node's id as the node list writes it ({@code 4@broker-1.example}), or 0 when the list
 *     gives none and the id is the node's position; explicit ids let nodes leave the list (ZooKeeper's,
 *     after a migration to KRaft) without renumbering the others
 */
public record Node(String fqdn, String role, int id) {
    /** No explicit id: the node's id is its position in the node list. */
    public static final int POSITIONAL = 0;

    public Node(String fqdn, String role) {
        this(fqdn, role, POSITIONAL);
    }

    /** Whether the node list gives this node's id. */
    public boolean explicitId() {
        return id != POSITIONAL;
    }

    // equals and hashCode by hand: a record's generated ones are bootstrapped through method handles
    // at first use, which costs PID 1 about 30 ms of start-up and some 60 classes it keeps (the node
    // list is searched with indexOf while rendering)

    @Override
    public boolean equals(Object o) {
        return o instanceof Node n && fqdn.equals(n.fqdn) && role.equals(n.role) && id == n.id;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * fqdn.hashCode() + role.hashCode()) + id;
    }

    @Override
    public String toString() {
        return (explicitId() ? id + "@" : "") + fqdn + " (" + role + ")";
    }
}
