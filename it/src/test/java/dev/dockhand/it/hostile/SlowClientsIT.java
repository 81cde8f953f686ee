package dev.dockhand.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.SlowCrowd;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every port a dev-stack node opens, tried with slow clients: on each in turn, 200 connections that send
 * the first bytes of a request and then nothing, held open and re-opened when the server closes them,
 * while a fresh client asks what an operator or a probe asks there. Each must be answered (within 10 s
 * here: the point is "at all while attacked"; the latencies are printed). The node is the dev stack
 * (role standalone, cluster config single-node, plaintext) in a network namespace this test makes, so
 * the crowd goes to that namespace only.
 *
 * <p>Before the exporters' settings (catalog {@code -Dsun.net.httpserver.maxReqTime=3}, exporter
 * {@code httpServer.threads.maximum: 256}), 9404 and 9405 froze here for good.
 */
class SlowClientsIT {
    static final Path IT_TARGET = Path.of(System.getProperty("it.target", "target")).toAbsolutePath();
    static final int CROWD = 200;
    static final int FRESH_ASKS = 5;
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);

    static LabCluster cluster;
    static LabNode node;

    @BeforeAll
    static void up() {
        String why = LabCluster.unsupportedReason();
        dev.dockhand.it.lab.Need.that(why == null, () -> "the slow-client test needs a node in a network namespace: " + why);
        cluster = new LabCluster(LabCluster.singleNode(), "single-node", IT_TARGET.resolve("slow-clients"));
        node = cluster.nodes().get(0);
        cluster.startAll();
        cluster.awaitReady(Duration.ofMinutes(4));
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A port, the first bytes its crowd sends, what a fresh client sends there and what makes its answer right. */
    record Port(String what, int port, byte[] half, byte[] ask, int enough, Predicate<String> right) {}

    static Port http(String what, int port, String path, String mustContain) {
        return new Port(what, port, SlowCrowd.halfHttpRequest(path), SlowCrowd.httpGet(path), Integer.MAX_VALUE,
                t -> t.startsWith("HTTP/1.1 200") && t.contains(mustContain));
    }

    static final int CORRELATION = 0x5107;

    static List<Port> ports() {
        return List.of(
                http("agent HTTP", 9800, "/livez", "\r\n\r\n"),
                http("console", 9021, "/livez", "\r\n\r\n"),
                http("schema registry", 8081, "/apis/ccompat/v7/subjects", "["),
                http("broker metrics (JMX exporter)", 9404, "/metrics", "kafka_server_replicamanager_"),
                http("ZooKeeper metrics (JMX exporter)", 9405, "/metrics", "zookeeper_"),
                // ApiVersions v0: size, correlation id, error code 0, then the API list
                new Port("Kafka", 9092, SlowCrowd.halfKafkaRequest(), SlowCrowd.kafkaApiVersions(CORRELATION), 10, t -> {
                    ByteBuffer b = ByteBuffer.wrap(t.getBytes(StandardCharsets.ISO_8859_1));
                    return b.remaining() >= 10 && b.getInt(4) == CORRELATION && b.getShort(8) == 0;
                }),
                new Port("ZooKeeper", 2181, SlowCrowd.halfZooKeeperConnect(), "srvr".getBytes(StandardCharsets.US_ASCII),
                        Integer.MAX_VALUE, t -> t.contains("Mode: standalone")));
    }

    @Test
    void everyPortAnswersAFreshClientWhile200HalfSentConnectionsAreHeldOnIt() throws Exception {
        InetAddress ip = InetAddress.getByName(node.ip());
        List<String> report = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Port p : ports()) {
            InetSocketAddress target = new InetSocketAddress(ip, p.port());
            SlowCrowd.Answer calm = SlowCrowd.ask(target, p.ask(), p.enough(), ANSWER_WITHIN);
            assertTrue(calm.ok() && p.right().test(calm.text()), p.what() + " :" + p.port() + " without a crowd: " + calm + "\n" + calm.text());
            List<Long> took = new ArrayList<>();
            boolean answered = true;
            String line;
            try (SlowCrowd crowd = new SlowCrowd(target, List.of(), CROWD, 0, p.half(), Duration.ofSeconds(90))) {
                crowd.awaitOpened(Duration.ofSeconds(15));
                Thread.sleep(1000); // the server has read what the crowd sent
                for (int i = 0; i < FRESH_ASKS; i++) {
                    SlowCrowd.Answer a = SlowCrowd.ask(target, p.ask(), p.enough(), ANSWER_WITHIN);
                    took.add(a.took().toMillis());
                    if (!a.ok() || !p.right().test(a.text())) {
                        answered = false;
                        failures.add(p.what() + " :" + p.port() + " ask " + (i + 1) + " " + a + ": "
                                + a.text().substring(0, Math.min(200, a.text().length())));
                    }
                }
                line = String.format("%-34s :%-5d crowd %d half-sent (opened %d, %d closed by the server, %d open at the end); "
                        + "fresh client: %s ms (calm: %d ms)", p.what(), p.port(), CROWD, crowd.opened(), crowd.closedByServer(),
                        crowd.live(), took, calm.took().toMillis());
                assertNull(crowd.failure(), p.what() + ": the crowd stopped: " + crowd.failure());
                if (answered && crowd.opened() < CROWD) {
                    // answers prove nothing unless the crowd was there (a frozen server also keeps it out)
                    failures.add(p.what() + ": the crowd never had its " + CROWD + " connections open: " + line);
                }
            }
            report.add(line);
            System.out.println(line);
        }
        String summary = String.join("\n", report);
        System.out.println("slow clients, every port of a dev-stack node:\n" + summary);
        assertEquals(List.of(), failures, "answers under a crowd of slow clients:\n" + summary);
        assertTrue(LabCluster.ready(node), "the node is still ready after the crowds:" + cluster.describe());
    }
}
