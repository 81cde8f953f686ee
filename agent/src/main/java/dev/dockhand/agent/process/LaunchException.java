package dev.dockhand.agent.process;

/** A child could not be spawned; the message names the command and the reason. */
public class LaunchException extends RuntimeException {
    public LaunchException(String message) {
        super(message);
    }
}
