package dev.dockhand.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dockhand.it.examples.Examples;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * examples/dev: one container, every service of the single-node config, started with the
 * example's env file. Ports are published to random loopback ports (the fixed ones of the README
 * may be taken on a shared machine). Also the failures a user meets first: an unknown role, a data
 * volume the image's user cannot write.
 */
@DockerEngine.Needed
class DevExampleIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 8);
    private static final String NAME = "dockhand-it-dev-" + ID;
    private static final String VOLUME = NAME + "-data";
    private static String image;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        image = DockhandImage.get();
        Docker.docker("volume", "create", "--label", Docker.LABEL, VOLUME).ok();
        Docker.docker("run", "-d", "--name", NAME, "--label", Docker.LABEL,
                "--env-file", Examples.repoRoot().resolve("examples/dev/dev.env").toString(), "--memory", "1536m",
                "--health-interval", "3s", "--stop-timeout", "120",
                "-p", "127.0.0.1::9092", "-p", "127.0.0.1::8081", "-p", "127.0.0.1::9021", "-p", "127.0.0.1::9800", "-p", "127.0.0.1::8083",
                "-v", VOLUME + ":/var/lib/dockhand", image).ok();
        Docker.awaitHealthy(Duration.ofMinutes(4), List.of(NAME));
    }

    @AfterAll
    static void remove() {
        Docker.removeQuietly("container", NAME);
        Docker.removeQuietly("volume", VOLUME);
    }

    /**
     * The scenarios, in this order, on the one stack this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
                dynamicTest("1 every service of the standalone role is ready and runs as non root", this::everyServiceOfTheStandaloneRoleIsReadyAndRunsAsNonRoot),
                dynamicTest("2 published ports answer", this::publishedPortsAnswer),
                dynamicTest("3 produces and consumes through the broker", this::producesAndConsumesThroughTheBroker),
                dynamicTest("4 kafkas tools on path work with no flags and quietly", this::kafkasToolsOnPathWorkWithNoFlagsAndQuietly),
                dynamicTest("5 docker stop exits zero within the grace period", this::dockerStopExitsZeroWithinTheGracePeriod),
                dynamicTest("6 unknown role exits with2 naming it and leaves the volume alone", this::unknownRoleExitsWith2NamingItAndLeavesTheVolumeAlone),
                dynamicTest("7 data volume the user cannot write is a clear error", this::dataVolumeTheUserCannotWriteIsAClearError));
    }

    void everyServiceOfTheStandaloneRoleIsReadyAndRunsAsNonRoot() {
        Docker.Result status = Docker.exec(NAME, "agent", "status");
        assertEquals(0, status.exit(), "agent status: every service ready\n" + status.all());
        for (String svc : List.of("zookeeper", "kafka-broker", "schema-registry", "control-center", "connect")) {
            assertTrue(status.out().contains(svc), "agent status lists " + svc + ":\n" + status.out());
        }
        List<String> root = Docker.rootProcesses(NAME);
        assertTrue(root.isEmpty(), "processes run as root: " + root);
    }
    void publishedPortsAnswer() throws Exception {
        assertEquals(200, get(9800, "/readyz").statusCode(), "agent /readyz");
        assertEquals(200, get(9021, "/").statusCode(), "console");
        HttpResponse<String> plugins = get(8083, "/connector-plugins");
        assertEquals(200, plugins.statusCode(), "Kafka Connect's REST API: " + plugins.body());
        assertTrue(plugins.body().contains("org.apache.kafka.connect.file.FileStreamSourceConnector"), plugins.body());
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(url(8081, "/apis/ccompat/v7/subjects/it-value/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode(), post.body());
        assertTrue(get(8081, "/apis/ccompat/v7/subjects").body().contains("it-value"));
    }
    void producesAndConsumesThroughTheBroker() {
        KafkaTools kafka = new KafkaTools(image, "container:" + NAME, "localhost:9092");
        kafka.createTopic("it-dev", 1, 1, 1);
        Set<String> acked = kafka.produce("it-dev", 200);
        assertEquals(200, acked.size(), "records acknowledged");
        assertTrue(kafka.consumeAll("it-dev").containsAll(acked), "every acknowledged record is read back");
    }
    void kafkasToolsOnPathWorkWithNoFlagsAndQuietly() {
        Docker.Result list = Docker.exec(NAME, "kafka-topics", "--list");
        assertEquals(0, list.exit(), list.all());
        assertTrue(list.out().lines().anyMatch("it-dev"::equals), list.all());
        assertFalse(list.all().contains("log4j:WARN") || list.all().contains(" INFO "), "the tools log nothing:\n" + list.all());
        Docker.Result ids = Docker.exec(NAME, "zookeeper-shell", "ls", "/brokers/ids");
        assertTrue(ids.exit() == 0 && ids.out().contains("[1]"), ids.all());
        Docker.Result original = Docker.exec(NAME, "kafka-topics.sh", "--bootstrap-server", "localhost:9092", "--describe", "--topic", "it-dev");
        assertTrue(original.exit() == 0 && original.out().contains("it-dev"), original.all());
    }
    void dockerStopExitsZeroWithinTheGracePeriod() {
        // within the grace: past it docker SIGKILLs the agent, and the exit code is 137, not 0
        Docker.docker(Duration.ofMinutes(3), "stop", "-t", "120", NAME).ok();
        assertEquals("0", Docker.inspect(NAME, "{{.State.ExitCode}}"), "exit code after docker stop (137: killed at the end of the"
                + " grace); log:\n" + Docker.tail(Docker.logs(NAME), 40));
    }
    void unknownRoleExitsWith2NamingItAndLeavesTheVolumeAlone() {
        String vol = NAME + "-badrole";
        try {
            Docker.docker("volume", "create", "--label", Docker.LABEL, vol).ok();
            String before = Docker.volumeSnapshot(image, vol);
            Docker.Result r = Docker.docker(Duration.ofMinutes(1), "run", "--rm", "--label", Docker.LABEL,
                    "--env-file", Examples.repoRoot().resolve("examples/dev/dev.env").toString(),
                    "-e", "AGENT_ROLE=no-such-role", "-v", vol + ":/var/lib/dockhand", image);
            assertEquals(2, r.exit(), r.all());
            assertTrue(r.all().contains("no-such-role"), "the message names the role:\n" + r.all());
            assertEquals(before, Docker.volumeSnapshot(image, vol), "the volume is untouched");
        } finally {
            Docker.removeQuietly("volume", vol);
        }
    }
    void dataVolumeTheUserCannotWriteIsAClearError() throws Exception {
        Path dir = Files.createTempDirectory("dockhand-it-ro");
        try {
            // owned by root, 0755: uid 1000 may read it, not write it
            Docker.Result r = Docker.docker(Duration.ofMinutes(1), "run", "--rm", "--label", Docker.LABEL,
                    "--env-file", Examples.repoRoot().resolve("examples/dev/dev.env").toString(),
                    "-v", dir + ":/var/lib/dockhand", image);
            assertEquals(2, r.exit(), r.all());
            assertTrue(r.all().contains("/var/lib/dockhand"), "the message names the data dir:\n" + r.all());
            assertTrue(r.all().toLowerCase().matches("(?s).*(writ|permission).*"), "the message says it cannot write:\n" + r.all());
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count(), "nothing was written");
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url(port, path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI url(int containerPort, String path) {
        String hostPort = Docker.docker("port", NAME, containerPort + "/tcp").ok().out().lines().findFirst().orElseThrow().trim();
        return URI.create("http://" + hostPort + path);
    }
}
