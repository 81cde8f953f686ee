package dev.dockhand.agent.cli;

/** A failure that ends a command with a specific exit code and a one-line (or multi-line) message. */
public class AgentException extends RuntimeException {
    private final ExitCode exitCode;

    public AgentException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
