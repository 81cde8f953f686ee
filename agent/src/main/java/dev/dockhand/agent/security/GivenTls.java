package dev.dockhand.agent.security;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.Names;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A node certificate given from outside ({@code AGENT_TLS_CERT_FILE}, {@code AGENT_TLS_KEY_FILE}), as
 * cert-manager's CSI driver or any PKI mounts them: the node then issues nothing and needs no CA key.
 * The pair is checked as a client of the node would check it, before any service gets it: the key is
 * the certificate's, the chain leads to a CA of the trust bundle, the certificate names the node and
 * may serve and be a client (every node is both, on its mutual-TLS listeners).
 *
 * @param certFile the certificate, then any intermediates (PEM; a root CA in it is left out)
 * @param keyFile its private key (PKCS #8 PEM, 0600 or 0640)
 */
public record GivenTls(Path certFile, String certSource, Path keyFile, String keySource) {

    private String certWhere() {
        return "node certificate " + Names.printable(certFile.toString()) + " (" + certSource + ")";
    }

    /**
     * Reads and checks the pair. Every problem to {@code problems}, naming the file; null when there is any.
     *
     * @param trust the CAs the chain must lead to (null: the bundle was refused, only the files are checked)
     * @param names the names the certificate must hold as SANs (the node's FQDN)
     */
    public NodeTls read(TrustBundle trust, List<String> names, Instant now, List<String> problems) {
        int before = problems.size();
        String keyWhere = "node key " + Names.printable(keyFile.toString()) + " (" + keySource + ")";
        List<X509Certificate> chain = null;
        try {
            chain = Pem.certificates(InputFiles.read(certFile, InputFiles.SECRET_LIMIT));
        } catch (InputFiles.Refused | Pem.BadPem e) {
            problems.add(certWhere() + " " + e.getMessage());
        }
        PrivateKey key = null;
        try {
            String why = ClusterCa.readableByOthers(keyFile);
            if (why != null) {
                problems.add(keyWhere + " " + why);
            } else {
                key = Pem.privateKey(InputFiles.read(keyFile, InputFiles.SECRET_LIMIT));
            }
        } catch (InputFiles.Refused e) {
            problems.add(keyWhere + " " + e.getMessage());
        } catch (Pem.BadPem e) {
            problems.add(keyWhere + " " + e.getMessage() + KEY_HINT);
        }
        if (chain == null) {
            return null;
        }
        X509Certificate leaf = chain.get(0);
        if (key != null && !Certificates.keyMatches(key, leaf)) {
            problems.add(keyWhere + " is not the key of the first certificate of " + certWhere() + " (subject "
                    + Names.printable(leaf.getSubjectX500Principal().getName()) + "); give the key and certificate of one pair "
                    + "(cert-manager: tls.key and tls.crt of one secret or CSI volume)");
        }
        leafProblems(leaf, names, now, problems);
        // a root the file carries too (some PKIs append it) is not presented: the peer has it, or must not take it
        List<X509Certificate> issuers = new ArrayList<>(chain.subList(1, chain.size()));
        issuers.removeIf(c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal()));
        if (trust != null && problems.size() == before) {
            String why = chainProblem(leaf, issuers, trust, now);
            if (why != null) {
                problems.add(certWhere() + " " + why);
            }
        }
        return problems.size() == before ? new NodeTls(new KeyPair(leaf.getPublicKey(), key), leaf, issuers) : null;
    }

    /** cert-manager writes PKCS #1 / SEC 1 keys unless asked: Kafka's PEM key store, like the agent, reads PKCS #8 only. */
    private static final String KEY_HINT = " (cert-manager: privateKey.encoding: PKCS8 on the Certificate, or the CSI driver's "
            + "volume attribute csi.cert-manager.io/key-encoding: PKCS8)";

    /** The leaf's own problems: not valid now, not for a server and a client, not for the node's names. */
    private void leafProblems(X509Certificate leaf, List<String> names, Instant now, List<String> problems) {
        String where = certWhere() + " (subject " + Names.printable(leaf.getSubjectX500Principal().getName()) + ")";
        try {
            leaf.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            problems.add(where + " expired on " + leaf.getNotAfter().toInstant() + "; is its issuer (cert-manager) renewing it?");
        } catch (CertificateNotYetValidException e) {
            problems.add(where + " is not valid before " + leaf.getNotBefore().toInstant() + " (is this node's clock right?)");
        }
        if (leaf.getBasicConstraints() >= 0) {
            problems.add(where + " is a CA certificate; give the node's own certificate (the CA goes in AGENT_CA_CERT_FILE)");
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku != null && !(eku.contains(Certificates.SERVER_AUTH) && eku.contains(Certificates.CLIENT_AUTH))) {
                problems.add(where + " is not for both TLS server and client authentication (its extendedKeyUsage lacks "
                        + (eku.contains(Certificates.SERVER_AUTH) ? "clientAuth" : eku.contains(Certificates.CLIENT_AUTH) ? "serverAuth"
                                : "serverAuth and clientAuth")
                        + "); a node serves and is a client of the others on its mutual-TLS listeners: issue it with "
                        + "usages server auth and client auth");
            }
        } catch (CertificateParsingException e) {
            problems.add(where + " has an extendedKeyUsage that cannot be read (" + e.getMessage() + ")");
        }
        Set<String> sans = sans(leaf);
        List<String> missing = names.stream().filter(n -> !sans.contains(n.toLowerCase(Locale.ROOT))).toList();
        if (!missing.isEmpty()) {
            problems.add(where + " does not name " + String.join(", ", missing.stream().map(Names::printable).toList())
                    + " (its SANs: " + (sans.isEmpty() ? "none" : String.join(" ", sans.stream().map(Names::printable).sorted().toList()))
                    + "); every peer checks the name it connects to: issue it with dnsNames including the node's FQDN");
        }
    }

    /** The certificate's DNS and IP SANs, lower case. */
    static Set<String> sans(X509Certificate c) {
        Set<String> out = new HashSet<>();
        try {
            var all = c.getSubjectAlternativeNames();
            if (all != null) {
                for (List<?> l : all) {
                    if (l.get(0) instanceof Integer t && (t == 2 || t == 7)) {
                        out.add(String.valueOf(l.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // none read: every name is missing, which the caller says
        }
        return out;
    }

    /** Null when {@code leaf}, through {@code issuers}, leads to a CA of {@code trust}, as a peer validates it; else why not. */
    static String chainProblem(X509Certificate leaf, List<X509Certificate> issuers, TrustBundle trust, Instant now) {
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate c : trust.cas()) {
                anchors.add(new TrustAnchor(c, null));
            }
            List<X509Certificate> path = new ArrayList<>();
            path.add(leaf);
            // the intermediates up to (not including) an anchor: a chain that repeats an anchor still validates
            for (X509Certificate c : issuers) {
                if (trust.cas().contains(c)) {
                    break;
                }
                path.add(c);
            }
            PKIXParameters p = new PKIXParameters(anchors);
            p.setRevocationEnabled(false);
            p.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), p);
            return null;
        } catch (CertPathValidatorException e) {
            return "does not lead to a CA of AGENT_CA_CERT_FILE (" + e.getMessage() + "); give its issuer's CA in that file "
                    + "(cert-manager: the issuer's ca.crt), and its intermediates after it in this file";
        } catch (GeneralSecurityException e) {
            return "cannot be checked against AGENT_CA_CERT_FILE (" + e.getMessage() + ")";
        }
    }

    /**
     * Whether the certificate file now holds another certificate than {@code current}: the files were
     * renewed. A file that cannot be read now is no change (the renewal that reads it would fail).
     */
    public boolean renewedSince(X509Certificate current) {
        try {
            return !Pem.certificates(InputFiles.read(certFile, InputFiles.SECRET_LIMIT)).get(0).equals(current);
        } catch (InputFiles.Refused | Pem.BadPem e) {
            return false;
        }
    }
}
