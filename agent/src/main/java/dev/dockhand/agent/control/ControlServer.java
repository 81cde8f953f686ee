package dev.dockhand.agent.control;

import dev.dockhand.agent.supervise.SupervisorControl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The running agent's control plane: the Unix socket and, optionally, the read-only HTTP endpoints,
 * both over one {@link SupervisorControl}. Start it once the supervisor exists; close it before the
 * services stop, so that no command arrives during the shutdown.
 *
 * <pre>{@code
 * try (ControlServer control = ControlServer.start(supervisor, socketPath, httpOrNull)) {
 *     ... supervise until SIGTERM ...
 * }
 * }</pre>
 */
public final class ControlServer implements AutoCloseable {
    /** Where the socket is unless {@code --socket} or {@code AGENT_SOCKET} say otherwise. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/agent/agent.sock");
    /** HTTP port unless {@code --http-port} or {@code AGENT_HTTP_PORT} say otherwise; 0 disables HTTP. */
    public static final int DEFAULT_HTTP_PORT = 9800;
    public static final String DEFAULT_HTTP_BIND = "0.0.0.0";

    private final SocketServer socket;
    private final ProbeHttpServer http;

    private ControlServer(SocketServer socket, ProbeHttpServer http) {
        this.socket = socket;
        this.http = http;
    }

    /**
     * Serves {@code supervisor} on the Unix socket {@code socket} (mode 0600; its directory is created
     * with mode 0700 when missing; a stale socket file of a dead agent is replaced) and, when
     * {@code httpOrNull} is not null, over HTTP on that address (port 0 there means "any free port":
     * to disable HTTP pass null).
     *
     * @throws IOException with a message fit for the operator: the directory cannot be made, another
     *     agent serves the socket, the port is taken
     */
    public static ControlServer start(SupervisorControl supervisor, Path socket, InetSocketAddress httpOrNull)
            throws IOException {
        return start(supervisor, socket, httpOrNull, null);
    }

    /* test */ static ControlServer start(
            SupervisorControl supervisor, Path socket, InetSocketAddress httpOrNull, SocketServer.PeerPolicy policy)
            throws IOException {
        RequestHandler handler = new RequestHandler(supervisor);
        SocketServer s = SocketServer.start(socket, handler, policy);
        ProbeHttpServer h = null;
        if (httpOrNull != null) {
            try {
                h = HttpEndpoints.start(httpOrNull, handler);
            } catch (IOException e) {
                s.close();
                throw e;
            }
        }
        return new ControlServer(s, h);
    }

    /** The socket's absolute path. */
    public Path socket() {
        return socket.socket();
    }

    /** Where HTTP listens (with the real port when 0 was asked), empty when HTTP is off. */
    public Optional<InetSocketAddress> httpAddress() {
        return http == null ? Optional.empty() : Optional.of(http.address());
    }

    /** Stops both servers and removes the socket file. */
    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        socket.close();
    }
}
