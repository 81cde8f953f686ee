package dev.dockhand.it.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Used ONLY when the real registry (Apicurio, image/registry) has not been built: answers the part
 * of the Confluent-compatible API the console reads, for subjects registered through it.
 */
final class RegistryStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "/apis/ccompat/v7";
    private final HttpServer server;
    private final Map<String, String> schemas = new TreeMap<>();

    RegistryStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(BASE, this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private synchronized void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath().substring(BASE.length());
        String[] parts = path.split("/");
        Object reply;
        int status = 200;
        if (path.equals("/subjects")) {
            reply = List.copyOf(schemas.keySet());
        } else if (path.equals("/config")) {
            reply = Map.of("compatibilityLevel", "BACKWARD");
        } else if (parts.length >= 4 && parts[1].equals("subjects")) {
            String subject = URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
            if (ex.getRequestMethod().equals("POST")) {
                schemas.put(subject, JSON.readTree(ex.getRequestBody()).path("schema").asText());
                reply = Map.of("id", schemas.size());
            } else if (!schemas.containsKey(subject)) {
                status = 404;
                reply = Map.of("error_code", 40401, "message", "Subject not found");
            } else if (parts.length == 4) {
                reply = List.of(1);
            } else {
                ObjectNode latest = JSON.createObjectNode().put("subject", subject).put("version", 1)
                        .put("id", List.copyOf(schemas.keySet()).indexOf(subject) + 1).put("schema", schemas.get(subject));
                reply = latest;
            }
        } else {
            status = 404;
            reply = Map.of("error_code", 40401, "message", "not found");
        }
        byte[] b = JSON.writeValueAsBytes(reply);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
