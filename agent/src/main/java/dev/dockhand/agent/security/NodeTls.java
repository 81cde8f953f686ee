package dev.dockhand.agent.security;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A node's TLS identity: a key and a certificate for the node's names, with the certificates that
 * link it to a CA of the trust bundle. Either issued by the node itself (a key made at start, which
 * never leaves the node, signed by the cluster's CA) or given as files ({@link GivenTls}).
 *
 * @param key the node's key pair
 * @param certificate the node's certificate
 * @param issuers the rest of the chain the node presents, issuer first: the cluster's CA for a
 *     certificate the node issued; for a given one, its intermediates as given (possibly none)
 */
public record NodeTls(KeyPair key, X509Certificate certificate, List<X509Certificate> issuers) {
    public NodeTls {
        issuers = List.copyOf(issuers);
    }

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
                List.of(ca.certificate()));
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

    /** The certificate that issued this one, as the chain gives it; null when the chain is the certificate alone. */
    public X509Certificate ca() {
        return issuers.isEmpty() ? null : issuers.get(0);
    }

    /** The chain a TLS server presents: the node's certificate, then its issuers. */
    public List<X509Certificate> chain() {
        List<X509Certificate> out = new java.util.ArrayList<>();
        out.add(certificate);
        out.addAll(issuers);
        return out;
    }

    /** The node's certificate then its issuers', PEM. */
    public String chainPem() {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : chain()) {
            sb.append(Pem.certificate(c));
        }
        return sb.toString();
    }

    /** Key and chain in one PEM file: the form Kafka's and ZooKeeper's PEM key stores read. */
    public String keyAndChainPem() {
        return keyPem() + chainPem();
    }

    /** The issuer's certificate, PEM (empty when the chain is the certificate alone). */
    public String caPem() {
        return issuers.isEmpty() ? "" : Pem.certificate(issuers.get(0));
    }
}
