package dev.dockhand.agent.control;

import dev.dockhand.agent.protocol.ControlReply;
import dev.dockhand.agent.protocol.Protocol.Request;
import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.supervise.CommandResult;
import dev.dockhand.agent.protocol.ServiceState;
import dev.dockhand.agent.supervise.SupervisorControl;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns one request into one reply; shared by the socket and HTTP servers. Never throws. */
final class RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);

    private final SupervisorControl supervisor;

    RequestHandler(SupervisorControl supervisor) {
        this.supervisor = supervisor;
    }

    /** The snapshot as it may leave the agent: redacted. */
    AgentSnapshot snapshot() {
        return Redactor.redact(supervisor.snapshot());
    }

    boolean alive() {
        try {
            return supervisor.alive();
        } catch (RuntimeException e) {
            LOG.warn("control: alive() failed: {}", Redactor.redact(String.valueOf(e)));
            return false;
        }
    }

    ControlReply handle(Request r) {
        if (r == null || r.op() == null) {
            return ControlReply.error(ControlReply.BAD_REQUEST, "request has no \"op\"; expected one of " + OPS);
        }
        try {
            switch (r.op()) {
                case "status": {
                    AgentSnapshot s = snapshot();
                    return ControlReply.ok(s.ready() ? "ready" : notReady(s), s);
                }
                case "health":
                    return alive()
                            ? ControlReply.ok("alive", null)
                            : ControlReply.error(ControlReply.REFUSED, "the agent's supervision loop is not making progress");
                case "ready": {
                    AgentSnapshot s = snapshot();
                    return s.ready()
                            ? ControlReply.ok("ready", s)
                            : new ControlReply(false, ControlReply.REFUSED, notReady(s), s);
                }
                case "start":
                case "stop":
                case "restart":
                    if (r.service() == null || r.service().isBlank()) {
                        return ControlReply.error(ControlReply.BAD_REQUEST, "\"" + r.op() + "\" needs \"service\"");
                    }
                    return command(r);
                case "reload":
                    return command(r);
                default:
                    return ControlReply.error(
                            ControlReply.BAD_REQUEST, "unknown op \"" + Redactor.redact(r.op()) + "\"; expected one of " + OPS);
            }
        } catch (RuntimeException e) {
            LOG.error("control: {} failed", Redactor.redact(r.op()), e);
            return ControlReply.error(ControlReply.INTERNAL, "the agent failed to answer " + r.op() + ": "
                    + Redactor.redact(String.valueOf(e.getMessage())));
        }
    }

    static final String OPS = "status, health, ready, start, stop, restart, reload";

    private ControlReply command(Request r) {
        CommandResult result;
        switch (r.op()) {
            case "start" -> result = supervisor.start(r.service());
            case "stop" -> result = supervisor.stop(r.service(), r.force());
            case "restart" -> result = supervisor.restart(r.service());
            default -> result = supervisor.reload();
        }
        String message = Redactor.redact(result.message());
        String what = r.op() + (r.service() == null ? "" : " " + r.service()) + (r.force() ? " --force" : "");
        LOG.info("control: {}: {}{}", Redactor.redact(what), result.ok() ? "" : "refused: ", message);
        return result.ok()
                ? ControlReply.ok(message, null)
                : ControlReply.error(ControlReply.REFUSED, message);
    }

    /** "not ready: kafka STARTING (waiting for probe), registry PENDING". */
    static String notReady(AgentSnapshot s) {
        List<String> parts = new ArrayList<>();
        for (ServiceSnapshot svc : s.services() == null ? List.<ServiceSnapshot>of() : s.services()) {
            if (svc.state() != ServiceState.READY && svc.state() != ServiceState.EXITED) {
                String reason = svc.reason() == null || svc.reason().isBlank() ? "" : " (" + svc.reason() + ")";
                parts.add(svc.id() + " " + svc.state() + reason);
            }
        }
        return parts.isEmpty() ? "not ready: agent " + s.state() : "not ready: " + String.join(", ", parts);
    }
}
