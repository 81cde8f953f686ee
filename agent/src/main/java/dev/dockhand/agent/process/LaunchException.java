package dev.dockhand.agent.process;

/** A child could not be spawned; the message names the command and the reason. */
public class LaunchException extends RuntimeException {
    private final int shellCode;

    public LaunchException(String message) {
        this(message, SingleCommand.NOT_FOUND);
    }

    /** @param shellCode what a shell would exit with: 127 not found, 126 found but not executable */
    public LaunchException(String message, int shellCode) {
        super(message);
        this.shellCode = shellCode;
    }

    public int shellCode() {
        return shellCode;
    }
}
