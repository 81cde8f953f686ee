package dev.dockhand.agent.cli;

import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.linux.Linuxes;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.log.AgentLog;
import dev.dockhand.agent.process.LaunchException;
import dev.dockhand.agent.process.SingleCommand;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.event.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code agent run}: PID 1 of the container. Without a command it configures this node and
 * supervises the services of its role; with {@code -- CMD ARGS} it is a drop-in for tini and
 * dumb-init (docs/single-command.md).
 */
@Command(name = "run", description = {
    "Configure this node from its role and supervise its services (the image's ENTRYPOINT).",
    "With -- CMD ARGS: single-command mode, a drop-in for tini and dumb-init: forward signals, reap",
    "orphans, exit with CMD's code or 128+signal (127: CMD not found, 126: not executable)."})
public final class RunCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node = new NodeOptions();

    @Option(names = "-g", description = "single-command mode: forward signals to CMD's whole process group, and SIGTERM the"
            + " rest of the group when CMD ends (tini -g; dumb-init's default)")
    boolean processGroup;

    @Option(names = "-s", description = "become a child subreaper (automatic when not PID 1) (tini -s)")
    boolean subreaper;

    @Option(names = "-e", paramLabel = "CODE", description = "single-command mode: treat exit code CODE as 0; repeatable (tini -e)")
    List<Integer> zeroExitCodes = new ArrayList<>();

    @Option(names = "-p", paramLabel = "SIG", description = "signal the agent gets when its parent dies (tini -p)")
    String parentDeathSignal;

    @Option(names = {"-r", "--rewrite"}, paramLabel = "S:R", description = "single-command mode: forward signal S as signal R,"
            + " or drop it when R is 0 (numbers or names: 15:2, TERM:INT, 28:0); repeatable (dumb-init -r)")
    List<String> rewrites = new ArrayList<>();

    @Option(names = {"-w", "--warn-on-reap"}, description = "single-command mode: log a warning for every zombie reaped"
            + " that is not CMD (tini -w)")
    boolean warnOnReap;

    @Option(names = {"-v", "--verbose"}, description = "more of the agent's log: -v debug, -vv trace (overrides"
            + " AGENT_LOG_LEVEL's default level)")
    boolean[] verbose = new boolean[0];

    @Mixin
    ControlOptions control = new ControlOptions();

    @Parameters(arity = "0..*", paramLabel = "CMD", description = "single-command mode: the command and its arguments, after --")
    List<String> command = new ArrayList<>();

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
        if (verbose.length > 0) {
            AgentLog.get().setLevel("", verbose.length == 1 ? Level.DEBUG : Level.TRACE);
        }
        if (!command.isEmpty()) {
            return singleCommand(err);
        }
        return new SupervisorMode(node, control, env, err).run();
    }

    /** Single-command mode's options, or exit 2 naming the flag that is wrong. */
    SingleCommand.Options singleCommandOptions() {
        Signal pdeath;
        try {
            pdeath = parentDeathSignal == null ? null : Signal.parse(parentDeathSignal);
        } catch (IllegalArgumentException e) {
            throw new AgentException(ExitCode.INVALID_INPUT, "-p: " + e.getMessage());
        }
        try {
            Map<Signal, Integer> rewrite = new EnumMap<>(Signal.class);
            for (String r : rewrites) {
                Map.Entry<Signal, Integer> e = SingleCommand.Options.parseRewrite(r);
                rewrite.put(e.getKey(), e.getValue());
            }
            return new SingleCommand.Options(processGroup, subreaper, Set.copyOf(zeroExitCodes), pdeath, rewrite, warnOnReap);
        } catch (IllegalArgumentException e) {
            throw new AgentException(ExitCode.INVALID_INPUT, e.getMessage());
        }
    }

    /**
     * CMD's program name, checked before anything is spawned: empty, blank, or with a control character
     * it names no program anyone meant to run (a shell variable that was not set, a quoting slip, a name
     * chosen to rewrite the terminal), so it is a usage error, exit 2, rather than a search of PATH that
     * ends in 127.
     */
    void checkProgram() {
        String program = command.get(0);
        String fix = "; give the program to run after --, e.g. agent run -- kafka-topics.sh --version";
        if (program.isEmpty()) {
            throw new AgentException(ExitCode.INVALID_INPUT, "run: CMD is empty ('')" + fix);
        }
        if (program.isBlank()) {
            throw new AgentException(ExitCode.INVALID_INPUT, "run: CMD '" + Names.printable(program) + "' is blank" + fix);
        }
        if (Names.hasControl(program)) {
            throw new AgentException(ExitCode.INVALID_INPUT, "run: CMD '" + Names.printable(program)
                    + "' has a control character; no program is named so" + fix);
        }
    }

    private int singleCommand(PrintWriter err) {
        checkProgram();
        SingleCommand.Options options = singleCommandOptions();
        try {
            return new SingleCommand(Linuxes.system(), options).run(command, env, null);
        } catch (LaunchException e) {
            // one line naming the command, and the code a shell gives for it
            err.println("agent: " + Failures.line(e.getMessage()));
            err.flush();
            return e.shellCode();
        }
    }
}
