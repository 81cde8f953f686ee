package dev.dockhand.it.cluster;

import dev.dockhand.it.lab.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.Procs;
import dev.dockhand.it.lab.Timing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The kraft cluster config on this machine, without Docker: three KRaft controllers, three brokers (Kafka 4),
 * the registry and the console, each node an agent as PID 1 of its own PID and network namespace, configured by
 * env as an orchestrator would. The scenarios share one cluster and run in order; each leaves it whole.
 *
 * <p>Run: {@code mvn -B -o verify -pl it -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=KRaftClusterIT} (root; {@code -Dtiming.multiple=2} on a slow machine).
 */
class KRaftClusterIT {
    static final String TOPIC = "durable";
    static final int N = 2000;
    /** Node order: c-1..3 are 1..3, b-1..3 are 4..6. */
    static final Set<Integer> CONTROLLER_IDS = Set.of(1, 2, 3);
    static final Set<Integer> BROKER_IDS = Set.of(4, 5, 6);

    static LabCluster cluster;
    static Kafka kafka;
    static final Set<String> acked = new HashSet<>();
    static final Map<String, String> timings = new TreeMap<>();

    @BeforeAll
    static void up() {
        String why = LabCluster.unsupportedReason();
        Need.that(why == null, () -> "kraft cluster in network namespaces: " + why);
        cluster = new LabCluster(LabCluster.kraft(), "kraft", Path.of("target/kraft-cluster").toAbsolutePath());
        cluster.startAll();
    }

