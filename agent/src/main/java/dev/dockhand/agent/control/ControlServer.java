package dev.dockhand.agent.control;

import dev.dockhand.agent.net.RequestServer;
import dev.dockhand.agent.supervise.SupervisorControl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    /** Where the socket is unless {@code --socket} or {@code AGENT_SOCKET} say otherwise. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/agent/agent.sock");
    /** HTTP port unless {@code --http-port} or {@code AGENT_HTTP_PORT} say otherwise; 0 disables HTTP. */
    public static final int DEFAULT_HTTP_PORT = 9800;
    public static final String DEFAULT_HTTP_BIND = "0.0.0.0";

    private final Path socket;
    private final InetSocketAddress http;
    private final RequestServer server;

    private ControlServer(Path socket, InetSocketAddress http, RequestServer server) {
        this.socket = socket;
        this.http = http;
        this.server = server;
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
            SupervisorControl supervisor, Path socket, InetSocketAddress httpOrNull, ControlSocket.PeerPolicy policy)
            throws IOException {
        RequestHandler handler = new RequestHandler(supervisor);
        List<RequestServer.Listener> listeners = new ArrayList<>();
        RequestServer.Listener unix = ControlSocket.bind(socket, handler, policy);
        listeners.add(unix);
        Path socketPath = ((ControlSocket) unix.protocol()).socket();
        InetSocketAddress httpAddress = null;
        try {
            if (httpOrNull != null) {
                RequestServer.Listener h = HttpEndpoints.bind(httpOrNull, handler);
                listeners.add(h);
                httpAddress = (InetSocketAddress) h.channel().getLocalAddress();
            }
            // one selector thread serves both: idle clients of either hold no thread
            return new ControlServer(socketPath, httpAddress, RequestServer.start("control", listeners));
        } catch (IOException | RuntimeException e) {
            listeners.forEach(l -> closeQuietly(l.channel()));
            deleteQuietly(socketPath);
            throw e;
        }
    }

    /** The socket's absolute path. */
    public Path socket() {
        return socket;
    }

    /** Where HTTP listens (with the real port when 0 was asked), empty when HTTP is off. */
    public Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(http);
    }

    /** Open connections on the socket and the HTTP port together (for tests). */
    int openConnections() {
        return server.openConnections();
    }

    /** Stops both servers and removes the socket file. */
    @Override
    public void close() {
        server.close();
        deleteQuietly(socket);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("control: cannot remove {}: {}", p, e.toString());
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
