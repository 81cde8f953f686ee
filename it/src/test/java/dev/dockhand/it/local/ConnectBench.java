package dev.dockhand.it.local;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Figures, not assertions: the dev stack's Kafka Connect worker (examples/local/run.sh in a network namespace,
 * as {@link DevStackIT} starts it). (1) The worker's time to READY: {@code agent start connect} → its
 * {@code GET /health} 200 (the agent's readiness probe), with Kafka and the registry up, median of
 * {@code -Dbench.runs} (default 3). (2) Records per second of the file source: a file of
 * {@code -Dbench.connect.lines} lines (default 1,000,000) into a one-partition topic, as plain strings
 * (StringConverter) and as Avro records through the registry's converter (HoistField + AvroConverter,
 * docs/connect.md), next to Kafka's own {@code kafka-console-producer} reading the same file; time from the
 * start (the connector's POST, the producer's exec) to the topic's end offset reaching the line count,
 * polled every 50 ms, and from its first record to its last.
 *
 * <p>Run: {@code it/bench/connect-bench.sh}; the table is printed and written to
 * {@code it/target/bench/connect.md}.
 */
class ConnectBench {
    static final Path ROOT = DevStackIT.ROOT;
    static final Path WORK = ROOT.resolve("it/target/bench/connect-stack");
    static final Path OUT = ROOT.resolve("it/target/bench/connect.md");
    static final String NODE = "cb-1";
    static final String HOST = LabNet.fqdn(NODE);
    static final int RUNS = Integer.getInteger("bench.runs", 3);
    static final int LINES = Integer.getInteger("bench.connect.lines", 1_000_000);
    static final ObjectMapper JSON = new ObjectMapper();
    static final StringBuilder TABLE = new StringBuilder();
    static LabNet net;
    static Process agent;

