package dev.dockhand.agent.cli;

import dev.dockhand.agent.control.ControlClient;
import dev.dockhand.agent.control.ControlException;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code agent reload}. */
@Command(name = "reload",
        description = "Re-render this node's configuration; restart only the services whose rendered files changed.")
public final class ReloadCommand extends ClientCommand {
    public ReloadCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    int run(ControlClient client) throws ControlException {
        return report("reload", client.reload(), null);
    }
}
