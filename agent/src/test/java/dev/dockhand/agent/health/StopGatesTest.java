package dev.dockhand.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.catalog.StopSpec;
import dev.dockhand.agent.health.KafkaWire.Metadata;
import dev.dockhand.agent.health.KafkaWire.Partition;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stop gates' rules: a broker's over Metadata as Kafka answers it, a ZooKeeper member's against real sockets. */
@Timeout(20)
class StopGatesTest {
    static final int ME = 5;
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    static Partition p(String topic, int index, List<Integer> replicas, List<Integer> isr) {
        return new Partition(topic, index, isr.isEmpty() ? -1 : isr.get(0), replicas, isr);
    }

    static HealthResult verdict(Map<String, Integer> min, Partition... partitions) {
        return KafkaStopGate.verdict(new Metadata(List.of(4, 5, 6), 4, List.of(partitions)), min, ME, 1);
    }

    @Test
    void aBrokerWhoseGoingLeavesEveryPartitionAtMinInsyncMayStop() {
        HealthResult r = verdict(Map.of("t", 2),
                p("t", 0, List.of(4, 5, 6), List.of(4, 5, 6)),
                p("t", 1, List.of(4, 5, 6), List.of(5, 6, 4)),
                p("other", 0, List.of(4, 6), List.of(4))); // not this broker's: not its business
        assertTrue(r.ok(), r.detail());
        assertEquals("safe: all 2 partitions of broker 5 keep min.insync.replicas without it", r.detail());
    }

    @Test
    void aBrokerInAnIsrAtMinInsyncMayNot() {
        HealthResult r = verdict(Map.of("t", 2),
                p("t", 0, List.of(4, 5, 6), List.of(4, 5, 6)),
                p("t", 1, List.of(4, 5, 6), List.of(5, 6))); // broker 4 is away: 5 and 6 carry t-1
        assertFalse(r.ok());
        assertTrue(r.alive(), "it answered: the gate is shut, not broken");
        assertEquals("not safe: without broker 5, 1 of 2 partitions would be below min.insync.replicas: t-1 (ISR 5,6, min.insync.replicas 2)",
                r.detail());
    }

    @Test
    void aPartitionAlreadyBelowMinInsyncHoldsTheStopOfABrokerThatMayCatchUp() {
        HealthResult r = verdict(Map.of("t", 2), p("t", 0, List.of(4, 5, 6), List.of(6)));
        assertFalse(r.ok());
        assertTrue(r.detail().contains("t-0 (already below: ISR 6, min.insync.replicas 2; this broker may be the next to catch up)"),
                r.detail());
        // and the last in-sync replica of a min.insync.replicas=1 topic with other replicas: the partition would go offline
        r = verdict(Map.of("one", 1), p("one", 0, List.of(4, 5, 6), List.of(5)));
        assertFalse(r.ok(), r.detail());
    }

    @Test
    void partitionsWithNoMoreReplicasThanMinInsyncNeverHoldAStop() {
        // replication factor 1 (the dev stack), or RF 2 with min.insync.replicas 2: any stop takes them below
        HealthResult r = verdict(Map.of("dev", 1, "pair", 2),
                p("dev", 0, List.of(5), List.of(5)),
                p("pair", 0, List.of(5, 6), List.of(5, 6)));
        assertTrue(r.ok(), r.detail());
    }

    @Test
    void aTopicWhoseMinInsyncIsUnknownHoldsTheStop() {
        HealthResult r = verdict(Map.of(), p("t", 0, List.of(4, 5, 6), List.of(4, 5, 6)));
        assertFalse(r.ok());
        assertEquals("cannot tell whether the stop is safe: no min.insync.replicas for t", r.detail());
    }

    @Test
    void manyPartitionsAreCountedAndFiveNamed() {
        List<Partition> ps = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ps.add(p("t", i, List.of(4, 5, 6), List.of(5, 6)));
        }
        HealthResult r = verdict(Map.of("t", 2), ps.toArray(Partition[]::new));
        assertTrue(r.detail().startsWith("not safe: without broker 5, 8 of 8 partitions would be below"), r.detail());
        assertTrue(r.detail().endsWith("t-4 (ISR 5,6, min.insync.replicas 2), ..."), r.detail());
    }

    @Test
    void aBrokerThatDoesNotAnswerLeavesTheGateShut() throws IOException {
        StopGate gate = StopGates.of(StopSpec.Gate.MIN_INSYNC, "127.0.0.1", closedPort(), ME, List.of(), null, null);
        HealthResult r = gate.ask(Duration.ofSeconds(1));
        assertFalse(r.ok());
        assertTrue(r.detail().startsWith("cannot tell whether the stop is safe: connection refused"), r.detail());
    }

    // ---------------------------------------------------------------- ZooKeeper

    /** A ZooKeeper member that answers srvr with {@code mode} (null: "not currently serving"). */
    StopGates.Member member(String mode) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket c = ss.accept()) {
                    InputStream in = c.getInputStream();
                    byte[] word = in.readNBytes(4);
                    String answer = !new String(word, StandardCharsets.US_ASCII).equals("srvr") ? ""
                            : mode == null ? "This ZooKeeper instance is not currently serving requests\n"
                            : "Zookeeper version: 3.8.4\nLatency min/avg/max: 0/0.0/0\nMode: " + mode + "\nNode count: 5\n";
                    c.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed by the test
                }
            }
        }, "fake-zookeeper");
        t.setDaemon(true);
        t.start();
        return new StopGates.Member("127.0.0.1", ss.getLocalPort());
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aZooKeeperMemberMayStopWhenTheOthersServeAsAMajority() throws IOException {
        StopGate gate = StopGates.of(StopSpec.Gate.QUORUM, "127.0.0.1", 2181, 2, List.of(member("leader"), member("follower")), null, null);
        HealthResult r = gate.ask(Duration.ofSeconds(2));
        assertTrue(r.ok(), r.detail());
        assertTrue(r.detail().startsWith("safe: 2 other members serve, a majority of 3"), r.detail());
    }

    @Test
    void aZooKeeperMemberMayNotStopWhileAnotherIsAway() throws IOException {
        StopGate gate = StopGates.of(StopSpec.Gate.QUORUM, "127.0.0.1", 2181, 2,
                List.of(member("leader"), new StopGates.Member("127.0.0.1", closedPort())), null, null);
        HealthResult r = gate.ask(Duration.ofSeconds(2));
        assertFalse(r.ok());
        assertTrue(r.detail().startsWith("not safe: without this member 1 of 3 serve, 2 needed for the quorum (127.0.0.1 leader; 127.0.0.1 connection refused"),
                r.detail());
        // one that answers but has not joined (still electing) does not count either
        gate = StopGates.of(StopSpec.Gate.QUORUM, "127.0.0.1", 2181, 2, List.of(member("leader"), member(null)), null, null);
        r = gate.ask(Duration.ofSeconds(2));
        assertFalse(r.ok());
        assertTrue(r.detail().contains("127.0.0.1 not serving"), r.detail());
    }

    @Test
    void anEnsembleOfOneOrTwoHasNoGate() {
        assertNull(StopGates.of(StopSpec.Gate.QUORUM, "127.0.0.1", 2181, 1, List.of(), null, null));
        assertNull(StopGates.of(StopSpec.Gate.QUORUM, "127.0.0.1", 2181, 1, List.of(new StopGates.Member("zk-2", 2181)), null, null));
        assertNull(StopGates.of(StopSpec.Gate.NONE, "127.0.0.1", 8081, 1, List.of(), null, null));
    }
}