    @BeforeAll
    static void start() throws Exception {
        String why = LabNet.unsupportedReason();
        Need.that(why == null, () -> "the dev stack runs in a network namespace of its own: " + why);
        net = LabNet.create(List.of(NODE), Path.of(System.getProperty("jdk.net.hosts.file", "target/it-hosts")));
        DevStackIT.deleteTree(WORK);
        Files.createDirectories(WORK);
        ProcessBuilder pb = new ProcessBuilder(net.exec(NODE, ROOT.resolve("examples/local/run.sh").toString()));
        pb.environment().put("AGENT_FQDN", HOST);
        pb.environment().put("DOCKHAND_SKIP_BUILD", "1");
        pb.environment().remove("AGENT_CLUSTER_CONFIG");
        pb.environment().put("AGENT_DATA_DIR", WORK.resolve("data").toString());
        pb.environment().put("AGENT_SOCKET", WORK.resolve("agent.sock").toString());
        pb.environment().put("AGENT_MEMORY_MB", "1600");
        pb.directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(WORK.resolve("agent.log").toFile());
        agent = pb.start();
        Await.until("the dev stack READY", Duration.ofMinutes(5), () -> {
            if (!agent.isAlive()) {
                throw new Await.Hopeless("the agent exited with " + agent.exitValue() + " (" + WORK.resolve("agent.log") + ")");
            }
            if (cli("status") != 0) {
                throw new AssertionError("not ready");
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (TABLE.length() > 0) {
                String out = "\nKafka Connect on the dev stack (examples/local/run.sh, one node, Kafka 3.9 worker), "
                        + Runtime.getRuntime().availableProcessors() + " cores:\n\n" + TABLE;
                System.out.println(out);
                Files.createDirectories(OUT.getParent());
                Files.writeString(OUT, out, StandardCharsets.UTF_8);
            }
        } finally {
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
    }

    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
                dynamicTest("1 worker time to READY", ConnectBench::timeToReady),
                dynamicTest("2 records per second", ConnectBench::recordsPerSecond));
    }

    static void timeToReady() throws Exception {
        List<Double> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            require(cli("stop", "connect") == 0, "agent stop connect");
            Await.until("the worker's REST API to close", Duration.ofSeconds(120), () -> {
                if (health() == 200) {
                    throw new AssertionError("still answering");
                }
            });
            long t0 = System.nanoTime();
            require(cli("start", "connect") == 0, "agent start connect");
            long deadline = t0 + Duration.ofMinutes(3).toNanos();
            while (health() != 200) {
                require(System.nanoTime() < deadline, "the worker not ready within 3 minutes");
                Thread.sleep(50);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            runs.add(s);
            System.out.printf("worker run %d: READY after %.1f s%n", i + 1, s);
            Await.until("agent status to say READY", Duration.ofSeconds(60), () -> require(cli("status") == 0, "status"));
        }
        TABLE.append(String.format("Worker time to READY (`agent start connect` → `GET /health` 200), median of %d: **%.1f s** (runs: %s)%n%n",
                RUNS, median(runs), runs.stream().map(d -> String.format("%.1f", d)).toList()));
    }

    static void recordsPerSecond() throws Exception {
        Path file = WORK.resolve("lines.txt");
        Files.write(file, IntStream.rangeClosed(1, LINES)
                .mapToObj(i -> String.format("line %07d of the benchmark's source file, about eighty bytes long....", i)).toList(),
                StandardCharsets.UTF_8);
        long bytes = Files.size(file);
        TABLE.append(String.format("Records per second, %,d lines (%.1f MB) into a one-partition topic:%n%n", LINES, bytes / 1e6))
                .append("| writer | start → all in the topic | records/s | first → last record | records/s |\n")
                .append("|---|---:|---:|---:|---:|\n");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":9092"))) {
            // the console producer: Kafka's own tool, its defaults, the same file on stdin
            String topic = "bench-console";
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            ProcessBuilder pb = new ProcessBuilder(net.exec(NODE, ROOT.resolve("image/target/dist/bin/kafka-console-producer.sh").toString(),
                    "--bootstrap-server", HOST + ":9092", "--topic", topic))
                    .redirectInput(file.toFile()).redirectErrorStream(true).redirectOutput(WORK.resolve("console-producer.log").toFile());
            long t0 = System.nanoTime();
            Process p = pb.start();
            row("`kafka-console-producer` (Kafka 3.9, its defaults)", admin, topic, t0);
            require(p.waitFor(60, TimeUnit.SECONDS), "the console producer did not exit");

            row("FileStreamSource, StringConverter", admin, connector(admin, "bench-string", file, Map.of(
                    "value.converter", "org.apache.kafka.connect.storage.StringConverter")), -1);
            String registry = "http://" + HOST + ":8081";
            row("FileStreamSource, HoistField + the registry's AvroConverter", admin, connector(admin, "bench-avro", file, Map.of(
                    "transforms", "record",
                    "transforms.record.type", "org.apache.kafka.connect.transforms.HoistField$Value",
                    "transforms.record.field", "line",
                    "value.converter", "io.apicurio.registry.utils.converter.AvroConverter",
                    "value.converter.apicurio.registry.url", registry + "/apis/registry/v2",
                    "value.converter.apicurio.registry.auto-register", "true",
                    "value.converter.apicurio.registry.as-confluent", "true",
                    "value.converter.apicurio.registry.use-id", "contentId",
                    "value.converter.apicurio.registry.headers.enabled", "false")), -1);
        }
    }

    static long connectorStartedAt;

    /** Makes the topic, posts the connector; the start time is the POST's. */
    static String connector(Admin admin, String name, Path file, Map<String, String> extra) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        ObjectNode create = JSON.createObjectNode().put("name", name);
        ObjectNode config = create.putObject("config")
                .put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector")
                .put("tasks.max", "1").put("file", file.toString()).put("topic", name);
        extra.forEach(config::put);
        connectorStartedAt = System.nanoTime();
        HttpResponse<String> created = http("POST", "/connectors", JSON.writeValueAsString(create));
        require(created.statusCode() == 201, "connector " + name + ": " + created.statusCode() + " " + created.body());
        return name;
    }

    /** Polls the topic's end offset until it holds every line; appends the row. {@code t0} -1: the connector's POST. */
    static void row(String writer, Admin admin, String topic, long t0) throws Exception {
        long start = t0 < 0 ? connectorStartedAt : t0;
        TopicPartition tp = new TopicPartition(topic, 0);
        long first = -1;
        long deadline = start + Duration.ofMinutes(10).toNanos();
        while (true) {
            long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
            long now = System.nanoTime();
            if (end > 0 && first < 0) {
                first = now;
            }
            if (end >= LINES) {
                double all = (now - start) / 1e9;
                double flow = (now - first) / 1e9;
                System.out.printf("%s: %d records in %.1f s (%.1f s from the first)%n", writer, end, all, flow);
                TABLE.append(String.format("| %s | %.1f s | %,.0f | %.1f s | %,.0f |%n", writer, all, LINES / all, flow, LINES / Math.max(flow, 0.05)));
                return;
            }
            require(now < deadline, writer + ": " + end + " of " + LINES + " records after 10 minutes");
            Thread.sleep(50);
        }
    }

    static int health() {
        try {
            return http("GET", "/health", null).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static HttpResponse<String> http(String method, String path, String body) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + HOST + ":8083" + path)).timeout(Duration.ofSeconds(10));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static int cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("examples/local/agent").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("AGENT_SOCKET", WORK.resolve("agent.sock").toString());
        pb.environment().put("AGENT_DATA_DIR", WORK.resolve("data").toString());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("agent " + String.join(" ", args) + " did not answer");
        }
        return p.exitValue();
    }

    static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static double median(List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
