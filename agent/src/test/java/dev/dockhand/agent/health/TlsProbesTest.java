package dev.dockhand.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.catalog.StopSpec;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.agent.security.TlsContexts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Probes of a secured node's services: over TLS, the server's name checked, a client certificate shown, bounded by the timeout. */
class TlsProbesTest {
    static final ClusterCa CA = ClusterCa.create("test CA", Instant.now(), 30);
    static final NodeTls NODE = NodeTls.issue(CA, List.of("zk-1.x"), Instant.now(), 1);
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    final List<ServerSocket> servers = new ArrayList<>();
    final List<String> clients = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        for (ServerSocket s : servers) {
            s.close();
        }
    }

    /** A ZooKeeper-like secure port presenting {@code server}'s certificate and requiring a client's; answers srvr. */
    int secureZooKeeper(NodeTls server) throws IOException {
        SSLServerSocket ss = (SSLServerSocket) TlsContexts.of(server).getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ss.setNeedClientAuth(true);
        servers.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (SSLSocket c = (SSLSocket) ss.accept()) {
                    c.setSoTimeout(5000);
                    byte[] word = c.getInputStream().readNBytes(4);
                    synchronized (clients) {
                        clients.add(c.getSession().getPeerPrincipal().getName());
                    }
                    if (new String(word, StandardCharsets.US_ASCII).equals("srvr")) {
                        c.getOutputStream().write("Zookeeper version: 3.8.4\nMode: leader\n".getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (IOException e) {
                    // a refused handshake: next
                }
            }
        }, "secure-zk");
        t.setDaemon(true);
        t.start();
        return ss.getLocalPort();
    }

    static ProbeTls tls(NodeTls client, String serverName) {
        SSLContext ctx = TlsContexts.of(client);
        return new ProbeTls(() -> ctx, serverName);
    }

    @Test
    void aLocalProbeConnectsToLoopbackButChecksTheNodesOwnNameAndShowsItsCertificate() throws IOException {
        int port = secureZooKeeper(NODE);
        HealthResult r = Probes.of(new ProbeSpec.ZooKeeper(port), null, tls(NODE, "zk-1.x")).check("127.0.0.1", port, TIMEOUT);
        assertTrue(r.ok(), r.detail());
        assertEquals("Mode: leader (TLS)", r.detail());
        synchronized (clients) {
            assertEquals(List.of("CN=zk-1.x"), clients, "the probe presented the node's certificate");
        }
    }

    @Test
    void aServerWhoseCertificateNamesAnotherNodeOrComesFromAnotherCaFails() throws IOException {
        int port = secureZooKeeper(NodeTls.issue(CA, List.of("zk-2.x"), Instant.now(), 1));
        HealthResult r = Probes.of(new ProbeSpec.ZooKeeper(port), null, tls(NODE, "zk-1.x")).check("127.0.0.1", port, TIMEOUT);
        assertFalse(r.ok());
        assertTrue(r.detail().startsWith("TLS handshake refused"), r.detail());

        ClusterCa other = ClusterCa.create("other CA", Instant.now(), 30);
        int port2 = secureZooKeeper(NodeTls.issue(other, List.of("zk-1.x"), Instant.now(), 1));
        HealthResult r2 = Probes.of(new ProbeSpec.ZooKeeper(port2), null, tls(NODE, "zk-1.x")).check("127.0.0.1", port2, TIMEOUT);
        assertFalse(r2.ok());
        assertTrue(r2.detail().startsWith("TLS handshake refused"), r2.detail());
    }

    @Test
    void aServerThatNeverFinishesTheHandshakeCannotHoldTheProbePastItsTimeout() throws IOException {
        // accepts, reads the ClientHello and then trickles a byte every 200 ms for 6 s: never a ServerHello
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        servers.add(ss);
        java.util.concurrent.atomic.AtomicBoolean trickledToTheEnd = new java.util.concurrent.atomic.AtomicBoolean();
        Thread t = new Thread(() -> {
            try (Socket c = ss.accept()) {
                InputStream in = c.getInputStream();
                in.read(new byte[4096]);
                for (int i = 0; i < 30 && !ss.isClosed(); i++) {
                    c.getOutputStream().write(0x16);
                    c.getOutputStream().flush();
                    Thread.sleep(200);
                }
                trickledToTheEnd.set(true);
            } catch (IOException | InterruptedException e) {
                // closed by the probe
            }
        }, "trickle");
        t.setDaemon(true);
        t.start();
        HealthResult r = Probes.of(new ProbeSpec.Kafka(ss.getLocalPort(), false), null, tls(NODE, "zk-1.x"))
                .check("127.0.0.1", ss.getLocalPort(), Duration.ofMillis(800));
        // the probe gave up while the server was still trickling: the handshake did not hold it until the server stopped
        assertFalse(trickledToTheEnd.get(), "the probe returned only once the server had sent everything: " + r.detail());
        assertFalse(r.ok(), r.detail());
    }

    @Test
    void aZooKeeperStopGateAsksTheOtherMembersOverTlsWithTheNodesCertificate() throws IOException {
        List<StopGates.Member> others = List.of(new StopGates.Member("127.0.0.1", secureZooKeeper(NODE)),
                new StopGates.Member("127.0.0.1", secureZooKeeper(NODE)));
        HealthResult secured = StopGates.of(StopSpec.Gate.QUORUM, "127.0.0.1", 2281, 3, others, null, tls(NODE, "zk-1.x"))
                .ask(TIMEOUT);
        assertTrue(secured.ok(), secured.detail());
        synchronized (clients) {
            assertEquals(2, clients.size(), "each member saw the node's certificate: " + clients);
        }
        HealthResult plain = StopGates.of(StopSpec.Gate.QUORUM, "127.0.0.1", 2281, 3, others, null, null).ask(TIMEOUT);
        assertFalse(plain.ok(), "a plaintext srvr gets no answer from a secure port: " + plain.detail());
    }
}
