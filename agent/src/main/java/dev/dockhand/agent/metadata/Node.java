package dev.dockhand.agent.metadata;

/** One node of the cluster: its FQDN and its role. */
public record Node(String fqdn, String role) {
    // equals and hashCode by hand: a record's generated ones are bootstrapped through method handles
    // at first use, which costs PID 1 about 30 ms of start-up and some 60 classes it keeps (the node
    // list is searched with indexOf while rendering)

    @Override
    public boolean equals(Object o) {
        return o instanceof Node n && fqdn.equals(n.fqdn) && role.equals(n.role);
    }

    @Override
    public int hashCode() {
        return 31 * fqdn.hashCode() + role.hashCode();
    }
}
