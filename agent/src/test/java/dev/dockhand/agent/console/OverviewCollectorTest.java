package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dockhand.agent.console.Overview.NodeView;
import dev.dockhand.agent.console.Overview.RegistryView;
import dev.dockhand.agent.console.Overview.ZooKeeperMember;
import dev.dockhand.agent.protocol.ServiceState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OverviewCollectorTest {
    private final ExecutorService pool = Executors.newCachedThreadPool(Console.daemon("test"));
    private final CountDownLatch never = new CountDownLatch(1);
    private final ConsoleConfig config = Fixtures.config(
            "zookeeper.connect", "zk1:2181,zk2:2181,zk3:2181",
            "agents", "zookeeper=zk1:9800,broker=b1:9800,gateway=gw:9800",
            "schema.registry.url", "http://gw:8081",
            "request.timeout.ms", "300", "cluster.name", "kafka1");

    @AfterEach
    void stop() {
        never.countDown();
        pool.shutdownNow();
    }

    private final Sources.ZooKeeperSource zk = (m, d) -> m.host().equals("zk3")
            ? new ZooKeeperMember(m.toString(), false, "down", "down: connection refused", 1)
            : new ZooKeeperMember(m.toString(), true, m.host().equals("zk1") ? "leader" : "follower", "ZooKeeper 3.8.4", 1);
    private final Sources.AgentSource agents = (e, d) -> e.host().equals("gw")
            ? new NodeView(e.role(), e.address(), false, "down: connection refused", 1, null)
            : new NodeView(e.role(), e.address(), true, "up", 1, Fixtures.snapshot(e.role(), e.host(), ServiceState.READY, 0));
    private final Sources.RegistrySource registry = d -> Fixtures.overview().registry();

    private OverviewCollector collector(Sources.KafkaSource kafka, Sources.AgentSource agents) {
        return new OverviewCollector(config, kafka, zk, registry, agents, (b, d) -> null, pool,
                Clock.fixed(Instant.ofEpochMilli(123_456), ZoneOffset.UTC));
    }

    @Test
    void overviewJsonFromFakes() throws Exception {
        Overview o = collector(d -> Fixtures.kafka(), agents).collect();
        JsonNode j = Http.JSON.readTree(Http.JSON.writeValueAsString(o));

        assertEquals("kafka1", j.path("clusterName").asText());
        assertEquals(123_456, j.path("generatedAtMs").asLong());
        assertTrue(j.path("readOnly").asBoolean());
        JsonNode s = j.path("summary");
        assertEquals(2, s.path("brokers").asInt(), "the unregistered broker 3 is not counted");
        assertEquals(2, s.path("topics").asInt());
        assertEquals(4, s.path("partitions").asInt());
        assertEquals(2, s.path("underReplicatedPartitions").asInt());
        assertEquals(1, s.path("offlinePartitions").asInt());
        assertEquals(7, s.path("totalLag").asLong());
        assertEquals(2, s.path("zookeeperUp").asInt());
        assertEquals(3, s.path("nodes").asInt());
        assertEquals(2, s.path("nodesUp").asInt());

        assertTrue(j.path("zookeeper").path("quorum").asBoolean());
        assertEquals("leader", j.path("zookeeper").path("members").get(0).path("mode").asText());
        assertEquals(Fixtures.EVIL, j.path("kafka").path("topics").get(1).path("name").asText());
        assertEquals(7, j.path("kafka").path("groups").get(0).path("lag").get(0).path("lag").asLong());
        JsonNode gw = j.path("nodes").get(2);
        assertEquals("gateway", gw.path("role").asText());
        assertFalse(gw.path("up").asBoolean());
        assertEquals("down: connection refused", gw.path("status").asText());
        assertEquals("READY", j.path("nodes").get(1).path("agent").path("services").get(0).path("state").asText());
        // node order is the config's order
        assertEquals(List.of("zk1:9800", "b1:9800", "gw:9800"),
                o.nodes().stream().map(NodeView::address).toList());
    }

    @Test
    void aSourceThatHangsCostsAtMostTheTimeoutAndIsReportedDown() throws Exception {
        // what "at most the timeout, once" means without a clock: every source gets the same deadline,
        // the collector returns (it would wait forever on these sources otherwise) only once that
        // deadline has passed, and it interrupts each source that is still hanging
        List<Deadline> given = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger hanging = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.Semaphore interrupted = new java.util.concurrent.Semaphore(0);
        Sources.KafkaSource hangingKafka = d -> {
            given.add(d);
            hanging.incrementAndGet();
            try {
                never.await();
            } catch (InterruptedException ie) {
                interrupted.release();
                throw ie;
            }
            return Fixtures.kafka();
        };
        Sources.AgentSource oneHangs = (e, d) -> {
            given.add(d);
            if (e.host().equals("b1")) {
                hanging.incrementAndGet();
                try {
                    never.await();
                } catch (InterruptedException ie) {
                    interrupted.release();
                    Thread.currentThread().interrupt();
                }
            }
            return agents.probe(e, d);
        };
        Overview o = collector(hangingKafka, oneHangs).collect();

        assertFalse(given.isEmpty());
        assertEquals(1, given.stream().distinct().count(), "one deadline for every source: " + given);
        assertTrue(given.get(0).passed(), "reported down before the deadline");
        // a source still hanging is interrupted, not left running (a task cancelled before it started never hangs)
        assertTrue(interrupted.tryAcquire(hanging.get(), 30, TimeUnit.SECONDS),
                hanging.get() + " sources hung, " + interrupted.availablePermits() + " were interrupted");
        assertFalse(o.kafka().reachable());
        assertEquals("down: timeout", o.kafka().error());
        NodeView b1 = o.nodes().get(1);
        assertFalse(b1.up());
        assertEquals("down: timeout", b1.status());
        assertTrue(o.nodes().get(0).up(), "the other nodes still show");
        assertEquals(2, o.summary().zookeeperUp());
    }

    @Test
    void noQuorumWhenOnlyAMinorityServes() {
        Sources.ZooKeeperSource oneUp = (m, d) -> m.host().equals("zk1")
                ? new ZooKeeperMember(m.toString(), true, "leader", "", 1)
                : new ZooKeeperMember(m.toString(), false, "down", "down: timeout", 1);
        Overview o = new OverviewCollector(config, d -> Fixtures.kafka(), oneUp, d -> new RegistryView(false, false, null, null, null, List.of()),
                agents, (b, d) -> null, pool, Clock.systemUTC()).collect();
        assertFalse(o.zookeeper().quorum());
    }
}
