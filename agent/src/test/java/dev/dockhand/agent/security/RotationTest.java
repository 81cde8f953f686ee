package dev.dockhand.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The three rolls of docs/security.md, node by node, as the nodes' TLS contexts see them: after every single
 * node's restart, every node still completes a mutual-TLS handshake with every other, both ways. Skipping the
 * first roll (a node issuing from the new CA while others trust the old only) is what breaks it.
 */
class RotationTest {
    static final ClusterCa OLD = ClusterCa.create("old CA", Instant.now(), 365);
    static final ClusterCa NEW = ClusterCa.create("new CA", Instant.now(), 730);
    static final TrustBundle OLD_ONLY = new TrustBundle(List.of(OLD.certificate()));
    static final TrustBundle BOTH = new TrustBundle(List.of(OLD.certificate(), NEW.certificate()));
    static final TrustBundle NEW_ONLY = new TrustBundle(List.of(NEW.certificate()));

    /** A node as its last start made it: what it trusts and the certificate it issued itself. */
    record Node(TrustBundle trust, NodeTls tls) {
        static Node of(TrustBundle trust, ClusterCa issuer) {
            return new Node(trust, NodeTls.issue(issuer, List.of("localhost"), Instant.now(), 1));
        }
    }

    /** Every pair that cannot complete a handshake, both ways. */
    static List<String> refused(List<Node> nodes) {
        List<String> out = new ArrayList<>();
        for (int s = 0; s < nodes.size(); s++) {
            for (int c = 0; c < nodes.size(); c++) {
                if (s == c) {
                    continue;
                }
                try {
                    TlsContextsTest.handshake(TlsContexts.of(nodes.get(s).tls(), nodes.get(s).trust()),
                            TlsContexts.of(nodes.get(c).tls(), nodes.get(c).trust()), "localhost");
                } catch (Exception e) {
                    out.add("node " + c + " to node " + s + ": " + e);
                }
            }
        }
        return out;
    }

    /** Rolls every node onto {@code next}, one at a time; every refused handshake on the way. */
    static List<String> roll(List<Node> nodes, TrustBundle trust, ClusterCa issuer) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            nodes.set(i, Node.of(trust, issuer));
            out.addAll(refused(nodes));
        }
        return out;
    }

    @Test
    void theThreeRollsKeepEveryPairTalkingAtEveryStep() {
        List<Node> nodes = new ArrayList<>(List.of(Node.of(OLD_ONLY, OLD), Node.of(OLD_ONLY, OLD), Node.of(OLD_ONLY, OLD)));
        assertEquals(List.of(), roll(nodes, BOTH, OLD), "1: trust both, still issued by the old");
        assertEquals(List.of(), roll(nodes, BOTH, NEW), "2: issued by the new");
        assertEquals(List.of(), roll(nodes, NEW_ONLY, NEW), "3: the old dropped");
    }

    @Test
    void issuingFromTheNewCaBeforeEveryNodeTrustsItSplitsTheCluster() {
        List<Node> nodes = new ArrayList<>(List.of(Node.of(OLD_ONLY, OLD), Node.of(OLD_ONLY, OLD), Node.of(OLD_ONLY, OLD)));
        nodes.set(0, Node.of(BOTH, NEW)); // what a restart with the new CA alone did before the trust bundle
        List<String> r = refused(nodes);
        assertEquals(4, r.size(), r.toString());
    }
}
