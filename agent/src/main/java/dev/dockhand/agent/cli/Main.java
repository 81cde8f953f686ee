package dev.dockhand.agent.cli;

/** Entry point of {@code agent.jar}. The only place that calls {@link System#exit}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = AgentCommand.commandLine(System.getenv()).execute(args);
        System.exit(code);
    }
}
