package dev.dockhand.agent.cli;

import dev.dockhand.agent.InvalidInputException;
import dev.dockhand.agent.control.ControlServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The control plane's flags for {@code agent run} (use as {@code @Mixin ControlOptions control;}):
 * {@code --socket}, {@code --http-port}, {@code --http-bind}, each with its env variable.
 * Flags win over env, env over the defaults.
 */
public final class ControlOptions {
    static final String ENV_HTTP_PORT = "AGENT_HTTP_PORT";
    static final String ENV_HTTP_BIND = "AGENT_HTTP_BIND";

    @Option(names = "--socket", paramLabel = "PATH",
            description = "Control socket to serve (env AGENT_SOCKET; default /run/agent/agent.sock).")
    Path socket;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Port of the read-only HTTP endpoints /livez /readyz /status /metrics; 0 disables them"
                    + " (env AGENT_HTTP_PORT; default 9800).")
    Integer httpPort;

    @Option(names = "--http-bind", paramLabel = "ADDRESS",
            description = "Address the HTTP endpoints bind to (env AGENT_HTTP_BIND; default 0.0.0.0).")
    String httpBind;

    /** The socket path to serve. */
    public Path socket(Map<String, String> env) {
        return SocketOption.resolve(socket, env);
    }

    /** Where HTTP listens, or null when it is disabled (port 0). */
    public InetSocketAddress http(Map<String, String> env) {
        int port;
        if (httpPort != null) {
            port = checkPort(httpPort, "--http-port " + httpPort);
        } else if (env.get(ENV_HTTP_PORT) != null && !env.get(ENV_HTTP_PORT).isBlank()) {
            String v = env.get(ENV_HTTP_PORT).trim();
            try {
                port = checkPort(Integer.parseInt(v), "env " + ENV_HTTP_PORT + "=" + v);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(
                        "env " + ENV_HTTP_PORT + "=" + v + " is not a port number; use 1-65535, or 0 to disable HTTP");
            }
        } else {
            port = ControlServer.DEFAULT_HTTP_PORT;
        }
        if (port == 0) {
            return null;
        }
        String bind = httpBind != null ? httpBind
                : env.getOrDefault(ENV_HTTP_BIND, "").isBlank() ? ControlServer.DEFAULT_HTTP_BIND : env.get(ENV_HTTP_BIND).trim();
        InetSocketAddress a = new InetSocketAddress(bind, port);
        if (a.isUnresolved()) {
            throw new InvalidInputException((httpBind != null ? "--http-bind " : "env " + ENV_HTTP_BIND + "=") + bind
                    + " is not an address of this host; use an IP address such as 0.0.0.0 or 127.0.0.1");
        }
        return a;
    }

    private static int checkPort(int port, String source) {
        if (port < 0 || port > 65535) {
            throw new InvalidInputException(source + " is not a port number; use 1-65535, or 0 to disable HTTP");
        }
        return port;
    }
}
