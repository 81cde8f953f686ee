package dev.dockhand.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every certificate of AGENT_CA_CERT_FILE is trusted, the one whose key is given issues: what lets a
 * cluster move from one CA to the next with nodes of both talking meanwhile.
 */
class TrustBundleTest {
    static final Instant NOW = Instant.now();
    static final ClusterCa OLD = ClusterCa.create("old CA", NOW, 365);
    static final ClusterCa NEW = ClusterCa.create("new CA", NOW, 730);

    @TempDir
    Path dir;

    Path write(String name, String text) throws Exception {
        Path p = Files.writeString(dir.resolve(name), text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    Path bundle(ClusterCa... cas) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (ClusterCa c : cas) {
            sb.append(Pem.certificate(c.certificate()));
        }
        return write("ca.crt", sb.toString());
    }

    @Test
    void theCaWhoseKeyIsGivenIssuesWhereverItStandsInTheBundle() throws Exception {
        Path ca = bundle(OLD, NEW);
        List<String> problems = new ArrayList<>();
        ClusterCa issuing = ClusterCa.read(ca, "env AGENT_CA_CERT_FILE", write("new.key", Pem.privateKey(NEW.key())), "env AGENT_CA_KEY_FILE",
                NOW, problems);
        assertEquals(List.of(), problems);
        assertEquals(NEW.certificate(), issuing.certificate(), "the second certificate, whose key was given");
        ClusterCa first = ClusterCa.read(ca, "env AGENT_CA_CERT_FILE", write("old.key", Pem.privateKey(OLD.key())), "env AGENT_CA_KEY_FILE",
                NOW, problems);
        assertEquals(OLD.certificate(), first.certificate());
        TrustBundle trust = TrustBundle.read(ca, "env AGENT_CA_CERT_FILE", NOW, problems);
        assertEquals(List.of(OLD.certificate(), NEW.certificate()), trust.cas());
        assertEquals(Files.readString(ca), trust.pem(), "the services' trust store holds every CA, in the file's order");
    }

    @Test
    void nodesOfTheOldAndOfTheNewCaTalkBothWaysWhileBothAreTrustedAndNotOnceTheOldIsRemoved() throws Exception {
        TrustBundle both = new TrustBundle(List.of(OLD.certificate(), NEW.certificate()));
        NodeTls oldNode = NodeTls.issue(OLD, List.of("localhost"), NOW, 1);
        NodeTls newNode = NodeTls.issue(NEW, List.of("localhost"), NOW, 1);
        assertEquals("CN=localhost", TlsContextsTest.handshake(TlsContexts.of(oldNode, both), TlsContexts.of(newNode, both), "localhost"));
        assertEquals("CN=localhost", TlsContextsTest.handshake(TlsContexts.of(newNode, both), TlsContexts.of(oldNode, both), "localhost"));
        // the last step of a rotation: a node that trusts the new CA only refuses one still on the old
        TrustBundle newOnly = new TrustBundle(List.of(NEW.certificate()));
        assertThrows(SSLHandshakeException.class,
                () -> TlsContextsTest.handshake(TlsContexts.of(oldNode, both), TlsContexts.of(newNode, newOnly), "localhost"));
    }

    @Test
    void aKeyOfNoCaOfTheBundleIsRefusedNamingTheFileAndEveryCa() throws Exception {
        List<String> problems = new ArrayList<>();
        Path key = write("other.key", Pem.privateKey(ClusterCa.create("other", NOW, 30).key()));
        assertNull(ClusterCa.read(bundle(OLD, NEW), "env AGENT_CA_CERT_FILE", key, "env AGENT_CA_KEY_FILE", NOW, problems));
        assertEquals(List.of("CA key " + key + " (env AGENT_CA_KEY_FILE) is not the key of any of the 2 CAs of CA certificate "
                + dir.resolve("ca.crt") + " (env AGENT_CA_CERT_FILE) (subjects CN=old CA,O=dockhand; CN=new CA,O=dockhand); give the key "
                + "that was made with the CA that issues (agent ca init writes them side by side)"), problems);
    }

    @Test
    void eachRefusedCertificateIsNamedByItsPlaceInTheFile() throws Exception {
        KeyPair kp = Certificates.newKeyPair();
        var expired = Certificates.selfSignedCa(kp, "expired", NOW.minus(Duration.ofDays(40)), 30);
        NodeTls node = NodeTls.issue(OLD, List.of("n.x"), NOW, 1);
        Path file = write("mixed.crt", Pem.certificate(OLD.certificate()) + Pem.certificate(node.certificate()) + Pem.certificate(expired));
        List<String> problems = new ArrayList<>();
        assertNull(TrustBundle.read(file, "env AGENT_CA_CERT_FILE", NOW, problems));
        String where = "CA certificate " + file + " (env AGENT_CA_CERT_FILE): certificate ";
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(where + "2 of 3 (subject CN=n.x) is not a CA certificate"), problems.get(0));
        assertTrue(problems.get(1).startsWith(where + "3 of 3 (subject CN=expired,O=dockhand) expired on "), problems.get(1));
        assertTrue(problems.get(1).contains("remove it from the file"), problems.get(1));
    }

    @Test
    void aFileOfManyCasOrOfNoPemIsRefusedWholeAndTheIssuingCaKeepsItsLifetimeFloor() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= TrustBundle.MAX_CAS; i++) {
            many.append(Pem.certificate(ClusterCa.create("ca" + i, NOW, 30).certificate()));
        }
        List<String> problems = new ArrayList<>();
        assertNull(TrustBundle.read(write("many.crt", many.toString()), "env AGENT_CA_CERT_FILE", NOW, problems));
        assertTrue(problems.get(0).contains("holds 9 certificates; a trust bundle holds at most 8 CAs"), problems.toString());
        problems.clear();
        assertNull(TrustBundle.read(write("junk.crt", "not pem"), "env AGENT_CA_CERT_FILE", NOW, problems));
        assertTrue(problems.get(0).endsWith("junk.crt (env AGENT_CA_CERT_FILE) holds no PEM certificate (-----BEGIN CERTIFICATE-----)"),
                problems.toString());
        // an old CA a minute from its end is still trusted (its nodes are moving off it); it may not issue
        KeyPair kp = Certificates.newKeyPair();
        ClusterCa ending = new ClusterCa(Certificates.selfSignedCa(kp, "ending", NOW, Duration.ofSeconds(60)), kp.getPrivate());
        problems.clear();
        Path both = bundle(ending, NEW);
        assertNotNull(TrustBundle.read(both, "env AGENT_CA_CERT_FILE", NOW, problems));
        assertEquals(List.of(), problems);
        assertNull(ClusterCa.read(both, "env AGENT_CA_CERT_FILE", write("ending.key", Pem.privateKey(ending.key())), "env AGENT_CA_KEY_FILE",
                NOW, problems));
        assertTrue(problems.get(0).contains("certificate 1 of 2 (subject CN=ending,O=dockhand), the CA whose key"), problems.toString());
    }

    @Test
    void aCaNearItsEndIsWarnedOfWhereverItStandsInTheBundle() {
        KeyPair kp = Certificates.newKeyPair();
        var soon = Certificates.selfSignedCa(kp, "soon", NOW, 20);
        List<String> w = new TrustBundle(List.of(NEW.certificate(), soon)).expiryWarnings(NOW);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("(subject CN=soon,O=dockhand) expires at") && w.get(0).contains(" day(s): "), w.get(0));
    }
}
