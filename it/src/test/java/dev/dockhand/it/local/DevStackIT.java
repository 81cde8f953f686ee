package dev.dockhand.it.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dockhand.it.lab.Await;
import dev.dockhand.it.lab.LabNet;
import dev.dockhand.it.lab.Need;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The README's first command, for real: examples/local/run.sh brings up ZooKeeper, Kafka, the schema
 * registry, the console and a Kafka Connect worker under the agent; a client produces and consumes on
 * :9092, registers a schema on :8081, opens the console on :9021, runs a file source connector through
 * the worker's REST API on :8083 (and survives the worker's kill -9); Ctrl-C (SIGINT) stops it cleanly
 * and the next start skips log recovery. run.sh runs in a network namespace of its own (the node's FQDN given as AGENT_FQDN, as a
 * user may), so that the stack's fixed ports never meet another process's on a shared machine.
 */
class DevStackIT {
    static final Path ROOT = Path.of(System.getProperty("dockhand.repo.root", "..")).toAbsolutePath().normalize();
    static final Path WORK = ROOT.resolve("it/target/dev-stack");
    static final Duration READY_WITHIN = Duration.ofSeconds(180);
    static final String TOPIC = "dev-stack-it";
    static final int RECORDS = 500;
    static final String SUBJECT = "dev-stack-value";
    /** The id the registry gave the schema registered in order 3; read back after the restart in order 7. */
    static String schemaId;

    /** The namespace's node: run.sh runs there, the test's clients reach it by its FQDN. */
    static final String NODE = "dev-1";
    static final String HOST = LabNet.fqdn(NODE);
    static LabNet net;
    static Process agent;
    static Path log;
    static int starts;

