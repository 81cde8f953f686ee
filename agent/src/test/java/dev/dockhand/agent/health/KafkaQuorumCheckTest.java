package dev.dockhand.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The KRaft controller probe against fake controllers on loopback that speak DescribeQuorum v1 as Kafka
 * writes it (flexible encoding: compact arrays and strings, tagged fields). The real controllers of Kafka 4
 * answer the same bytes in KRaftClusterIT and the kraft dev stack.
 */
class KafkaQuorumCheckTest {
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    final List<AutoCloseable> open = new ArrayList<>();
    /** The requests each fake server read: api key, version, topic name. */
    final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** A replica state of DescribeQuorum v1: id, log end offset, last fetch, last caught up (the leader's clock). */
    record R(int id, long leo, long fetch, long caughtUp) {}

    /** A controller that answers every DescribeQuorum with {@code error}, or as the leader of {@code voters} when 0. */
    int controller(short error, int leader, int epoch, long hw, List<R> voters, List<R> observers) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket c = ss.accept()) {
                    c.setSoTimeout(5000);
                    DataInputStream in = new DataInputStream(c.getInputStream());
                    int size = in.readInt();
                    byte[] req = in.readNBytes(size);
                    DataInputStream r = new DataInputStream(new java.io.ByteArrayInputStream(req));
                    short key = r.readShort();
                    short version = r.readShort();
                    int correlation = r.readInt();
                    r.skipBytes(r.readShort()); // client id
                    r.readUnsignedByte(); // header tags
                    r.readUnsignedByte(); // one topic
                    byte[] name = r.readNBytes(r.readUnsignedByte() - 1);
                    requests.add(key + " v" + version + " " + new String(name, StandardCharsets.UTF_8));
                    c.getOutputStream().write(answer(correlation, error, leader, epoch, hw, voters, observers));
                } catch (IOException e) {
                    // closed by the test
                }
            }
        }, "fake-controller");
        t.setDaemon(true);
        t.start();
        return ss.getLocalPort();
    }

    static byte[] answer(int correlation, short error, int leader, int epoch, long hw, List<R> voters, List<R> observers) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream w = new DataOutputStream(b);
        w.writeInt(correlation);
        w.writeByte(0); // response header tags
        w.writeShort(0); // top-level error
        w.writeByte(2); // one topic
        byte[] topic = "__cluster_metadata".getBytes(StandardCharsets.UTF_8);
        w.writeByte(topic.length + 1);
        w.write(topic);
        w.writeByte(2); // one partition
        w.writeInt(0);
        w.writeShort(error);
        w.writeInt(error == 0 ? leader : -1);
        w.writeInt(epoch);
        w.writeLong(hw);
        for (List<R> list : List.of(error == 0 ? voters : List.<R>of(), error == 0 ? observers : List.<R>of())) {
            w.writeByte(list.size() + 1);
            for (R v : list) {
                w.writeInt(v.id());
                w.writeLong(v.leo());
                w.writeLong(v.fetch());
                w.writeLong(v.caughtUp());
                w.writeByte(0);
            }
        }
        // partition tags: one tagged field (HighWatermarkUpdateTimeMs, tag 0, 8 bytes), skipped by the reader
        w.writeByte(1);
        w.writeByte(0);
        w.writeByte(8);
        w.writeLong(123L);
        w.writeByte(0); // topic tags
        w.writeByte(0); // response tags
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        new DataOutputStream(framed).writeInt(b.size());
        b.writeTo(framed);
        return framed.toByteArray();
    }

    static final long NOW = 1_000_000L;
    static final List<R> VOTERS = List.of(new R(1, 500, -1, NOW), new R(2, 498, NOW - 300, NOW - 400), new R(3, 120, NOW - 60_000, NOW - 90_000));

    @Test
    void theLeaderIsReadyAndDescribesEveryVotersLag() throws IOException {
        int leader = controller((short) 0, 1, 7, 499, VOTERS, List.of(new R(4, 500, NOW - 100, NOW - 100)));
        HealthResult r = new KafkaQuorumCheck(1, List.of(), 0).check("127.0.0.1", leader, TIMEOUT);
        assertTrue(r.ok(), r.detail());
        assertEquals("leader of the quorum, epoch 7, 3 voters", r.detail());
        assertEquals(List.of("55 v1 __cluster_metadata"), requests, "DescribeQuorum v1 for the metadata log");
        KafkaQuorumState q = r.quorum();
        assertNotNull(q);
        assertEquals(1, q.leaderId());
        assertEquals(499, q.highWatermark());
        assertEquals(new KafkaQuorumState.Replica(2, 498, 2, 300, 400), q.voter(2), "lag and times relative to the leader's clock");
        assertEquals(380, q.voter(3).lag());
        assertEquals(List.of(new KafkaQuorumState.Replica(4, 500, 0, 100, 100)), q.observers());
    }

    @Test
    void aFollowerFindsTheLeaderAmongTheControllersAndIsReadyOnlyWhenCaughtUp() throws IOException {
        int leader = controller((short) 0, 1, 7, 499, VOTERS, List.of());
        int follower = controller(KafkaWire.NOT_LEADER_OR_FOLLOWER, -1, 7, -1, List.of(), List.of());
        List<String> quorum = List.of("127.0.0.1:" + follower, "127.0.0.1:" + leader);
        HealthResult two = new KafkaQuorumCheck(2, quorum, 0).check("127.0.0.1", follower, TIMEOUT);
        assertTrue(two.ok(), two.detail());
        assertEquals("voter following leader 1 (epoch 7), lag 2", two.detail());
        HealthResult three = new KafkaQuorumCheck(3, quorum, 0).check("127.0.0.1", follower, TIMEOUT);
        assertFalse(three.ok(), "last fetched a minute ago: " + three.detail());
        assertTrue(three.alive(), "it answers: never restarted for being behind");
        assertTrue(three.detail().contains("last fetch 60000 ms ago"), three.detail());
        HealthResult nine = new KafkaQuorumCheck(9, quorum, 0).check("127.0.0.1", follower, TIMEOUT);
        assertFalse(nine.ok());
        assertTrue(nine.detail().startsWith("not a voter of the quorum (voters 1,2,3, leader 1)"), nine.detail());
    }

    @Test
    void withoutALeaderAControllerIsAliveAndNotReady() throws IOException {
        int follower = controller(KafkaWire.NOT_LEADER_OR_FOLLOWER, -1, 3, -1, List.of(), List.of());
        HealthResult r = new KafkaQuorumCheck(2, List.of("127.0.0.1:" + follower, "127.0.0.1:" + HealthChecksTest.closedPort()), 0)
                .check("127.0.0.1", follower, TIMEOUT);
        assertFalse(r.ok());
        assertTrue(r.alive(), r.detail());
        assertTrue(r.detail().startsWith("a controller; no leader of the quorum found (no answer from 127.0.0.1:"), r.detail());
        assertNull(r.quorum());
    }

    @Test
    void anotherNodesControllerCountsAsReadyWhenItIsTheLeader() throws IOException {
        int leader = controller((short) 0, 1, 7, 499, VOTERS, List.of());
        int follower = controller(KafkaWire.NOT_LEADER_OR_FOLLOWER, -1, 7, -1, List.of(), List.of());
        assertTrue(new KafkaQuorumCheck(-1, List.of(), 0).check("127.0.0.1", leader, TIMEOUT).ok());
        HealthResult f = new KafkaQuorumCheck(-1, List.of(), 0).check("127.0.0.1", follower, TIMEOUT);
        assertFalse(f.ok());
        assertTrue(f.alive());
        HealthResult none = new KafkaQuorumCheck(-1, List.of(), 0).check("127.0.0.1", HealthChecksTest.closedPort(), TIMEOUT);
        assertFalse(none.alive(), none.detail());
    }
}