    @AfterAll
    static void down() {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            System.out.println("KRaftClusterIT timings: " + timings);
        }
    }

    static void time(String what, long startNanos) {
        timings.put(what, String.format("%.1f s", (System.nanoTime() - startNanos) / 1e9));
    }

    static JsonNode serviceOf(LabNode n, String id) {
        JsonNode s = n.service(id);
        if (s == null) {
            throw new IllegalStateException(n.name() + " lists no " + id);
        }
        return s;
    }

    static Set<Integer> ids(List<QuorumInfo.ReplicaState> replicas) {
        Set<Integer> out = new TreeSet<>();
        replicas.forEach(r -> out.add(r.replicaId()));
        return out;
    }

    /**
     * The scenarios, in this order, on the one cluster this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
            dynamicTest("1 comes up with a quorum of three controllers and every broker registered", this::comesUpWithAQuorumOfThreeControllersAndEveryBrokerRegistered),
            dynamicTest("2 replicated topic returns every acknowledged record", this::replicatedTopicReturnsEveryAcknowledgedRecord),
            dynamicTest("3 broker killed with sigkill is restarted by its agent and loses nothing", this::brokerKilledWithSigkillIsRestartedByItsAgentAndLosesNothing),
            dynamicTest("4 active controller killed with sigkill is replaced and restarted by its agent", this::activeControllerKilledWithSigkillIsReplacedAndRestartedByItsAgent));
    }

    void comesUpWithAQuorumOfThreeControllersAndEveryBrokerRegistered() {
        long t0 = cluster.node("c-1").startedNanos();
        Timing.awaitValue("every node's agent ready", Duration.ofMinutes(5), Duration.ofMillis(250),
                () -> cluster.nodes().stream().allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
        time("1 all ready", t0);
        kafka = new Kafka(cluster.bootstrap());
        assertEquals(BROKER_IDS, kafka.brokerIds(), "describeCluster: the brokers are registered and unfenced");
        QuorumInfo q = kafka.quorum();
        assertEquals(CONTROLLER_IDS, ids(q.voters()), "the voters are the controllers of the node list");
        assertTrue(CONTROLLER_IDS.contains(q.leaderId()), "a controller leads: " + q);
        assertTrue(ids(q.observers()).containsAll(BROKER_IDS), "the brokers follow the metadata log: " + q);
        for (LabNode c : cluster.withRole("controller")) {
            assertEquals(1, c.pidInNamespace(), c + " is PID 1 of its namespace");
            // each controller's agent shows the quorum: the leader, every voter, and each voter's lag
            JsonNode quorum = Timing.awaitValue(c.name() + " shows the quorum with 3 voters", Duration.ofSeconds(30), Duration.ofMillis(250),
                    () -> {
                        JsonNode j = c.status().path("quorum");
                        return j.path("voters").size() == 3 ? j : null;
                    }, () -> String.valueOf(c.status().path("quorum")));
            assertTrue(CONTROLLER_IDS.contains(quorum.path("leaderId").asInt()), c.name() + ": " + quorum);
            for (JsonNode v : quorum.path("voters")) {
                assertTrue(v.path("lag").asLong(-1) >= 0, c.name() + " knows every voter's lag: " + quorum);
            }
            // its storage was formatted once, with the initial controllers
            assertTrue(c.logText().contains("kraft-controller: prepare step format: done"), c.name() + " formatted its storage");
        }
        // the console sees the three brokers and every agent READY
        Timing.await("the console shows 3 brokers and 8 nodes whose agents are READY", Duration.ofSeconds(90), Duration.ofMillis(500), () -> {
            try {
                var r = cluster.node("gw-1").http(9021, "/api/overview");
                if (r.statusCode() != 200) {
                    return false;
                }
                JsonNode o = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
                int ready = 0;
                for (JsonNode n : o.path("nodes")) {
                    if (n.path("up").asBoolean() && n.path("agent").path("ready").asBoolean()) {
                        ready++;
                    }
                }
                return o.path("kafka").path("brokers").size() == 3 && ready == 8;
            } catch (RuntimeException | java.io.IOException e) {
                return false;
            }
        });
    }
    void replicatedTopicReturnsEveryAcknowledgedRecord() {
        kafka.createTopic(TOPIC, 3, 3, 2);
        Timing.await("ISR 3 on every partition of " + TOPIC, Duration.ofSeconds(60), Duration.ofMillis(200), () -> kafka.minIsr(TOPIC) == 3);
        Kafka.Produced p = kafka.produce(TOPIC, "first", N);
        assertEquals(List.of(), p.errors(), "every send with acks=all to a healthy cluster is acknowledged");
        assertEquals(N, p.acked().size());
        acked.addAll(p.acked());
        Set<String> read = kafka.consumeAll(TOPIC, acked, Duration.ofSeconds(60));
        assertTrue(read.containsAll(acked), "read back " + read.size() + " of " + acked.size() + " acknowledged");
    }
    void brokerKilledWithSigkillIsRestartedByItsAgentAndLosesNothing() {
        LabNode b = cluster.node("b-2");
        long javaPid = b.serviceProcess("kafka.Kafka").orElseThrow(() -> new AssertionError("no kafka.Kafka under " + b));
        int restartsBefore = serviceOf(b, "kraft-broker").path("restarts").asInt();
        int logBefore = b.logText().length();
        long t0 = System.nanoTime();
        assertTrue(Procs.signal(javaPid, "KILL"), "kill -9 " + javaPid);
        assertTrue(b.running(), "the agent of " + b.name() + " survives its broker");
        Kafka.Produced during = kafka.produce(TOPIC, "during-broker-kill", 500);
        acked.addAll(during.acked());
        Timing.awaitValue("b-2's agent restarted its broker and it is READY (in sync) again", Duration.ofSeconds(150), Duration.ofMillis(250),
                () -> {
                    JsonNode s = serviceOf(b, "kraft-broker");
                    return s.path("restarts").asInt() > restartsBefore && "READY".equals(s.path("state").asText()) ? s : null;
                }, () -> String.valueOf(b.service("kraft-broker")));
        JsonNode ready = serviceOf(b, "kraft-broker");
        time("3 broker kill -9 -> READY", t0);
        // the restart at once races the old incarnation's registration, which the controller keeps until the
        // broker's session times out: the new broker is refused and asks again in-process, it does not exit
        // (ADR 004), so one kill is one restart and the agent has nothing to wait for
        String since = b.logText().substring(logBefore);
        long refused = since.lines().filter(l -> l.contains("DUPLICATE_BROKER_REGISTRATION")).count();
        System.out.printf("KRaftClusterIT: kill -9 of b-2's broker -> READY in %.1f s; its new process was refused %d time(s) "
                + "while the old incarnation's session lived%n", (System.nanoTime() - t0) / 1e9, refused);
        assertEquals(restartsBefore + 1, ready.path("restarts").asInt(), "one kill, one restart: " + ready);
        assertEquals(1, since.lines().filter(l -> l.contains("kraft-broker: ") && l.contains("-> BACKOFF")).count(),
                "one crash, the kill:\n" + since);
        assertTrue(b.logSinceStart().contains("kraft-broker: prepare step format: skipped"), "a restart never formats again");
        assertNotEquals(javaPid, b.serviceProcess("kafka.Kafka").orElseThrow(), "a new broker process");
        Timing.await("ISR back to 3 on every partition", Duration.ofSeconds(120), Duration.ofMillis(250), () -> kafka.minIsr(TOPIC) == 3);
        time("3 broker kill -9 -> ISR 3", t0);
        assertEquals(BROKER_IDS, kafka.brokerIds(), "broker 5 registered and unfenced again");
        assertEquals(List.of(), during.errors(), "acks=all with 2 of 3 in sync");
        assertEverythingAcknowledgedIsReadable();
    }
    void activeControllerKilledWithSigkillIsReplacedAndRestartedByItsAgent() {
        int leader = kafka.quorum().leaderId();
        LabNode c = cluster.node("c-" + leader);
        long javaPid = c.serviceProcess("kafka.Kafka").orElseThrow(() -> new AssertionError("no kafka.Kafka under " + c));
        int restartsBefore = serviceOf(c, "kraft-controller").path("restarts").asInt();
        int logBefore = c.logText().length();
        long t0 = System.nanoTime();
        try (Kafka.Background bg = new Kafka.Background(kafka, TOPIC, "during-controller-kill", Duration.ofMillis(10))) {
            assertTrue(Procs.signal(javaPid, "KILL"), "kill -9 of the active controller " + javaPid);
            int newLeader = Timing.awaitValue("a new controller leader elected", Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
                try {
                    QuorumInfo q = kafka.quorum();
                    return q.leaderId() >= 0 && q.leaderId() != leader ? q.leaderId() : null;
                } catch (RuntimeException e) {
                    return null;
                }
            }, () -> "leader was " + leader);
            time("4 controller kill -9 -> new leader", t0);
            assertTrue(CONTROLLER_IDS.contains(newLeader));
            Timing.awaitValue(c.name() + "'s agent restarted its controller and it follows the new leader", Duration.ofSeconds(150),
                    Duration.ofMillis(250), () -> {
                        JsonNode s = serviceOf(c, "kraft-controller");
                        return s.path("restarts").asInt() > restartsBefore && "READY".equals(s.path("state").asText()) ? s : null;
                    }, () -> String.valueOf(c.service("kraft-controller")));
            time("4 controller kill -9 -> READY", t0);
            System.out.printf("KRaftClusterIT: kill -9 of the active controller (c-%d) -> READY in %.1f s%n", leader,
                    (System.nanoTime() - t0) / 1e9);
            assertEquals(restartsBefore + 1, serviceOf(c, "kraft-controller").path("restarts").asInt(), "one kill, one restart");
            assertEquals(1, c.logText().substring(logBefore).lines()
                    .filter(l -> l.contains("kraft-controller: ") && l.contains("-> BACKOFF")).count(), "one crash, the kill");
            int before = bg.ackedCount();
            Timing.await("records acknowledged after the controller is back", Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> bg.ackedCount() > before + 50);
            Kafka.Produced p = bg.finish();
            assertEquals(List.of(), p.errors(), "no send failed while the active controller was replaced");
            acked.addAll(p.acked());
        }
        QuorumInfo q = kafka.quorum();
        assertEquals(CONTROLLER_IDS, ids(q.voters()), "the same three voters");
        assertEquals(BROKER_IDS, kafka.brokerIds(), "every broker still registered");
        JsonNode shown = c.status().path("quorum");
        assertNotNull(shown);
        assertFalse(shown.isMissingNode() || shown.isNull(), c.name() + " shows the quorum again");
        assertEverythingAcknowledgedIsReadable();
    }

    static void assertEverythingAcknowledgedIsReadable() {
        Set<String> read = kafka.consumeAll(TOPIC, acked, Duration.ofSeconds(90));
        Set<String> lost = new HashSet<>(acked);
        lost.removeAll(read);
        assertEquals(Set.of(), lost.size() > 20 ? Set.of(lost.size() + " values") : lost, "acknowledged but not read back");
    }
}
