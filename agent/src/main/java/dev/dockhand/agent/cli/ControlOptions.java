package dev.dockhand.agent.cli;

import dev.dockhand.agent.control.ControlServer;
import dev.dockhand.agent.core.InvalidInputException;
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
        int port = httpPort(env);
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

    /** The HTTP port: this command's --http-port, else {@code AGENT_HTTP_PORT}, else 9800; 0 = disabled. */
    int httpPort(Map<String, String> env) {
        return httpPort(httpPort, env);
    }

    /**
     * The one reading of the agent's HTTP port, for the listener and for the {@code AGENT_HTTP_PORT} and
     * {@code AGENT_ENDPOINTS} macros alike (check and render have no --http-port: {@code flag} null).
     */
    static int httpPort(Integer flag, Map<String, String> env) {
        if (flag != null) {
            return checkPort(flag, "--http-port " + flag);
        }
        String v = env.get(ENV_HTTP_PORT);
        if (v == null || v.isBlank()) {
            return ControlServer.DEFAULT_HTTP_PORT;
        }
        v = v.trim();
        try {
            return checkPort(Integer.parseInt(v), "env " + ENV_HTTP_PORT + "=" + v);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(
                    "env " + ENV_HTTP_PORT + "=" + v + " is not a port number; use 1-65535, or 0 to disable HTTP");
        }
    }

    private static int checkPort(int port, String source) {
        if (port < 0 || port > 65535) {
            throw new InvalidInputException(source + " is not a port number; use 1-65535, or 0 to disable HTTP");
        }
        return port;
    }
}
