package dev.dockhand.agent.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;

/**
 * The console's HTTP side (JDK server). Read-only: GET and HEAD of {@code /}, {@code /api/overview},
 * {@code /metrics}, {@code /livez}, {@code /readyz} (200 once the first overview is there, so that
 * the page answers at once; 503 before); everything else is 404, other methods 405. There is no action
 * endpoint at all, whatever {@code actions.enabled} says.
 */
final class ConsoleServer implements AutoCloseable {
    private final HttpServer server;
    private final OverviewCache overviews;
    private final Page page;

    ConsoleServer(InetSocketAddress address, OverviewCache overviews, Page page, ExecutorService executor) throws IOException {
        this.overviews = overviews;
        this.page = page;
        this.server = HttpServer.create(address, 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    void start() {
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            boolean known = path.equals("/") || path.equals("/api/overview") || path.equals("/metrics") || path.equals("/livez")
                    || path.equals("/readyz");
            if (!known) {
                send(ex, 404, "text/plain; charset=utf-8",
                        "not found: this console is read-only and serves /, /api/overview, /metrics, /livez, /readyz\n");
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed: this console is read-only\n");
                return;
            }
            switch (path) {
                case "/livez" -> send(ex, 200, "text/plain; charset=utf-8", "ok\n");
                case "/readyz" -> {
                    boolean ready = overviews.collectedOnce();
                    send(ex, ready ? 200 : 503, "text/plain; charset=utf-8", ready ? "ok\n" : "collecting the first overview\n");
                }
                case "/api/overview" -> send(ex, 200, "application/json", Http.JSON.writeValueAsString(overviews.get()));
                case "/metrics" -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", Metrics.render(overviews.get()));
                default -> {
                    ex.getResponseHeaders().set("Content-Security-Policy", page.contentSecurityPolicy());
                    ex.getResponseHeaders().set("X-Frame-Options", "DENY");
                    send(ex, 200, "text/html; charset=utf-8", page.render(overviews.get()));
                }
            }
        } catch (RuntimeException e) {
            // The exchange may be half-written; the client sees a broken reply. Say why on stderr.
            System.err.println("console: " + ex.getRequestURI() + ": " + e);
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : b.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
