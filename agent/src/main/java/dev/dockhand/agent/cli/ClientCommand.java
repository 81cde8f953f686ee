package dev.dockhand.agent.cli;

import dev.dockhand.agent.control.ControlClient;
import dev.dockhand.agent.control.ControlException;
import dev.dockhand.agent.protocol.ControlReply;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

/**
 * What the commands that talk to a running agent share: {@code --socket}, the client, and one mapping
 * of failures to messages and exit codes: no agent → 3, permission denied → 2 (run it as another
 * user), anything else that kept the request from being answered → 1.
 */
abstract class ClientCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SocketOption socketOption = new SocketOption();

    final Map<String, String> env;

    ClientCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public final Integer call() {
        ControlClient client = new ControlClient(socketOption.resolve(env));
        try {
            return run(client);
        } catch (ControlException e) {
            err().println("agent: " + e.getMessage());
            err().flush();
            return switch (e.kind()) {
                case NO_AGENT -> ExitCode.NOT_RUNNING.code;
                case PERMISSION_DENIED -> ExitCode.INVALID_INPUT.code;
                case PROTOCOL -> ExitCode.FAILURE.code;
            };
        } finally {
            out().flush();
            err().flush();
        }
    }

    abstract int run(ControlClient client) throws ControlException;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** For start/stop/restart/reload: the message on stdout and 0, or the refusal on stderr and 1 (2 for a bad request). */
    int report(String what, ControlReply reply, String hint) {
        if (reply.ok()) {
            out().println(reply.message());
            return ExitCode.OK.code;
        }
        err().println("agent: " + what + " refused: " + reply.message() + (hint == null ? "" : "; " + hint));
        return ControlReply.BAD_REQUEST.equals(reply.error()) ? ExitCode.INVALID_INPUT.code : ExitCode.FAILURE.code;
    }
}
