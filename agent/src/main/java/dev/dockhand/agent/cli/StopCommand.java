package dev.dockhand.agent.cli;

import dev.dockhand.agent.control.ControlClient;
import dev.dockhand.agent.control.ControlException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agent stop SVC [--force]}. */
@Command(name = "stop", description = "Stop a service of the running agent; the agent does not restart it until `agent start`.")
public final class StopCommand extends ClientCommand {
    @Parameters(paramLabel = "SERVICE", description = "The service's id, as `agent status` lists it.")
    String service;

    @Option(names = "--force", description = "Stop it even when other services of this node depend on it, and at once: without"
            + " waiting until its stop is safe (a broker's partitions keep min.insync.replicas, ZooKeeper its quorum).")
    boolean force;

    public StopCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    int run(ControlClient client) throws ControlException {
        return report("stop " + service, client.stop(service, force),
                force ? null : "use `agent stop --force " + service + "` to stop it anyway");
    }
}
