package dev.dockhand.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.dockhand.agent.catalog.ProbeSpec;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every probe against a real loopback socket: a server that answers right, wrong, or not at all. */
@Timeout(20)
class HealthChecksTest {
    static final String HOST = "127.0.0.1";
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** The probe a catalog entry of {@code type} declares (the port is given to the check). */
    static ProbeSpec spec(String type, String path, int status, String body) {
        return switch (type) {
            case "tcp" -> new ProbeSpec.Tcp(0);
            case "http" -> new ProbeSpec.Http(0, path, status, body);
            case "zookeeper" -> new ProbeSpec.ZooKeeper(0);
            case "kafka" -> new ProbeSpec.Kafka(0, false);
            default -> throw new IllegalArgumentException(type);
        };
    }

    /** A port nothing listens on: bound, then closed. */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * A server on a daemon thread that reads each connection's request (whatever {@code reader} takes) and
     * writes {@code answer.apply(request)}, then closes the connection.
     */
    int server(Function<Socket, byte[]> answer) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket c = ss.accept()) {
                    c.setSoTimeout(5000);
                    byte[] reply = answer.apply(c);
                    c.getOutputStream().write(reply);
                    c.getOutputStream().flush();
                } catch (IOException e) {
                    // closed by the test, or a probe that gave up
                }
            }
        }, "fake-server");
        t.setDaemon(true);
        t.start();
        return ss.getLocalPort();
    }

    // ---------------------------------------------------------------- tcp

    @Test
    void tcpPassesOnAListeningPortAndFailsOnAClosedOne() throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(ss);
        HealthResult ok = Probes.of(spec("tcp", null, 200, null), null).check(HOST, ss.getLocalPort(), TIMEOUT);
        assertTrue(ok.ok(), ok.detail());
        assertEquals("port " + ss.getLocalPort() + " accepts connections", ok.detail());

        int closed = closedPort();
        HealthResult no = Probes.of(spec("tcp", null, 200, null), null).check(HOST, closed, TIMEOUT);
        assertFalse(no.ok());
        assertEquals("connection refused (127.0.0.1:" + closed + ")", no.detail());
    }

    // ---------------------------------------------------------------- http

    int http(int status, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", x -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(status, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        server.start();
        open.add(() -> server.stop(0));
        return server.getAddress().getPort();
    }

    @Test
    void httpChecksStatusAndBody() throws IOException {
        int up = http(200, "{\"status\":\"UP\"}");
        HealthResult ok = Probes.of(spec("http", "/health/ready", 200, "\"UP\""), null).check(HOST, up, TIMEOUT);
        assertTrue(ok.ok(), ok.detail());
        assertEquals("GET /health/ready 200", ok.detail());

        HealthResult noBody = Probes.of(spec("http", "health/ready", 200, "\"DOWN\""), null).check(HOST, up, TIMEOUT);
        assertFalse(noBody.ok());
        assertEquals("GET /health/ready body lacks '\"DOWN\"'", noBody.detail());

        int down = http(503, "{\"status\":\"DOWN\"}");
        HealthResult bad = Probes.of(spec("http", "/health/ready", 200, null), null).check(HOST, down, TIMEOUT);
        assertFalse(bad.ok());
        assertEquals("GET /health/ready answered 503, expected 200", bad.detail());

        HealthResult expected503 = Probes.of(spec("http", "/", 503, null), null).check(HOST, down, TIMEOUT);
        assertTrue(expected503.ok(), expected503.detail());

        int closed = closedPort();
        HealthResult refused = Probes.of(spec("http", "/", 200, null), null).check(HOST, closed, TIMEOUT);
        assertFalse(refused.ok());
        assertEquals("connection refused (127.0.0.1:" + closed + ")", refused.detail());
    }

    @Test
    void httpReadsChunkedAndCloseDelimitedBodies() throws IOException {
        HttpServer chunked = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        chunked.createContext("/", x -> {
            x.sendResponseHeaders(200, 0); // length 0: chunked
            for (String part : List.of("{\"status\":", "\"UP\",", "\"checks\":[]}")) {
                x.getResponseBody().write(part.getBytes(StandardCharsets.UTF_8));
                x.getResponseBody().flush();
            }
            x.close();
        });
        chunked.start();
        open.add(() -> chunked.stop(0));
        HealthResult ok = Probes.of(spec("http", "/q/health", 200, "\"UP\",\"checks\""), null).check(HOST, chunked.getAddress().getPort(), TIMEOUT);
        assertTrue(ok.ok(), "a body split across chunks is matched whole: " + ok.detail());

        int plain = rawHttp("HTTP/1.0 200 OK\nContent-Type: text/plain\n\nall good, no length, LF line ends");
        HealthResult closeDelimited = Probes.of(spec("http", "/", 200, "no length"), null).check(HOST, plain, TIMEOUT);
        assertTrue(closeDelimited.ok(), closeDelimited.detail());
    }

    @Test
    void httpNamesAnAnswerThatIsNotHttp() throws IOException {
        int notHttp = rawHttp("SSH-2.0-OpenSSH_9.2\r\n\r\n");
        HealthResult r = Probes.of(spec("http", "/", 200, null), null).check(HOST, notHttp, TIMEOUT);
        assertFalse(r.ok());
        assertTrue(r.detail().startsWith("not an HTTP answer: SSH-2.0-OpenSSH_9.2"), r.detail());
    }

    @Test
    void aServerThatTricklesIsCutAtTheProbesTimeoutWhateverTheProbe() throws IOException {
        for (String type : List.of("http", "zookeeper", "kafka")) {
            // Kafka's answer starts with its size: a plausible one, so that the probe goes on reading
            int port = trickle(type.equals("kafka") ? new byte[] {0, 0, 0, 100} : new byte[0]);
            int trickledToTheEnd = trickledToTheEnd();
            HealthResult r = Probes.of(spec(type, "/", 200, null), null).check(HOST, port, Duration.ofMillis(300));
            // cut by its own timeout while the server was still sending: a probe whose bound restarts at
            // every byte would have read until the server finished and closed (5 s), and said something else
            assertEquals(trickledToTheEnd, trickledToTheEnd(), type + ": the server trickled to the end before the probe returned");
            assertFalse(r.ok(), type);
            assertTrue(r.detail().startsWith("timed out"), type + ": " + r.detail());
        }
    }

    /** A server that sends {@code first}, then one byte every 50 ms for 5 s: never a whole answer within 300 ms, never silent. */
    private final java.util.concurrent.atomic.AtomicInteger trickledToTheEnd = new java.util.concurrent.atomic.AtomicInteger();

    /** How many {@link #trickle} servers sent all their bytes (no client hung up on them). */
    int trickledToTheEnd() {
        return trickledToTheEnd.get();
    }

    int trickle(byte[] first) throws IOException {
        ServerSocket trickle = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(trickle);
        Thread t = new Thread(() -> {
            try (Socket c = trickle.accept()) {
                c.getOutputStream().write(first);
                for (int i = 0; i < 100; i++) {
                    c.getOutputStream().write('H');
                    c.getOutputStream().flush();
                    Thread.sleep(50);
                }
                trickledToTheEnd.incrementAndGet();
            } catch (IOException | InterruptedException e) {
                // the probe hung up: what is expected
            }
        });
        t.setDaemon(true);
        t.start();
        return trickle.getLocalPort();
    }

    /** A server that answers one connection with {@code answer} and closes it. */
    int rawHttp(String answer) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(server);
        Thread t = new Thread(() -> {
            try (Socket c = server.accept()) {
                c.getInputStream().read(new byte[4096]);
                c.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // the test's assertion says what went wrong
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    @Test
    void httpAgainstAServerThatNeverAnswersTimesOut() throws IOException {
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(silent);
        // the server never answers nor closes: the probe returns only by its own timeout, and says so
        HealthResult r = Probes.of(spec("http", "/", 200, null), null).check(HOST, silent.getLocalPort(), Duration.ofMillis(300));
        assertFalse(r.ok());
        assertTrue(r.detail().startsWith("timed out"), r.detail());
    }

    // ---------------------------------------------------------------- zookeeper

    /** A ZooKeeper that answers ruok with {@code ruok} and srvr with {@code srvr}. */
    int zookeeper(String ruok, String srvr) throws IOException {
        return server(c -> {
            try {
                String word = new String(new DataInputStream(c.getInputStream()).readNBytes(4), StandardCharsets.US_ASCII);
                return switch (word) {
                    case "ruok" -> ruok.getBytes(StandardCharsets.US_ASCII);
                    case "srvr" -> srvr.getBytes(StandardCharsets.US_ASCII);
                    default -> new byte[0];
                };
            } catch (IOException e) {
                return new byte[0];
            }
        });
    }

    @Test
    void zookeeperFollowerIsReady() throws IOException {
        int port = zookeeper("imok", "Zookeeper version: 3.8.4\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n");
        HealthResult r = Probes.of(spec("zookeeper", null, 200, null), null).check(HOST, port, TIMEOUT);
        assertTrue(r.ok(), r.detail());
        assertEquals("Mode: follower", r.detail());
    }

    @Test
    void zookeeperWithoutQuorumIsNotReadyThoughItSaysImok() throws IOException {
        int port = zookeeper("imok", "This ZooKeeper instance is not currently serving requests\n");
        HealthResult r = Probes.of(spec("zookeeper", null, 200, null), null).check(HOST, port, TIMEOUT);
        assertFalse(r.ok());
        assertEquals("srvr: This ZooKeeper instance is not currently serving requests", r.detail());
    }

    @Test
    void zookeeperWithout4lwWhitelistSaysSo() throws IOException {
        int port = zookeeper("", "");
        HealthResult r = Probes.of(spec("zookeeper", null, 200, null), null).check(HOST, port, TIMEOUT);
        assertFalse(r.ok());
        assertEquals("srvr: no answer (is srvr in 4lw.commands.whitelist?)", r.detail());
    }

    // ---------------------------------------------------------------- kafka

    /** Reads an ApiVersions v0 request and answers with {@code responder(correlationId)}. */
    int kafka(java.util.function.IntFunction<byte[]> responder) throws IOException {
        return server(c -> {
            try {
                DataInputStream in = new DataInputStream(c.getInputStream());
                int size = in.readInt();
                short key = in.readShort();
                short version = in.readShort();
                int correlation = in.readInt();
                in.readNBytes(size - 8);
                if (key != 18 || version != 0) {
                    return new byte[0];
                }
                return responder.apply(correlation);
            } catch (IOException e) {
                return new byte[0];
            }
        });
    }

    /** ApiVersions v0 response: size, correlation id, error code, [api_key min max]. */
    static byte[] apiVersions(int correlation, short error, int apis) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            out.writeInt(4 + 2 + 4 + apis * 6);
            out.writeInt(correlation);
            out.writeShort(error);
            out.writeInt(apis);
            for (int i = 0; i < apis; i++) {
                out.writeShort(i);
                out.writeShort(0);
                out.writeShort(3);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }

    @Test
    void kafkaAnsweringApiVersionsIsReady() throws IOException {
        int port = kafka(corr -> apiVersions(corr, (short) 0, 3));
        HealthResult r = Probes.of(spec("kafka", null, 200, null), null).check(HOST, port, TIMEOUT);
        assertTrue(r.ok(), r.detail());
        assertEquals("ApiVersions: 3 APIs", r.detail());
    }

    @Test
    void kafkaWithAWrongCorrelationIdIsNotReady() throws IOException {
        int port = kafka(corr -> apiVersions(corr + 1, (short) 0, 3));
        HealthResult r = Probes.of(spec("kafka", null, 200, null), null).check(HOST, port, TIMEOUT);
        assertFalse(r.ok());
        assertTrue(r.detail().startsWith("ApiVersions answered correlation id "), r.detail());
    }

    @Test
    void kafkaWithAnErrorCodeIsNotReady() throws IOException {
        int port = kafka(corr -> apiVersions(corr, (short) 35, 0));
        HealthResult r = Probes.of(spec("kafka", null, 200, null), null).check(HOST, port, TIMEOUT);
        assertFalse(r.ok());
        assertEquals("ApiVersions error code 35", r.detail());
    }

    @Test
    void garbageIsNotKafka() throws IOException {
        int http = kafka(corr -> "HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        HealthResult r = Probes.of(spec("kafka", null, 200, null), null).check(HOST, http, TIMEOUT);
        assertFalse(r.ok());
        assertTrue(r.detail().startsWith("not a Kafka ApiVersions response (size "), r.detail());

        int truncated = kafka(corr -> new byte[] {0, 0, 0, 20, 0, 0});
        r = Probes.of(spec("kafka", null, 200, null), null).check(HOST, truncated, TIMEOUT);
        assertFalse(r.ok());
        assertTrue(r.detail().startsWith("connection closed before a full answer"), r.detail());

        int malformed = kafka(corr -> {
            byte[] good = apiVersions(corr, (short) 0, 3);
            good[3] += 6; // claims one API more than it carries ...
            byte[] longer = java.util.Arrays.copyOf(good, good.length + 6); // ... and pads with a 4th that the count omits
            return longer;
        });
        r = Probes.of(spec("kafka", null, 200, null), null).check(HOST, malformed, TIMEOUT);
        assertFalse(r.ok());
        assertEquals("malformed ApiVersions response (3 APIs in 34 bytes)", r.detail());
    }

    @Test
    void kafkaThatNeverAnswersTimesOutWithinItsTimeout() throws IOException {
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(silent);
        // the server never answers nor closes: the probe returns only by its own timeout, and says so
        HealthResult r = Probes.of(spec("kafka", null, 200, null), null).check(HOST, silent.getLocalPort(), Duration.ofMillis(300));
        assertFalse(r.ok());
        assertTrue(r.detail().startsWith("timed out"), r.detail());
    }

    @Test
    void anExecProbeHasNoNetworkCheck() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Probes.of(new ProbeSpec.Exec(List.of("true")), null));
        assertEquals("an exec probe runs on the service's own node", e.getMessage());
    }
}
