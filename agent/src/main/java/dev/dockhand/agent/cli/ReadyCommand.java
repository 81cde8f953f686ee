package dev.dockhand.agent.cli;

import dev.dockhand.agent.control.ControlClient;
import dev.dockhand.agent.control.ControlException;
import dev.dockhand.agent.protocol.ControlReply;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code agent ready}: every service of this node is ready. */
@Command(name = "ready", description = "Exit 0 when every service of this node is ready, 1 when not (naming them), 3 when no agent runs.")
public final class ReadyCommand extends ClientCommand {
    public ReadyCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    int run(ControlClient client) throws ControlException {
        ControlReply r = client.ready();
        (r.ok() ? out() : err()).println(r.ok() ? r.message() : "agent: " + r.message());
        return r.ok() ? ExitCode.OK.code : ExitCode.FAILURE.code;
    }
}
