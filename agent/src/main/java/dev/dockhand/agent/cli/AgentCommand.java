package dev.dockhand.agent.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The root command: {@code agent <subcommand>}. */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "dockhand agent: configures this node from its role and supervises its services.",
        subcommands = {
            VersionCommand.class,
            CheckCommand.class,
            RenderCommand.class,
            RunCommand.class,
            ImportWorkbenchCommand.class,
            StatusCommand.class,
            StartCommand.class,
            StopCommand.class,
            RestartCommand.class,
            ReloadCommand.class,
            HealthCommand.class,
            ReadyCommand.class,
            ConsoleCommand.class,
            KafkaAccessCommand.class,
            CaCommand.class,
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success; status: every service ready",
            "1:runtime failure (service failed, degraded, not ready)",
            "2:invalid input: flags, metadata, catalog, templates, env; control commands: permission denied",
            "3:status, health, ready, start, stop, restart, reload: no agent running",
            "4:internal error",
        })
public final class AgentCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command line with the process environment; tests pass their own map. */
    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = new CommandLine(new AgentCommand(), new Factory(env));
        cl.setExitCodeExceptionMapper(AgentCommand::exitCodeOf);
        // plain help and errors: what picocli would colour reaches a terminal through TerminalWriter,
        // which lets no escape sequence through
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        cl.setExecutionStrategy(parseResult -> {
            terminalSafe(cl);
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            terminalSafe(cl);
            return Failures.reportUsage(ex, ex.getCommandLine().getErr());
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> Failures.report(ex, commandLine.getErr()));
        cl.getSubcommands().values().forEach(AgentCommand::addHelp);
        return cl;
    }

    /**
     * Every command's stdout and stderr through a {@link TerminalWriter}, whatever writers the caller
     * set: done when the command line is executed, so that a test's or an embedder's writers get it too.
     */
    private static void terminalSafe(CommandLine cl) {
        cl.setOut(TerminalWriter.of(cl.getOut()));
        cl.setErr(TerminalWriter.of(cl.getErr()));
    }

    /**
     * {@code -h}/{@code --help} on every subcommand, present and future, that has none: usage on
     * stdout, exit 0. (The root's {@code mixinStandardHelpOptions} is not inherited.)
     */
    private static void addHelp(CommandLine command) {
        CommandLine.Model.CommandSpec spec = command.getCommandSpec();
        if (spec.options().stream().noneMatch(CommandLine.Model.OptionSpec::usageHelp)) {
            spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                    .description("Show this help message and exit.").build());
        }
        command.getSubcommands().values().forEach(AgentCommand::addHelp);
    }

    static int exitCodeOf(Throwable ex) {
        return ex instanceof CommandLine.ParameterException ? ExitCode.INVALID_INPUT.code : Failures.exitCodeOf(ex);
    }

    /** Gives every command that wants it the environment map, so only Main reads System.getenv(). */
    static final class Factory implements CommandLine.IFactory {
        private final Map<String, String> env;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(Map<String, String> env) {
            this.env = Map.copyOf(env);
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                return cls.getDeclaredConstructor(Map.class).newInstance(env);
            } catch (NoSuchMethodException e) {
                return fallback.create(cls);
            }
        }
    }
}
