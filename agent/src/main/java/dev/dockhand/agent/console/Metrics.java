package dev.dockhand.agent.console;

import dev.dockhand.agent.console.Overview.GroupView;
import dev.dockhand.agent.console.Overview.LagView;
import dev.dockhand.agent.console.Overview.NodeView;
import dev.dockhand.agent.console.Overview.Summary;
import dev.dockhand.agent.console.Overview.TopicView;
import dev.dockhand.agent.console.Overview.ZooKeeperMember;
import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import java.util.Locale;

/** The overview as Prometheus text exposition (format 0.0.4). */
final class Metrics {
    private final StringBuilder out = new StringBuilder(4096);

    static String render(Overview o) {
        Metrics m = new Metrics();
        Summary s = o.summary();
        m.gauge("dockhand_console_kafka_up", "1 when the console can read the Kafka cluster", o.kafka().reachable() ? 1 : 0);
        m.gauge("dockhand_console_brokers", "brokers registered in the cluster", s.brokers());
        m.gauge("dockhand_console_brokers_reachable", "brokers the console can connect to",
                o.kafka().brokers().stream().filter(b -> b.reachable()).count());
        m.gauge("dockhand_console_topics", "topics, internal ones included", s.topics());
        m.gauge("dockhand_console_partitions_total", "partitions of all topics", s.partitions());
        m.gauge("dockhand_console_under_replicated_partitions", "partitions whose ISR is smaller than the replica set",
                s.underReplicatedPartitions());
        m.gauge("dockhand_console_offline_partitions", "partitions without a leader", s.offlinePartitions());
        m.help("dockhand_console_topic_partitions", "partitions of the topic");
        for (TopicView t : o.kafka().topics()) {
            m.sample("dockhand_console_topic_partitions", t.partitionCount(), "topic", t.name());
        }
        m.help("dockhand_console_topic_under_replicated_partitions", "under-replicated partitions of the topic");
        for (TopicView t : o.kafka().topics()) {
            m.sample("dockhand_console_topic_under_replicated_partitions", t.underReplicated(), "topic", t.name());
        }
        m.help("dockhand_console_topic_size_bytes", "bytes of one copy of the topic (largest replica per partition)");
        for (TopicView t : o.kafka().topics()) {
            if (t.sizeBytes() != null) {
                m.sample("dockhand_console_topic_size_bytes", t.sizeBytes(), "topic", t.name());
            }
        }
        m.help("dockhand_console_group_lag", "total lag of the consumer group");
        for (GroupView g : o.kafka().groups()) {
            m.sample("dockhand_console_group_lag", g.totalLag(), "group", g.groupId());
        }
        m.help("dockhand_console_group_members", "members of the consumer group");
        for (GroupView g : o.kafka().groups()) {
            m.sample("dockhand_console_group_members", g.members(), "group", g.groupId());
        }
        m.help("dockhand_console_group_partition_lag", "lag of the consumer group on one partition");
        for (GroupView g : o.kafka().groups()) {
            for (LagView l : g.lag()) {
                m.sample("dockhand_console_group_partition_lag", l.lag(), "group", g.groupId(), "topic", l.topic(),
                        "partition", String.valueOf(l.partition()));
            }
        }
        m.gauge("dockhand_console_zookeeper_members_up", "ZooKeeper members that serve", s.zookeeperUp());
        m.gauge("dockhand_console_zookeeper_quorum", "1 when a majority of ZooKeeper members serve", o.zookeeper().quorum() ? 1 : 0);
        m.help("dockhand_console_zookeeper_up", "1 when the member answers srvr with a mode");
        for (ZooKeeperMember z : o.zookeeper().members()) {
            m.sample("dockhand_console_zookeeper_up", z.up() ? 1 : 0, "member", z.address(), "mode", z.mode());
        }
        m.gauge("dockhand_console_schema_registry_up", "1 when a schema registry answers", o.registry().reachable() ? 1 : 0);
        m.gauge("dockhand_console_schema_subjects", "subjects in the schema registry", s.subjects());
        m.gauge("dockhand_console_nodes", "nodes (agents) configured", s.nodes());
        m.gauge("dockhand_console_nodes_up", "nodes whose agent answers /status", s.nodesUp());
        m.help("dockhand_console_node_up", "1 when the node's agent answers /status");
        for (NodeView n : o.nodes()) {
            m.sample("dockhand_console_node_up", n.up() ? 1 : 0, "role", n.role(), "node", n.address());
        }
        m.help("dockhand_console_service_ready", "1 when the service is READY (or EXITED for one-shot steps)");
        for (NodeView n : o.nodes()) {
            if (n.agent() != null) {
                for (ServiceSnapshot sv : n.agent().services()) {
                    String st = sv.state() == null ? "UNKNOWN" : sv.state().name();
                    m.sample("dockhand_console_service_ready", "READY".equals(st) || "EXITED".equals(st) ? 1 : 0,
                            "node", n.address(), "service", sv.id(), "state", st);
                }
            }
        }
        m.help("dockhand_console_service_restarts", "restarts of the service since its agent started");
        for (NodeView n : o.nodes()) {
            if (n.agent() != null) {
                for (ServiceSnapshot sv : n.agent().services()) {
                    m.sample("dockhand_console_service_restarts", sv.restarts(), "node", n.address(), "service", sv.id());
                }
            }
        }
        m.gauge("dockhand_console_collect_seconds", "time the last overview took to collect", o.collectMs() / 1000.0);
        return m.out.toString();
    }

    private void gauge(String name, String help, double value) {
        help(name, help);
        sample(name, value);
    }

    private void help(String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
    }

    private void sample(String name, double value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                out.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(String.format(Locale.ROOT, "%.3f", value));
        }
        out.append('\n');
    }

    /** Label values: backslash, double quote and newline are escaped (exposition format). */
    static String escape(String v) {
        return v == null ? "" : v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
