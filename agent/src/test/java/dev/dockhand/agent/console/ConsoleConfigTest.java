package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.console.ConsoleConfig.AgentEndpoint;
import dev.dockhand.agent.console.ConsoleConfig.HostPort;
import dev.dockhand.agent.core.InvalidInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleConfigTest {
    @Test
    void readsEveryKey() {
        ConsoleConfig c = Fixtures.config(
                "listen.port", "9021", "listen.host", "127.0.0.1",
                "bootstrap.servers", "b1:9092,b2:9092",
                "schema.registry.url", "http://gw:8081/, http://gw2:8081",
                "zookeeper.connect", "zk1:2181,zk2:2181,zk3/kafka",
                "agents", "zookeeper=zk1:9800, broker=b1, gateway=gw:9801",
                "request.timeout.ms", "1500", "actions.enabled", "false", "cluster.name", "kafka1");
        assertEquals(9021, c.listenPort());
        assertEquals("127.0.0.1", c.listenHost());
        assertEquals("b1:9092,b2:9092", c.bootstrapServers());
        assertEquals(List.of("http://gw:8081", "http://gw2:8081"), c.registryUrls());
        assertEquals(List.of(new HostPort("zk1", 2181), new HostPort("zk2", 2181), new HostPort("zk3", 2181)), c.zookeeper());
        assertEquals(List.of(new AgentEndpoint("zookeeper", "zk1", 9800), new AgentEndpoint("broker", "b1", 9800),
                new AgentEndpoint("gateway", "gw", 9801)), c.agents());
        assertEquals(Duration.ofMillis(1500), c.requestTimeout());
        assertFalse(c.actionsEnabled());
        assertEquals("kafka1", c.clusterName());
    }

    @Test
    void defaults() {
        ConsoleConfig c = Fixtures.config();
        assertEquals(9021, c.listenPort());
        assertEquals("0.0.0.0", c.listenHost());
        assertEquals(Duration.ofSeconds(3), c.requestTimeout());
        assertEquals(Duration.ofSeconds(2), c.cacheTtl());
        assertFalse(c.actionsEnabled());
        assertTrue(c.agents().isEmpty() && c.zookeeper().isEmpty() && c.registryUrls().isEmpty());
    }

    @Test
    void reportsEveryProblemNamingItsKey() {
        Properties p = new Properties();
        p.setProperty("listen.port", "90210");
        p.setProperty("request.timeout.ms", "soon");
        p.setProperty("actions.enabled", "yes");
        p.setProperty("agents", "broker");
        p.setProperty("schema.registry.url", "gw:8081");
        p.setProperty("bootstrap.server", "b1:9092");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConsoleConfig.parse(p, "c.properties"));
        String all = String.join("\n", e.problems());
        for (String key : List.of("'listen.port'", "'request.timeout.ms'", "'actions.enabled'", "'agents'",
                "'schema.registry.url'", "'bootstrap.servers' is required", "unknown key 'bootstrap.server'")) {
            assertTrue(all.contains(key), key + " in:\n" + all);
        }
        assertTrue(e.problems().stream().allMatch(s -> s.startsWith("c.properties: ")));
    }

    @Test
    void unrenderedTokenIsAnError() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Fixtures.config("bootstrap.servers", "@@KAFKA_BOOTSTRAP_STRING@@"));
        assertTrue(e.getMessage().contains("'bootstrap.servers' still holds a template token"), e.getMessage());
        assertEquals(1, e.problems().size(), "one problem, not a second 'not host:port': " + e.problems());
    }

    @Test
    void templatesHaveEveryKeyBetweenThemAndOnlyKnownTokens() throws Exception {
        Path dir = Path.of("..", "templates", "control-center");
        Properties shared = load(dir.resolve("console.properties"));
        Properties plain = load(dir.resolve("console-plaintext.properties"));
        Properties tls = load(dir.resolve("console-tls.properties"));
        java.util.Set<String> all = new java.util.TreeSet<>();
        for (Properties p : List.of(shared, plain, tls)) {
            p.stringPropertyNames().stream().filter(k -> !k.startsWith(ConsoleConfig.KAFKA_PREFIX)).forEach(all::add);
        }
        assertEquals(ConsoleConfig.KEYS.stream().filter(k -> !k.equals("cache.ms") && !k.equals("refresh.seconds")).sorted().toList(),
                List.copyOf(all));
        // the fragments add to the shared part and never set one of its keys again
        for (Properties p : List.of(plain, tls)) {
            p.stringPropertyNames().forEach(k -> assertFalse(shared.containsKey(k), k));
        }
        // With its tokens replaced the way the agent renders them, each node's file is valid.
        ConsoleConfig c = ConsoleConfig.parse(rendered(shared, plain), "plaintext");
        assertEquals(9021, c.listenPort());
        assertEquals("kafka1", c.clusterName());
        assertEquals(9404, c.brokerMetricsPort());
        assertEquals("b1:9092", c.bootstrapServers());
        assertFalse(c.https());
        ConsoleConfig secured = ConsoleConfig.parse(rendered(shared, tls), "tls");
        assertEquals("b1:9091", secured.bootstrapServers());
        assertTrue(secured.https() && secured.zookeeperTls() && secured.loginUsers() != null);
        assertEquals("/d/conf/tls/node.pem", secured.kafkaClient().get("ssl.keystore.location"));
    }

    private static Properties load(Path file) throws Exception {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return p;
    }

    private static Properties rendered(Properties... parts) {
        Properties rendered = new Properties();
        for (Properties p : parts) {
            p.forEach((k, v) -> rendered.setProperty((String) k, ((String) v)
                    .replace("@@CONSOLE_PORT@@", "9021")
                    .replace("@@KAFKA_BOOTSTRAP_STRING@@", "b1:9092")
                    .replace("@@KAFKA_INTERNAL_BOOTSTRAP_STRING@@", "b1:9091")
                    .replace("@@SCHEMA_REGISTRY_URLS@@", "http://gw:8081")
                    .replace("@@ZOOKEEPER_SERVICE_STRING@@", "zk1:2181")
                    .replace("@@AGENT_ENDPOINTS@@", "broker=b1:9800")
                    .replace("@@CLUSTER_NAME@@", "kafka1")
                    .replace("@@TLS_DIR@@", "/d/conf/tls")
                    .replace("@@BROKER_METRICS_PORT@@", "9404")));
        }
        return rendered;
    }

    @Test
    void agentConsoleWithBadConfigExitsTwoNamingTheKey(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("console.properties");
        Files.writeString(f, "bootstrap.servers=b1:9092\nrequest.timeout.ms=0\n");
        StringWriter err = new StringWriter();
        var cl = dev.dockhand.agent.cli.AgentCommand.commandLine(java.util.Map.of());
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("console", "--config", f.toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains("'request.timeout.ms' = 0 is out of range"), err.toString());
    }

    @Test
    void missingFileExitsTwo(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        var cl = dev.dockhand.agent.cli.AgentCommand.commandLine(java.util.Map.of());
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("console", "--config", dir.resolve("nope.properties").toString()));
        assertTrue(err.toString().contains("nope.properties: cannot read: no such file"), err.toString());
    }
}
