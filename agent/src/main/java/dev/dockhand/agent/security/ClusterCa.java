package dev.dockhand.agent.security;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.Names;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster's certificate authority: its certificate and its key, the one secret every node is given
 * ({@code AGENT_CA_CERT_FILE}, {@code AGENT_CA_KEY_FILE}). Every node issues itself a certificate with it
 * at start, so that nodes trust each other, and clients trust the nodes, through this one certificate.
 *
 * @param certificate the CA's certificate: {@code CA:TRUE}, valid now
 * @param key its private key, which matches it
 */
public record ClusterCa(X509Certificate certificate, PrivateKey key) {

    /**
     * Reads and checks the CA the orchestrator gave: the trust bundle ({@link TrustBundle#read}) and the
     * key of one of its CAs, which issues. Every problem at once: those of the bundle; a key file missing,
     * not a regular file, too large, not PEM or that others may read; a key that is none of the bundle's
     * CAs'; an issuing CA that ends too soon or has a key the agent cannot sign with.
     *
     * @param certSource how the operator names the certificate's file (e.g. "env AGENT_CA_CERT_FILE")
     */
    public static ClusterCa read(Path certFile, String certSource, Path keyFile, String keySource, Instant now, List<String> problems) {
        TrustBundle bundle = TrustBundle.read(certFile, certSource, now, problems);
        return read(bundle, TrustBundle.where(certFile, certSource), keyFile, keySource, now, problems);
    }

    /**
     * The issuing CA of {@code bundle} (null when the bundle was refused): the one whose key
     * {@code keyFile} holds, checked as {@link #caProblem} checks it.
     *
     * @param certWhere how problems name the bundle's file
     */
    public static ClusterCa read(TrustBundle bundle, String certWhere, Path keyFile, String keySource, Instant now, List<String> problems) {
        PrivateKey key = null;
        String keyWhere = "CA key " + Names.printable(keyFile.toString()) + " (" + keySource + ")";
        try {
            String why = readableByOthers(keyFile);
            if (why != null) {
                problems.add(keyWhere + " " + why);
            } else {
                key = Pem.privateKey(InputFiles.read(keyFile, InputFiles.SECRET_LIMIT));
            }
        } catch (InputFiles.Refused | Pem.BadPem e) {
            problems.add(keyWhere + " " + e.getMessage());
        }
        if (bundle == null || key == null) {
            return null;
        }
        X509Certificate cert = bundle.issuerOf(key);
        if (cert == null) {
            List<X509Certificate> cas = bundle.cas();
            problems.add(keyWhere + " is not the key of " + (cas.size() == 1 ? "" : "any of the " + cas.size() + " CAs of ") + certWhere
                    + " (subject" + (cas.size() == 1 ? " " : "s ")
                    + String.join("; ", cas.stream().map(c -> Names.printable(c.getSubjectX500Principal().getName())).toList())
                    + "); give the key that was made with the CA that issues (agent ca init writes them side by side)");
            return null;
        }
        String why = caProblem(cert, now);
        if (why != null) {
            problems.add(bundle.cas().size() == 1 ? certWhere + " " + why
                    : TrustBundle.which(certWhere, bundle.cas(), bundle.cas().indexOf(cert)) + ", the CA whose key " + keyWhere + " is, " + why);
            return null;
        }
        return new ClusterCa(cert, key);
    }

    /** Makes a new CA: an EC P-256 key and a self-signed certificate valid for {@code days}. */
    public static ClusterCa create(String name, Instant now, long days) {
        KeyPair kp = Certificates.newKeyPair();
        return new ClusterCa(Certificates.selfSignedCa(kp, name, now, days), kp.getPrivate());
    }

