package dev.dockhand.it.pid1;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** A catalog of `bash -c` services for one role ("node") under one cluster config ("test"). */
final class TestCatalog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectNode root = JSON.createObjectNode();
    private final ArrayNode services = root.putArray("services");
    private final ArrayNode order = JSON.createArrayNode();
    private final List<String> ids = new ArrayList<>();

    TestCatalog() {
        root.putArray("roles").addObject().put("id", "node").put("cardinality", "1");
    }

    /** A service running {@code bash -c script}; returns its JSON for health/stop/restart settings. */
    ObjectNode service(String id, String script, String... waitFor) {
        ObjectNode s = services.addObject();
        s.put("id", id);
        s.putArray("command").add("bash").add("-c").add(script);
        s.putObject("stop").put("signal", "TERM").put("grace", "5s");
        s.putObject("restart").put("policy", "always").put("initialBackoff", "500ms").put("maxBackoff", "1s")
                .put("maxRetries", 10).put("resetAfter", "2m");
        ids.add(id);
        if (waitFor.length > 0) {
            ObjectNode o = order.addObject().put("service", id);
            ArrayNode w = o.putArray("waitFor");
            for (String d : waitFor) {
                w.add(d);
            }
        }
        return s;
    }

    /** An exec probe: {@code test -f marker} every 50 ms. */
    static void fileProbe(ObjectNode service, String marker, String startupTimeout) {
        service.putObject("health").put("type", "exec").put("interval", "50ms").put("timeout", "2s")
                .put("startupTimeout", startupTimeout).putArray("command").add("test").add("-f").add(marker);
    }

    String json() {
        ObjectNode cfg = root.putArray("clusterConfigs").addObject().put("id", "test");
        ArrayNode assigned = cfg.putObject("assignments").putArray("node");
        ids.forEach(assigned::add);
        root.set("startOrder", order);
        return root.toPrettyString();
    }
}
