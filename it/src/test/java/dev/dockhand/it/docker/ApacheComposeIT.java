package dev.dockhand.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dockhand.it.examples.ComposeFile;
import dev.dockhand.it.examples.Examples;
import dev.dockhand.it.lab.Need;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * examples/compose-apache: Apache Kafka's own single-node compose file, translated as
 * docs/configuration.md says, run as it is. The engine has no compose plugin, so its one service is
 * started the way {@code docker compose -p PROJECT up} would start it: on the project's network
 * ({@code PROJECT_default}) under the service's name and host name, with the compose project's label,
 * its ports, its environment and its image; removed at the end by that label. What the test sets that
 * the file leaves to the user: the compose variables ({@code DOCKHAND_IMAGE} the image under test,
 * {@code DOCKHAND_HOST_PORT} a port free on this machine, as a user whose 29092 is taken would), a
 * unique container name (the file's {@code container_name: broker} would collide on a shared engine)
 * and a memory limit (the agent otherwise sizes the heaps from the whole machine's memory).
 *
 * <p>Clients on the Docker host, outside the project's network: kcat (librdkafka) produces and
 * consumes through the published port, and Kafka's Java Admin client reads the broker's config, where
 * every {@code KAFKA_*} setting of the original file has its value.
 */
@DockerEngine.Needed
class ApacheComposeIT {
    private static final String ID = UUID.randomUUID().toString().substring(0, 8);
    private static final String PROJECT = "dockhand-it-apache-" + ID;
    private static final String NETWORK = PROJECT + "_default";
    /** The label docker compose puts on a project's containers: teardown finds them by it. */
    private static final String PROJECT_LABEL = "com.docker.compose.project";
    private static final Path FILE = Examples.repoRoot().resolve("examples/compose-apache/docker-compose.yml");
    private static final int RECORDS = 200;
    private static ComposeFile compose;
    private static ComposeFile.Service broker;
    private static String container;
    private static int port;

    @BeforeAll
    static void start() throws IOException {
        Need.tool("kcat", "kcat");
        String image = DockhandImage.get();
        port = freePort();
        compose = ComposeFile.read(FILE, Map.of("DOCKHAND_IMAGE", image, "DOCKHAND_HOST_PORT", String.valueOf(port)));
        assertEquals(1, compose.services().size(), FILE + ": one service, as the original");
        broker = compose.services().get(0);
        container = PROJECT + "-" + broker.name() + "-1";
        Docker.docker("network", "create", "--label", Docker.LABEL, "--label", PROJECT_LABEL + "=" + PROJECT, NETWORK).ok();
        List<String> run = new ArrayList<>(List.of("run", "-d", "--name", container, "--label", Docker.LABEL,
                "--label", PROJECT_LABEL + "=" + PROJECT, "--network", NETWORK, "--network-alias", broker.name(),
                "--network-alias", broker.containerName(), "--hostname", broker.hostname(), "--memory", "1536m",
                "--health-interval", "3s", "--stop-timeout", "120"));
        broker.ports().forEach(p -> run.addAll(List.of("-p", p)));
        broker.environment().forEach((k, v) -> run.addAll(List.of("-e", k + "=" + v)));
        run.add(broker.image());
        java.time.Instant up = java.time.Instant.now();
        Docker.docker(run.toArray(String[]::new)).ok();
        Docker.awaitHealthy(Duration.ofMinutes(4), List.of(container));
        System.out.printf("%s: %s healthy with every service ready %d s after docker run%n", java.time.Instant.now(), container,
                Duration.between(up, java.time.Instant.now()).toSeconds());
    }

    @AfterAll
    static void remove() {
        // by the project's label, as `docker compose -p PROJECT down -v` finds what it made
        Docker.Result ps = Docker.docker("ps", "-aq", "--filter", "label=" + PROJECT_LABEL + "=" + PROJECT);
        ps.out().lines().map(String::trim).filter(l -> !l.isEmpty()).forEach(c -> Docker.removeQuietly("container", c));
        Docker.removeQuietly("network", NETWORK);
    }

    /** The steps, in order, on the one node this class starts. */
    @TestFactory
    Stream<DynamicTest> steps() {
        return Stream.of(
                dynamicTest("1 the node runs every service of its role and publishes the file's port", this::theNodeRunsItsServices),
                dynamicTest("2 kcat on the Docker host produces and consumes through the published port", this::kcatOnTheHostProducesAndConsumes),
                dynamicTest("3 the file's KAFKA_ settings are the broker's config, as Kafka's Admin client reads it", this::theFilesKafkaSettingsAreTheBrokers));
    }

    void theNodeRunsItsServices() {
        Docker.Result status = Docker.exec(container, "agent", "status");
        assertEquals(0, status.exit(), "agent status: every service ready\n" + status.all());
        for (String svc : Examples.servicesRunning(Examples.catalog(), broker.env("AGENT_CLUSTER_CONFIG"), broker.env("AGENT_ROLE"),
                broker.env("AGENT_SECURITY"))) {
            assertTrue(status.out().contains(svc), "agent status lists " + svc + ":\n" + status.out());
        }
        String published = Docker.docker("port", container, port + "/tcp").ok().out();
        assertTrue(published.lines().anyMatch(l -> l.trim().endsWith(":" + port)), "the outside port is published as the same number: " + published);
    }

    void kcatOnTheHostProducesAndConsumes() throws IOException {
        String bootstrap = "localhost:" + port;
        // the metadata a client outside gets back: the broker at the outside address, not at `broker:9092`
        Docker.Result meta = kcat(List.of("-L", "-b", bootstrap, "-m", "30"));
        assertTrue(meta.out().contains("at " + bootstrap), "kcat -L: the broker advertises " + bootstrap + " to clients outside:\n" + meta.all());
        String topic = "it-apache";
        Set<String> sent = new LinkedHashSet<>();
        IntStream.range(0, RECORDS).forEach(i -> sent.add("apache-" + ID + "-" + i));
        Path lines = Files.createTempFile("it-apache", ".txt");
        try {
            Files.write(lines, sent);
            kcat(List.of("-P", "-b", bootstrap, "-t", topic, "-X", "acks=all", "-l", lines.toString()));
        } finally {
            Files.deleteIfExists(lines);
        }
        Docker.Result read = kcat(List.of("-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-c", String.valueOf(RECORDS), "-e", "-q",
                "-f", "%s\\n"));
        Set<String> got = new LinkedHashSet<>(read.out().lines().toList());
        assertEquals(sent, got, "kcat reads back exactly the records it wrote:\n" + read.err());
    }

    void theFilesKafkaSettingsAreTheBrokers() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        broker.environment().forEach((k, v) -> {
            if (k.startsWith("KAFKA_")) {
                expected.put(Examples.kafkaProperty(k), v);
            }
        });
        assertEquals(6, expected.size(), "the original's six KAFKA_ settings that carry over: " + expected);
        // one of them differs from what the node would have without it: the test can fail
        Properties template = new Properties();
        try (var r = Files.newBufferedReader(Examples.repoRoot().resolve("templates/kraft-combined/server.properties"))) {
            template.load(r);
        }
        assertNotEquals(expected.get("group.initial.rebalance.delay.ms"), template.getProperty("group.initial.rebalance.delay.ms"),
                "the template's own value");
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        try (Admin admin = Admin.create(p)) {
            List<Node> nodes = List.copyOf(admin.describeCluster().nodes().get());
            assertEquals(1, nodes.size(), "one broker: " + nodes);
            assertEquals("localhost:" + port, nodes.get(0).host() + ":" + nodes.get(0).port(), "the broker as Admin sees it from outside");
            ConfigResource res = new ConfigResource(ConfigResource.Type.BROKER, nodes.get(0).idString());
            Config config = admin.describeConfigs(List.of(res)).all().get().get(res);
            Map<String, String> actual = new LinkedHashMap<>();
            for (String name : expected.keySet()) {
                ConfigEntry e = config.get(name);
                assertTrue(e != null, name + ": not in the broker's config");
                assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, e.source(), name + ": from the node's server.properties");
                actual.put(name, e.value());
            }
            assertEquals(expected, actual, "the broker's config has every KAFKA_ value of the file");
        }
    }

    private static Docker.Result kcat(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("kcat"));
        cmd.addAll(args);
        return Docker.run(cmd, null, Duration.ofMinutes(2)).ok();
    }

    /** A port no one listens on now, on every interface (the file publishes on all of them). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(0));
            return s.getLocalPort();
        }
    }
}
