package dev.dockhand.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificates written by the agent's own DER, read by the JDK, by OpenSSL and by a real TLS handshake. */
class CertificatesTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aNodeCertificateValidatesAgainstItsCaWithTheJdksPkixRules() throws Exception {
        ClusterCa ca = ClusterCa.create("dockhand test CA", NOW, 365);
        NodeTls node = NodeTls.issue(ca, List.of("broker-1.kafka1.example", "localhost", "127.0.0.1"), NOW, 30);
        X509Certificate c = node.certificate();
        assertEquals(2, ca.certificate().getBasicConstraints() >= 0 ? 2 : 0, "the CA is a CA");
        assertEquals(-1, c.getBasicConstraints(), "the node is not");
        assertEquals("CN=broker-1.kafka1.example", c.getSubjectX500Principal().getName());
        assertEquals(ca.certificate().getSubjectX500Principal(), c.getIssuerX500Principal());
        List<String> sans = new ArrayList<>();
        c.getSubjectAlternativeNames().forEach(l -> sans.add(l.get(0) + ":" + l.get(1)));
        assertEquals(List.of("2:broker-1.kafka1.example", "2:localhost", "7:127.0.0.1"), sans);
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), c.getExtendedKeyUsage());
        assertTrue(c.getKeyUsage()[0], "digitalSignature");
        assertEquals(NOW.plus(30, ChronoUnit.DAYS), c.getNotAfter().toInstant());
        assertEquals(NOW.minusSeconds(300), c.getNotBefore().toInstant());

        PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
        pkix.setRevocationEnabled(false);
        pkix.setDate(Date.from(NOW.plusSeconds(60)));
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(c)), pkix);
    }

    @Test
    void aNodeCertificateNeverOutlivesItsCa() {
        ClusterCa ca = ClusterCa.create("short CA", NOW, 10);
        NodeTls node = NodeTls.issue(ca, List.of("n.x"), NOW, 30);
        assertEquals(ca.certificate().getNotAfter(), node.certificate().getNotAfter());
        assertTrue(node.renewAt().isBefore(node.notAfter()));
    }

    @Test
    void openSslReadsAndVerifiesWhatTheAgentWrites() throws Exception {
        ClusterCa ca = ClusterCa.create("dockhand test CA", Instant.now(), 365);
        NodeTls node = NodeTls.issue(ca, List.of("zk-1.kafka1.example"), Instant.now(), 30);
        Path caFile = Files.writeString(dir.resolve("ca.crt"), node.caPem());
        Path certFile = Files.writeString(dir.resolve("node.crt"), Pem.certificate(node.certificate()));
        Path keyFile = Files.writeString(dir.resolve("node.key"), node.keyPem());
        assertEquals(certFile + ": OK", openssl("verify", "-CAfile", caFile.toString(), certFile.toString()).strip());
        String text = openssl("x509", "-noout", "-text", "-in", certFile.toString());
        assertTrue(text.contains("DNS:zk-1.kafka1.example"), text);
        assertTrue(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"), text);
        assertTrue(text.contains("ecdsa-with-SHA256"), text);
        assertTrue(openssl("x509", "-noout", "-text", "-in", caFile.toString()).contains("CA:TRUE"));
        // the key is the certificate's: the same public key from both
        assertEquals(openssl("x509", "-noout", "-pubkey", "-in", certFile.toString()), openssl("pkey", "-pubout", "-in", keyFile.toString()));
    }

    @Test
    void twoNodesShakeHandsOverMutualTlsWithHostNamesChecked() throws Exception {
        ClusterCa ca = ClusterCa.create("dockhand test CA", Instant.now(), 365);
        NodeTls server = NodeTls.issue(ca, List.of("localhost"), Instant.now(), 1);
        NodeTls client = NodeTls.issue(ca, List.of("client-1.x"), Instant.now(), 1);
        SSLContext serverCtx = context(server);
        SSLContext clientCtx = context(client);
        try (SSLServerSocket ss = (SSLServerSocket) serverCtx.getServerSocketFactory().createServerSocket(0)) {
            ss.setNeedClientAuth(true);
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.getOutputStream().write(1);
                    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket s = (SSLSocket) clientCtx.getSocketFactory().createSocket("localhost", ss.getLocalPort())) {
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS"); // the server's name must be in its certificate
                s.setSSLParameters(p);
                InputStream in = s.getInputStream();
                assertEquals(1, in.read());
            }
            assertEquals("CN=client-1.x", peer.get(10, TimeUnit.SECONDS));
        }
    }

    static SSLContext context(NodeTls n) {
        return TlsContexts.of(n);
    }

    // ------------------------------------------------------------------ the CA the orchestrator gives

    private Path write(String name, String text, String mode) throws Exception {
        Path p = Files.writeString(dir.resolve(name), text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    private List<String> read(Path cert, Path key) {
        List<String> problems = new ArrayList<>();
        ClusterCa ca = ClusterCa.read(cert, "env AGENT_CA_CERT_FILE", key, "env AGENT_CA_KEY_FILE", NOW, problems);
        assertEquals(problems.isEmpty(), ca != null);
        return problems;
    }

    @Test
    void aGoodCaIsRead() throws Exception {
        ClusterCa ca = ClusterCa.create("ok", NOW, 365);
        assertEquals(List.of(), read(write("ca.crt", Pem.certificate(ca.certificate()), "rw-r--r--"),
                write("ca.key", Pem.privateKey(ca.key()), "rw-------")));
    }

    @Test
    void badCasAreRefusedNamingTheFileAndTheProblem() throws Exception {
        ClusterCa ca = ClusterCa.create("one", NOW, 365);
        ClusterCa other = ClusterCa.create("two", NOW, 365);
        Path cert = write("ca.crt", Pem.certificate(ca.certificate()), "rw-r--r--");
        Path otherKey = write("other.key", Pem.privateKey(other.key()), "rw-------");
        assertTrue(read(cert, otherKey).get(0).startsWith("CA key " + otherKey + " (env AGENT_CA_KEY_FILE) is not the key of CA certificate "),
                read(cert, otherKey).toString());

        ClusterCa old = ClusterCa.create("old", NOW.minus(400, ChronoUnit.DAYS), 30);
        Path oldCert = write("old.crt", Pem.certificate(old.certificate()), "rw-r--r--");
        Path oldKey = write("old.key", Pem.privateKey(old.key()), "rw-------");
        assertTrue(read(oldCert, oldKey).get(0).contains(") expired on "), read(oldCert, oldKey).toString());

        NodeTls node = NodeTls.issue(ca, List.of("n.x"), NOW, 30);
        Path nodeCert = write("node.crt", Pem.certificate(node.certificate()), "rw-r--r--");
        Path nodeKey = write("node.key", node.keyPem(), "rw-------");
        assertTrue(read(nodeCert, nodeKey).get(0).endsWith("is not a CA certificate (no basicConstraints CA:TRUE); the file holds the "
                + "cluster's CA(s) only, not a node's certificate (a node's own goes in AGENT_TLS_CERT_FILE)"), read(nodeCert, nodeKey).toString());

        Path open = write("open.key", Pem.privateKey(ca.key()), "rw-r--r--");
        String p = read(cert, open).get(0);
        assertTrue(p.startsWith("CA key " + open + " (env AGENT_CA_KEY_FILE) may be read by any user of the node (mode rw-r--r--)"), p);
        assertTrue(!p.contains("PRIVATE"), "the key is never shown");

        Path garbage = write("garbage.crt", "not a certificate", "rw-r--r--");
        Path rsa = write("rsa.key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "rw-------");
        List<String> both = read(garbage, rsa);
        assertEquals(2, both.size(), "every problem at once: " + both);
        assertTrue(both.get(0).endsWith("holds no PEM certificate (-----BEGIN CERTIFICATE-----)"), both.get(0));
        assertTrue(both.get(1).contains("convert it to PKCS #8 with openssl pkcs8 -topk8 -nocrypt"), both.get(1));
        assertTrue(read(dir.resolve("none.crt"), dir.resolve("none.key")).get(0).endsWith("does not exist"));
    }

    @Test
    void aCaWhoseKeyUsageForbidsSigningIsRefused() throws Exception {
        assertNull(ClusterCa.caProblem(ClusterCa.create("ok", NOW, 1).certificate(), NOW));
        ClusterCa ca = ClusterCa.create("ok", NOW, 1);
        assertTrue(ClusterCa.caProblem(ca.certificate(), NOW.plus(2, ChronoUnit.DAYS)).startsWith("expired on "));
        assertTrue(ClusterCa.caProblem(ca.certificate(), NOW.minus(1, ChronoUnit.DAYS)).startsWith("is not valid before "));
        assertThrows(IllegalArgumentException.class, () -> Certificates.node(ca.certificate().getPublicKey(), List.of(),
                ca.certificate(), ca.key(), NOW, 1));
    }

    // ------------------------------------------------------------------ CAs the agent cannot sign with, or clients cannot use

    private List<String> read(Path cert, Path key, Instant at) {
        List<String> problems = new ArrayList<>();
        ClusterCa ca = ClusterCa.read(cert, "env AGENT_CA_CERT_FILE", key, "env AGENT_CA_KEY_FILE", at, problems);
        assertEquals(problems.isEmpty(), ca != null);
        return problems;
    }

    /**
     * A self-signed CA made by OpenSSL, valid from now: a key of {@code openssl genpkey KEYARGS}, CA:TRUE
     * (unless {@code ext} starts with basicConstraints) and {@code ext}.
     */
    private Path[] opensslCa(String name, List<String> keyArgs, String... ext) throws Exception {
        Path key = dir.resolve(name + ".key");
        Path cert = dir.resolve(name + ".crt");
        List<String> gen = new ArrayList<>(List.of("genpkey", "-out", key.toString()));
        gen.addAll(keyArgs);
        openssl(gen.toArray(String[]::new));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        List<String> req = new ArrayList<>(List.of("req", "-x509", "-new", "-key", key.toString(), "-subj", "/CN=" + name, "-days", "30",
                "-out", cert.toString()));
        if (ext.length == 0 || !ext[0].startsWith("basicConstraints")) {
            req.addAll(List.of("-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"));
        }
        for (String e : ext) {
            req.addAll(List.of("-addext", e));
        }
        openssl(req.toArray(String[]::new));
        return new Path[] {cert, key};
    }

    /** The one problem of reading the CA {@code ca} now; it names the certificate's file and variable. */
    private String refusal(Path[] ca) {
        List<String> p = read(ca[0], ca[1], Instant.now());
        assertEquals(1, p.size(), "one problem, not one per file: " + p);
        assertTrue(p.get(0).startsWith("CA certificate " + ca[0] + " (env AGENT_CA_CERT_FILE) "), p.get(0));
        return p.get(0);
    }

    @Test
    void anEdDsaCaIsRefusedNamingItsKeyAndWhatToMakeInstead() throws Exception {
        // the agent could not sign with it: a stack trace and exit 4 at the first node certificate
        String ed25519 = refusal(opensslCa("ed25519", List.of("-algorithm", "ed25519")));
        assertTrue(ed25519.contains("has an Ed25519 key: the agent signs node certificates with ECDSA or RSA only"), ed25519);
        assertTrue(ed25519.endsWith("make a CA with an EC P-256, P-384 or P-521 key (agent ca init makes P-256) or an RSA key of 2048 "
                + "bits or more"), ed25519);
        assertTrue(refusal(opensslCa("ed448", List.of("-algorithm", "ed448"))).contains("has an Ed448 key"));
    }

    @Test
    void anRsaCaKeyBelow2048BitsIsRefusedAndOneOf2048SignsWhatTheJdkValidates() throws Exception {
        for (int bits : new int[] {512, 1024}) {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            java.security.KeyPair kp = g.generateKeyPair();
            Path cert = write("rsa" + bits + ".crt", Pem.certificate(Certificates.selfSignedCa(kp, "rsa", NOW, 30)), "rw-r--r--");
            Path key = write("rsa" + bits + ".key", Pem.privateKey(kp.getPrivate()), "rw-------");
            List<String> p = read(cert, key);
            assertEquals(1, p.size(), p.toString());
            assertTrue(p.get(0).contains(") has an RSA key of " + bits + " bits, which the JDK "
                    + (bits < 1024 ? "refuses in every certificate path" : "counts as legacy")), p.get(0));
        }
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        java.security.KeyPair kp = g.generateKeyPair();
        ClusterCa ca = new ClusterCa(Certificates.selfSignedCa(kp, "rsa", NOW, 30), kp.getPrivate());
        assertEquals(List.of(), read(write("rsa.crt", Pem.certificate(ca.certificate()), "rw-r--r--"),
                write("rsa.key", Pem.privateKey(ca.key()), "rw-------")));
        validates(ca, NodeTls.issue(ca, List.of("n.x"), NOW, 1));
    }

    @Test
    void anEcCaOnACurveTheJdkCannotUseIsRefusedNamingTheCurveAndP384AndP521AreTaken() throws Exception {
        // the JDK reads these keys but cannot sign with them: it used to say "not the key of" its certificate
        String k1 = refusal(opensslCa("k1", List.of("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1")));
        assertTrue(k1.contains("has an EC key on curve secp256k1 (1.3.132.0.10), which the JDK can neither sign with nor use in TLS; "
                + "make a CA with an EC P-256, P-384 or P-521 key"), k1);
        assertTrue(refusal(opensslCa("bp", List.of("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:brainpoolP256r1")))
                .contains("curve brainpoolP256r1"));
        assertTrue(refusal(opensslCa("p224", List.of("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-224"))).contains("P-224"));
        for (String curve : List.of("P-384", "P-521")) {
            Path[] made = opensslCa(curve, List.of("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve));
            List<String> problems = new ArrayList<>();
            ClusterCa ca = ClusterCa.read(made[0], "env AGENT_CA_CERT_FILE", made[1], "env AGENT_CA_KEY_FILE", Instant.now(), problems);
            assertEquals(List.of(), problems, curve);
            NodeTls node = NodeTls.issue(ca, List.of("localhost"), Instant.now(), 1);
            assertEquals(curve.equals("P-384") ? "SHA384withECDSA" : "SHA512withECDSA", node.certificate().getSigAlgName(),
                    "signed with the hash that matches the curve");
            validates(ca, node);
        }
    }

    /** The JDK's PKIX rules, OpenSSL and a TLS handshake all take {@code node}, issued by {@code ca}. */
    private void validates(ClusterCa ca, NodeTls node) throws Exception {
        PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
        pkix.setRevocationEnabled(false);
        pkix.setDate(node.certificate().getNotBefore());
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(node.certificate())),
                pkix);
        Path caFile = Files.writeString(dir.resolve("check-ca.crt"), node.caPem());
        Path certFile = Files.writeString(dir.resolve("check-node.crt"), Pem.certificate(node.certificate()));
        assertEquals(certFile + ": OK", openssl("verify", "-attime", String.valueOf(node.certificate().getNotBefore().getTime() / 1000 + 360),
                "-CAfile", caFile.toString(), certFile.toString()).strip());
    }

    @Test
    void aCaThatEndsBeforeANodeCertificateCouldBeRenewedIsRefusedAndOneThatEndsWithinThirtyDaysIsWarnedOf() throws Exception {
        java.security.KeyPair kp = Certificates.newKeyPair();
        X509Certificate ninety = Certificates.selfSignedCa(kp, "short", NOW, java.time.Duration.ofSeconds(90));
        Path key = write("short.key", Pem.privateKey(kp.getPrivate()), "rw-------");
        List<String> p = read(write("short.crt", Pem.certificate(ninety), "rw-r--r--"), key);
        assertEquals(List.of("CA certificate " + dir.resolve("short.crt") + " (env AGENT_CA_CERT_FILE) expires at 2026-12-01T12:01:30Z, "
                + "in 90 s: a node certificate never outlives its CA, and one issued now would live less than 2 minutes, too short to "
                + "be renewed; make a new CA (agent ca init) and roll it out"), p);
        X509Certificate three = Certificates.selfSignedCa(kp, "short", NOW, java.time.Duration.ofMinutes(3));
        assertEquals(List.of(), read(write("three.crt", Pem.certificate(three), "rw-r--r--"), key), "taken, as a 3-minute node certificate is");
        String warning = ClusterCa.expiryWarning(three, NOW);
        assertTrue(warning.startsWith("the cluster CA (subject CN=short,O=dockhand) expires at 2026-12-01T12:03:00Z, in 3 minute(s): "
                + "every node certificate ends with it; make a new CA (agent ca init)"), warning);
        assertTrue(ClusterCa.expiryWarning(Certificates.selfSignedCa(kp, "x", NOW, 29), NOW).contains(", in 29 day(s): "));
        assertNull(ClusterCa.expiryWarning(Certificates.selfSignedCa(kp, "x", NOW, 31), NOW));
    }

    @Test
    void aCaWithNameConstraintsOrAnUnknownCriticalExtensionIsRefusedAsOpenSslWouldRefuseItsChains() throws Exception {
        Path[] unknown = opensslCa("unknown", List.of("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"), "1.2.3.4.5=critical,DER:0500");
        assertTrue(refusal(unknown).contains("has critical extension(s) 1.2.3.4.5, which OpenSSL clients do not know and so refuse every "
                + "certificate the CA signs"), refusal(unknown));
        // what the refusal spares the cluster: OpenSSL refuses a node certificate of that CA
        ClusterCa ca = new ClusterCa(Pem.certificates(Files.readString(unknown[0])).get(0), Pem.privateKey(Files.readString(unknown[1])));
        NodeTls node = NodeTls.issue(ca, List.of("n.x"), Instant.now(), 1);
        Path caFile = Files.writeString(dir.resolve("u-ca.crt"), node.caPem());
        Path certFile = Files.writeString(dir.resolve("u-node.crt"), Pem.certificate(node.certificate()));
        Process v = new ProcessBuilder("openssl", "verify", "-CAfile", caFile.toString(), certFile.toString()).redirectErrorStream(true).start();
        String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(v.waitFor(30, TimeUnit.SECONDS) && v.exitValue() != 0 && out.contains("unhandled critical extension"), out);

        String nc = refusal(opensslCa("nc", List.of("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"),
                "nameConstraints=critical,permitted;DNS:.example.com"));
        assertTrue(nc.contains("has name constraints (extension 2.5.29.30): clients refuse every node certificate whose names fall "
                + "outside them"), nc);
        String notCa = refusal(opensslCa("leaf", List.of("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"),
                "basicConstraints=critical,CA:FALSE"));
        assertTrue(notCa.contains("is not a CA certificate"), notCa);
    }

    static String openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }

}
