package dev.dockhand.agent.supervise;

import dev.dockhand.agent.health.ProbeTls;
import dev.dockhand.agent.plan.NodeSecurity;
import dev.dockhand.agent.security.TlsContexts;
import javax.net.ssl.SSLContext;

/**
 * The secured node's TLS context for its probes, swapped when the certificates are renewed: a probe
 * asks for the current one each time, so the next probe after a renewal presents the new certificate.
 */
final class NodeTlsContext {
    private volatile NodeSecurity.Certificates certificates;
    private volatile SSLContext context;

    /** Uses {@code c}'s node certificate from now on (a no-op when it is the one in use). */
    void use(NodeSecurity.Certificates c) {
        if (c != null && c != certificates) {
            context = TlsContexts.of(c.node(), c.trust());
            certificates = c;
        }
    }

    SSLContext current() {
        return context;
    }

    /** How a probe of this node's own service speaks: to loopback, checking the node's own name. */
    ProbeTls local(String fqdn) {
        return new ProbeTls(this::current, fqdn);
    }

    /** How a probe of another node speaks: checking the name it connects to. */
    ProbeTls remote() {
        return new ProbeTls(this::current, null);
    }
}
