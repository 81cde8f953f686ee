package dev.dockhand.agent.console;

import dev.dockhand.agent.net.HttpProtocol.Header;
import dev.dockhand.agent.net.HttpProtocol.Response;
import dev.dockhand.agent.net.HttpProtocol;
import dev.dockhand.agent.net.RequestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The console's HTTP side, on the agent's own request server (no thread waits for a slow client; see
 * {@link RequestServer}). Read-only: GET and HEAD of {@code /}, {@code /api/overview},
 * {@code /metrics}, {@code /livez}, {@code /readyz} (200 once the first overview is there, so that
 * the page answers at once; 503 before); everything else is 404, other methods 405. There is no action
 * endpoint at all, whatever {@code actions.enabled} says.
 */
final class ConsoleServer implements AutoCloseable, HttpProtocol.Handler {
    private static final String TEXT = HttpProtocol.TEXT;
    private static final List<Header> COMMON = List.of(
            new Header("X-Content-Type-Options", "nosniff"), new Header("Referrer-Policy", "no-referrer"));

    private final OverviewCache overviews;
    private final Page page;
    private final ServerSocketChannel channel;
    private final int port;
    private RequestServer server;

    ConsoleServer(InetSocketAddress address, OverviewCache overviews, Page page) throws IOException {
        this.overviews = overviews;
        this.page = page;
        this.channel = ServerSocketChannel.open();
        try {
            channel.bind(address, 64);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    void start() throws IOException {
        server = RequestServer.start("console-http", List.of(new RequestServer.Listener(channel, new HttpProtocol(this))));
    }

    int port() {
        return port;
    }

    @Override
    public Response answer(String method, String path) {
        boolean known = path.equals("/") || path.equals("/api/overview") || path.equals("/metrics") || path.equals("/livez")
                || path.equals("/readyz");
        if (!known) {
            return response(404, TEXT, "not found: this console is read-only and serves /, /api/overview, /metrics, /livez, /readyz\n");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return response(405, TEXT, "method not allowed: this console is read-only\n", new Header("Allow", "GET, HEAD"));
        }
        try {
            return switch (path) {
                case "/livez" -> response(200, TEXT, "ok\n");
                case "/readyz" -> overviews.collectedOnce() ? response(200, TEXT, "ok\n")
                        : response(503, TEXT, "collecting the first overview\n");
                case "/api/overview" -> response(200, "application/json", Http.JSON.writeValueAsString(overviews.get()));
                case "/metrics" -> response(200, "text/plain; version=0.0.4; charset=utf-8", Metrics.render(overviews.get()));
                default -> response(200, "text/html; charset=utf-8", page.render(overviews.get()),
                        new Header("Content-Security-Policy", page.contentSecurityPolicy()), new Header("X-Frame-Options", "DENY"));
            };
        } catch (IOException | RuntimeException e) {
            System.err.println("console: " + path + ": " + e);
            return response(500, TEXT, "internal error\n");
        }
    }

    private static Response response(int code, String type, String body, Header... extra) {
        List<Header> headers = new ArrayList<>(COMMON);
        headers.addAll(List.of(extra));
        return new Response(code, type, body, headers);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        } else {
            try {
                channel.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
