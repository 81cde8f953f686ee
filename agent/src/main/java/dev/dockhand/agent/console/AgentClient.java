package dev.dockhand.agent.console;

import dev.dockhand.agent.console.ConsoleConfig.AgentEndpoint;
import dev.dockhand.agent.console.Overview.NodeView;
import dev.dockhand.agent.protocol.AgentSnapshot;

/** Reads one node's agent {@code GET /status} (JSON = {@link AgentSnapshot}). */
final class AgentClient implements Sources.AgentSource {
    private final Http http;

    AgentClient(Http http) {
        this.http = http;
    }

    @Override
    public NodeView probe(AgentEndpoint e, Deadline deadline) {
        long start = System.nanoTime();
        String status;
        AgentSnapshot snapshot = null;
        try {
            Http.Reply r = http.get("http://" + e.address() + "/status", deadline);
            if (!r.ok()) {
                status = "down: HTTP " + r.status();
            } else {
                snapshot = Http.JSON.readValue(r.body(), AgentSnapshot.class);
                status = "up";
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            status = "down: /status is not agent JSON (" + ex.getOriginalMessage() + ")";
        } catch (Exception ex) {
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            status = "down: " + Deadline.reason(ex);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        return new NodeView(e.role(), e.address(), snapshot != null, status, ms, snapshot);
    }
}