    @BeforeAll
    static void start() throws Exception {
        String why = LabNet.unsupportedReason();
        Need.that(why == null, () -> "the dev stack runs in a network namespace of its own: " + why);
        net = LabNet.create(List.of(NODE), Path.of(System.getProperty("jdk.net.hosts.file", "target/it-hosts")));
        deleteTree(WORK);
        Files.createDirectories(WORK);
        // a copy of the templates, so that the reload test can change one
        copyTree(ROOT.resolve("templates"), WORK.resolve("templates"));
        Path buildJvm = ROOT.resolve("agent/target/jvm");
        long before = Files.exists(buildJvm) ? Files.getLastModifiedTime(buildJvm).toMillis() : -1;
        startStack();
        // DOCKHAND_SKIP_BUILD=1: nothing written into the checkout; the agent's JVM flags are the stack's
        assertEquals(before, Files.exists(buildJvm) ? Files.getLastModifiedTime(buildJvm).toMillis() : -1,
                "run.sh wrote into " + buildJvm);
        assertTrue(Files.isRegularFile(WORK.resolve("data/agent-jvm/agent-run.jvmopts")), "the JVM flags are in the data dir");
        assertTrue(Files.readString(log).startsWith("dev stack: starting (pid "), "run.sh says at once that it starts:\n" + tail());
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null && agent.isAlive()) {
            agent.destroy();
            if (!agent.waitFor(150, TimeUnit.SECONDS)) {
                agent.descendants().forEach(ProcessHandle::destroyForcibly);
                agent.destroyForcibly();
            }
        }
        if (net != null) {
            net.close();
        }
    }

    static void startStack() throws Exception {
        starts++;
        log = WORK.resolve("agent-" + starts + ".log");
        ProcessBuilder pb = new ProcessBuilder(net.exec(NODE, ROOT.resolve("examples/local/run.sh").toString()));
        pb.environment().put("AGENT_FQDN", HOST);
        pb.environment().put("DOCKHAND_SKIP_BUILD", "1");
        pb.environment().remove("AGENT_CLUSTER_CONFIG"); // run.sh's default, the ZooKeeper dev stack
        pb.environment().put("AGENT_DATA_DIR", WORK.resolve("data").toString());
        pb.environment().put("AGENT_SOCKET", WORK.resolve("agent.sock").toString());
        pb.environment().put("AGENT_MEMORY_MB", "1600");
        pb.environment().put("AGENT_TEMPLATES", WORK.resolve("templates").toString());
        pb.environment().put("AGENT_CATALOG", WORK.resolve("templates/catalog.json").toString());
        pb.directory(ROOT.toFile());
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        agent = pb.start();
        Await.until("all services READY (examples/local/agent status)", READY_WITHIN, () -> {
            if (!agent.isAlive()) {
                throw new Await.Hopeless("the agent exited with " + agent.exitValue() + "; log:\n" + tail());
            }
            Status st = status();
            assertEquals(0, st.code(), st.out() + "\nlog:\n" + tail());
        });
    }

    record Status(int code, String out) {}

    static Status status(String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("examples/local/agent").toString(), "status"));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("AGENT_SOCKET", WORK.resolve("agent.sock").toString());
        pb.environment().put("AGENT_DATA_DIR", WORK.resolve("data").toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "agent status did not answer");
        return new Status(p.exitValue(), out);
    }

    /**
     * The scenarios, in this order, on the one stack this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
            dynamicTest("0 status says the stack is starting while run sh prepares it", this::statusSaysTheStackIsStartingWhileRunShPreparesIt),
            dynamicTest("1 status shows all five services ready", this::statusShowsAllFiveServicesReady),
            dynamicTest("2 produce and consume on 9092", this::produceAndConsumeOn9092),
            dynamicTest("3 register and read a schema on8081", this::registerAndReadASchemaOn8081),
            dynamicTest("4 console on9021 shows the topic", this::consoleOn9021ShowsTheTopic),
            dynamicTest("5 a file source connector made over the REST API writes the file's lines into a topic",
                    ConnectSteps::fileSourceConnectorWritesTheFilesLinesIntoATopic),
            dynamicTest("6 kill -9 of the Connect worker: restarted, its task running again, no line skipped or read twice",
                    ConnectSteps::killedWorkerIsRestartedAndResumesWhereItsOffsetsSay),
            dynamicTest("7 a connector config that fails validation is refused by the worker's API with its message",
                    ConnectSteps::invalidConnectorConfigIsRefusedWithItsMessage),
            dynamicTest("7b the registry's Avro converter writes records that python3-confluent-kafka decodes with the registry",
                    ConnectSteps::avroConverterWritesRecordsThatARegistryClientReads),
            dynamicTest("8 stopping a service flips readiness and start brings it back", this::stoppingAServiceFlipsReadinessAndStartBringsItBack),
            dynamicTest("9 reload restarts only the service whose file changed", this::reloadRestartsOnlyTheServiceWhoseFileChanged),
            dynamicTest("10 interrupt stops cleanly and the next start skips recovery", this::interruptStopsCleanlyAndTheNextStartSkipsRecovery));
    }

    void statusSaysTheStackIsStartingWhileRunShPreparesIt() throws Exception {
        // what run.sh leaves beside the socket until the agent answers on it: its pid (here a live one, ours)
        Path socket = WORK.resolve("not-yet.sock");
        Files.writeString(WORK.resolve("not-yet.sock.starting"), ProcessHandle.current().pid() + "\n");
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("examples/local/agent").toString(), "status");
        pb.environment().put("AGENT_SOCKET", socket.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "agent status did not answer");
        assertEquals(3, p.exitValue(), out);
        assertTrue(out.contains("dev stack: starting (pid " + ProcessHandle.current().pid() + ")"), out);
    }
    void statusShowsAllFiveServicesReady() throws Exception {
        Status s = status("--json");
        assertEquals(0, s.code(), s.out());
        JsonNode snap = new ObjectMapper().readTree(s.out());
        assertEquals("standalone", snap.get("role").asText());
        assertTrue(snap.get("ready").asBoolean());
        List<String> ids = new ArrayList<>();
        for (JsonNode svc : snap.get("services")) {
            ids.add(svc.get("id").asText());
            assertEquals("READY", svc.get("state").asText(), svc.toString());
            assertTrue(svc.get("pid").asInt() > 0);
        }
        assertEquals(List.of("zookeeper", "kafka-broker", "schema-registry", "control-center", "connect"), ids);
        // the table an operator reads: the worker, ready by its REST API's /health (answered once it joined its group)
        Status table = status();
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("connect ") && l.contains("READY") && l.contains("GET /health 200")),
                table.out());
    }
    void produceAndConsumeOn9092() throws Exception {
        Map<String, Object> common = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":9092");
        try (Admin admin = Admin.create(common)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        Properties p = new Properties();
        p.putAll(common);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)).get(60, TimeUnit.SECONDS);
            }
        }
        assertEquals(RECORDS, consumeAll("dev-stack-it-1"));
    }
    void registerAndReadASchemaOn8081() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String schema = "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"Rec\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"string\\\"}]}\"}";
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":8081/apis/ccompat/v7/subjects/dev-stack-value/versions"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(schema)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode(), post.body());
        assertTrue(post.body().matches("\\{\"id\":\\d+\\}"), post.body());
        schemaId = post.body().replaceAll("\\D", "");
        assertTrue(registrySubjects().contains(SUBJECT), registrySubjects());
    }

    static String registrySubjects() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> subjects = http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":8081/apis/ccompat/v7/subjects"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, subjects.statusCode(), subjects.body());
        return subjects.body();
    }

    static HttpResponse<String> registrySchema(String id) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":8081/apis/ccompat/v7/schemas/ids/" + id))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
    void consoleOn9021ShowsTheTopic() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        // the console caches its overview for a short time: asked again until it lists the topic
        Await.until("the console to list topic " + TOPIC, Duration.ofSeconds(30), () -> {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":9021/api/overview"))
                    .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), page.body());
            assertTrue(page.body().contains(TOPIC), page.body());
        });
    }
    void stoppingAServiceFlipsReadinessAndStartBringsItBack() throws Exception {
        Cli refused = cli("stop", "kafka-broker");
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.out().contains("control-center") && refused.out().contains("connect")
                && refused.out().contains("depend on kafka-broker"), refused.out());
        assertEquals(200, readyz());

        Cli stop = cli("stop", "control-center");
        assertEquals(0, stop.code(), stop.out());
        awaitTrue(() -> readyz() == 503, "readyz never turned 503 after stopping control-center");
        assertEquals(1, status().code());
        assertEquals(1, cli("ready").code());

        Cli start = cli("start", "control-center");
        assertEquals(0, start.code(), start.out());
        awaitTrue(() -> readyz() == 200, "readyz never turned 200 again");
        assertEquals(0, status().code());
    }
    void reloadRestartsOnlyTheServiceWhoseFileChanged() throws Exception {
        Map<String, Integer> before = pids();
        Path template = WORK.resolve("templates/control-center/console.properties");
        Files.writeString(template, Files.readString(template) + "\nrefresh.seconds=7\n");
        Cli reload = cli("reload");
        assertEquals(0, reload.code(), reload.out());
        assertTrue(reload.out().contains("restarting control-center"), reload.out());
        awaitTrue(() -> status().code() == 0 && !pids().get("control-center").equals(before.get("control-center")),
                "control-center was not restarted by the reload");
        Map<String, Integer> after = pids();
        for (String same : List.of("zookeeper", "kafka-broker", "schema-registry", "connect")) {
            assertEquals(before.get(same), after.get(same), same + " must not be restarted by a reload that did not change it");
        }
        assertTrue(Files.readString(WORK.resolve("data/conf/control-center/console.properties")).contains("refresh.seconds=7"));
    }

    record Cli(int code, String out) {}

    static Cli cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("examples/local/agent").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("AGENT_SOCKET", WORK.resolve("agent.sock").toString());
        pb.environment().put("AGENT_DATA_DIR", WORK.resolve("data").toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "agent " + String.join(" ", args) + " did not answer");
        return new Cli(p.exitValue(), out);
    }

    static Map<String, Integer> pids() throws Exception {
        JsonNode snap = new ObjectMapper().readTree(status("--json").out());
        Map<String, Integer> out = new java.util.HashMap<>();
        snap.get("services").forEach(s -> out.put(s.get("id").asText(), s.get("pid").asInt()));
        return out;
    }

    static int readyz() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":9800/readyz")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    interface Condition {
        boolean met() throws Exception;
    }

    static void awaitTrue(Condition c, String message) {
        Await.until(message, Duration.ofSeconds(60), () -> assertTrue(c.met(), () -> message + "\n" + tail()));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst);
                }
            }
        }
    }
    void interruptStopsCleanlyAndTheNextStartSkipsRecovery() throws Exception {
        long pid = agentJvmPid();
        new ProcessBuilder("kill", "-INT", String.valueOf(pid)).start().waitFor(10, TimeUnit.SECONDS);
        assertTrue(agent.waitFor(150, TimeUnit.SECONDS), "the agent did not stop within 150 s");
        assertEquals(0, agent.exitValue(), tail());
        String first = Files.readString(log);
        assertTrue(first.contains("kafka-broker | ") && first.contains("shut down completed"), "no controlled shutdown:\n" + tail());
        assertTrue(first.contains("every service stopped; agent exits 0"), tail());

        startStack();
        String second = Files.readString(log);
        assertTrue(second.contains("Skipping recovery"), "the broker did not skip recovery after a clean stop:\n" + tail());
        assertTrue(!second.contains("Recovering unflushed segment"), "the broker recovered logs after a clean stop");
        assertEquals(RECORDS, consumeAll("dev-stack-it-2"), "records survive the restart");
        // the registry keeps its schemas in <data dir>/registry, not in memory
        assertTrue(Files.exists(WORK.resolve("data/registry/registry.mv.db")), "no registry database on the data volume");
        assertTrue(registrySubjects().contains(SUBJECT), "the registry lost its subjects in the restart: " + registrySubjects());
        HttpResponse<String> byId = registrySchema(schemaId);
        assertEquals(200, byId.statusCode(), "schema " + schemaId + " after the restart: " + byId.body());
        assertTrue(byId.body().contains("Rec"), byId.body());
    }

    /** run.sh execs the agent's JVM, so the process we started is the agent. */
    static long agentJvmPid() {
        return agent.pid();
    }

    static int consumeAll(String group) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":9092");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        int seen = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (seen < RECORDS && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    assertEquals("v" + r.key().substring(1), r.value());
                    seen++;
                }
            }
        }
        return seen;
    }

    static String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
