package dev.dockhand.agent.net;

import dev.dockhand.agent.testing.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.net.HttpProtocol.Response;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.agent.security.TlsContexts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request server on a TLS listener, with real sockets on loopback: the JDK's own TLS client,
 * curl and openssl; clients that stall the handshake, speak plain HTTP, or come in crowds. What held
 * for plain text must hold here: no client stalls another, everything bounded by the deadlines.
 */
class RequestServerTlsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int CLIENT_TIMEOUT_MS = 10_000;
    /** Well below the request deadline: a server that makes a client wait behind a stalled one fails here. */
    private static final int PROBE_TIMEOUT_MS = 2_500;
    static final ClusterCa CA = ClusterCa.create("dockhand test CA", Instant.now(), 30);
    static final NodeTls NODE = NodeTls.issue(CA, List.of("localhost"), Instant.now(), 1);

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private RequestServer server;
    private int port;
    private final SSLContext client = TlsContexts.of((PrivateKey) null, List.of(), List.of(CA.certificate()));

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

    private void start(long readTimeoutMs, long keepAliveMs) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(new InetSocketAddress(LOOPBACK, 0), 256);
        port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        server = RequestServer.start("tls-http", List.of(new RequestServer.Listener(ch, new HttpProtocol(new HttpProtocol.Handler() {
            @Override
            public Response answer(String m, String p) {
                return p.equals("/big") ? new Response(200, "text/plain", "y".repeat(200_000)) : new Response(200, "text/plain", "ok " + p + "\n");
            }

            @Override
            public boolean answersInPlainText(String path) {
                return path.equals("/readyz");
            }
        }, readTimeoutMs, keepAliveMs), TlsContexts.of(NODE))));
    }

    private SSLSocket tls(int timeoutMs) throws IOException {
        Socket raw = new Socket();
        raw.connect(new InetSocketAddress(LOOPBACK, port), timeoutMs);
        SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(raw, "localhost", port, true);
        s.setSSLParameters(TlsContexts.verifyingHost(client));
        s.setSoTimeout(timeoutMs);
        return s;
    }

    private Socket plain() throws IOException {
        Socket s = new Socket();
        toClose.add(s);
        s.connect(new InetSocketAddress(LOOPBACK, port), CLIENT_TIMEOUT_MS);
        s.setSoTimeout(CLIENT_TIMEOUT_MS);
        return s;
    }

    /** A fresh TLS connection's GET: the whole answer, within the probe bound. */
    private String get(String path) throws IOException {
        try (SSLSocket s = tls(PROBE_TIMEOUT_MS)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String statusLine(String answer) {
        return answer.substring(0, Math.max(0, answer.indexOf("\r\n")));
    }

    @Test
    void theJdksClientGetsItsAnswerOverTls13AndTls12ButNotOlder() throws Exception {
        start(HttpProtocol.READ_TIMEOUT_MS, 0);
        String a = get("/livez");
        assertEquals("HTTP/1.1 200 OK", statusLine(a));
        assertTrue(a.endsWith("ok /livez\n"), a);
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            try (SSLSocket s = tls(CLIENT_TIMEOUT_MS)) {
                s.setEnabledProtocols(new String[] {protocol});
                s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertEquals("HTTP/1.1 200 OK", statusLine(answer));
                assertEquals(protocol, s.getSession().getProtocol());
            }
        }
        // a large answer goes out in many TLS records, whole
        String big = get("/big");
        assertTrue(big.endsWith("y".repeat(200_000)), "length " + big.length());
        SSLContext old = SSLContext.getInstance("TLSv1.1");
        old.init(null, new javax.net.ssl.TrustManager[0], null);
        try (Socket raw = new Socket(LOOPBACK, port);
                SSLSocket s = (SSLSocket) old.getSocketFactory().createSocket(raw, "localhost", port, true)) {
            s.setSoTimeout(CLIENT_TIMEOUT_MS);
            s.setEnabledProtocols(new String[] {"TLSv1.1"});
            assertThrows(SSLException.class, s::startHandshake);
        } catch (IllegalArgumentException jdkRefusesTls11Itself) {
            // a JDK with TLS 1.1 disabled cannot even ask: nothing to test there
        }
        assertEquals(0, awaitOpen(2_000), "every connection closed");
    }

    @Test
    void aClientThatDoesNotTrustTheServerFailsAloneAndLeavesNothingOpen() throws Exception {
        start(HttpProtocol.READ_TIMEOUT_MS, 0);
        ClusterCa other = ClusterCa.create("another CA", Instant.now(), 30);
        SSLContext stranger = TlsContexts.of((PrivateKey) null, List.of(), List.of(other.certificate()));
        for (int i = 0; i < 5; i++) {
            try (Socket raw = new Socket(LOOPBACK, port);
                    SSLSocket s = (SSLSocket) stranger.getSocketFactory().createSocket(raw, "localhost", port, true)) {
                s.setSoTimeout(CLIENT_TIMEOUT_MS);
                assertThrows(SSLHandshakeException.class, s::startHandshake);
            }
        }
        // and a client that checks the name finds the wrong one
        try (Socket raw = new Socket(LOOPBACK, port);
                SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(raw, "broker-9.example", port, true)) {
            s.setSSLParameters(TlsContexts.verifyingHost(client));
            s.setSoTimeout(CLIENT_TIMEOUT_MS);
            assertThrows(SSLHandshakeException.class, s::startHandshake);
        }
        assertEquals("HTTP/1.1 200 OK", statusLine(get("/livez")));
        assertEquals(0, awaitOpen(2_000));
    }

    @Test
    void keptConnectionsAnswerOneRequestAfterAnotherAndPipelinedOnesInOrder() throws Exception {
        start(HttpProtocol.READ_TIMEOUT_MS, 2_000);
        try (SSLSocket s = tls(CLIENT_TIMEOUT_MS)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 5; i++) {
                out.write(("GET /r" + i + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                String answer = readAnswer(in);
                assertTrue(answer.contains("Connection: keep-alive"), answer);
                assertTrue(answer.endsWith("ok /r" + i + "\n"), answer);
            }
            assertEquals(1, server.openConnections());
            // three at once, the last asking to close
            out.write(("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(readAnswer(in).endsWith("ok /a\n"));
            assertTrue(readAnswer(in).endsWith("ok /b\n"));
            String last = readAnswer(in);
            assertTrue(last.contains("Connection: close") && last.endsWith("ok /c\n"), last);
            assertEquals(-1, in.read(), "closed after the answer that said so");
        }
        // an idle kept connection is kept (a second request on it is answered), then closed by the server
        // without a word: end of stream, where a server that kept it forever would hit the client's read timeout
        try (SSLSocket s = tls(CLIENT_TIMEOUT_MS)) {
            s.getOutputStream().write("GET /once HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(readAnswer(s.getInputStream()).endsWith("ok /once\n"));
            s.getOutputStream().write("GET /twice HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(readAnswer(s.getInputStream()).endsWith("ok /twice\n"), "kept alive after an answer");
            assertEquals(-1, s.getInputStream().read(), "closed by the server when idle");
        }
    }

    /** One HTTP answer with a Content-Length body, read exactly. */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the head: " + head);
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int at = h.indexOf("Content-Length: ") + 16;
        int length = Integer.parseInt(h.substring(at, h.indexOf("\r\n", at)));
        return h + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    /** The ClientHello a JDK client sends first, as bytes on the wire. */
    private byte[] clientHello() throws SSLException {
        SSLEngine e = client.createSSLEngine("localhost", port);
        e.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
        SSLEngineResult r = e.wrap(ByteBuffer.allocate(0), out);
        assertEquals(SSLEngineResult.Status.OK, r.getStatus());
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void clientsThatStallTheHandshakeAreClosedAtTheDeadlineAndKeepNobodyWaiting() throws Exception {
        // a fresh client is answered within PROBE_TIMEOUT_MS, well before the stalled ones' deadline:
        // a server that served it only once they are gone fails
        long deadlineMs = 5_000;
        start(deadlineMs, 0);
        byte[] hello = clientHello();
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Socket s = plain();
            switch (i % 3) {
                case 0 -> { } // connects, never says hello
                case 1 -> s.getOutputStream().write(hello, 0, hello.length / 2); // half a ClientHello
                default -> s.getOutputStream().write(hello); // a whole one, then never its Finished
            }
            stalled.add(s);
        }
        for (int i = 0; i < 10; i++) {
            assertEquals("HTTP/1.1 200 OK", statusLine(get("/livez")), "a fresh client, past 30 stalled ones");
        }
        // each read is bounded by the client's timeout (twice the server's deadline): end of stream on
        // every one means the server closed them all, none was left to the client's patience
        for (Socket s : stalled) {
            assertEquals(-1, drainToEof(s.getInputStream()), "a stalled handshake is closed");
        }
        assertEquals(0, awaitOpen(2_000));
    }

    @Test
    void theDeadlineAfterAHandshakeWithNoRequestIsA408InTls() throws Exception {
        start(500, 0);
        try (SSLSocket s = tls(CLIENT_TIMEOUT_MS)) {
            s.startHandshake();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertEquals("HTTP/1.1 408 Request Timeout", statusLine(answer));
        }
    }

    @Test
    void aPlainHttpClientOnTheTlsPortIsToldAtOnceAndClosedUnlessItAsksWhatAnyoneMayKnow() throws Exception {
        start(HttpProtocol.READ_TIMEOUT_MS, 2_000);
        for (int i = 0; i < 20; i++) {
            Socket s = plain();
            s.setSoTimeout(PROBE_TIMEOUT_MS); // at once: not after the request deadline
            s.getOutputStream().write("GET /page HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertEquals("HTTP/1.1 400 Bad Request", statusLine(answer));
            assertTrue(answer.endsWith("this port speaks HTTPS: use https://\n"), answer);
        }
        // the agent's plain HTTP probe of a path the handler lets through: answered, in clear, and closed
        Socket probe = plain();
        probe.setSoTimeout(PROBE_TIMEOUT_MS);
        probe.getOutputStream().write("GET /readyz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1));
        probe.getOutputStream().write("User-Agent: dockhand-agent\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        String answer = new String(probe.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertEquals("HTTP/1.1 200 OK", statusLine(answer));
        assertTrue(answer.contains("Connection: close") && answer.endsWith("ok /readyz\n"), answer);
        // half a plain request is held to the same deadline as any other
        Socket half = plain();
        half.getOutputStream().write("GET /readyz HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("HTTP/1.1 408 Request Timeout", statusLine(new String(half.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)));
        // bytes that are neither TLS nor text: closed without a word
        Socket junk = plain();
        junk.setSoTimeout(PROBE_TIMEOUT_MS);
        junk.getOutputStream().write(new byte[] {0x01, 0x02, 0x03, 0x04, 0x05});
        assertEquals(-1, drainToEof(junk.getInputStream()));
        assertEquals("HTTP/1.1 200 OK", statusLine(get("/livez")));
    }

    @Test
    void manyConcurrentTlsClientsAreAllAnsweredWithBoundedThreads() throws Exception {
        // what is tested is that all are answered; a machine loaded by other builds may take longer
        // than the probes' 3 s for 48 handshakes at once, so the deadline is not what decides here
        start(30_000, 10_000);
        int clients = 48;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                done.add(pool.submit(() -> {
                    int ok = 0;
                    try (SSLSocket s = tls(30_000)) {
                        for (int i = 0; i < 5; i++) {
                            s.getOutputStream().write(("GET /c" + id + "-" + i + " HTTP/1.1\r\nHost: x\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                            ok += readAnswer(s.getInputStream()).endsWith("ok /c" + id + "-" + i + "\n") ? 1 : 0;
                        }
                    }
                    // and one connection per request
                    ok += statusLine(getSlow("/fresh" + id)).equals("HTTP/1.1 200 OK") ? 1 : 0;
                    return ok;
                }));
            }
            for (Future<Integer> f : done) {
                assertEquals(6, f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(threads("tls-http") <= 1 + RequestServer.WORKERS, "threads: " + threads("tls-http"));
        assertTrue(server.openConnections() <= RequestServer.MAX_CONNECTIONS);
    }

    /** Like {@link #get}, with a bound for a crowd on a loaded two-core machine. */
    private String getSlow(String path) throws IOException {
        try (SSLSocket s = tls(30_000)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void curlAndOpensslTalkToItWithTheCaAndCheckTheName() throws Exception {
        Need.executable(Path.of("/usr/bin/curl"), "curl");
        Need.executable(Path.of("/usr/bin/openssl"), "openssl");
        start(HttpProtocol.READ_TIMEOUT_MS, 2_000);
        Path ca = Files.writeString(dir.resolve("ca.crt"), NODE.caPem());
        String url = "https://localhost:" + port;
        Run curl = run(List.of("curl", "-sS", "--max-time", "10", "--cacert", ca.toString(), "--resolve",
                "localhost:" + port + ":127.0.0.1", url + "/one", url + "/two"));
        assertEquals(0, curl.code, curl.output);
        assertEquals("ok /one\nok /two\n", curl.output);
        Run verbose = run(List.of("curl", "-sSv", "--max-time", "10", "--cacert", ca.toString(), url + "/x", url + "/y"));
        assertTrue(verbose.output.contains("Re-using existing connection"), "curl kept the connection: " + verbose.output);
        // the name is checked: the certificate is for localhost, not for 127.0.0.1
        Run wrongName = run(List.of("curl", "-sS", "--max-time", "10", "--cacert", ca.toString(), "https://127.0.0.1:" + port + "/"));
        assertTrue(wrongName.code != 0, wrongName.output);
        // without the CA: refused
        Run noCa = run(List.of("curl", "-sS", "--max-time", "10", url + "/"));
        assertEquals(60, noCa.code, noCa.output);

        for (String version : List.of("-tls1_3", "-tls1_2")) {
            Run s = run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "localhost",
                    "-verify_hostname", "localhost", "-verify_return_error", "-CAfile", ca.toString(), version, "-quiet",
                    "-ign_eof"), "GET /s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertEquals(0, s.code, version + ": " + s.output);
            assertTrue(s.output.contains("HTTP/1.1 200 OK") && s.output.contains("ok /s"), version + ": " + s.output);
        }
        Run tls11 = run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-tls1_1", "-CAfile", ca.toString()), "");
        assertTrue(tls11.code != 0, "TLS 1.1 refused: " + tls11.output);
    }

    private record Run(int code, String output) {}

    private Run run(List<String> command) throws Exception {
        return run(command, null);
    }

    private Run run(List<String> command, String input) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process p = pb.start();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            try (OutputStream in = p.getOutputStream()) {
                if (input != null) {
                    in.write(input.getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            Future<byte[]> out = reader.submit(() -> p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), command + " did not end");
            return new Run(p.exitValue(), new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.ISO_8859_1));
        } finally {
            p.destroyForcibly();
            reader.shutdownNow();
        }
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    private int awaitOpen(long withinMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMs + 2_000);
        while (server.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // the server's own deadlines decide; nothing to await on
        }
        return server.openConnections();
    }

    /** Reads until the server closes: -1, or -2 when it did not close within the client's timeout. */
    private static int drainToEof(InputStream in) throws IOException {
        try {
            byte[] b = new byte[4096];
            while (in.read(b) >= 0) {
                // the server's alert or half a handshake: dropped
            }
            return -1;
        } catch (SocketException reset) {
            return -1;
        } catch (SocketTimeoutException e) {
            return -2;
        }
    }
}
