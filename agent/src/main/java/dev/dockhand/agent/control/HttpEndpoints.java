package dev.dockhand.agent.control;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dockhand.agent.supervise.AgentSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only HTTP endpoints: {@code /livez}, {@code /readyz}, {@code /status}, {@code /metrics}.
 * GET and HEAD only (405 otherwise); exact paths only (404 otherwise). No authentication: nothing
 * here changes state, and every snapshot is redacted before it is written.
 */
final class HttpEndpoints implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoints.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final RequestHandler handler;

    private HttpEndpoints(HttpServer server, ExecutorService executor, RequestHandler handler) {
        this.server = server;
        this.executor = executor;
        this.handler = handler;
    }

    static HttpEndpoints start(InetSocketAddress address, RequestHandler handler) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("cannot serve HTTP on " + address.getHostString() + ":" + address.getPort() + ": "
                    + e.getMessage() + "; choose another port with --http-port (0 disables HTTP)", e);
        }
        AtomicInteger n = new AtomicInteger();
        // Two threads: a slow /status (the supervisor's thread is busy) never delays a /livez.
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "control-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpEndpoints h = new HttpEndpoints(server, executor, handler);
        server.setExecutor(executor);
        server.createContext("/", h::handle);
        server.start();
        LOG.info("control: HTTP on {}:{}", address.getHostString(), server.getAddress().getPort());
        return h;
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            route(ex);
        } catch (RuntimeException e) {
            LOG.error("control: HTTP {} failed", ex.getRequestURI().getPath(), e);
            try {
                send(ex, 500, "text/plain; charset=utf-8", "internal error\n", false);
            } catch (IOException | RuntimeException ignored) {
                // headers were already sent: the client sees a cut-off body
            }
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException {
        {
            String method = ex.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method " + method + " not allowed; use GET\n", false);
                return;
            }
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/livez" -> {
                    boolean alive = handler.alive();
                    send(ex, alive ? 200 : 503, "text/plain; charset=utf-8",
                            alive ? "ok\n" : "the agent's supervision loop is not making progress\n", head);
                }
                case "/readyz" -> {
                    AgentSnapshot s = handler.snapshot();
                    send(ex, s.ready() ? 200 : 503, "text/plain; charset=utf-8",
                            s.ready() ? "ready\n" : RequestHandler.notReady(s) + "\n", head);
                }
                case "/status" -> send(ex, 200, "application/json",
                        Json.write(handler.snapshot(), false) + "\n", head);
                case "/metrics" -> send(ex, 200, Metrics.CONTENT_TYPE, Metrics.render(handler.snapshot()), head);
                default -> send(ex, 404, "text/plain; charset=utf-8",
                        "not found; try /livez, /readyz, /status or /metrics\n", head);
            }
        }
    }

    private static void send(HttpExchange ex, int code, String type, String body, boolean head) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        if (head) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            ex.sendResponseHeaders(code, -1);
            return;
        }
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