    /** Null when {@code c} can act as this cluster's CA now, else why not. */
    static String caProblem(X509Certificate c, Instant now) {
        if (c.getBasicConstraints() < 0) {
            return "is not a CA certificate (no basicConstraints CA:TRUE); give the CA's certificate, not a node's";
        }
        boolean[] usage = c.getKeyUsage();
        if (usage != null && (usage.length <= Certificates.KEY_CERT_SIGN || !usage[Certificates.KEY_CERT_SIGN])) {
            return "may not sign certificates (its keyUsage lacks keyCertSign)";
        }
        String why = extensionProblem(c);
        if (why == null) {
            why = keyProblem(c.getPublicKey());
        }
        if (why != null) {
            return why;
        }
        try {
            c.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            return "expired on " + c.getNotAfter().toInstant() + "; make a new CA (agent ca init) and roll it out";
        } catch (CertificateNotYetValidException e) {
            return "is not valid before " + c.getNotBefore().toInstant() + " (is this node's clock right?)";
        }
        // A node certificate never outlives its CA (Certificates caps it at the CA's end), so a CA that
        // ends sooner than the shortest certificate the agent issues (AGENT_CERT_LIFETIME's floor) would
        // make one too short to be renewed in time. Past that floor the CA is taken, with a warning
        // (expiryWarning): refusing a CA weeks before its end, as a stricter rule would, takes a node that
        // restarts down before the CA does, while the nodes already running go on until its end anyway.
        Instant end = c.getNotAfter().toInstant();
        if (end.isBefore(now.plus(NodeTls.MIN_LIFETIME))) {
            return "expires at " + end + ", in " + Duration.between(now, end).toSeconds() + " s: a node certificate never outlives its CA, "
                    + "and one issued now would live less than " + NodeTls.MIN_LIFETIME.toMinutes() + " minutes"
                    + ", too short to be renewed; make a new CA (agent ca init) and roll it out";
        }
        return null;
    }

    /** How long before its end a CA is warned about at every start. */
    static final Duration WARN_BEFORE = Duration.ofDays(30);

    /** A warning when the CA {@code c} ends within {@link #WARN_BEFORE} of {@code now}, else null. */
    public static String expiryWarning(X509Certificate c, Instant now) {
        Instant end = c.getNotAfter().toInstant();
        if (!end.isBefore(now.plus(WARN_BEFORE))) {
            return null;
        }
        Duration left = Duration.between(now, end);
        return "the cluster CA (subject " + Names.printable(c.getSubjectX500Principal().getName()) + ") expires at " + end + ", in "
                + (left.toDays() > 0 ? left.toDays() + " day(s)" : left.toMinutes() + " minute(s)")
                + ": every node certificate ends with it; make a new CA (agent ca init) and roll it out before then "
                + "(AGENT_CA_CERT_FILE may hold the old and the new CA while nodes move over)";
    }

    /**
     * The critical extensions a cluster CA may carry: those every TLS stack knows. A client that meets a
     * critical extension it does not know must refuse the certificate (RFC 5280 4.2), and OpenSSL does,
     * for every chain under this CA; the JDK does not check its trust anchor, so the agent would not notice.
     */
    private static final Set<String> CRITICAL_OK = Set.of(Certificates.BASIC_CONSTRAINTS, Certificates.KEY_USAGE,
            Certificates.SUBJECT_KEY_ID, Certificates.AUTHORITY_KEY_ID);
    private static final String NAME_CONSTRAINTS = "2.5.29.30";

    /** Null when {@code c}'s extensions let every client accept the node certificates it signs; else why not. */
    static String extensionProblem(X509Certificate c) {
        if (c.getExtensionValue(NAME_CONSTRAINTS) != null) {
            // the nodes' names (FQDNs, localhost, 127.0.0.1, the brokers' shared CN) are the orchestrator's
            // to choose: a CA that limits them would have clients refuse some node, at a time no check foresees
            return "has name constraints (extension " + NAME_CONSTRAINTS + "): clients refuse every node certificate whose names fall "
                    + "outside them; give a cluster CA without name constraints (agent ca init makes one)";
        }
        Set<String> critical = c.getCriticalExtensionOIDs();
        List<String> unknown = critical == null ? List.of() : critical.stream().filter(o -> !CRITICAL_OK.contains(o)).sorted().toList();
        if (!unknown.isEmpty()) {
            return "has critical extension(s) " + String.join(", ", unknown) + ", which OpenSSL clients do not know and so refuse every "
                    + "certificate the CA signs; a cluster CA needs only basicConstraints, keyUsage and key identifiers as critical "
                    + "extensions: make one without the others (agent ca init makes one)";
        }
        return null;
    }

