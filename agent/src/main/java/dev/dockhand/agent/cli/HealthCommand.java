package dev.dockhand.agent.cli;

import dev.dockhand.agent.control.ControlClient;
import dev.dockhand.agent.control.ControlException;
import dev.dockhand.agent.protocol.ControlReply;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code agent health}: the image's HEALTHCHECK. Healthy means the agent answers and its supervision
 * loop makes progress, not that every service is ready: a broker still recovering its logs must
 * not get its container killed.
 */
@Command(name = "health",
        description = "Exit 0 when the agent and its supervision loop are alive, 1 when not, 3 when no agent runs (Docker HEALTHCHECK).")
public final class HealthCommand extends ClientCommand {
    public HealthCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    int run(ControlClient client) throws ControlException {
        ControlReply r = client.health();
        (r.ok() ? out() : err()).println(r.ok() ? r.message() : "agent: " + r.message());
        return r.ok() ? ExitCode.OK.code : ExitCode.FAILURE.code;
    }
}
