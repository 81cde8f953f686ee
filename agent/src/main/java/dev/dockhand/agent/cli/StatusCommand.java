package dev.dockhand.agent.cli;

import dev.dockhand.agent.control.ControlClient;
import dev.dockhand.agent.control.ControlException;
import dev.dockhand.agent.protocol.ControlReply;
import dev.dockhand.agent.protocol.AgentSnapshot;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code agent status [--json]}. */
@Command(name = "status",
        description = "Show this node and every service of the running agent. Exit 0 all ready, 1 degraded or starting, 3 no agent.")
public final class StatusCommand extends ClientCommand {
    @Option(names = "--json", description = "Print the snapshot as JSON (the same as HTTP /status).")
    boolean json;

    public StatusCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    int run(ControlClient client) throws ControlException {
        ControlReply r = client.status();
        AgentSnapshot s = r.snapshot();
        if (s == null) {
            err().println("agent: the agent answered without a status: " + r.message());
            return ExitCode.FAILURE.code;
        }
        if (json) {
            out().println(ControlClient.toJson(s));
        } else {
            // colours only for a person at a terminal, and never when NO_COLOR is set (no-color.org)
            boolean colour = System.console() != null && env.getOrDefault("NO_COLOR", "").isEmpty();
            // the view escapes every value; its colours are the only escape sequences, let through here alone
            TerminalWriter.printTrusted(out(), StatusView.render(s, colour));
        }
        return s.ready() ? ExitCode.OK.code : ExitCode.FAILURE.code;
    }
}