    /** The EC curves the JDK signs and verifies with, and its TLS offers (jdk.tls.namedGroups): P-256, P-384, P-521. */
    static final Map<String, String> CURVES = Map.of("1.2.840.10045.3.1.7", "P-256", "1.3.132.0.34", "P-384", "1.3.132.0.35", "P-521");
    /**
     * The shortest RSA CA key taken. The JDK refuses every certificate path with an RSA key below 1024 bits
     * (jdk.certpath.disabledAlgorithms) and counts one below 2048 as legacy (jdk.security.legacyAlgorithms),
     * as do OpenSSL's security level 2 and NIST (SP 800-131A): 2048 is the floor every client takes.
     */
    static final int RSA_MIN_BITS = 2048;

    /** Null when the agent can sign node certificates with {@code key} that every client of the cluster accepts; else why not. */
    static String keyProblem(PublicKey key) {
        String make = "make a CA with an EC P-256, P-384 or P-521 key (agent ca init makes P-256) or an RSA key of "
                + RSA_MIN_BITS + " bits or more";
        if (key instanceof ECPublicKey ec) {
            String oid;
            try {
                AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
                p.init(ec.getParams());
                oid = p.getParameterSpec(ECGenParameterSpec.class).getName();
            } catch (GeneralSecurityException e) {
                oid = null;
            }
            if (oid == null || !CURVES.containsKey(oid)) {
                return "has an EC key on curve " + Names.printable(String.valueOf(ec.getParams()))
                        + ", which the JDK can neither sign with nor use in TLS; " + make;
            }
            return null;
        }
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits >= RSA_MIN_BITS) {
                return null;
            }
            return "has an RSA key of " + bits + " bits, "
                    + (bits < 1024 ? "which the JDK refuses in every certificate path (jdk.certpath.disabledAlgorithms)"
                            : "which the JDK counts as legacy (jdk.security.legacyAlgorithms) and OpenSSL at security level 2 refuses")
                    + "; " + make;
        }
        String name = key instanceof EdECKey ed ? ed.getParams().getName() : key.getAlgorithm();
        return "has an " + Names.printable(name) + " key: the agent signs node certificates with ECDSA or RSA only, which every TLS "
                + "client takes (browsers, the console's, take no EdDSA certificate); " + make;
    }

    /** Null when only the owner (and the group) may read {@code file}; else why it is refused. */
    static String readableByOthers(Path file) throws InputFiles.Refused {
        Set<PosixFilePermission> p;
        try {
            p = Files.getPosixFilePermissions(file); // follows a link, as a mounted secret is one
        } catch (UnsupportedOperationException e) {
            return null; // not a POSIX file system
        } catch (java.io.IOException e) {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new InputFiles.Refused("does not exist", true);
            }
            throw new InputFiles.Refused(InputFiles.reason(e), false);
        }
        List<String> others = new ArrayList<>();
        if (p.contains(PosixFilePermission.OTHERS_READ)) {
            others.add("read");
        }
        if (p.contains(PosixFilePermission.OTHERS_WRITE)) {
            others.add("write");
        }
        return others.isEmpty() ? null
                : "may be " + String.join(" and ", others) + " by any user of the node (mode "
                        + java.nio.file.attribute.PosixFilePermissions.toString(p) + "); make it 0600 (or 0640), "
                        + "e.g. Kubernetes: defaultMode: 0440 on the secret volume, with the pod's fsGroup";
    }
}
