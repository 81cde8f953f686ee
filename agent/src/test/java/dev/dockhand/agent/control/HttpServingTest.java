package dev.dockhand.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.net.HttpProtocol.Response;
import dev.dockhand.agent.net.HttpProtocol;
import dev.dockhand.agent.net.RequestServer;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.supervise.CommandResult;
import dev.dockhand.agent.supervise.SupervisorControl;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's HTTP server spoken to with raw sockets: what probes, scrapers and hostile clients send. */
class HttpServingTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Longer than any answer here takes, longer than the server's own read timeout. */
    private static final int CLIENT_TIMEOUT_MS = 5000;

    @TempDir
    Path tmp;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @AfterEach
    void closeAll() throws Exception {
        clients.shutdownNow();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** The agent's endpoints over a fake supervisor whose answers never change. */
    private int agent() throws IOException {
        ControlServer server = ControlServer.start(FakeSupervisor.allReady(), tmp.resolve("agent.sock"),
                new InetSocketAddress(LOOPBACK, 0));
        toClose.add(server);
        return server.httpAddress().orElseThrow().getPort();
    }

    /** A request server with one HTTP listener on a free loopback port; its port. */
    private int server(HttpProtocol.Handler handler, long readTimeoutMs) throws IOException {
        return server(new InetSocketAddress(LOOPBACK, 0), handler, readTimeoutMs);
    }

    private int server(InetSocketAddress at, HttpProtocol.Handler handler, long readTimeoutMs) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(at);
        int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        toClose.add(RequestServer.start("test-http", List.of(new RequestServer.Listener(ch, new HttpProtocol(handler, readTimeoutMs)))));
        return port;
    }

    private Socket connect(int port) throws IOException {
        Socket s = new Socket();
        toClose.add(s);
        s.connect(new InetSocketAddress(LOOPBACK, port), CLIENT_TIMEOUT_MS);
        s.setSoTimeout(CLIENT_TIMEOUT_MS);
        return s;
    }

    /**
     * Sends {@code request} as is, reads the answer up to the server's end of output and closes, as
     * clients do on {@code Connection: close}.
     */
    private Answer exchange(int port, String request) throws IOException {
        return exchange(port, request, false);
    }

    private Answer exchange(int port, String request, boolean thenEndOutput) throws IOException {
        try (Socket s = connect(port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            if (thenEndOutput) {
                s.shutdownOutput();
            }
            return Answer.parse(s.getInputStream().readAllBytes());
        }
    }

    private Answer get(int port, String path) throws IOException {
        return exchange(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    }

    /** Status line, headers (names as sent) and body of one answer. */
    record Answer(String statusLine, Map<String, String> headers, String body) {
        static Answer parse(byte[] raw) {
            String all = new String(raw, StandardCharsets.ISO_8859_1);
            int end = all.indexOf("\r\n\r\n");
            assertTrue(end > 0, "no end of head in: " + all);
            String[] lines = all.substring(0, end).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                assertTrue(colon > 0, "not a header: " + lines[i]);
                assertEquals(null, headers.put(lines[i].substring(0, colon), lines[i].substring(colon + 1).strip()),
                        "header sent twice: " + lines[i]);
            }
            return new Answer(lines[0], headers, all.substring(end + 4));
        }

        int code() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    @Test
    void answersWithTheHeadersProbesAndScrapersExpect() throws Exception {
        int port = agent();
        Answer a = get(port, "/readyz");
        assertEquals("HTTP/1.1 200 OK", a.statusLine());
        assertEquals("ready\n", a.body());
        assertEquals("text/plain; charset=utf-8", a.headers().get("Content-Type"));
        assertEquals("no-store", a.headers().get("Cache-Control"));
        assertEquals("6", a.headers().get("Content-Length"));
        assertEquals("close", a.headers().get("Connection"));
        Instant date = ZonedDateTime.parse(a.headers().get("Date"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertTrue(Duration.between(date, Instant.now()).abs().getSeconds() < 60, "Date is now: " + date);

        Answer metrics = get(port, "/metrics");
        assertEquals(Metrics.CONTENT_TYPE, metrics.headers().get("Content-Type"));
        assertEquals(metrics.body().getBytes(StandardCharsets.ISO_8859_1).length,
                Integer.parseInt(metrics.headers().get("Content-Length")));
    }

    @Test
    void headGivesTheHeadersOfGetWithTheBodysLengthAndNoBody() throws Exception {
        int port = agent();
        for (String path : List.of("/status", "/metrics", "/livez", "/nothing-here")) {
            Answer get = get(port, path);
            Answer head = exchange(port, "HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(get.statusLine(), head.statusLine(), path);
            assertEquals("", head.body(), path);
            assertEquals(Integer.toString(get.body().getBytes(StandardCharsets.ISO_8859_1).length),
                    head.headers().get("Content-Length"), path);
            assertEquals(get.headers().get("Content-Type"), head.headers().get("Content-Type"), path);
        }
    }

    @Test
    void otherMethodsGet405WithAllowEvenWithABody() throws Exception {
        int port = agent();
        Answer post = exchange(port, "POST /status HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}");
        assertEquals("HTTP/1.1 405 Method Not Allowed", post.statusLine());
        assertEquals("GET, HEAD", post.headers().get("Allow"));
        assertEquals("method POST not allowed; use GET\n", post.body());
        assertEquals(405, exchange(port, "get /livez HTTP/1.1\r\n\r\n").code(), "methods are case-sensitive");
        assertEquals(405, exchange(port, "OPTIONS /livez HTTP/1.1\r\n\r\n").code());
    }

    @Test
    void aLargeBodyIsDroppedAndTheAnswerStillArrives() throws Exception {
        int port = agent();
        Socket s = connect(port);
        byte[] body = new byte[200_000];
        OutputStream out = s.getOutputStream();
        out.write(("PUT /status HTTP/1.1\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        // the server answers after the head; write the body from another thread while reading the answer
        Future<?> writing = clients.submit(() -> {
            out.write(body);
            return null;
        });
        Answer a = Answer.parse(s.getInputStream().readAllBytes());
        assertEquals(405, a.code());
        try {
            writing.get(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException expected) {
            // the server stops reading after a bound and closes: the rest of the body may not be taken
        }
    }

    @Test
    void exactPathsOnlyAndTheQueryStringIsIgnored() throws Exception {
        int port = agent();
        Answer notFound = get(port, "/livez/extra");
        assertEquals("HTTP/1.1 404 Not Found", notFound.statusLine());
        assertEquals("not found; try /livez, /readyz, /status or /metrics\n", notFound.body());
        assertEquals(404, get(port, "/").code());
        assertEquals(404, get(port, "/LIVEZ").code());

        Answer status = get(port, "/status?x=1");
        assertEquals(200, status.code());
        assertEquals("application/json", status.headers().get("Content-Type"));
        assertEquals(get(port, "/status").body(), status.body());
        assertEquals("ok\n", get(port, "/livez?").body());
        assertEquals("ok\n", get(port, "/live%7a").body(), "percent-encoded, as the JDK server decoded it");
        assertEquals("ok\n", get(port, "http://localhost:9800/livez?probe=1").body(), "absolute form");
    }

    @Test
    void acceptsHttp10AndBareLineFeeds() throws Exception {
        int port = agent();
        assertEquals("ok\n", exchange(port, "GET /livez HTTP/1.0\r\n\r\n").body());
        assertEquals("ok\n", exchange(port, "GET /livez HTTP/1.1\n\n").body());
        assertEquals("ok\n", exchange(port, "\r\nGET /livez HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n").body());
    }

    @Test
    void aMalformedRequestLineIs400() throws Exception {
        int port = agent();
        for (String line : List.of("GARBAGE", "GET /livez", "GET  /livez HTTP/1.1", "GET /livez HTTP/1.1 extra",
                "GET livez HTTP/1.1", "G(T /livez HTTP/1.1", "GET /livez%zz HTTP/1.1", "GET /livez%7 HTTP/1.1",
                "GET /livez http/1.1", "GET /livez HTTP/1.10", "GET /livez HTTP/1", "GET * HTTP/1.1",
                "\u00ffGET /livez HTTP/1.1", "GET /li\u00ffvez HTTP/1.1", "GET /livez\tx HTTP/1.1")) {
            Answer a = exchange(port, line + "\r\n\r\n");
            assertEquals("HTTP/1.1 400 Bad Request", a.statusLine(), line);
            assertEquals("close", a.headers().get("Connection"), line);
        }
        assertEquals(505, exchange(port, "GET /livez HTTP/2.0\r\n\r\n").code());
        assertEquals("ok\n", exchange(port, "GET /livez HTTP/1.2\r\n\r\n").body(), "any 1.x is answered as 1.1");
        assertEquals(400, exchange(port, "GET /livez HTTP/1.1\r\nHost: cut", true).code(), "a head cut short by the client");
    }

    @Test
    void anOversizedHeadIs431AndTheConnectionCloses() throws Exception {
        int port = agent();
        Socket s = connect(port);
        String head = "GET /livez HTTP/1.1\r\nX-Filler: " + "a".repeat(HttpProtocol.MAX_HEAD_BYTES) + "\r\n\r\n";
        s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
        Answer a = Answer.parse(s.getInputStream().readAllBytes()); // returns at the server's end of output
        assertEquals("HTTP/1.1 431 Request Header Fields Too Large", a.statusLine());
        assertEquals("close", a.headers().get("Connection"));
        assertEquals(-1, s.getInputStream().read(), "nothing after the answer");

        assertEquals(200, get(port, "/livez").code(), "and the server goes on");
    }

    @Test
    void aClientThatSendsNothingDoesNotDelayLivez() throws Exception {
        int port = agent();
        Socket silent = connect(port);
        long start = System.nanoTime();
        assertEquals("ok\n", get(port, "/livez").body());
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(CLIENT_TIMEOUT_MS));
        silent.close();
    }

    @Test
    void silentClientsAreAnswered408() throws Exception {
        int port = server((m, p) -> new Response(200, "text/plain", "ok\n"), 300);
        List<Socket> silent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            silent.add(connect(port));
        }
        Socket trickle = connect(port); // a head begun and never finished
        trickle.getOutputStream().write('G');
        assertEquals("ok\n", get(port, "/").body(), "answered while the others wait");
        for (Socket s : silent) {
            Answer a = Answer.parse(s.getInputStream().readAllBytes());
            assertEquals("HTTP/1.1 408 Request Timeout", a.statusLine());
        }
        assertEquals(408, Answer.parse(trickle.getInputStream().readAllBytes()).code());
    }

    @Test
    void aSlowAnswerDoesNotDelayAnother() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch slowStarted = new CountDownLatch(1);
        int port = server((m, p) -> {
            if (p.equals("/slow")) {
                slowStarted.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new Response(200, "text/plain", p + "\n");
        }, HttpProtocol.READ_TIMEOUT_MS);
        Future<Answer> slow = clients.submit(() -> get(port, "/slow"));
        assertTrue(slowStarted.await(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS), "the slow request reached the handler");
        assertEquals("/fast\n", get(port, "/fast").body());
        assertFalse(slow.isDone(), "still waiting for the slow one");
        release.countDown();
        assertEquals("/slow\n", slow.get(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS).body());
    }

    @Test
    void aFailingHandlerIs500AndEndsOnlyItsConnection() throws Exception {
        int port = server((m, p) -> {
            if (p.equals("/boom")) {
                throw new IllegalStateException("boom");
            }
            return new Response(200, "text/plain", "fine\n");
        }, HttpProtocol.READ_TIMEOUT_MS);
        for (int i = 0; i < RequestServer.WORKERS + 1; i++) {
            assertEquals(500, get(port, "/boom").code());
        }
        assertEquals("fine\n", get(port, "/").body(), "every worker survived");
    }

    @Test
    void theEndpointsAnswer500WhenTheSupervisorFails() throws Exception {
        SupervisorControl failing = new SupervisorControl() {
            private final FakeSupervisor fake = FakeSupervisor.allReady();

            @Override
            public AgentSnapshot snapshot() {
                throw new IllegalStateException("broken");
            }

            @Override
            public CommandResult start(String service) {
                return fake.start(service);
            }

            @Override
            public CommandResult stop(String service, boolean force) {
                return fake.stop(service, force);
            }

            @Override
            public CommandResult restart(String service) {
                return fake.restart(service);
            }

            @Override
            public CommandResult reload() {
                return fake.reload();
            }

            @Override
            public boolean alive() {
                return true;
            }
        };
        try (ControlServer server = ControlServer.start(failing, tmp.resolve("failing.sock"), new InetSocketAddress(LOOPBACK, 0))) {
            int port = server.httpAddress().orElseThrow().getPort();
            Answer a = get(port, "/status");
            assertEquals("HTTP/1.1 500 Internal Server Error", a.statusLine());
            assertEquals("internal error\n", a.body());
            assertEquals(200, get(port, "/livez").code());
        }
    }

    @Test
    void closeFreesThePortAndEndsTheThreads() throws Exception {
        Set<Thread> before = serverThreads();
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(new InetSocketAddress(LOOPBACK, 0));
        int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        RequestServer first = RequestServer.start("test-http",
                List.of(new RequestServer.Listener(ch, new HttpProtocol((m, p) -> new Response(200, "text/plain", "first\n")))));
        assertEquals("first\n", get(port, "/").body());
        Set<Thread> ours = serverThreads();
        ours.removeAll(before);
        assertTrue(ours.size() >= 1 && ours.size() <= 1 + RequestServer.WORKERS, "its threads: " + ours);
        Socket open = connect(port); // a connection in progress must not keep the server alive
        first.close();
        int read;
        try {
            read = open.getInputStream().read();
        } catch (SocketException reset) {
            read = -1;
        }
        assertEquals(-1, read, "the open connection was closed, not left waiting for its request");
        assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, port).close());
        for (Thread t : ours) {
            t.join(2000);
        }
        assertTrue(ours.stream().noneMatch(Thread::isAlive), "threads ended: " + ours);

        server(new InetSocketAddress(LOOPBACK, port), (m, p) -> new Response(200, "text/plain", "second\n"), 1000);
        assertEquals("second\n", get(port, "/").body());
    }

    private static Set<Thread> serverThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("test-http-")) {
                threads.add(t);
            }
        }
        return threads;
    }

    @Test
    void aTakenPortSaysWhatToDo() throws Exception {
        int port = agent();
        IOException e = assertThrows(IOException.class, () -> HttpEndpoints.bind(
                new InetSocketAddress("127.0.0.1", port), new RequestHandler(FakeSupervisor.allReady())));
        assertTrue(e.getMessage().startsWith("cannot serve HTTP on 127.0.0.1:" + port + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; choose another port with --http-port (0 disables HTTP)"), e.getMessage());
        assertNotEquals(-1, e.getMessage().indexOf("in use"), e.getMessage());
    }
}
