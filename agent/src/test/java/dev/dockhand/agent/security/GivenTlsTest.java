package dev.dockhand.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.testing.Need;
import dev.dockhand.agent.testing.OutsidePki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node certificate made by a PKI the agent did not write (OpenSSL, as cert-manager would), checked before any service gets it. */
class GivenTlsTest {
    @TempDir
    Path dir;
    OutsidePki pki;
    TrustBundle trust;

    @BeforeEach
    void pki() throws Exception {
        Need.that(OutsidePki.available(), () -> "the openssl command");
        pki = new OutsidePki(dir, "corp");
        List<String> problems = new ArrayList<>();
        trust = TrustBundle.read(pki.rootCrt, "env AGENT_CA_CERT_FILE", Instant.now(), problems);
        assertEquals(List.of(), problems);
    }

    List<String> problems(Path[] pair, String... names) {
        List<String> problems = new ArrayList<>();
        NodeTls n = new GivenTls(pair[0], "env AGENT_TLS_CERT_FILE", pair[1], "env AGENT_TLS_KEY_FILE").read(trust, List.of(names),
                Instant.now(), problems);
        assertEquals(problems.isEmpty(), n != null);
        return problems;
    }

    @Test
    void aChainThroughAnIntermediateIsTakenAndPresentedWholeToPeersThatTrustTheRootOnly() throws Exception {
        Path[] pair = pki.node("b1", "b-1.k.test");
        Path[] client = pki.node("c1", "c-1.k.test");
        List<String> problems = new ArrayList<>();
        NodeTls n = new GivenTls(pair[0], "env AGENT_TLS_CERT_FILE", pair[1], "env AGENT_TLS_KEY_FILE").read(trust, List.of("b-1.k.test"),
                Instant.now(), problems);
        assertEquals(List.of(), problems);
        assertEquals(1, n.issuers().size(), "the intermediate, after the node's certificate");
        assertEquals(Files.readString(pair[0]).replace("\r", ""), n.chainPem().replace("\r", ""));
        NodeTls c = new GivenTls(client[0], "x", client[1], "y").read(trust, List.of("c-1.k.test"), Instant.now(), problems);
        // a TLS server and client that trust the root only: the intermediate each presents completes the path
        assertEquals("CN=c-1.k.test", TlsContextsTest.handshake(TlsContexts.of(withName(n, "localhost"), trust),
                TlsContexts.of(c, trust), "localhost"));
    }

    /** {@code n} as a server for {@code name} (the handshake connects to loopback): the same chain under another name. */
    private NodeTls withName(NodeTls n, String name) throws Exception {
        Path[] pair = pki.node("loop", name);
        return new GivenTls(pair[0], "x", pair[1], "y").read(trust, List.of(name), Instant.now(), new ArrayList<>());
    }

    @Test
    void aPairThatIsNotOneOrNamesAnotherNodeOrLeadsToAnotherCaIsRefusedNamingTheFile() throws Exception {
        Path[] pair = pki.node("b1", "b-1.k.test");
        Path[] other = pki.node("b2", "b-2.k.test");
        List<String> p = problems(new Path[] {pair[0], other[1]}, "b-1.k.test");
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("node key " + other[1] + " (env AGENT_TLS_KEY_FILE) is not the key of the first certificate of node "
                + "certificate " + pair[0] + " (env AGENT_TLS_CERT_FILE)"), p.get(0));

        p = problems(pair, "b-3.k.test");
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("does not name b-3.k.test (its SANs: b-1.k.test)"), p.get(0));

        OutsidePki stranger = new OutsidePki(dir, "stranger");
        Path[] foreign = stranger.node("f1", "b-1.k.test");
        p = problems(foreign, "b-1.k.test");
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("node certificate " + foreign[0] + " (env AGENT_TLS_CERT_FILE) does not lead to a CA of "
                + "AGENT_CA_CERT_FILE"), p.get(0));

        Path[] serverOnly = pki.node("s1", "/CN=b-1.k.test", "subjectAltName=DNS:b-1.k.test\nextendedKeyUsage=serverAuth\n");
        p = problems(serverOnly, "b-1.k.test");
        assertTrue(p.size() == 1 && p.get(0).contains("is not for both TLS server and client authentication (its extendedKeyUsage lacks "
                + "clientAuth)"), p.toString());

        Files.setPosixFilePermissions(pair[1], PosixFilePermissions.fromString("rw-r--r--"));
        p = problems(pair, "b-1.k.test");
        assertTrue(p.size() == 1 && p.get(0).startsWith("node key " + pair[1] + " (env AGENT_TLS_KEY_FILE) may be read by any user"),
                p.toString());
    }

    @Test
    void anOlderKeyFormatNamesCertManagersSetting() throws Exception {
        Path[] pair = pki.node("b1", "b-1.k.test");
        // cert-manager's default encoding for an EC key: SEC 1 ("EC PRIVATE KEY")
        Process p = new ProcessBuilder("openssl", "ec", "-in", pair[1].toString(), "-out", dir.resolve("sec1.key").toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0);
        Files.setPosixFilePermissions(dir.resolve("sec1.key"), PosixFilePermissions.fromString("rw-------"));
        List<String> problems = problems(new Path[] {pair[0], dir.resolve("sec1.key")}, "b-1.k.test");
        assertTrue(problems.get(0).contains("SEC 1 / PKCS #1") && problems.get(0).contains("csi.cert-manager.io/key-encoding: PKCS8"),
                problems.toString());
    }

    @Test
    void theFilesAreRenewedWhenTheyHoldAnotherCertificate() throws Exception {
        Path[] pair = pki.node("b1", "b-1.k.test");
        GivenTls given = new GivenTls(pair[0], "x", pair[1], "y");
        NodeTls first = given.read(trust, List.of("b-1.k.test"), Instant.now(), new ArrayList<>());
        assertFalse(given.renewedSince(first.certificate()));
        Path[] next = pki.node("b1-next", "b-1.k.test");
        Files.copy(next[0], pair[0], java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(next[1], pair[1], java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(given.renewedSince(first.certificate()));
        Files.delete(pair[0]);
        assertFalse(given.renewedSince(first.certificate()), "a file that cannot be read is no renewal");
        assertNull(given.read(trust, List.of("b-1.k.test"), Instant.now(), new ArrayList<>()));
    }
}
