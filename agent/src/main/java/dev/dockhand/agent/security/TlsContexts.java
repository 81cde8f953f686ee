package dev.dockhand.agent.security;

import dev.dockhand.agent.core.InputFiles;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts from the node's PEM files, for every party of the node that speaks TLS itself: the
 * agent's probes, the console's server and clients. The trust anchors are the cluster's CA only (never
 * the JDK's public ones): a certificate from any other CA is refused, whoever signed it.
 */
public final class TlsContexts {
    /** TLS 1.3 and 1.2, as Kafka's and ZooKeeper's defaults allow. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsContexts() {}

    /** A context that presents {@code key} with {@code chain} (the node's first) and trusts {@code trusted}. */
    public static SSLContext of(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trusted) {
        try {
            char[] pass = new char[0];
            KeyManagerFactory kmf = null;
            if (key != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("node", key, pass, chain.toArray(X509Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pass);
            }
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                ts.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot make a TLS context: " + e.getMessage(), e);
        }
    }

    /** The node's context: its key and chain, trusting its CA. */
    public static SSLContext of(NodeTls tls) {
        return of(tls.key().getPrivate(), List.of(tls.certificate(), tls.ca()), List.of(tls.ca()));
    }

    /**
     * A context from PEM files: {@code keyFile} holds the private key (and may hold the chain too),
     * {@code chainFile} the certificates (node first), {@code caFile} the CA(s) to trust. A null
     * {@code keyFile} makes a client that presents no certificate.
     *
     * @throws Pem.BadPem naming nothing: the caller prefixes the file
     * @throws InputFiles.Refused when a file cannot be read
     */
    public static SSLContext fromFiles(Path keyFile, Path chainFile, Path caFile) throws Pem.BadPem, InputFiles.Refused {
        List<X509Certificate> trusted = Pem.certificates(InputFiles.read(caFile, InputFiles.SECRET_LIMIT));
        if (keyFile == null) {
            return of(null, List.of(), trusted);
        }
        PrivateKey key = Pem.privateKey(InputFiles.read(keyFile, InputFiles.SECRET_LIMIT));
        List<X509Certificate> chain = Pem.certificates(InputFiles.read(chainFile, InputFiles.SECRET_LIMIT));
        return of(key, chain, trusted);
    }

    /**
     * Client parameters that check the server's name against its certificate (HTTPS rules), as every
     * client of the node does: a certificate for another node is refused.
     */
    public static SSLParameters verifyingHost(SSLContext ctx) {
        SSLParameters p = ctx.getDefaultSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setProtocols(PROTOCOLS);
        return p;
    }
}
