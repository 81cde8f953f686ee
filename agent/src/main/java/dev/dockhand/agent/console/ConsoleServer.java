package dev.dockhand.agent.console;

import dev.dockhand.agent.net.HttpProtocol.Header;
import dev.dockhand.agent.net.HttpProtocol.Request;
import dev.dockhand.agent.net.HttpProtocol.Response;
import dev.dockhand.agent.net.HttpProtocol;
import dev.dockhand.agent.net.RequestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * The console's HTTP(S) side, on the agent's own request server (no thread waits for a slow client,
 * the TLS handshake included; see {@link RequestServer}). Read-only: GET and HEAD of {@code /},
 * {@code /api/overview}, {@code /metrics}, {@code /livez}, {@code /readyz} (200 once the first overview
 * is there, so that the page answers at once; 503 before); everything else is 404, other methods 405.
 * There is no action endpoint at all, whatever {@code actions.enabled} says.
 *
 * <p>With {@link Logins}, every path but {@code /livez} and {@code /readyz} asks for an HTTP Basic
 * login (401 with {@code WWW-Authenticate}, the JSON and the metrics too): those two say only "ok" or
 * "not yet", and the agent's probe and Kubernetes read them without a password, over HTTPS or, on the
 * same port, in plain HTTP (the agent's HTTP probe speaks no TLS). An address with too many refused
 * logins is answered 429 with {@code Retry-After} until it may try again ({@link Logins}). A browser keeps its
 * connection for the page's refreshes ({@link #KEEP_ALIVE_MS}), so it pays one TLS handshake, not one
 * per refresh.
 */
final class ConsoleServer implements AutoCloseable, HttpProtocol.Handler {
    private static final String TEXT = HttpProtocol.TEXT;
    private static final List<Header> COMMON = List.of(
            new Header("X-Content-Type-Options", "nosniff"), new Header("Referrer-Policy", "no-referrer"));
    /** Longer than the page's refresh period, so that a browser's refreshes share one connection. */
    static final long KEEP_ALIVE_MS = 15_000;
    static final String REALM = "Basic realm=\"dockhand console\", charset=\"UTF-8\"";

    private final OverviewCache overviews;
    private final Page page;
    private final SSLContext tls;
    private final Logins logins;
    private final ServerSocketChannel channel;
    private final int port;
    private RequestServer server;

    /**
     * @param tls the page's HTTPS context, or null for plain HTTP
     * @param logins who may read the page, or null for no login
     */
    ConsoleServer(InetSocketAddress address, OverviewCache overviews, Page page, SSLContext tls, Logins logins) throws IOException {
        this.overviews = overviews;
        this.page = page;
        this.tls = tls;
        this.logins = logins;
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
        server = RequestServer.start("console-http", List.of(new RequestServer.Listener(channel,
                new HttpProtocol(this, HttpProtocol.READ_TIMEOUT_MS, KEEP_ALIVE_MS), tls)));
    }

    int port() {
        return port;
    }

    @Override
    public Response answer(Request request) {
        String path = request.path();
        if (logins == null || path.equals("/livez") || path.equals("/readyz")) {
            return answer(request.method(), path, null);
        }
        Logins.Check c;
        try {
            c = logins.check(request.header("Authorization"), request.client());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c = new Logins.Check(Logins.Outcome.BUSY, null);
        }
        return switch (c.outcome()) {
            case OK -> answer(request.method(), path, c.user());
            case BUSY -> response(503, TEXT, "busy checking another login; try again\n", new Header("Retry-After", "1"));
            case LIMITED -> response(429, TEXT, "too many refused logins from this address; try again in " + c.retryAfterSeconds()
                    + " s\n", new Header("Retry-After", Long.toString(c.retryAfterSeconds())));
            case NONE, WRONG -> path.equals("/api/overview")
                    ? response(401, "application/json", "{\"error\":\"login required\"}\n", new Header("WWW-Authenticate", REALM))
                    : response(401, TEXT, "login required: a user of this cluster (the users file the agent was given)\n",
                            new Header("WWW-Authenticate", REALM));
        };
    }

    @Override
    public Response answer(String method, String path) {
        return answer(method, path, null);
    }

    /** The agent's HTTP probe reaches {@code /readyz} on the HTTPS port: "ok" is no secret. */
    @Override
    public boolean answersInPlainText(String path) {
        return path.equals("/livez") || path.equals("/readyz");
    }

    private Response answer(String method, String path, Logins.User user) {
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
                default -> response(200, "text/html; charset=utf-8", page.render(overviews.get(), user),
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
