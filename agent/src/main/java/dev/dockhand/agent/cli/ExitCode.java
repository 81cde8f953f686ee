package dev.dockhand.agent.cli;

/**
 * The agent's exit codes (docs/adr/002-exit-codes.md). {@code agent run -- CMD} instead returns the
 * command's own code, or 128 + signal when it was killed.
 */
public enum ExitCode {
    /** Success; for status: every service is ready. */
    OK(0),
    /** Runtime failure: a service failed, a health check or readiness timed out, degraded. */
    FAILURE(1),
    /** Usage or invalid input (flags, metadata, catalog, template, env): the caller must fix something. */
    INVALID_INPUT(2),
    /** {@code agent status}: no agent is running (as LSB init scripts report). */
    NOT_RUNNING(3),
    /** A bug in the agent. */
    INTERNAL(4);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }
}
