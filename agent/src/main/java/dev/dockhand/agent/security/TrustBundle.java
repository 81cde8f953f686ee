package dev.dockhand.agent.security;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.Names;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * The CAs a secured node trusts: every certificate of {@code AGENT_CA_CERT_FILE}, in its order. One CA
 * is the usual case; two while the cluster moves from one CA to the next (docs/security.md, "Changing
 * the CA"): a node then takes the certificates of both, so nodes issued from the old and from the new CA
 * keep talking during the rolls. Every party of the node trusts exactly these: Kafka's, ZooKeeper's, the
 * registry's and the console's rendered trust store ({@code ca.crt}), the agent's probes and its request
 * server; never the JDK's public CAs.
 *
 * @param cas the bundle's certificates, at least one, each a CA valid now
 */
public record TrustBundle(List<X509Certificate> cas) {
    /**
     * The most CAs a bundle holds: a rotation needs two, a merger of clusters a few more; far more is
     * a file given by mistake (a system's whole CA store), whose CAs every node would then trust.
     */
    public static final int MAX_CAS = 8;

    public TrustBundle {
        cas = List.copyOf(cas);
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("a trust bundle holds at least one CA");
        }
    }

    /** How the operator names the file (e.g. "CA certificate /run/secrets/ca.crt (env AGENT_CA_CERT_FILE)"). */
    static String where(Path file, String source) {
        // a file name, like a subject, is the orchestrator's text: never a raw control character to the terminal
        return "CA certificate " + Names.printable(file.toString()) + " (" + source + ")";
    }

    /**
     * Reads and checks a bundle. Every problem to {@code problems}, each naming the file and, for a
     * certificate, its place in the file (1 is the first): a missing, unreadable or oversized file, no
     * PEM certificate, more than {@link #MAX_CAS}, a certificate that is no CA, is expired or not yet
     * valid, or that clients could not take as an anchor (its key, its critical extensions). Null when
     * there is any problem.
     */
    public static TrustBundle read(Path file, String source, Instant now, List<String> problems) {
        String where = where(file, source);
        List<X509Certificate> certs;
        try {
            certs = Pem.certificates(InputFiles.read(file, InputFiles.SECRET_LIMIT));
        } catch (InputFiles.Refused | Pem.BadPem e) {
            problems.add(where + " " + e.getMessage());
            return null;
        }
        return of(certs, where, now, problems);
    }

    /** As {@link #read}, from certificates already read; {@code where} names their file. */
    static TrustBundle of(List<X509Certificate> certs, String where, Instant now, List<String> problems) {
        int before = problems.size();
        if (certs.size() > MAX_CAS) {
            problems.add(where + " holds " + certs.size() + " certificates; a trust bundle holds at most " + MAX_CAS
                    + " CAs (the cluster's, and the next one during a rotation): give the cluster's CAs only, not a system's CA store");
            return null;
        }
        for (int i = 0; i < certs.size(); i++) {
            String why = anchorProblem(certs.get(i), now);
            if (why != null) {
                problems.add(which(where, certs, i) + " " + why);
            }
        }
        return problems.size() == before ? new TrustBundle(certs) : null;
    }

    /** How a problem names certificate {@code i} of {@code certs} from the file {@code where}: by its place when there are several. */
    static String which(String where, List<X509Certificate> certs, int i) {
        return certs.size() == 1 ? where : where + ": certificate " + (i + 1) + " of " + certs.size() + " (subject "
                + Names.printable(certs.get(i).getSubjectX500Principal().getName()) + ")";
    }

    /**
     * Null when {@code c} can be trusted as a CA of the cluster now, else why not: the checks of
     * {@link ClusterCa#caProblem} but the floor on its remaining life, which matters only to the CA that
     * issues (an old CA near its end stays trusted while the nodes move off it).
     */
    static String anchorProblem(X509Certificate c, Instant now) {
        if (c.getBasicConstraints() < 0) {
            return "is not a CA certificate (no basicConstraints CA:TRUE); the file holds the cluster's CA(s) only, "
                    + "not a node's certificate (a node's own goes in AGENT_TLS_CERT_FILE)";
        }
        boolean[] usage = c.getKeyUsage();
        if (usage != null && (usage.length <= Certificates.KEY_CERT_SIGN || !usage[Certificates.KEY_CERT_SIGN])) {
            return "may not sign certificates (its keyUsage lacks keyCertSign)";
        }
        String why = ClusterCa.extensionProblem(c);
        if (why == null) {
            why = ClusterCa.keyProblem(c.getPublicKey());
        }
        if (why != null) {
            return why;
        }
        try {
            c.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            return "expired on " + c.getNotAfter().toInstant() + "; remove it from the file (a rotation's last step), "
                    + "or make a new CA (agent ca init) and roll it out";
        } catch (CertificateNotYetValidException e) {
            return "is not valid before " + c.getNotBefore().toInstant() + " (is this node's clock right?)";
        }
        return null;
    }

    /** The CA of the bundle whose key {@code key} is; null when none. */
    public X509Certificate issuerOf(PrivateKey key) {
        for (X509Certificate c : cas) {
            if (Certificates.keyMatches(key, c)) {
                return c;
            }
        }
        return null;
    }

    /** The bundle as the services' PEM trust stores read it: every CA, in the file's order. */
    public String pem() {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : cas) {
            sb.append(Pem.certificate(c));
        }
        return sb.toString();
    }

    /** A warning for each CA that ends within {@link ClusterCa#WARN_BEFORE} of {@code now}. */
    public List<String> expiryWarnings(Instant now) {
        List<String> out = new ArrayList<>();
        for (X509Certificate c : cas) {
            String w = ClusterCa.expiryWarning(c, now);
            if (w != null) {
                out.add(w);
            }
        }
        return out;
    }

    /** When the first CA of the bundle ends. */
    public Instant firstEnd() {
        return cas.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
    }
}
