package dev.dockhand.agent.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.dockhand.agent.protocol.AgentSnapshot;

/**
 * The agent's answer on the control socket (see package-info for the protocol).
 *
 * @param ok whether the request was done (for {@code health}/{@code ready}: whether the agent is alive/ready)
 * @param error null when ok; else why not: {@value #REFUSED}, {@value #PERMISSION_DENIED},
 *     {@value #BAD_REQUEST} or {@value #INTERNAL}
 * @param message one line for the operator
 * @param snapshot the node's state after the request (status, ready); null for the others
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlReply(boolean ok, String error, String message, AgentSnapshot snapshot) {
    /** The supervisor (or the readiness/liveness check) said no; the message says why. */
    public static final String REFUSED = "refused";
    /** The caller's uid may not use the socket. */
    public static final String PERMISSION_DENIED = "permission-denied";
    /** Not JSON, unknown op, missing service. */
    public static final String BAD_REQUEST = "bad-request";
    /** The agent failed to answer (a bug). */
    public static final String INTERNAL = "internal";

    public static ControlReply ok(String message, AgentSnapshot snapshot) {
        return new ControlReply(true, null, message, snapshot);
    }

    public static ControlReply error(String error, String message) {
        return new ControlReply(false, error, message, null);
    }
}
