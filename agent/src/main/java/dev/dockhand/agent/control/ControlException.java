package dev.dockhand.agent.control;

import java.io.IOException;

/** The client could not get an answer from the agent. {@link #kind()} says why, the message says it to a person. */
public final class ControlException extends IOException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** No socket, or nobody listens on it: no agent is running. */
        NO_AGENT,
        /** The socket (or the agent) refuses this uid. */
        PERMISSION_DENIED,
        /** The agent answered something that is not a reply, or did not answer in time. */
        PROTOCOL
    }

    private final Kind kind;

    public ControlException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ControlException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
