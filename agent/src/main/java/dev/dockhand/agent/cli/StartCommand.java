package dev.dockhand.agent.cli;

import dev.dockhand.agent.control.ControlClient;
import dev.dockhand.agent.control.ControlException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code agent start SVC}. */
@Command(name = "start", description = "Start a STOPPED or FAILED service of the running agent (it still waits for its dependencies).")
public final class StartCommand extends ClientCommand {
    @Parameters(paramLabel = "SERVICE", description = "The service's id, as `agent status` lists it.")
    String service;

    public StartCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    int run(ControlClient client) throws ControlException {
        return report("start " + service, client.start(service), null);
    }
}
