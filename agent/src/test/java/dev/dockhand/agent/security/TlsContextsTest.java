package dev.dockhand.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextsTest {
    @TempDir
    Path dir;

    static final ClusterCa CA = ClusterCa.create("dockhand test CA", Instant.now(), 30);

    /** The subject the server saw of its client, after a handshake in which the client checked the server's name. */
    static String handshake(SSLContext server, SSLContext client, String serverName) throws Exception {
        try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            ss.setNeedClientAuth(true);
            ss.setSoTimeout(10_000);
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    s.getOutputStream().write(1);
                    s.getOutputStream().flush();
                    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
                } catch (IOException e) {
                    return "refused: " + e.getMessage();
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(
                    new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), ss.getLocalPort()), serverName, ss.getLocalPort(), true)) {
                s.setSoTimeout(10_000);
                s.setSSLParameters(TlsContexts.verifyingHost(client));
                s.startHandshake();
                assertEquals(1, s.getInputStream().read());
            }
            return seen.get(20, TimeUnit.SECONDS);
        }
    }

    Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void contextsFromTheNodesPemFilesShakeHandsMutuallyAndNameTheSharedIdentity() throws Exception {
        NodeTls server = NodeTls.issue(CA, List.of("localhost"), Instant.now(), 1);
        NodeTls shared = NodeTls.issue(CA, "kafka-brokers", "cluster1", List.of("broker-1.x"), Instant.now(), Duration.ofMinutes(5));
        SSLContext serverCtx = TlsContexts.fromFiles(write("s.key", server.keyPem()), write("s.crt", server.chainPem()), write("ca.crt", server.caPem()));
        // the form Kafka's PEM key store reads: key and chain in one file
        Path both = write("c.pem", shared.keyAndChainPem());
        SSLContext clientCtx = TlsContexts.fromFiles(both, both, dir.resolve("ca.crt"));
        assertEquals("CN=kafka-brokers,O=cluster1", handshake(serverCtx, clientCtx, "localhost"));
        // five minutes, not days: the lifetime is the caller's
        assertEquals(Duration.ofMinutes(5).plusSeconds(Certificates.BACKDATE_SECONDS),
                Duration.between(shared.certificate().getNotBefore().toInstant(), shared.notAfter()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    @Test
    void aServerWithAnotherNamesCertificateOrFromAnotherCaIsRefused() throws Exception {
        NodeTls client = NodeTls.issue(CA, List.of("client.x"), Instant.now(), 1);
        NodeTls otherName = NodeTls.issue(CA, List.of("broker-2.x"), Instant.now(), 1);
        assertThrows(SSLHandshakeException.class, () -> handshake(TlsContexts.of(otherName), TlsContexts.of(client), "localhost"));
        ClusterCa otherCa = ClusterCa.create("another CA", Instant.now(), 30);
        NodeTls stranger = NodeTls.issue(otherCa, List.of("localhost"), Instant.now(), 1);
        assertThrows(SSLHandshakeException.class, () -> handshake(TlsContexts.of(stranger), TlsContexts.of(client), "localhost"));
    }

    @Test
    void theSessionCachesAreBoundedAndStillResume() throws Exception {
        NodeTls server = NodeTls.issue(CA, List.of("localhost"), Instant.now(), 1);
        NodeTls client = NodeTls.issue(CA, List.of("client.x"), Instant.now(), 1);
        SSLContext serverCtx = TlsContexts.of(server);
        SSLContext clientCtx = TlsContexts.of(client);
        for (SSLContext c : List.of(serverCtx, clientCtx)) {
            assertEquals(TlsContexts.SESSION_CACHE_SIZE, c.getClientSessionContext().getSessionCacheSize());
            assertEquals(TlsContexts.SESSION_CACHE_SIZE, c.getServerSessionContext().getSessionCacheSize());
        }
        // every TLS 1.3 handshake leaves the client a new session: more handshakes than the bound keep the bound
        for (int i = 0; i < TlsContexts.SESSION_CACHE_SIZE + 8; i++) {
            assertEquals("CN=client.x", handshake(serverCtx, clientCtx, "localhost"));
        }
        int kept = java.util.Collections.list(clientCtx.getClientSessionContext().getIds()).size();
        assertTrue(kept > 0 && kept <= TlsContexts.SESSION_CACHE_SIZE, kept + " client sessions kept");
        int served = java.util.Collections.list(serverCtx.getServerSessionContext().getIds()).size();
        assertTrue(served <= TlsContexts.SESSION_CACHE_SIZE, served + " server sessions kept");
    }

    @Test
    void theNodesKeyIsOfferedForItsOwnKeyTypeAndToPeersThatAcceptItsCa() {
        NodeTls node = NodeTls.issue(CA, List.of("localhost"), Instant.now(), 1);
        var km = new TlsContexts.NodeKeyManager(node.key().getPrivate(), new X509Certificate[] {node.certificate(), node.ca()});
        String alg = node.key().getPrivate().getAlgorithm();
        assertEquals("node", km.chooseServerAlias(alg, null, null));
        assertEquals("node", km.chooseClientAlias(new String[] {"RSA", alg}, new java.security.Principal[] {node.ca().getSubjectX500Principal()}, null));
        assertNull(km.chooseServerAlias("RSA".equals(alg) ? "EC" : "RSA", null, null));
        ClusterCa otherCa = ClusterCa.create("another CA", Instant.now(), 30);
        NodeTls stranger = NodeTls.issue(otherCa, List.of("localhost"), Instant.now(), 1);
        assertNull(km.chooseEngineClientAlias(new String[] {alg}, new java.security.Principal[] {stranger.ca().getSubjectX500Principal()}, null));
        assertEquals(node.key().getPrivate(), km.getPrivateKey("node"));
        assertEquals(2, km.getCertificateChain("node").length);
        assertNull(km.getPrivateKey("other"));
    }
}
