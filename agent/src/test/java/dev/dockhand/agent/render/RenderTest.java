package dev.dockhand.agent.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.CatalogReader;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.metadata.HostInfo;
import dev.dockhand.agent.metadata.MetadataInputs;
import dev.dockhand.agent.metadata.MetadataResolver;
import dev.dockhand.agent.metadata.NodeIdentity;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RenderTest {
    static final String NODES = RenderTestSupport.NODES;

    FileSystem fs;
    Catalog catalog;

    @BeforeEach
    void copyTemplatesIntoJimfs() throws IOException {
        fs = Jimfs.newFileSystem(Configuration.unix());
        RenderTestSupport.copyTemplates(fs);
        catalog = CatalogReader.read(fs.getPath("/etc/agent/templates/catalog.json"));
    }

    NodeContext context(String fqdn, Map<String, String> env) {
        return RenderTestSupport.context(fs, fqdn, env);
    }

    static Map<String, String> env(String fqdn, Map<String, String> extra) {
        return RenderTestSupport.env(fqdn, extra);
    }

    static HostInfo noHost() {
        return RenderTestSupport.noHost();
    }

    RenderPlan renderAndWrite(String fqdn) {
        RenderPlan plan = new Renderer(context(fqdn, Map.of()), Map.of(), Map.of()).plan();
        FileWriter.write(plan.files());
        return plan;
    }

    Properties props(Path p) throws IOException {
        Properties props = new Properties();
        props.load(new StringReader(Files.readString(p)));
        return props;
    }

    @Test
    void productionClusterRendersWhatAnOperatorWouldWriteByHand() throws IOException {
        for (String n : List.of("zk-1", "zk-2", "zk-3", "broker-1", "broker-2", "broker-3")) {
            renderAndWrite(n + ".kafka1.example");
        }
        // myid of each ZooKeeper node agrees with the server.N lines every node carries
        for (int i = 1; i <= 3; i++) {
            String fqdn = "zk-" + i + ".kafka1.example";
            assertEquals(i + "\n", Files.readString(fs.getPath("/data", fqdn, "zookeeper", "myid")));
            Properties zoo = props(fs.getPath("/data", fqdn, "conf/zookeeper/zoo.cfg"));
            for (int j = 1; j <= 3; j++) {
                assertEquals("zk-" + j + ".kafka1.example:2888:3888", zoo.getProperty("server." + j));
            }
            assertEquals("/data/" + fqdn + "/zookeeper", zoo.getProperty("dataDir"));
            assertEquals("ruok,srvr,stat,mntr,conf", zoo.getProperty("4lw.commands.whitelist"));
        }
        // brokers: ids after the ZooKeeper nodes, connect string, their own advertised FQDN
        for (int i = 1; i <= 3; i++) {
            String fqdn = "broker-" + i + ".kafka1.example";
            Properties p = props(fs.getPath("/data", fqdn, "conf/kafka-broker/server.properties"));
            assertEquals(String.valueOf(3 + i), p.getProperty("broker.id"));
            assertEquals("PLAINTEXT://" + fqdn + ":9092", p.getProperty("advertised.listeners"));
            assertEquals("zk-1.kafka1.example:2181,zk-2.kafka1.example:2181,zk-3.kafka1.example:2181", p.getProperty("zookeeper.connect"));
            assertEquals("3", p.getProperty("default.replication.factor"));
            assertEquals("2", p.getProperty("min.insync.replicas"));
            assertEquals("/data/" + fqdn + "/kafka/logs", p.getProperty("log.dirs"));
            assertFalse(Files.readString(fs.getPath("/data", fqdn, "conf/kafka-broker/server.properties")).contains("@@"));
        }
        // a ZooKeeper node of the production config renders no broker config
        assertFalse(Files.exists(fs.getPath("/data/zk-1.kafka1.example/conf/kafka-broker")));
    }

    @Test
    void aConnectNodeOfTheProductionConfigJoinsEveryBrokerWithTheClustersReplicationFactor() throws IOException {
        String fqdn = "cn-1.kafka1.example";
        RenderPlan plan = new Renderer(context(fqdn, Map.of("AGENT_NODES", NODES + ";connect=" + fqdn)), Map.of(), Map.of()).plan();
        assertEquals(List.of("connect"), plan.commands().stream().map(RenderPlan.ResolvedCommand::serviceId).toList());
        FileWriter.write(plan.files());
        Properties w = props(fs.getPath("/data", fqdn, "conf/connect/connect-distributed.properties"));
        assertEquals("broker-1.kafka1.example:9092,broker-2.kafka1.example:9092,broker-3.kafka1.example:9092",
                w.getProperty("bootstrap.servers"));
        for (String topic : List.of("config", "offset", "status")) {
            assertEquals("3", w.getProperty(topic + ".storage.replication.factor"), topic);
            assertEquals("dockhand-connect-" + (topic.equals("offset") ? "offsets" : topic.equals("config") ? "configs" : topic),
                    w.getProperty(topic + ".storage.topic"));
        }
        assertEquals(fqdn, w.getProperty("rest.advertised.host.name"));
        assertEquals("8083", w.getProperty("rest.advertised.port"));
        List<String> argv = plan.commands().get(0).argv();
        assertTrue(argv.contains("dev.dockhand.connect.auth.Worker") && argv.contains("/opt/dockhand/lib/kafka/*:/opt/dockhand/lib/connect-auth/*"), argv.toString());
    }

    @Test
    void agentEndpointsCarryTheAgentsHttpPortAndAreEmptyWhenHttpIsOff() {
        NodeIdentity id = new MetadataResolver(fs, noHost()).resolve(MetadataInputs.none(), env("gw-1.kafka1.example", Map.of()));
        java.util.function.IntFunction<String> endpoints = port -> new NodeContext(catalog, id, new Paths(fs.getPath("/etc/agent/templates"),
                fs.getPath("/d/conf"), fs.getPath("/d"), fs.getPath("/opt/dockhand"), "/usr/bin/java", port))
                .values().get(dev.dockhand.agent.catalog.Macro.AGENT_ENDPOINTS).value();
        assertTrue(endpoints.apply(9900).contains("gateway=gw-1.kafka1.example:9900"), endpoints.apply(9900));
        assertEquals("", endpoints.apply(0), "no endpoint to list when every agent's HTTP is off");
    }

    @Test
    void oneBrokerGetsReplicationFactorOne() throws IOException {
        NodeIdentity id = new MetadataResolver(fs, noHost()).resolve(MetadataInputs.none(),
                Map.of("AGENT_ROLE", "standalone", "AGENT_CLUSTER_CONFIG", "single-node", "AGENT_FQDN", "localhost"));
        NodeContext ctx = new NodeContext(catalog, id, new Paths(fs.getPath("/etc/agent/templates"), fs.getPath("/d/conf"),
                fs.getPath("/d"), fs.getPath("/opt/dockhand"), "/usr/bin/java", 9800));
        RenderPlan plan = new Renderer(ctx, Map.of(), Map.of()).plan();
        assertEquals(List.of("zookeeper", "kafka-broker", "schema-registry", "control-center", "connect"),
                plan.commands().stream().map(RenderPlan.ResolvedCommand::serviceId).toList());
        String server = plan.files().stream().filter(f -> f.target().endsWith("server.properties")).findFirst().orElseThrow().content();
        Properties p = new Properties();
        p.load(new StringReader(server));
        assertEquals("1", p.getProperty("default.replication.factor"));
        assertEquals("1", p.getProperty("min.insync.replicas"));
        assertEquals("localhost:2181", p.getProperty("zookeeper.connect"));
        // the Connect worker's internal topics fit the one broker, its REST API the node's name
        String worker = plan.files().stream().filter(f -> f.target().endsWith("connect/connect-distributed.properties")).findFirst()
                .orElseThrow().content();
        Properties w = new Properties();
        w.load(new StringReader(worker));
        for (String topic : List.of("config", "offset", "status")) {
            assertEquals("1", w.getProperty(topic + ".storage.replication.factor"), topic);
        }
        assertEquals("localhost:9092", w.getProperty("bootstrap.servers"));
        assertEquals("dockhand-connect", w.getProperty("group.id"));
        assertEquals("localhost", w.getProperty("rest.advertised.host.name"));
        assertEquals("http://0.0.0.0:8083", w.getProperty("listeners"));
        assertEquals("/opt/dockhand/connect-plugins", w.getProperty("plugin.path"));
    }

    @Test
    void envOverridesFollowTheUnderscoreRulesAndMaskSecrets() throws IOException {
        Files.writeString(fs.getPath("/secret"), "s3cr3t\n");
        Map<String, String> env = Map.of(
                "KAFKA_CFG_LOG_RETENTION_HOURS", "24",
                "KAFKA_CFG_SOME__UNDERSCORE___DASH", "x",
                "KAFKA_CFG_SSL_KEYSTORE_PASSWORD_FILE", "/secret");
        RenderPlan plan = new Renderer(context("broker-1.kafka1.example", Map.of()), env, Map.of()).plan();
        String server = plan.files().stream().filter(f -> f.target().endsWith("server.properties")).findFirst().orElseThrow().content();
        Properties p = new Properties();
        p.load(new StringReader(server));
        assertEquals("24", p.getProperty("log.retention.hours"));
        assertEquals("x", p.getProperty("some_underscore-dash"));
        assertEquals("s3cr3t", p.getProperty("ssl.keystore.password"));
        assertEquals(1, server.lines().filter(l -> l.startsWith("log.retention.hours=")).count(), "replaced, not appended");
        assertTrue(plan.explain().stream().noneMatch(e -> e.value().contains("s3cr3t")), "secret never in explain");
        assertTrue(plan.explain().stream().anyMatch(e -> e.token().startsWith("ssl.keystore.password") && e.value().equals(Secrets.MASK)));
    }

    @Test
    void leftoverTokenNamesFileAndLine() throws IOException {
        Path t = fs.getPath("/etc/agent/templates/kafka-broker/server.properties");
        Files.writeString(t, Files.readString(t) + "\nfoo=@@NOT_A_MACRO@@\n");
        var e = assertThrows(InvalidInputException.class, () -> new Renderer(context("broker-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan());
        int line = (int) Files.readString(t).lines().count();
        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith(t + ":" + line + ": token @@NOT_A_MACRO@@ is neither a macro nor an autogen pattern"),
                e.problems().get(0));
    }

    @Test
    void everyNodeRendersTheToolsClientConfigsWithTheWholeClusterWhateverItsRole() throws IOException {
        for (String node : List.of("zk-1.kafka1.example", "gw-1.kafka1.example", "broker-2.kafka1.example")) {
            RenderPlan plan = new Renderer(context(node, Map.of()), Map.of(), Map.of()).plan();
            Map<String, String> byName = new HashMap<>();
            plan.files().stream().filter(f -> f.service().equals(Renderer.NODE_SCOPE))
                    .forEach(f -> byName.put(f.target().toString(), f.content()));
            String conf = "/data/" + node + "/conf/";
            assertEquals(java.util.Set.of(conf + "client.properties", conf + "zookeeper-client.properties", conf + "kafka-lib"),
                    byName.keySet(), node);
            // the tools of a ZooKeeper-mode cluster run Kafka 3.9 (the cluster config names no other line)
            assertTrue(byName.get(conf + "kafka-lib").endsWith("/lib/kafka\n"), node + ": " + byName.get(conf + "kafka-lib"));
            assertTrue(byName.get(conf + "client.properties").contains(
                    "\nbootstrap.servers=broker-1.kafka1.example:9092,broker-2.kafka1.example:9092,broker-3.kafka1.example:9092\n"), node);
            assertTrue(byName.get(conf + "zookeeper-client.properties").contains(
                    "\nzookeeper.connect=zk-1.kafka1.example:2181,zk-2.kafka1.example:2181,zk-3.kafka1.example:2181\n"), node);
        }
    }

    @Test
    void aServiceMacroInANodeTemplateIsAProblem() throws IOException {
        Path t = fs.getPath("/etc/agent/templates/node/client.properties");
        Files.writeString(t, Files.readString(t) + "x=@@SERVICE_PORT@@\n");
        var e = assertThrows(InvalidInputException.class, () -> new Renderer(context("gw-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan());
        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).contains("node/client.properties:") && e.problems().get(0).contains("token @@SERVICE_PORT@@ is not available here"),
                e.problems().get(0));
    }

    @Test
    void theBrokerAndZooKeeperCommandsAttachTheMetricsExporterOnTheirCatalogPorts() {
        RenderPlan plan = new Renderer(context("broker-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan();
        List<String> argv = plan.commands().get(0).argv();
        assertTrue(argv.contains("-javaagent:/opt/dockhand/lib/jmx/jmx_prometheus_javaagent.jar=9404:"
                + "/data/broker-1.kafka1.example/conf/kafka-broker/jmx-exporter.yml"), argv.toString());
        RenderPlan zk = new Renderer(context("zk-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan();
        assertTrue(zk.commands().get(0).argv().contains("-javaagent:/opt/dockhand/lib/jmx/jmx_prometheus_javaagent.jar=9405:"
                + "/data/zk-1.kafka1.example/conf/zookeeper/jmx-exporter.yml"), zk.commands().get(0).argv().toString());
        RenderPlan gw = new Renderer(context("gw-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan();
        String console = gw.files().stream().filter(f -> f.service().equals("control-center")).findFirst().orElseThrow().content();
        assertTrue(console.contains("\nbroker.metrics.port=9404\n"), console);
    }

    @Test
    void missingTemplateIsReported() throws IOException {
        Files.delete(fs.getPath("/etc/agent/templates/kafka-broker/log4j.properties"));
        var e = assertThrows(InvalidInputException.class, () -> new Renderer(context("broker-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan());
        assertTrue(e.problems().get(0).contains("kafka-broker/log4j.properties (service kafka-broker) does not exist"), e.problems().toString());
    }

    @Test
    void unchangedFilesAreNotRewrittenAndChangedOnesAreReplaced() throws IOException {
        RenderPlan plan = new Renderer(context("broker-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan();
        assertTrue(FileWriter.write(plan.files()).stream().allMatch(FileWriter.Written::changed));
        assertTrue(FileWriter.write(plan.files()).stream().noneMatch(FileWriter.Written::changed));
        RenderPlan changed = new Renderer(context("broker-1.kafka1.example", Map.of()), Map.of("KAFKA_CFG_NUM_PARTITIONS", "6"), Map.of()).plan();
        List<FileWriter.Written> w = FileWriter.write(changed.files());
        assertEquals(List.of("server.properties"),
                w.stream().filter(FileWriter.Written::changed).map(x -> x.path().getFileName().toString()).toList());
        assertEquals(plan.files().size(), w.size());
        try (Stream<Path> s = Files.list(fs.getPath("/data/broker-1.kafka1.example/conf/kafka-broker"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp file left");
        }
    }

    @Test
    void failedWriteLeavesPreviousFilesIntact() throws IOException {
        RenderPlan plan = new Renderer(context("broker-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan();
        FileWriter.write(plan.files());
        Path server = fs.getPath("/data/broker-1.kafka1.example/conf/kafka-broker/server.properties");
        String before = Files.readString(server);
        // the second file's directory is blocked by a plain file: the first must stay as it was
        RenderPlan.RenderedFile first = new RenderPlan.RenderedFile("kafka-broker", server, server, "changed\n", false);
        Files.writeString(fs.getPath("/blocked"), "x");
        RenderPlan.RenderedFile second = new RenderPlan.RenderedFile("kafka-broker", fs.getPath("/blocked/sub/file"), server, "y", false);
        var e = assertThrows(InvalidInputException.class, () -> FileWriter.write(List.of(first, second)));
        assertTrue(e.getMessage().contains("/blocked"), e.getMessage());
        assertEquals(before, Files.readString(server, StandardCharsets.UTF_8));
    }

    @Test
    void clusterIdIsStableAndKafkaShaped() {
        assertEquals(ClusterId.of("kafka1"), ClusterId.of("kafka1"));
        assertFalse(ClusterId.of("kafka1").equals(ClusterId.of("kafka2")));
        assertTrue(ClusterId.of("kafka1").matches("[A-Za-z0-9_][A-Za-z0-9_\\-]{21}"));
    }
}
