package dev.dockhand.it.console;

import dev.dockhand.it.lab.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dockhand.it.lab.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code agent console} (from the dist's agent-console.jar, as a child process) against a real ZooKeeper 3.8.4,
 * a real Kafka 3.9.1 broker, the real schema registry when it has been built, and stand-in agents
 * (JDK HttpServers answering /status JSON) plus one node whose agent does not listen at all.
 *
 * <p>Kafka topic names cannot hold {@code <} or {@code >}, so the hostile strings travel where the
 * real stack lets them: a consumer group id, a schema subject and schema text, an agent's reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleIT {
    static final String EVIL_GROUP = "<script>alert(1)</script>";
    static final String EVIL_SUBJECT = "<img src=x onerror=alert(2)>";
    static final String TOPIC = "orders";
    static final Duration START = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Path work = Path.of(System.getProperty("it.target", "target"), "console-it");
    private String bootstrap;
    private String registryUrl;
    private String registryKind;
    private FakeAgent brokerAgent;
    private int deadAgentPort;
    private String console;

    @BeforeAll
    void startStack() throws Exception {
        deleteTree(work);
        Files.createDirectories(work);
        String cp = Files.readString(Path.of(System.getProperty("services.classpath", "target/services.classpath"))).trim();
        Path log4j = work.resolve("log4j.properties");
        Files.writeString(log4j, """
                log4j.rootLogger=INFO, out
                log4j.appender.out=org.apache.log4j.ConsoleAppender
                log4j.appender.out.layout=org.apache.log4j.PatternLayout
                log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n
                """);

        int zkPort = Ports.free();
        Path zkCfg = work.resolve("zoo.cfg");
        Files.writeString(zkCfg, """
                tickTime=2000
                dataDir=%s
                clientPort=%d
                clientPortAddress=127.0.0.1
                admin.enableServer=false
                4lw.commands.whitelist=ruok,srvr,stat,mntr,conf
                """.formatted(work.resolve("zk-data").toAbsolutePath(), zkPort));
        toClose.push(ChildProcess.java("zookeeper", work, cp, List.of("-Dlog4j.configuration=file:" + log4j.toAbsolutePath(),
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", zkCfg.toAbsolutePath().toString())));

        int kafkaPort = Ports.free();
        bootstrap = "127.0.0.1:" + kafkaPort;
        Path server = work.resolve("server.properties");
        Files.writeString(server, """
                broker.id=1
                listeners=PLAINTEXT://127.0.0.1:%d
                log.dirs=%s
                zookeeper.connect=127.0.0.1:%d
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=5
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                group.initial.rebalance.delay.ms=0
                """.formatted(kafkaPort, work.resolve("kafka-logs").toAbsolutePath(), zkPort));
        // The broker waits for ZooKeeper itself (zookeeper.connection.timeout.ms), so both start at once.
        ChildProcess kafka = ChildProcess.java("kafka", work, cp, List.of("-Dlog4j.configuration=file:" + log4j.toAbsolutePath(),
                "kafka.Kafka", server.toAbsolutePath().toString()));
        toClose.push(kafka);

        startRegistry();

        Await.until("ZooKeeper serves (srvr shows a Mode)", START, () -> assertTrue(srvr("127.0.0.1", zkPort).contains("Mode:")));
        try (Admin admin = admin()) {
            Await.until("broker registered\n" + kafka.logTail(), START,
                    () -> assertEquals(1, admin.describeCluster().nodes().get().size()));
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
        }
        produceAndConsume();
        registerSchemas();

        FakeAgent zkAgent = new FakeAgent("zookeeper", 1, "zk-1.it.example", "zookeeper", "READY", "0", "Mode: standalone");
        toClose.push(zkAgent);
        brokerAgent = new FakeAgent("broker", 2, "broker-1.it.example",
                "kafka", "READY", "0", "ready", "kafka-exporter", "BACKOFF", "2", "<b>exit 1</b> <img src=x onerror=alert(3)>");
        toClose.push(brokerAgent);
        deadAgentPort = Ports.free(); // nothing listens here: that node's agent is down

        int consolePort = Ports.free();
        Path props = work.resolve("console.properties");
        Files.writeString(props, String.join("\n",
                "listen.host=127.0.0.1",
                "listen.port=" + consolePort,
                "cluster.name=it-cluster",
                "bootstrap.servers=" + bootstrap,
                "schema.registry.url=" + registryUrl,
                "zookeeper.connect=127.0.0.1:" + zkPort,
                "agents=zookeeper=127.0.0.1:" + zkAgent.port() + ",broker=127.0.0.1:" + brokerAgent.port()
                        + ",gateway=127.0.0.1:" + deadAgentPort,
                "request.timeout.ms=2000",
                "cache.ms=500",
                "actions.enabled=false", ""));
        Path agentJar = Path.of(System.getProperty("dist.dir", "../image/target/dist"), "agent-console.jar");
        assertTrue(Files.isRegularFile(agentJar), "build the agent first: " + agentJar);
        ChildProcess consoleProcess = ChildProcess.java("console", work, null,
                List.of("-jar", agentJar.toAbsolutePath().toString(), "console", "--config", props.toAbsolutePath().toString()));
        toClose.push(consoleProcess);
        console = "http://127.0.0.1:" + consolePort;
        Await.until("console answers /livez\n" + consoleProcess.logTail(), Duration.ofSeconds(30),
                () -> assertEquals("ok\n", get("/livez").body()));
    }

    private void startRegistry() throws Exception {
        Path jar = Path.of(System.getProperty("registry.jar", "../image/registry/target/quarkus-app/quarkus-run.jar"));
        if (Files.isRegularFile(jar)) {
            int port = Ports.free();
            ChildProcess registry = ChildProcess.java("registry", work, null, List.of(
                    "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-jar", jar.toAbsolutePath().toString()));
            toClose.push(registry);
            registryUrl = "http://127.0.0.1:" + port;
            registryKind = "real registry " + jar;
            Await.until("registry ready\n" + registry.logTail(), START,
                    () -> assertEquals(200, send("GET", registryUrl + "/health/ready", null).statusCode()));
        } else {
            System.err.println("ASSUMPTION: " + jar + " is absent (image/registry not built): the console reads a"
                    + " stand-in that serves the Confluent-compatible API, not Apicurio. Pass -Dregistry.jar=... to use the real one.");
            RegistryStandIn standIn = new RegistryStandIn();
            toClose.push(standIn);
            registryUrl = standIn.url();
            registryKind = "stand-in";
        }
    }

    @AfterAll
    void stopStack() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    /**
     * The scenarios, in this order, on the one stack this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
            dynamicTest("1 json reports cluster topic group lag schemas and nodes", this::jsonReportsClusterTopicGroupLagSchemasAndNodes),
            dynamicTest("2 metrics and read only endpoints", this::metricsAndReadOnlyEndpoints),
            dynamicTest("3 browser shows the cluster and a stopped agent as down", this::browserShowsTheClusterAndAStoppedAgentAsDown));
    }

    void jsonReportsClusterTopicGroupLagSchemasAndNodes() throws Exception {
        // the console's first AdminClient connection may take longer than one request timeout on a
        // loaded machine: await the first overview that reaches the broker, then check everything
        Await.until("the console reaches the broker", Duration.ofSeconds(60),
                () -> assertTrue(JSON.readTree(get("/api/overview").body()).path("kafka").path("reachable").asBoolean()));
        JsonNode o = JSON.readTree(get("/api/overview").body());
        JsonNode kafka = o.path("kafka");
        assertTrue(kafka.path("reachable").asBoolean(), kafka.toString());
        assertEquals(1, kafka.path("controllerId").asInt());
        assertEquals(1, kafka.path("brokers").size());
        assertTrue(kafka.path("brokers").get(0).path("reachable").asBoolean());
        assertEquals(1, o.path("summary").path("brokers").asInt());

        JsonNode topic = find(kafka.path("topics"), "name", TOPIC);
        assertEquals(3, topic.path("partitionCount").asInt());
        assertEquals(1, topic.path("replicationFactor").asInt());
        assertEquals(0, topic.path("underReplicated").asInt());
        for (JsonNode p : topic.path("partitions")) {
            assertEquals(1, p.path("leader").asInt());
            assertEquals("[1]", p.path("isr").toString());
        }
        assertTrue(topic.path("sizeBytes").asLong() > 0, "describeLogDirs size: " + topic);
        assertTrue(find(kafka.path("topics"), "name", "__consumer_offsets").path("internal").asBoolean());

        JsonNode billing = find(kafka.path("groups"), "groupId", "billing");
        assertEquals(14, billing.path("totalLag").asLong(), billing.toString());
        assertEquals(List.of(6L, 0L, 8L), StreamSupport.stream(billing.path("lag").spliterator(), false)
                .map(l -> l.path("lag").asLong()).toList());
        assertEquals(10, billing.path("lag").get(0).path("end").asLong());
        assertEquals(4, billing.path("lag").get(0).path("committed").asLong());
        assertEquals(EVIL_GROUP, find(kafka.path("groups"), "groupId", EVIL_GROUP).path("groupId").asText());

        JsonNode zk = o.path("zookeeper");
        assertTrue(zk.path("quorum").asBoolean());
        assertEquals("standalone", zk.path("members").get(0).path("mode").asText());

        JsonNode registry = o.path("registry");
        assertTrue(registry.path("reachable").asBoolean(), registryKind + ": " + registry);
        JsonNode orders = find(registry.path("subjects"), "subject", "orders-value");
        assertEquals("[1]", orders.path("versions").toString());
        assertTrue(orders.path("schema").asText().contains("OrderPlaced"));
        assertNotNull(find(registry.path("subjects"), "subject", EVIL_SUBJECT));

        JsonNode nodes = o.path("nodes");
        assertEquals(3, nodes.size());
        assertEquals("zookeeper", nodes.get(0).path("role").asText());
        assertTrue(nodes.get(0).path("up").asBoolean());
        assertEquals("READY", nodes.get(0).path("agent").path("services").get(0).path("state").asText());
        assertEquals("BACKOFF", nodes.get(1).path("agent").path("services").get(1).path("state").asText());
        assertEquals(2, nodes.get(1).path("agent").path("services").get(1).path("restarts").asInt());
        assertEquals("gateway", nodes.get(2).path("role").asText());
        assertFalse(nodes.get(2).path("up").asBoolean());
        assertEquals("down: connection refused", nodes.get(2).path("status").asText());
        assertEquals(2, o.path("summary").path("nodesUp").asInt());
    }
    void metricsAndReadOnlyEndpoints() throws Exception {
        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("\ndockhand_console_brokers 1\n"), metrics);
        assertTrue(metrics.contains("\ndockhand_console_under_replicated_partitions 0\n"));
        assertTrue(metrics.contains("\ndockhand_console_nodes_up 2\n"));
        assertTrue(metrics.contains("dockhand_console_topic_partitions{topic=\"orders\"} 3\n"));
        assertTrue(metrics.contains("dockhand_console_group_lag{group=\"billing\"} 14\n"));
        assertEquals(404, send("POST", console + "/api/nodes/broker/restart", "").statusCode());
        assertEquals(405, send("POST", console + "/", "").statusCode());
    }
    void browserShowsTheClusterAndAStoppedAgentAsDown() throws Exception {
        Need.that(Chromium.installed(), () -> "needs Debian packages chromium and chromium-driver");
        try (Chromium browser = new Chromium(work)) {
            browser.open(console + "/");
            String text = browser.script("return document.body.innerText;").asText();
            assertTrue(text.contains("it-cluster"), text);
            assertTrue(rowText(browser, "tr[data-broker='1']").contains("127.0.0.1:" + bootstrap.split(":")[1]));
            String topicRow = rowText(browser, "tr[data-topic='orders']");
            assertTrue(topicRow.contains("p0 L1") && topicRow.contains("p1 L1") && topicRow.contains("p2 L1"), topicRow);
            String group = rowText(browser, "tr[data-group='billing']");
            assertTrue(group.contains("14") && group.contains("orders-0 lag 6") && group.contains("orders-2 lag 8"), group);

            // Hostile strings are text: visible as written, no extra element, no script ran.
            assertTrue(text.contains(EVIL_GROUP), "group id shown as text");
            assertTrue(text.contains(EVIL_SUBJECT), "subject shown as text");
            assertTrue(text.contains("<b>exit 1</b>"), "agent reason shown as text");
            assertEquals(1, browser.script("return document.scripts.length;").asInt(), "only the page's own script");
            assertEquals(0, browser.script("return document.querySelectorAll('main img, main b script').length;").asInt());
            assertNull(browser.alertText(), "no alert opened");

            assertTrue(rowText(browser, "tr[data-node='127.0.0.1:" + deadAgentPort + "']").contains("down: connection refused"));
            String brokerNode = "tr[data-node='127.0.0.1:" + brokerAgent.port() + "']";
            assertTrue(rowText(browser, brokerNode).contains("READY"));

            browser.screenshot(work.getParent().resolve("console-screenshot-before-stop.png"));

            brokerAgent.close(); // the broker node's agent goes away
            Await.until("the page shows the broker node down", Duration.ofSeconds(15), () -> {
                browser.open(console + "/");
                assertTrue(rowText(browser, brokerNode).contains("down: connection refused"));
            });
            assertEquals("false", browser.script("return document.querySelector(\"" + brokerNode + "\").dataset.up;").asText());
            browser.screenshot(work.getParent().resolve("console-screenshot.png"));
        }
    }

    private static String rowText(Chromium browser, String selector) throws Exception {
        JsonNode v = browser.script("var e=document.querySelector(\"" + selector + "\");return e?e.innerText:null;");
        assertFalse(v.isNull(), "no element " + selector);
        return v.asText();
    }

    private void produceAndConsume() throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int partition = 0; partition < 3; partition++) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, partition, "k" + i, "order " + partition + "-" + i));
                }
            }
            producer.flush();
        }
        List<TopicPartition> tps = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1), new TopicPartition(TOPIC, 2));
        try (KafkaConsumer<String, String> consumer = consumer("billing")) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            int[] seen = new int[1];
            Await.until("consumed the 30 records", Duration.ofSeconds(30), () -> {
                ConsumerRecords<String, String> r = consumer.poll(Duration.ofMillis(500));
                seen[0] += r.count();
                assertEquals(30, seen[0]);
            });
            // Commit less than was read so that the group has a known lag: 6, 0 and 8.
            consumer.commitSync(Map.of(tps.get(0), new OffsetAndMetadata(4), tps.get(1), new OffsetAndMetadata(10),
                    tps.get(2), new OffsetAndMetadata(2)));
        }
        try (KafkaConsumer<String, String> consumer = consumer(EVIL_GROUP)) {
            consumer.commitSync(Map.of(tps.get(0), new OffsetAndMetadata(1)));
        }
    }

    private KafkaConsumer<String, String> consumer(String group) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", group);
        p.put("enable.auto.commit", "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    private void registerSchemas() throws Exception {
        String avro = "{\"type\":\"record\",\"name\":\"OrderPlaced\",\"doc\":\"</pre><script>alert(4)</script>\","
                + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
        for (String subject : List.of("orders-value", EVIL_SUBJECT)) {
            String body = JSON.writeValueAsString(Map.of("schema", avro));
            HttpResponse<String> r = send("POST", registryUrl + "/apis/ccompat/v7/subjects/"
                    + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20") + "/versions", body);
            assertEquals(200, r.statusCode(), registryKind + ": register " + subject + ": " + r.body());
        }
    }

    private Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 5000, "default.api.timeout.ms", 10000));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", console + path, null);
    }

    private HttpResponse<String> send(String method, String url, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String srvr(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.path(field).asText())) {
                return n;
            }
        }
        throw new AssertionError("no element with " + field + "=" + value + " in " + array);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

}
