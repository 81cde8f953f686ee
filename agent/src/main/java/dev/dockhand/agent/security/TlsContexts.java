package dev.dockhand.agent.security;

import dev.dockhand.agent.core.InputFiles;
import java.nio.file.Path;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * TLS contexts from the node's PEM files, for every party of the node that speaks TLS itself: the
 * agent's probes, the console's server and clients. The trust anchors are the cluster's CAs only (its
 * trust bundle, never the JDK's public ones): a certificate from any other CA is refused, whoever signed it.
 */
public final class TlsContexts {
    /** TLS 1.3 and 1.2, as Kafka's and ZooKeeper's defaults allow. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /**
     * Sessions each context keeps for resumption, client side and server side. The JDK keeps 20480 for
     * 24 hours, behind soft references: a client of TLS 1.3 gets a new session (a new ticket) from every
     * handshake and files it by its id, so a probe every few seconds grew the agent's heap by about 100
     * KiB a second, until the collector cleared soft references near the heap's limit; the agent's RSS
     * grew with it for as long as it ran. A node's probes ask a few dozen peers at most, each resuming
     * with the last session it got (filed by host and port, in the same bound).
     */
    public static final int SESSION_CACHE_SIZE = 32;

    private TlsContexts() {}

    /**
     * A context that presents {@code key} with {@code chain} (the node's first) and trusts {@code trusted}.
     *
     * <p>The key and the trust anchors go to the JDK's TLS as they are, with no key store: a PKCS12 store
     * encrypts the key on the way in (PBE with 10,000 rounds of a hash), about 30 classes in PID 1 and
     * CPU at every renewal for a key it already holds. The certificates are checked by the JDK's PKIX validator as before (the cluster's
     * CA the only anchor, no revocation lists: the node's certificates live 30 days and are renewed).
     */
    public static SSLContext of(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trusted) {
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate c : trusted) {
                anchors.add(new TrustAnchor(c, null));
            }
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, new X509CertSelector());
            params.setRevocationEnabled(false);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(new CertPathTrustManagerParameters(params));
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(key == null ? null : new KeyManager[] {new NodeKeyManager(key, chain.toArray(X509Certificate[]::new))},
                    tmf.getTrustManagers(), new SecureRandom());
            ctx.getClientSessionContext().setSessionCacheSize(SESSION_CACHE_SIZE);
            ctx.getServerSessionContext().setSessionCacheSize(SESSION_CACHE_SIZE);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * The node's one identity, chosen as the JDK's {@code SunX509} key manager chooses among the entries
     * of a store: the key's algorithm must be the one asked ({@code EC}; {@code EC_EC} also asks the
     * issuer's), and when the peer names the issuers it accepts, one of them must have signed a
     * certificate of the chain.
     */
    static final class NodeKeyManager extends X509ExtendedKeyManager {
        static final String ALIAS = "node";
        private final PrivateKey key;
        private final X509Certificate[] chain;

        NodeKeyManager(PrivateKey key, X509Certificate[] chain) {
            if (chain.length == 0) {
                throw new IllegalArgumentException("a key needs its certificate");
            }
            this.key = key;
            this.chain = chain.clone();
        }

        boolean fits(String keyType, Principal[] issuers) {
            if (keyType == null) {
                return false;
            }
            String sigType = null;
            int k = keyType.indexOf('_');
            if (k >= 0) {
                sigType = keyType.substring(k + 1);
                keyType = keyType.substring(0, k);
            }
            if (!keyType.equals(key.getAlgorithm())) {
                return false;
            }
            if (sigType != null) {
                boolean signedSo = chain.length > 1 ? sigType.equals(chain[1].getPublicKey().getAlgorithm())
                        : chain[0].getSigAlgName().toUpperCase(Locale.ROOT).contains("WITH" + sigType.toUpperCase(Locale.ROOT));
                if (!signedSo) {
                    return false;
                }
            }
            if (issuers == null || issuers.length == 0) {
                return true;
            }
            for (X509Certificate c : chain) {
                for (Principal p : issuers) {
                    if (c.getIssuerX500Principal().equals(p)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private String[] aliases(String keyType, Principal[] issuers) {
            return fits(keyType, issuers) ? new String[] {ALIAS} : null;
        }

        private String choose(String[] keyTypes, Principal[] issuers) {
            if (keyTypes != null) {
                for (String t : keyTypes) {
                    if (fits(t, issuers)) {
                        return ALIAS;
                    }
                }
            }
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return aliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return choose(keyTypes, issuers);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return choose(keyTypes, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return aliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return fits(keyType, issuers) ? ALIAS : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return fits(keyType, issuers) ? ALIAS : null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }

    /** The node's context: its key and chain, trusting its issuer only. */
    public static SSLContext of(NodeTls tls) {
        return of(tls, List.of(tls.ca()));
    }

    /** The node's context: its key and chain, trusting every CA of {@code trust}. */
    public static SSLContext of(NodeTls tls, TrustBundle trust) {
        return of(tls, trust.cas());
    }

    private static SSLContext of(NodeTls tls, List<X509Certificate> trusted) {
        return of(tls.key().getPrivate(), tls.chain(), trusted);
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
