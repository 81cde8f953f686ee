package dev.dockhand.agent.cli;

import dev.dockhand.agent.control.ControlServer;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --socket PATH} for the commands that talk to a running agent. */
public final class SocketOption {
    static final String ENV = "AGENT_SOCKET";

    @Option(names = "--socket", paramLabel = "PATH",
            description = "The agent's control socket (env AGENT_SOCKET; default /run/agent/agent.sock).")
    Path socket;

    /** The flag, else {@code AGENT_SOCKET}, else {@link ControlServer#DEFAULT_SOCKET}. */
    Path resolve(Map<String, String> env) {
        return resolve(socket, env);
    }

    static Path resolve(Path flag, Map<String, String> env) {
        if (flag != null) {
            return flag;
        }
        String fromEnv = env.get(ENV);
        return fromEnv == null || fromEnv.isBlank() ? ControlServer.DEFAULT_SOCKET : Path.of(fromEnv);
    }
}
