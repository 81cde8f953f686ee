package dev.dockhand.it.toolbox;

import dev.dockhand.it.lab.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.Timing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The operator's toolbox on one real node (the dev stack's single-node config, the agent as PID 1 in its
 * own PID and network namespace, so that the stack's fixed ports are its own): Kafka's and ZooKeeper's
 * tools run inside the node with no flags; clients nobody here wrote (kafkajs with
 * {@code @kafkajs/confluent-schema-registry} from npm, Debian's {@code python3-confluent-kafka}) register,
 * evolve and read back schemas and records; the broker's and ZooKeeper's own metrics are read with
 * {@code python3-prometheus-client}'s parser and move under load; the console shows them per broker.
 * Outside clients run inside the node's network namespace, where its FQDN resolves.
 */
class OperatorToolboxIT {
    static final String NODE = "dev-1";
    static final Path IT_TARGET = Path.of(System.getProperty("it.target", "target")).toAbsolutePath();
    static final Path SOURCES = Path.of(System.getProperty("dockhand.repo.root", "..")).toAbsolutePath().normalize()
            .resolve("it/src/test");
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** The broker's metrics README lists (templates/kafka-broker/jmx-exporter.yml): each must be served. */
    static final List<String> BROKER_METRICS = List.of(
            "kafka_server_replicamanager_underreplicatedpartitions",
            "kafka_server_replicamanager_underminisrpartitioncount",
            "kafka_server_replicamanager_offlinereplicacount",
            "kafka_server_replicamanager_partitioncount",
            "kafka_server_replicamanager_leadercount",
            "kafka_server_replicamanager_isrshrinks_total",
            "kafka_server_replicamanager_isrexpands_total",
            "kafka_controller_kafkacontroller_activecontrollercount",
            "kafka_controller_kafkacontroller_offlinepartitionscount",
            "kafka_controller_controllerstats_uncleanleaderelections_total",
            "kafka_server_brokertopicmetrics_messagesin_total",
            "kafka_server_brokertopicmetrics_bytesin_total",
            "kafka_server_brokertopicmetrics_bytesout_total",
            "kafka_network_requestmetrics_requests_total{request=Produce,version=",
            "kafka_network_requestmetrics_totaltime_ms{quantile=0.99,request=Produce}",
            "kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent",
            "kafka_network_socketserver_networkprocessoravgidlepercent",
            "kafka_server_zookeeperclientmetrics_zookeeperrequestlatency_ms{quantile=0.99}",
            "kafka_server_sessionexpirelistener_zookeeperexpires_total",
            "jvm_memory_used_bytes{area=heap}");
    /** ZooKeeper's (templates/zookeeper/jmx-exporter.yml), a standalone server here. */
    static final List<String> ZOOKEEPER_METRICS = List.of(
            "zookeeper_avgrequestlatency{server_state=standalone}",
            "zookeeper_maxrequestlatency{server_state=standalone}",
            "zookeeper_outstandingrequests{server_state=standalone}",
            "zookeeper_numaliveconnections{server_state=standalone}",
            "zookeeper_packetsreceived_total{server_state=standalone}",
            "zookeeper_packetssent_total{server_state=standalone}",
            "zookeeper_nodecount{server_state=standalone}",
            "zookeeper_watchcount{server_state=standalone}");

    static LabCluster cluster;
    static LabNode node;
    static Path nodeClients;

    @BeforeAll
    static void up() throws IOException {
        String why = LabCluster.unsupportedReason();
        Need.that(why == null, () -> "the toolbox test needs a node in a network namespace: " + why);
        for (String tool : List.of("npm", "node")) {
            assertTrue(Cmd.onPath(tool), tool + " is not on PATH (.ci/run installs nodejs and npm)");
        }
        assertTrue(Files.isExecutable(PYTHON), "no " + PYTHON + " (.ci/run installs python3-confluent-kafka)");
        // the npm clients at the versions package-lock.json pins, from the npm cache when it has them
        nodeClients = IT_TARGET.resolve("node-clients");
        Files.createDirectories(nodeClients);
        for (String f : List.of("package.json", "package-lock.json", "registry-client.js")) {
            Files.copy(SOURCES.resolve("node").resolve(f), nodeClients.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Cmd.run(Duration.ofMinutes(5), List.of("npm", "ci", "--prefix", nodeClients.toString(), "--prefer-offline",
                "--ignore-scripts", "--no-audit", "--no-fund")).check();

        cluster = new LabCluster(LabCluster.singleNode(), "single-node", IT_TARGET.resolve("toolbox"));
        node = cluster.node(NODE);
        cluster.startAll();
        cluster.awaitReady(Duration.ofMinutes(4));
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** {@code argv} run inside the node's network namespace with the image's env (AGENT_DATA_DIR, tools on PATH). */
    static Cmd.Result inNode(Duration timeout, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("env", "AGENT_DATA_DIR=" + node.env().get("AGENT_DATA_DIR"),
                "PATH=" + LabCluster.DIST.resolve("bin") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        cmd.addAll(List.of(argv));
        return Cmd.run(timeout, cluster.net().exec(NODE, cmd.toArray(String[]::new)));
    }

    /** A tool's run that must succeed and log nothing: no log4j warnings, no INFO lines among its output. */
    static String quietly(String... argv) {
        Cmd.Result r = inNode(Duration.ofSeconds(90), argv).check();
        assertFalse(r.out().contains("log4j:WARN") || r.out().contains(" INFO "), String.join(" ", argv) + " logged:\n" + r.out());
        return r.out();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text.strip().lines().reduce((a, b) -> b).orElse("{}"));
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    static String fqdn(int port) {
        return node.fqdn() + ":" + port;
    }

    /**
     * The scenarios, in this order, on the one stack this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
                dynamicTest("1 kafkas tools work inside the node with no flags", this::kafkasToolsWorkInsideTheNodeWithNoFlags),
                dynamicTest("2 a tool without the nodes config says what to do", this::aToolWithoutTheNodesConfigSaysWhatToDo),
                dynamicTest("3 the registry answers plain http like confluents", this::theRegistryAnswersPlainHttpLikeConfluents),
                dynamicTest("4 kafkajs and its registry client register evolve and read back", this::kafkajsAndItsRegistryClientRegisterEvolveAndReadBack),
                dynamicTest("5 python confluent kafka registers evolves and reads back", this::pythonConfluentKafkaRegistersEvolvesAndReadsBack),
                dynamicTest("6 the brokers and zoo keepers own metrics are there and move under load", this::theBrokersAndZooKeepersOwnMetricsAreThereAndMoveUnderLoad),
                dynamicTest("7 the console shows each brokers own metrics", this::theConsoleShowsEachBrokersOwnMetrics));
    }

    void kafkasToolsWorkInsideTheNodeWithNoFlags() {
        assertTrue(quietly("kafka-topics", "--create", "--topic", "toolbox-orders", "--partitions", "3").contains("Created topic toolbox-orders."));
        assertTrue(quietly("kafka-topics", "--list").lines().anyMatch("toolbox-orders"::equals));
        quietly("bash", "-c", "seq 1 100 | kafka-console-producer --topic toolbox-orders");
        String consumed = quietly("kafka-console-consumer", "--topic", "toolbox-orders", "--from-beginning", "--group", "toolbox-tools",
                "--max-messages", "100", "--timeout-ms", "60000");
        assertEquals(100, consumed.lines().filter(l -> l.matches("\\d+")).count(), consumed);
        String groups = quietly("kafka-consumer-groups", "--describe", "--group", "toolbox-tools");
        assertTrue(groups.contains("toolbox-orders") && groups.contains("LAG"), groups);
        assertTrue(quietly("kafka-configs", "--describe", "--entity-type", "topics", "--entity-name", "toolbox-orders")
                .contains("Dynamic configs for topic toolbox-orders"));
        assertTrue(quietly("kafka-log-dirs", "--describe", "--topic-list", "toolbox-orders").contains("toolbox-orders-0"));
        assertTrue(quietly("zookeeper-shell", "ls", "/brokers/ids").contains("[1]"));
        // the originals, untouched: they need their flags, as scripts written for Kafka's images expect
        assertTrue(quietly("kafka-topics.sh", "--bootstrap-server", fqdn(9092), "--list").contains("toolbox-orders"));
        // the node's own client config, rendered by the agent
        String client = quietly("cat", node.env().get("AGENT_DATA_DIR") + "/conf/client.properties");
        assertTrue(client.contains("\nbootstrap.servers=" + fqdn(9092) + "\n"), client);
    }
    void aToolWithoutTheNodesConfigSaysWhatToDo() {
        Cmd.Result r = Cmd.run(Duration.ofSeconds(30), cluster.net().exec(NODE, "env", "AGENT_DATA_DIR=/nonexistent",
                LabCluster.DIST.resolve("bin/kafka-topics").toString(), "--list"));
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("kafka-topics: no bootstrap.servers in /nonexistent/conf/client.properties")
                && r.out().contains("--bootstrap-server"), r.out());
    }
    void theRegistryAnswersPlainHttpLikeConfluents() throws Exception {
        String base = "http://" + node.ip() + ":8081/apis/ccompat/v7";
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", get(base + "/config").body());
        assertEquals("{\"mode\":\"READWRITE\"}", get(base + "/mode").body());
        HttpResponse<String> missing = get(base + "/subjects/no-such-subject/versions");
        assertEquals(404, missing.statusCode());
        assertEquals("{\"error_code\":40401,\"message\":\"Subject 'no-such-subject' not found.\"}", missing.body());
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
    void kafkajsAndItsRegistryClientRegisterEvolveAndReadBack() {
        Cmd.Result r = inNode(Duration.ofMinutes(2), "node", nodeClients.resolve("registry-client.js").toString(),
                "http://" + fqdn(8081) + "/apis/ccompat/v7", fqdn(9092), "toolbox-kafkajs", "toolbox-kafkajs-value");
        JsonNode o = json(r.out());
        assertTrue(r.ok() && !o.has("error"), r.out());
        assertEquals("BACKWARD", o.path("globalConfig").path("compatibilityLevel").asText(), r.out());
        assertEquals("READWRITE", o.path("mode").path("mode").asText(), r.out());
        assertEquals("BACKWARD", o.path("subjectConfig").path("compatibilityLevel").asText(), "the client sets the subject's level");
        assertFalse(o.path("checkIncompatible").path("is_compatible").asBoolean(true), r.out());
        assertTrue(o.path("incompatible").path("message").asText().contains("incompatible"), "a BACKWARD-incompatible schema is refused: " + r.out());
        assertNotEquals(o.path("v1").asInt(), o.path("v2").asInt(), r.out());
        assertEquals(o.path("v2").asInt(), o.path("latest").asInt(), r.out());
        assertEquals("[{\"id\":\"o-1\"},{\"id\":\"o-2\",\"amount\":42}]", o.path("read").toString(), "records encoded by id, read back");
        assertEquals("NONE", o.path("subjectConfigAfterNone").path("compatibilityLevel").asText(), r.out());
        assertTrue(o.path("incompatibleUnderNone").asInt() > 0, "a subject at NONE takes any schema: " + r.out());
    }
    void pythonConfluentKafkaRegistersEvolvesAndReadsBack() {
        Cmd.Result r = inNode(Duration.ofMinutes(2), PYTHON.toString(), SOURCES.resolve("python/registry_client.py").toString(),
                "http://" + fqdn(8081) + "/apis/ccompat/v7", fqdn(9092), "toolbox-python", "toolbox-python-subject");
        JsonNode o = json(r.out());
        assertTrue(r.ok() && !o.has("error"), r.out());
        assertEquals("BACKWARD", o.path("globalCompatibility").asText(), r.out());
        assertEquals(40408, o.path("subjectCompatibility").path("error_code").asInt(), "no level of its own yet: " + r.out());
        assertFalse(o.path("testIncompatible").asBoolean(true), r.out());
        assertTrue(o.path("testCompatible").asBoolean(), r.out());
        assertEquals(409, o.path("incompatible").path("http_status_code").asInt(), r.out());
        assertEquals(409, o.path("incompatible").path("error_code").asInt(), r.out());
        assertEquals(o.path("v2").asInt(), o.path("latest").path("id").asInt(), r.out());
        assertEquals(2, o.path("latest").path("version").asInt(), r.out());
        assertEquals("Payment", o.path("v1Schema").path("name").asText(), r.out());
        assertEquals(40401, o.path("missingSubject").path("error_code").asInt(), r.out());
        assertEquals("NONE", o.path("subjectCompatibilityAfterNone").asText(), r.out());
        assertTrue(o.path("incompatibleUnderNone").asInt() > 0, r.out());
        assertEquals(0, o.path("unflushed").asInt(), r.out());
        assertEquals("[{\"id\":\"p-0\",\"cents\":0},{\"id\":\"p-1\",\"cents\":100},{\"id\":\"p-2\",\"cents\":200}]",
                o.path("read").toString(), "the Avro serializer's records, read back through the registry: " + r.out());
        assertTrue(o.path("valueSubjectLatest").asInt() > 0, r.out());
    }

    static JsonNode scrape(int port) {
        Cmd.Result r = inNode(Duration.ofSeconds(60), PYTHON.toString(), SOURCES.resolve("python/metrics_scrape.py").toString(),
                "http://" + fqdn(port) + "/metrics").check();
        return json(r.out());
    }

    /** The value of the first sample whose name (with labels) starts with {@code prefix}, or NaN. */
    static double value(JsonNode samples, String prefix) {
        for (var it = samples.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().startsWith(prefix)) {
                return e.getValue().asDouble();
            }
        }
        return Double.NaN;
    }
    void theBrokersAndZooKeepersOwnMetricsAreThereAndMoveUnderLoad() {
        JsonNode broker = scrape(9404);
        JsonNode zk = scrape(9405);
        for (String m : BROKER_METRICS) {
            assertFalse(Double.isNaN(value(broker, m)), "the broker serves no " + m + ": " + broker.fieldNames().next());
        }
        for (String m : ZOOKEEPER_METRICS) {
            assertFalse(Double.isNaN(value(zk, m)), "ZooKeeper serves no " + m);
        }
        assertEquals(0, value(broker, "kafka_server_replicamanager_underreplicatedpartitions"), 0.0);
        assertEquals(1, value(broker, "kafka_controller_kafkacontroller_activecontrollercount"), 0.0);

        // load: a topic (znodes in ZooKeeper) and 5000 records of 100 bytes through the broker
        quietly("kafka-topics", "--create", "--topic", "toolbox-load", "--partitions", "2");
        quietly("kafka-producer-perf-test", "--topic", "toolbox-load", "--num-records", "5000", "--record-size", "100",
                "--throughput", "-1");
        JsonNode brokerAfter = scrape(9404);
        JsonNode zkAfter = scrape(9405);
        String messages = "kafka_server_brokertopicmetrics_messagesin_total";
        assertTrue(value(brokerAfter, messages) >= value(broker, messages) + 5000,
                messages + " " + value(broker, messages) + " -> " + value(brokerAfter, messages));
        String bytes = "kafka_server_brokertopicmetrics_bytesin_total";
        assertTrue(value(brokerAfter, bytes) >= value(broker, bytes) + 5000 * 100, bytes + " did not grow by the records' size");
        String produces = "kafka_network_requestmetrics_requests_total{request=Produce";
        assertTrue(value(brokerAfter, produces) > value(broker, produces) || Double.isNaN(value(broker, produces)), produces);
        assertTrue(value(brokerAfter, "kafka_server_replicamanager_partitioncount") >= value(broker, "kafka_server_replicamanager_partitioncount") + 2);
        String packets = "zookeeper_packetsreceived_total";
        assertTrue(value(zkAfter, packets) > value(zk, packets), packets + " " + value(zk, packets) + " -> " + value(zkAfter, packets));
        String znodes = "zookeeper_nodecount";
        assertTrue(value(zkAfter, znodes) > value(zk, znodes), "a new topic's znodes: " + value(zk, znodes) + " -> " + value(zkAfter, znodes));
    }
    void theConsoleShowsEachBrokersOwnMetrics() {
        JsonNode metrics = Timing.awaitValue("the console's overview with the broker's metrics and a rate", Duration.ofSeconds(60),
                Duration.ofMillis(500), () -> {
                    try {
                        HttpResponse<String> r = get("http://" + node.ip() + ":9021/api/overview");
                        JsonNode m = JSON.readTree(r.body()).path("kafka").path("brokers").path(0).path("metrics");
                        return m.path("up").asBoolean() && m.path("messagesInPerSec").isNumber() ? m : null;
                    } catch (Exception e) {
                        return null;
                    }
                }, () -> "");
        assertEquals("http://" + fqdn(9404) + "/metrics", metrics.path("url").asText());
        assertTrue(metrics.path("messagesIn").asDouble() >= 5000, metrics.toString());
        assertEquals(0, metrics.path("underReplicatedPartitions").asDouble(), 0.0, metrics.toString());
        assertNotNull(metrics.get("requestHandlerIdlePercent"), metrics.toString());
        try {
            String page = get("http://" + node.ip() + ":9021/").body();
            assertTrue(page.contains("msgs in/s") && page.contains("produce p99"), "the brokers table shows the metrics");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
