package dev.dockhand.agent.supervise;

/** The answer to a control command: ok, and a one-line message for the operator. */
public record CommandResult(boolean ok, String message) {
    public static CommandResult ok(String message) { return new CommandResult(true, message); }
    public static CommandResult refused(String message) { return new CommandResult(false, message); }
}
