package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.dockhand.agent.console.ConsoleConfig.AgentEndpoint;
import dev.dockhand.agent.console.Overview.NodeView;
import dev.dockhand.agent.protocol.ServiceState;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AgentClientTest {
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    private final ExecutorService pool = Executors.newCachedThreadPool(Console.daemon("test"));
    private final AgentClient client = new AgentClient(new Http(TIMEOUT, pool));
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        pool.shutdownNow();
    }

    @Test
    void agentThatAcceptsAndNeverAnswersIsDownTimeoutWithinTheTimeout() throws Exception {
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(silent);
        List<Socket> accepted = new ArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(silent.accept()); // keep the connection open, never reply
                }
            } catch (Exception e) {
                // closed by the test
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();

        Deadline deadline = Deadline.in(TIMEOUT);
        NodeView v = client.probe(new AgentEndpoint("broker", "127.0.0.1", silent.getLocalPort()), deadline);

        // the probe returned (a client without a bound would wait forever on this server) with the
        // timeout's result, and not before the deadline it was given
        assertFalse(v.up());
        assertEquals("down: timeout", v.status());
        assertTrue(deadline.passed(), "gave up before the deadline");
        for (Socket s : accepted) {
            s.close();
        }
    }

    @Test
    void closedPortIsConnectionRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        NodeView v = client.probe(new AgentEndpoint("gateway", "127.0.0.1", port), Deadline.in(TIMEOUT));
        assertFalse(v.up());
        assertEquals("down: connection refused", v.status());
        assertNull(v.agent());
        assertEquals("gateway", v.role());
    }

    @Test
    void readsTheAgentSnapshotAndIgnoresFieldsItDoesNotKnow() throws Exception {
        String json = Http.JSON.writeValueAsString(Fixtures.snapshot("broker", "b1.example", ServiceState.READY, 2))
                .replaceFirst("\\{", "{\"someFutureField\":42,");
        int port = serve(200, json);
        NodeView v = client.probe(new AgentEndpoint("broker", "127.0.0.1", port), Deadline.in(TIMEOUT));
        assertTrue(v.up(), v.status());
        assertEquals("up", v.status());
        assertEquals("b1.example", v.agent().fqdn());
        assertEquals(ServiceState.READY, v.agent().services().get(0).state());
        assertEquals(2, v.agent().services().get(0).restarts());
    }

    @Test
    void errorStatusAndNonAgentJsonAreDown() throws Exception {
        NodeView e500 = client.probe(new AgentEndpoint("broker", "127.0.0.1", serve(500, "boom")), Deadline.in(TIMEOUT));
        assertEquals("down: HTTP 500", e500.status());
        NodeView html = client.probe(new AgentEndpoint("broker", "127.0.0.1", serve(200, "<html>")), Deadline.in(TIMEOUT));
        assertFalse(html.up());
        assertTrue(html.status().startsWith("down: /status is not agent JSON"), html.status());
    }

    private int serve(int status, String body) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/status", ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        s.start();
        open.add(() -> s.stop(0));
        return s.getAddress().getPort();
    }
}
