package dev.dockhand.it.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Stands in for one node's agent HTTP {@code /status}: a JDK HttpServer answering the AgentSnapshot
 * JSON contract (protocol/AgentSnapshot.java), written out field by field as an outsider sees it.
 */
final class FakeAgent implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    final ObjectNode status;

    FakeAgent(String role, int nodeId, String fqdn, String... serviceStateRestartsReason) throws IOException {
        status = JSON.createObjectNode();
        long now = System.currentTimeMillis();
        status.put("role", role).put("nodeId", nodeId).put("fqdn", fqdn).put("clusterName", "it")
                .put("clusterConfig", "default").put("agentPid", 1).put("startedAtMs", now - 125_000)
                .put("uptimeMs", 125_000).put("rssBytes", 38_000_000).put("state", "READY").put("ready", true);
        ArrayNode services = status.putArray("services");
        for (int i = 0; i < serviceStateRestartsReason.length; i += 4) {
            ObjectNode s = services.addObject();
            s.put("id", serviceStateRestartsReason[i]).put("state", serviceStateRestartsReason[i + 1])
                    .put("reason", serviceStateRestartsReason[i + 3]).put("pid", 100 + i).put("uptimeMs", 120_000)
                    .put("restarts", Integer.parseInt(serviceStateRestartsReason[i + 2]));
            s.putArray("ports").add(9092);
            s.putObject("lastProbe").put("ok", true).put("detail", "port open").put("latencyMs", 2).put("atMs", now - 1500);
            if (!serviceStateRestartsReason[i + 1].equals("READY")) {
                status.put("state", "DEGRADED").put("ready", false);
            }
        }
        status.putArray("dependencies");
        status.putArray("renderedFiles").add("/etc/agent/rendered/" + role + ".properties");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/status", ex -> {
            byte[] b = JSON.writeValueAsString(status).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
