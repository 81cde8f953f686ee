package dev.dockhand.agent.console;

import dev.dockhand.agent.console.Overview.BrokerView;
import dev.dockhand.agent.console.Overview.GroupView;
import dev.dockhand.agent.console.Overview.KafkaView;
import dev.dockhand.agent.console.Overview.LagView;
import dev.dockhand.agent.console.Overview.NodeView;
import dev.dockhand.agent.console.Overview.PartitionView;
import dev.dockhand.agent.console.Overview.RegistryView;
import dev.dockhand.agent.console.Overview.SubjectView;
import dev.dockhand.agent.console.Overview.TopicView;
import dev.dockhand.agent.console.Overview.ZooKeeperMember;
import dev.dockhand.agent.protocol.AgentSnapshot.ProbeSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.protocol.ServiceState;
import java.util.List;
import java.util.Properties;

/** Shared test data: a small cluster with one hostile topic name and one dead node. */
final class Fixtures {
    static final String EVIL = "<script>alert(1)</script>";

    private Fixtures() {}

    static ConsoleConfig config(String... keyValues) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", "127.0.0.1:9092");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return ConsoleConfig.parse(p, "test.properties");
    }

    static AgentSnapshot snapshot(String role, String fqdn, ServiceState state, int restarts) {
        return new AgentSnapshot(role, 1, fqdn, "kafka1", "default", 1, 1_000L, 65_000L, 40_000_000L,
                state == ServiceState.READY ? "READY" : "DEGRADED", state == ServiceState.READY,
                List.of(new ServiceSnapshot("kafka", state, "probe ok", 42, 60_000L, restarts, List.of(9092),
                        new ProbeSnapshot(true, "port 9092 open", 3, 99_000L))),
                List.of(), List.of("/etc/kafka/server.properties"));
    }

    static KafkaView kafka() {
        TopicView orders = new TopicView("orders", false, 3, 2, 1, 0, 12_345L, List.of(
                new PartitionView(0, 1, List.of(1, 2), List.of(1, 2), false, false),
                new PartitionView(1, 2, List.of(2, 1), List.of(2), true, false),
                new PartitionView(2, 1, List.of(1, 2), List.of(1, 2), false, false)));
        TopicView evil = new TopicView(EVIL, false, 1, 1, 1, 1, null,
                List.of(new PartitionView(0, -1, List.of(3), List.of(), true, true)));
        GroupView group = new GroupView("billing", "Stable", 1, 1, 7,
                List.of(new LagView("orders", 0, 3, 10, 7), new LagView("orders", 1, 5, 5, 0)), null);
        return new KafkaView(true, null, "abcDEF", 1, List.of(
                new BrokerView(1, "b1", 9092, "r1", true, true, true, "reachable"),
                new BrokerView(2, "b2", 9092, null, false, true, true, "reachable"),
                new BrokerView(3, null, 0, null, false, false, false, "offline: holds replicas but is not registered")),
                List.of(orders, evil), List.of(group), List.of());
    }

    static Overview overview() {
        KafkaView k = kafka();
        Overview.ZooKeeperView zk = new Overview.ZooKeeperView(true, true, List.of(
                new ZooKeeperMember("zk1:2181", true, "leader", "ZooKeeper 3.8.4", 2),
                new ZooKeeperMember("zk2:2181", true, "follower", "ZooKeeper 3.8.4", 2),
                new ZooKeeperMember("zk3:2181", false, "down", "down: connection refused", 1)));
        RegistryView reg = new RegistryView(true, true, "http://gw:8081", null, "BACKWARD", List.of(
                new SubjectView("orders-value", List.of(1, 2), 7, "AVRO", null,
                        "{\"type\":\"record\",\"name\":\"O\",\"doc\":\"</pre><script>alert(2)</script>\"}", null),
                new SubjectView("it's \"quoted\" & more", List.of(1), 8, "JSON", "NONE", "{}", null)));
        List<NodeView> nodes = List.of(
                new NodeView("broker", "b1:9800", true, "up", 4, snapshot("broker", "b1", ServiceState.READY, 0)),
                new NodeView("broker", "b2:9800", true, "up", 4, snapshot("broker", "b2", ServiceState.BACKOFF, 3)),
                new NodeView("gateway", "gw:9800", false, "down: connection refused", 1, null));
        return new Overview("kafka1", 100_000L, 12, true, OverviewCollector.summary(k, zk, reg, nodes), k, zk, reg, nodes);
    }
}
