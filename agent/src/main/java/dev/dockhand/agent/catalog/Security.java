package dev.dockhand.agent.catalog;

import dev.dockhand.agent.core.Spelled;

/**
 * Whether a node's listeners are secured: TLS on every listener (mutual between the nodes), SASL/SCRAM
 * for Kafka's clients, logins for the registry's writes and the console. A cluster config says which
 * is its default; {@code AGENT_SECURITY} chooses the other explicitly.
 */
public enum Security implements Spelled {
    TLS("tls"),
    PLAINTEXT("plaintext");

    /** The catalog's and {@code AGENT_SECURITY}'s spelling. */
    public final String id;

    Security(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    public static Security parse(String id) {
        Security s = Spelled.byId(values(), id);
        if (s != null) {
            return s;
        }
        throw new IllegalArgumentException("unknown security '" + id + "' (use tls or plaintext)");
    }
}
