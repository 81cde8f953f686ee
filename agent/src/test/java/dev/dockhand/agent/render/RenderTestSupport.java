package dev.dockhand.agent.render;

import dev.dockhand.agent.metadata.HostInfo;
import dev.dockhand.agent.metadata.MetadataInputs;
import dev.dockhand.agent.plan.PlanInputs;
import dev.dockhand.agent.plan.PlanReader;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The shipped templates in a jimfs, and a node of the production cluster resolved as the planner does it. */
public final class RenderTestSupport {
    public static final String NODES = "zookeeper=zk-1.kafka1.example,zk-2.kafka1.example,zk-3.kafka1.example;"
            + "broker=broker-1.kafka1.example,broker-2.kafka1.example,broker-3.kafka1.example;"
            + "schemareg=sr-1.kafka1.example;gateway=gw-1.kafka1.example";

    /** A Java home the services' java is derived from when AGENT_JAVA does not name one. */
    public static final String JAVA_HOME = "/usr/lib/jvm/test";

    private RenderTestSupport() {}

    /** Copies ../templates into {@code fs} under /etc/agent/templates. */
    public static void copyTemplates(FileSystem fs) throws IOException {
        Path src = Path.of("../templates");
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path dst = fs.getPath("/etc/agent/templates").resolve(src.relativize(p).toString());
                Files.createDirectories(dst.getParent());
                Files.write(dst, Files.readAllBytes(p));
            }
        }
    }

    /** Identity and validation as the planner does them; data in /data/FQDN, java /usr/bin/java, agent HTTP 9800. */
    public static NodeContext context(FileSystem fs, String fqdn, Map<String, String> extra) {
        String data = "/data/" + fqdn;
        Map<String, String> all = new HashMap<>(env(fqdn, extra));
        all.put("AGENT_JAVA", "/usr/bin/java");
        return PlanReader.resolve(new PlanInputs("/etc/agent/templates/catalog.json", null, data + "/conf", data, "/opt/dockhand",
                MetadataInputs.none(), 9800), all, fs, noHost(), JAVA_HOME, java.time.Instant.now()).context();
    }

    public static Map<String, String> env(String fqdn, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("AGENT_NODES", NODES, "AGENT_FQDN", fqdn,
                "AGENT_CLUSTER_CONFIG", "production", "AGENT_CLUSTER_NAME", "kafka1",
                "AGENT_SECURITY", "plaintext")); // the secured production node: SecuredPlanTest
        env.putAll(extra);
        return env;
    }

    public static HostInfo noHost() {
        return new HostInfo() {
            public Optional<String> hostname() { return Optional.empty(); }
            public Optional<String> resolverFqdn() { return Optional.empty(); }
        };
    }
}
