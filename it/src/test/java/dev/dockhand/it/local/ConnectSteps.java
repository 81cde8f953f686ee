package dev.dockhand.it.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dockhand.it.lab.Await;
import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.Need;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The dev stack's Kafka Connect worker (docs/connect.md), driven as a user drives it: its REST API on
 * :8083 with plain HTTP requests, the topic read back by kcat (librdkafka, nobody's code here), the
 * worker's offsets read from its own offsets topic. Steps of {@link DevStackIT}'s one stack, in order.
 */
final class ConnectSteps {
    static final String CONNECTOR = "dev-file-source";
    static final String TOPIC = "dev-connect-lines";
    static final String OFFSETS_TOPIC = "dockhand-connect-offsets";
    static final int FIRST = 100;
    static final int MORE = 50;
    static final ObjectMapper JSON = new ObjectMapper();

    private ConnectSteps() {}

    static Path sourceFile() {
        return DevStackIT.WORK.resolve("connect/source.txt");
    }

    static String url(String path) {
        return "http://" + DevStackIT.HOST + ":8083" + path;
    }

    static HttpResponse<String> http(String method, String path, String body) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<String> lines(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "line-" + i + " of the dev stack's file source").toList();
    }

    static void fileSourceConnectorWritesTheFilesLinesIntoATopic() throws Exception {
        Need.tool("kcat", "kcat");
        // one partition: the file's order is the topic's order
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, DevStackIT.HOST + ":9092"))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        Files.createDirectories(sourceFile().getParent());
        Files.write(sourceFile(), lines(1, FIRST), StandardCharsets.UTF_8);

        ObjectNode create = JSON.createObjectNode().put("name", CONNECTOR);
        create.putObject("config")
                .put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector")
                .put("tasks.max", "1")
                .put("file", sourceFile().toString())
                .put("topic", TOPIC)
                // each line as the text it is (the worker's default JsonConverter would quote it)
                .put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        HttpResponse<String> created = http("POST", "/connectors", JSON.writeValueAsString(create));
        assertEquals(201, created.statusCode(), created.body());
        awaitRunning();
        List<String> read = awaitTopic(FIRST);
        assertEquals(lines(1, FIRST), read, "the topic holds the file's lines, in order, once each");
    }

    static void killedWorkerIsRestartedAndResumesWhereItsOffsetsSay() throws Exception {
        long size = Files.size(sourceFile());
        // the worker commits a source task's position every offset.flush.interval.ms (5 s on the dev stack):
        // once the whole file is committed, nothing may be read again after a kill
        Await.until("the worker to commit position " + size + " of " + sourceFile() + " to " + OFFSETS_TOPIC,
                Duration.ofSeconds(60), () -> assertEquals(size, committedPosition(), "committed position"));
        Map<String, Integer> before = DevStackIT.pids();
        int pid = before.get("connect");
        assertTrue(pid > 0, before.toString());
        Cmd.run(Duration.ofSeconds(10), "kill", "-9", String.valueOf(pid)).check();
        // written while the worker is down or coming back
        Files.write(sourceFile(), lines(FIRST + 1, FIRST + MORE), StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        Await.until("the agent to restart the Connect worker and see it ready", Duration.ofSeconds(240), () -> {
            JsonNode snap = JSON.readTree(DevStackIT.status("--json").out());
            JsonNode connect = null;
            for (JsonNode s : snap.get("services")) {
                if (s.get("id").asText().equals("connect")) {
                    connect = s;
                }
            }
            assertTrue(connect != null, snap.toString());
            assertEquals("READY", connect.get("state").asText(), connect.toString());
            assertNotEquals(pid, connect.get("pid").asInt(), "the worker's pid after its kill -9: " + connect);
            assertTrue(connect.get("restarts").asInt() >= 1, connect.toString());
        });
        awaitRunning();
        List<String> read = awaitTopic(FIRST + MORE);
        assertEquals(lines(1, FIRST + MORE), read, "after the kill -9: every line once, none skipped, none read again");
    }

    static void invalidConnectorConfigIsRefusedWithItsMessage() throws Exception {
        // the API answers, and knows the connector made before (the positive check on the same path)
        HttpResponse<String> list = http("GET", "/connectors", null);
        assertEquals(200, list.statusCode(), list.body());
        assertTrue(list.body().contains(CONNECTOR), list.body());

        ObjectNode bad = JSON.createObjectNode().put("name", "dev-file-source-without-topic");
        bad.putObject("config")
                .put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector")
                .put("tasks.max", "1")
                .put("file", sourceFile().toString());
        HttpResponse<String> refused = http("POST", "/connectors", JSON.writeValueAsString(bad));
        System.out.println("Connect's answer to a file source config without a topic: " + refused.statusCode() + " " + refused.body());
        assertEquals(400, refused.statusCode(), refused.body());
        String message = JSON.readTree(refused.body()).path("message").asText();
        assertTrue(message.contains("Connector configuration is invalid") && message.contains("topic"), refused.body());
        HttpResponse<String> after = http("GET", "/connectors", null);
        assertEquals(200, after.statusCode(), after.body());
        assertFalse(after.body().contains("dev-file-source-without-topic"), "a refused connector was made: " + after.body());
    }

    static final String AVRO_CONNECTOR = "dev-avro-source";
    static final String AVRO_TOPIC = "dev-connect-avro";
    static final int AVRO_LINES = 40;
    static final Path PYTHON = Path.of("/usr/bin/python3");

    /**
     * The registry's Avro converter (connect-plugins/apicurio) set up as docs/connect.md says: the file
     * source's lines, each made a record {"line": ...} by Kafka's HoistField, written in Confluent's wire
     * format with a schema id that the registry's Confluent-compatible API serves; read back by Debian's
     * python3-confluent-kafka, which knows nothing of Apicurio, and the schema by curl.
     */
    static void avroConverterWritesRecordsThatARegistryClientReads() throws Exception {
        Need.executable(PYTHON, "python3 (.ci/run installs python3-confluent-kafka and python3-avro)");
        Need.tool("curl", "curl");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, DevStackIT.HOST + ":9092"))) {
            admin.createTopics(List.of(new NewTopic(AVRO_TOPIC, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        Path file = DevStackIT.WORK.resolve("connect/avro-source.txt");
        List<String> lines = IntStream.rangeClosed(1, AVRO_LINES).mapToObj(i -> "avro line " + i + " \u00e9\"quoted\"").toList();
        Files.write(file, lines, StandardCharsets.UTF_8);

        String registry = "http://" + DevStackIT.HOST + ":8081";
        ObjectNode create = JSON.createObjectNode().put("name", AVRO_CONNECTOR);
        create.putObject("config")
                .put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector")
                .put("tasks.max", "1")
                .put("file", file.toString())
                .put("topic", AVRO_TOPIC)
                .put("transforms", "record")
                .put("transforms.record.type", "org.apache.kafka.connect.transforms.HoistField$Value")
                .put("transforms.record.field", "line")
                .put("value.converter", "io.apicurio.registry.utils.converter.AvroConverter")
                .put("value.converter.apicurio.registry.url", registry + "/apis/registry/v2")
                .put("value.converter.apicurio.registry.auto-register", "true")
                .put("value.converter.apicurio.registry.as-confluent", "true")
                .put("value.converter.apicurio.registry.use-id", "contentId")
                .put("value.converter.apicurio.registry.headers.enabled", "false");
        HttpResponse<String> created = http("POST", "/connectors", JSON.writeValueAsString(create));
        assertEquals(201, created.statusCode(), created.body());
        awaitRunning(AVRO_CONNECTOR);

        List<JsonNode> last = new ArrayList<>();
        Await.until("python3-confluent-kafka to read and decode " + AVRO_LINES + " records of " + AVRO_TOPIC,
                Duration.ofSeconds(180), () -> {
            Cmd.Result r = Cmd.run(Duration.ofSeconds(120), DevStackIT.net.exec(DevStackIT.NODE, PYTHON.toString(),
                    DevStackIT.ROOT.resolve("it/src/test/python/avro_reader.py").toString(),
                    registry + "/apis/ccompat/v7", DevStackIT.HOST + ":9092", AVRO_TOPIC, String.valueOf(AVRO_LINES)));
            JsonNode out = JSON.readTree(r.out().lines().reduce((a, b) -> b).orElse("{}"));
            last.clear();
            last.add(out);
            assertFalse(out.has("error"), r.out());
            assertEquals(AVRO_LINES, out.path("read").asInt(), out.toString());
        });
        JsonNode out = last.get(0);
        System.out.println("python3-confluent-kafka read the Avro records: magic " + out.get("magic") + ", ids " + out.get("ids"));
        assertEquals("[0]", out.get("magic").toString(), "Confluent's wire format starts with byte 0: " + out);
        assertEquals(1, out.get("ids").size(), "one schema for every line: " + out);
        List<String> decoded = new ArrayList<>();
        out.get("values").forEach(v -> decoded.add(v.path("line").asText(null)));
        assertEquals(lines, decoded, "the decoded records hold the file's lines, in order, once each");

        // the id in the records is the one the registry's Confluent-compatible API serves, read by curl
        int id = out.get("ids").get(0).asInt();
        Cmd.Result schema = Cmd.run(Duration.ofSeconds(30), DevStackIT.net.exec(DevStackIT.NODE, "curl", "-sS", "--fail",
                registry + "/apis/ccompat/v7/schemas/ids/" + id)).check();
        JsonNode avro = JSON.readTree(JSON.readTree(schema.out()).path("schema").asText());
        System.out.println("the registry's schema " + id + ": " + avro);
        assertEquals("record", avro.path("type").asText(), avro.toString());
        assertEquals("line", avro.path("fields").get(0).path("name").asText(), avro.toString());
        Cmd.Result subjects = Cmd.run(Duration.ofSeconds(30), DevStackIT.net.exec(DevStackIT.NODE, "curl", "-sS", "--fail",
                registry + "/apis/ccompat/v7/subjects")).check();
        assertTrue(JSON.readTree(subjects.out()).toString().contains("\"" + AVRO_TOPIC + "-value\""),
                "the converter registers under Confluent's subject <topic>-value: " + subjects.out());
    }

    static void awaitRunning() {
        awaitRunning(CONNECTOR);
    }

    /** Until the connector and its one task say RUNNING. */
    static void awaitRunning(String connector) {
        Await.until("connector " + connector + " and its task RUNNING", Duration.ofSeconds(180), () -> {
            HttpResponse<String> st = http("GET", "/connectors/" + connector + "/status", null);
            assertEquals(200, st.statusCode(), st.body());
            JsonNode s = JSON.readTree(st.body());
            assertEquals("RUNNING", s.path("connector").path("state").asText(), st.body());
            assertEquals(1, s.path("tasks").size(), st.body());
            assertEquals("RUNNING", s.path("tasks").get(0).path("state").asText(), st.body());
        });
    }

    /** The topic read whole by kcat, in the node's namespace, once it holds {@code count} records. */
    static List<String> awaitTopic(int count) {
        List<List<String>> last = new ArrayList<>();
        Await.until("kcat to read " + count + " records from " + TOPIC, Duration.ofSeconds(120), () -> {
            Cmd.Result r = Cmd.run(Duration.ofSeconds(60), DevStackIT.net.exec(DevStackIT.NODE, "kcat", "-C", "-q", "-e",
                    "-b", DevStackIT.HOST + ":9092", "-t", TOPIC, "-o", "beginning", "-f", "%s\\n")).check();
            List<String> got = r.out().lines().toList();
            last.clear();
            last.add(got);
            assertTrue(got.size() >= count, "kcat read " + got.size() + " of " + count + " records");
        });
        return last.get(0);
    }

    /** The file source's position last committed to the worker's offsets topic (-1 for none). */
    static long committedPosition() throws Exception {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, DevStackIT.HOST + ":9092");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        long position = -1;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            var partitions = consumer.partitionsFor(OFFSETS_TOPIC, Duration.ofSeconds(30)).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    // key ["<connector>",{"filename":"<file>"}], value {"position":<bytes>}
                    if (r.key() != null && r.key().contains(CONNECTOR) && r.value() != null) {
                        position = JSON.readTree(r.value()).path("position").asLong(-1);
                    }
                }
            }
        }
        return position;
    }
}
