package dev.dockhand.agent.cli;

import dev.dockhand.agent.linux.Linuxes;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.process.LaunchException;
import dev.dockhand.agent.process.SingleCommand;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code agent run}: PID 1 of the container. Without a command it configures this node and
 * supervises the services of its role; with {@code -- CMD ARGS} it is a drop-in for tini.
 */
@Command(name = "run", description = {
    "Configure this node from its role and supervise its services (the image's ENTRYPOINT).",
    "With -- CMD ARGS: single-command mode, a drop-in for tini: forward signals, reap orphans,",
    "exit with CMD's code or 128+signal."})
public final class RunCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node = new NodeOptions();

    @Option(names = "-g", description = "single-command mode: run CMD in its own process group and signal the whole group (tini -g)")
    boolean processGroup;

    @Option(names = "-s", description = "become a child subreaper (automatic when not PID 1) (tini -s)")
    boolean subreaper;

    @Option(names = "-e", paramLabel = "CODE", description = "single-command mode: treat exit code CODE as 0; repeatable (tini -e)")
    List<Integer> zeroExitCodes = new ArrayList<>();

    @Option(names = "-p", paramLabel = "SIG", description = "signal the agent gets when its parent dies (tini -p)")
    String parentDeathSignal;

    @Mixin
    ControlOptions control = new ControlOptions();

    @Parameters(arity = "0..*", paramLabel = "CMD", description = "single-command mode: the command and its arguments, after --")
    List<String> command = new ArrayList<>();

    /** What sh returns for a command it cannot run. */
    static final int COMMAND_NOT_FOUND = 127;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    public RunCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        return call(spec.commandLine().getErr());
    }

    /** Runs the supervisor, or the command in single-command mode; problems are reported on {@code err}. */
    int call(PrintWriter err) {
        if (!command.isEmpty()) {
            return singleCommand(err);
        }
        return new SupervisorMode(node, control, env, err).run();
    }

    private int singleCommand(PrintWriter err) {
        Signal pdeath;
        try {
            pdeath = parentDeathSignal == null ? null : Signal.parse(parentDeathSignal);
        } catch (IllegalArgumentException e) {
            throw new AgentException(ExitCode.INVALID_INPUT, "-p: " + e.getMessage());
        }
        SingleCommand.Options options;
        try {
            options = new SingleCommand.Options(processGroup, subreaper, Set.copyOf(zeroExitCodes), pdeath);
        } catch (IllegalArgumentException e) {
            throw new AgentException(ExitCode.INVALID_INPUT, e.getMessage());
        }
        try {
            return new SingleCommand(Linuxes.system(), options).run(command, env, null);
        } catch (LaunchException e) {
            // as a shell does for a command it cannot find or execute
            err.println("agent: " + e.getMessage());
            err.flush();
            return COMMAND_NOT_FOUND;
        }
    }
}
