package dev.dockhand.agent.cli;

import dev.dockhand.agent.control.ControlClient;
import dev.dockhand.agent.control.ControlException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code agent restart SVC}. */
@Command(name = "restart", description = "Restart a service of the running agent.")
public final class RestartCommand extends ClientCommand {
    @Parameters(paramLabel = "SERVICE", description = "The service's id, as `agent status` lists it.")
    String service;

    public RestartCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    int run(ControlClient client) throws ControlException {
        return report("restart " + service, client.restart(service), null);
    }
}
