package dev.dockhand.agent.security;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A node's TLS identity: a key made at start (it never leaves the node) and a certificate for the
 * node's names, signed by the cluster's CA.
 *
 * @param key the node's key pair
 * @param certificate the node's certificate
 * @param ca the CA certificate that signed it (every node and client trusts this one)
 */
public record NodeTls(KeyPair key, X509Certificate certificate, X509Certificate ca) {
    /** The shortest life of a node certificate: renewed at two thirds of it, a shorter one leaves no time to renew. */
    public static final Duration MIN_LIFETIME = Duration.ofMinutes(2);

    /** A fresh key and a certificate for {@code names} (the first is the subject's CN), valid for {@code days}. */
    public static NodeTls issue(ClusterCa ca, List<String> names, Instant now, long days) {
        return issue(ca, names.get(0), null, names, now, Duration.ofDays(days));
    }

    /**
     * A fresh key and a certificate with subject {@code CN=commonName[, O=organization]} for
     * {@code names}, valid for {@code lifetime} (never beyond the CA's own end).
     */
    public static NodeTls issue(ClusterCa ca, String commonName, String organization, List<String> names, Instant now, Duration lifetime) {
        KeyPair kp = Certificates.newKeyPair();
        return new NodeTls(kp, Certificates.node(kp.getPublic(), commonName, organization, names, ca.certificate(), ca.key(), now, lifetime),
                ca.certificate());
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /** When this certificate is renewed: after two thirds of its life, as ACME clients do. */
    public Instant renewAt() {
        Instant from = certificate.getNotBefore().toInstant().plusSeconds(Certificates.BACKDATE_SECONDS);
        return from.plus(Duration.between(from, notAfter()).multipliedBy(2).dividedBy(3));
    }

    /** The private key, PKCS #8 PEM. */
    public String keyPem() {
        return Pem.privateKey(key.getPrivate());
    }

    /** The node's certificate then the CA's: the chain a TLS server presents. */
    public String chainPem() {
        return Pem.certificate(certificate) + Pem.certificate(ca);
    }

    /** Key and chain in one PEM file: the form Kafka's and ZooKeeper's PEM key stores read. */
    public String keyAndChainPem() {
        return keyPem() + chainPem();
    }

    public String caPem() {
        return Pem.certificate(ca);
    }
}
