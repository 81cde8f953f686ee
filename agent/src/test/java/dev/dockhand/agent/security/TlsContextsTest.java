package dev.dockhand.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
