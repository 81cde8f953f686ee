package dev.dockhand.agent.control;

import dev.dockhand.agent.net.HttpProtocol.Header;
import dev.dockhand.agent.net.HttpProtocol.Response;
import dev.dockhand.agent.net.HttpProtocol;
import dev.dockhand.agent.net.RequestServer;
import dev.dockhand.agent.protocol.Json;
import dev.dockhand.agent.protocol.AgentSnapshot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only HTTP endpoints: {@code /livez}, {@code /readyz}, {@code /status}, {@code /metrics}.
 * GET and HEAD only (405 otherwise); exact paths only (404 otherwise). No authentication: nothing
 * here changes state, and every snapshot is redacted before it is written. {@link HttpProtocol}
 * speaks the protocol.
 */
final class HttpEndpoints implements HttpProtocol.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoints.class);
    private static final String TEXT = "text/plain; charset=utf-8";

    private final RequestHandler handler;

    private HttpEndpoints(RequestHandler handler) {
        this.handler = handler;
    }

    /** Binds {@code address} (port 0: any free port); the listener to hand to a {@link RequestServer}. */
    static RequestServer.Listener bind(InetSocketAddress address, RequestHandler handler) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.bind(address, 64);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot serve HTTP on " + address.getHostString() + ":" + address.getPort() + ": "
                    + e.getMessage() + "; choose another port with --http-port (0 disables HTTP)", e);
        }
        LOG.info("control: HTTP on {}:{}", address.getHostString(), ((InetSocketAddress) ch.getLocalAddress()).getPort());
        return new RequestServer.Listener(ch, new HttpProtocol(new HttpEndpoints(handler)));
    }

    @Override
    public Response answer(String method, String path) {
        try {
            return route(method, path);
        } catch (RuntimeException e) {
            LOG.error("control: HTTP {} failed", path, e);
            return new Response(500, TEXT, "internal error\n");
        }
    }

    private Response route(String method, String path) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return new Response(405, TEXT, "method " + method + " not allowed; use GET\n", List.of(new Header("Allow", "GET, HEAD")));
        }
        switch (path) {
            case "/livez": {
                boolean alive = handler.alive();
                return new Response(alive ? 200 : 503, TEXT,
                        alive ? "ok\n" : "the agent's supervision loop is not making progress\n");
            }
            case "/readyz": {
                AgentSnapshot s = handler.snapshot();
                return new Response(s.ready() ? 200 : 503, TEXT, s.ready() ? "ready\n" : RequestHandler.notReady(s) + "\n");
            }
            case "/status":
                return new Response(200, "application/json", Json.write(handler.snapshot(), false) + "\n");
            case "/metrics":
                return new Response(200, Metrics.CONTENT_TYPE, Metrics.render(handler.snapshot()));
            default:
                return new Response(404, TEXT, "not found; try /livez, /readyz, /status or /metrics\n");
        }
    }
}
