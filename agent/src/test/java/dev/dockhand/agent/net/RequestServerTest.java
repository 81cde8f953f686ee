package dev.dockhand.agent.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.net.HttpProtocol.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The request server under hostile clients: crowds of idle and half-sent connections, from one address
 * and from several, clients that never read their answer. A fresh request must still be answered, and
 * the server's threads and connections must stay bounded.
 */
class RequestServerTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int CLIENT_TIMEOUT_MS = 10_000;
    private static final int PROBE_TIMEOUT_MS = 2_500;
    private static final String BIG = "x".repeat(8 * 1024 * 1024);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private RequestServer server;
    private int port;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (IOException ignored) {
                // a socket the server already closed
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(long readTimeoutMs) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(new InetSocketAddress("0.0.0.0", 0), 256);
        port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        server = RequestServer.start("crowd-http", List.of(new RequestServer.Listener(ch, new HttpProtocol(
                (m, p) -> p.equals("/big") ? new Response(200, "text/plain", BIG) : new Response(200, "text/plain", "ok\n"),
                readTimeoutMs))));
    }

    private Socket open(InetAddress from) throws IOException {
        Socket s = new Socket();
        toClose.add(s);
        if (from != null) {
            s.bind(new InetSocketAddress(from, 0));
        }
        s.connect(new InetSocketAddress(LOOPBACK, port), CLIENT_TIMEOUT_MS);
        s.setSoTimeout(CLIENT_TIMEOUT_MS);
        return s;
    }

    /**
     * A fresh connection's GET /livez: the status line. Bounded well below a head-read timeout, so that a
     * server that makes a probe wait behind idle clients fails here (the figures are the bench's).
     */
    private String livez() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOOPBACK, port), PROBE_TIMEOUT_MS);
            s.setSoTimeout(PROBE_TIMEOUT_MS);
            s.getOutputStream().write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return all.substring(0, Math.max(0, all.indexOf("\r\n")));
        }
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    /** Idle and half-sent connections, {@code n} of them, spread over {@code from} (null: any address). */
    private List<Socket> crowd(int n, List<InetAddress> from) throws IOException {
        List<Socket> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = open(from.isEmpty() ? null : from.get(i % from.size()));
            if (i % 2 == 1) {
                s.getOutputStream().write("GET /livez HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.add(s);
        }
        return out;
    }

    @Test
    void twoHundredIdleAndHalfSentConnectionsFromOneAddressDoNotKeepAProbeOut() throws Exception {
        start(HttpProtocol.READ_TIMEOUT_MS);
        crowd(200, List.of());
        for (int i = 0; i < 20; i++) {
            assertEquals("HTTP/1.1 200 OK", livez());
        }
        assertTrue(server.openConnections() <= RequestServer.MAX_CONNECTIONS, "open: " + server.openConnections());
        assertTrue(threads("crowd-http") <= 1 + RequestServer.WORKERS, "threads: " + threads("crowd-http"));
    }

    @Test
    void crowdsFromSeveralAddressesDoNotKeepAProbeOutEither() throws Exception {
        start(HttpProtocol.READ_TIMEOUT_MS);
        List<InetAddress> from = new ArrayList<>();
        for (int i = 2; i <= 9; i++) {
            from.add(InetAddress.getByName("127.0.0." + i));
        }
        crowd(200, from);
        for (int i = 0; i < 20; i++) {
            assertEquals("HTTP/1.1 200 OK", livez());
        }
        assertTrue(server.openConnections() <= RequestServer.MAX_CONNECTIONS, "open: " + server.openConnections());
    }

    @Test
    void beyondTheLimitTheOldestIdleConnectionsAreClosed() throws Exception {
        start(60_000); // no timeout helps here: only the limit
        List<Socket> crowd = crowd(RequestServer.MAX_CONNECTIONS + 20, List.of());
        assertEquals("HTTP/1.1 200 OK", livez());
        // the first ones were closed to make room, without a word
        for (Socket s : crowd.subList(0, 20)) {
            assertEquals(-1, readOrEof(s.getInputStream()), "an evicted connection is closed");
        }
        assertTrue(server.openConnections() <= RequestServer.MAX_CONNECTIONS, "open: " + server.openConnections());
    }

    @Test
    void idleConnectionsAreClosedAfterTheHeadReadDeadline() throws Exception {
        start(200);
        List<Socket> crowd = crowd(50, List.of());
        for (Socket s : crowd) {
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(all.startsWith("HTTP/1.1 408 "), all);
        }
        assertEquals(0, awaitOpen(0), "every idle connection is gone");
    }

    @Test
    void aLoneTimedOutConnectionIsClosedAfterItsLingerThoughNothingElseHappens() throws Exception {
        start(200);
        try (Socket s = crowd(1, List.of()).get(0)) {
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(all.startsWith("HTTP/1.1 408 "), all);
            // the client keeps its end open: only the server's linger deadline can close the connection,
            // with no other connection and no event to wake the selector
            assertEquals(0, awaitOpen(RequestServer.LINGER_MS), "the answered connection is closed after its linger");
        }
    }

    @Test
    void aClientThatNeverReadsItsAnswerHoldsNothingUp() throws Exception {
        start(HttpProtocol.READ_TIMEOUT_MS);
        List<Socket> sluggards = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket s = open(null);
            s.getOutputStream().write("GET /big HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            sluggards.add(s);
        }
        for (int i = 0; i < 10; i++) {
            assertEquals("HTTP/1.1 200 OK", livez());
        }
        // closed after the write deadline, not kept for ever
        assertEquals(0, awaitOpen(RequestServer.WRITE_TIMEOUT_MS + 5_000));
    }

    /** Waits (bounded) until no connection is open; the count left. */
    private int awaitOpen(long withinMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMs + 2_000);
        while (server.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // the server's own deadlines decide; nothing to await on
        }
        return server.openConnections();
    }

    private static int readOrEof(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1;
        } catch (SocketTimeoutException e) {
            return -2;
        }
    }
}
