package dev.dockhand.agent.console;

import dev.dockhand.agent.protocol.AgentSnapshot;
import java.util.List;

/**
 * Everything the page shows; also the JSON of {@code /api/overview} (field names are its contract:
 * add fields, never rename them). Lists are in display order. A part that could not be read carries
 * its reason in {@code error} and is shown as such, never hidden.
 */
record Overview(
        String clusterName,
        long generatedAtMs,
        long collectMs,
        boolean readOnly,
        Summary summary,
        KafkaView kafka,
        ZooKeeperView zookeeper,
        RegistryView registry,
        List<NodeView> nodes) {

    /** The numbers of the tiles at the top of the page and of the main metrics. */
    record Summary(
            int brokers,
            int topics,
            int partitions,
            int underReplicatedPartitions,
            int offlinePartitions,
            int groups,
            long totalLag,
            int zookeeperUp,
            int zookeeperMembers,
            int nodes,
            int nodesUp,
            int subjects) {}

    record KafkaView(
            boolean reachable,
            String error,
            String clusterId,
            Integer controllerId,
            List<BrokerView> brokers,
            List<TopicView> topics,
            List<GroupView> groups,
            List<String> problems,
            QuorumView quorum) {

        /** A cluster without a KRaft quorum (ZooKeeper mode). */
        KafkaView(boolean reachable, String error, String clusterId, Integer controllerId, List<BrokerView> brokers,
                List<TopicView> topics, List<GroupView> groups, List<String> problems) {
            this(reachable, error, clusterId, controllerId, brokers, topics, groups, problems, null);
        }

        static KafkaView down(String error) {
            return new KafkaView(false, error, null, null, List.of(), List.of(), List.of(), List.of(), null);
        }
    }

    /**
     * The KRaft controller quorum as its leader describes it (DescribeMetadataQuorum through a broker); null
     * in ZooKeeper mode.
     *
     * @param voters the controllers, the leader among them; observers: the brokers
     */
    record QuorumView(int leaderId, int leaderEpoch, long highWatermark, List<ReplicaView> voters, List<ReplicaView> observers) {}

    /**
     * @param lag records behind the leader's log end, -1 when unknown
     * @param lastFetchMsAgo time since it fetched from the leader (the leader's clock), -1 for the leader or unknown
     * @param lastCaughtUpMsAgo time since it was caught up, -1 when unknown
     */
    record ReplicaView(int id, long logEndOffset, long lag, long lastFetchMsAgo, long lastCaughtUpMsAgo) {}

    /**
     * @param registered whether the broker is in the cluster's metadata (false: only named as a
     *     replica of some partition, so it is offline)
     * @param reachable whether the console could open a TCP connection to it
     * @param metrics the few of its own metrics the page shows, null when none are configured
     */
    record BrokerView(int id, String host, int port, String rack, boolean controller, boolean registered,
            boolean reachable, String detail, BrokerMetrics metrics) {

        BrokerView(int id, String host, int port, String rack, boolean controller, boolean registered,
                boolean reachable, String detail) {
            this(id, host, port, rack, controller, registered, reachable, detail, null);
        }

        BrokerView withMetrics(BrokerMetrics m) {
            return new BrokerView(id, host, port, rack, controller, registered, reachable, detail, m);
        }
    }

    /**
     * A broker's own metrics (its JMX exporter), read at each collection. A figure the broker did not
     * report is null; rates are null until a second scrape of the same broker.
     *
     * @param url where they were read
     * @param up whether the endpoint answered
     * @param error why not, when it did not
     * @param underReplicatedPartitions partitions this broker leads whose ISR is short of replicas
     * @param messagesIn messages appended since the broker started
     * @param messagesInPerSec, bytesInPerSec, bytesOutPerSec over the time since the last scrape
     * @param produceP99Ms 99th percentile of the time a produce request took, in ms
     * @param requestHandlerIdlePercent how idle the request handler threads are (near 0: saturated)
     * @param isrShrinks times a replica fell out of an ISR since the broker started
     */
    record BrokerMetrics(String url, boolean up, String error, Double underReplicatedPartitions, Double messagesIn,
            Double messagesInPerSec, Double bytesInPerSec, Double bytesOutPerSec, Double produceP99Ms,
            Double requestHandlerIdlePercent, Double isrShrinks) {

        static BrokerMetrics down(String url, String error) {
            return new BrokerMetrics(url, false, error, null, null, null, null, null, null, null, null);
        }
    }

    /**
     * @param sizeBytes bytes on disk of one copy (the largest replica of each partition), null when no
     *     broker reported it
     */
    record TopicView(String name, boolean internal, int partitionCount, int replicationFactor,
            int underReplicated, int offline, Long sizeBytes, List<PartitionView> partitions) {}

    /** @param leader leader broker id, -1 when the partition has none (offline) */
    record PartitionView(int partition, int leader, List<Integer> replicas, List<Integer> isr,
            boolean underReplicated, boolean offline) {}

    /** @param totalLag sum of the lag of every partition with a committed offset */
    record GroupView(String groupId, String state, int members, Integer coordinator, long totalLag,
            List<LagView> lag, String error) {}

    /** @param committed the group's committed offset; @param end the partition's log end offset */
    record LagView(String topic, int partition, long committed, long end, long lag) {}

    /** @param quorum whether a majority of the configured members serve */
    record ZooKeeperView(boolean configured, boolean quorum, List<ZooKeeperMember> members) {}

    /**
     * @param mode leader, follower, standalone, observer, or down
     * @param detail version line when up, the reason when down
     */
    record ZooKeeperMember(String address, boolean up, String mode, String detail, long latencyMs) {}

    /** @param url the registry URL that answered, or the first configured one when none did */
    record RegistryView(boolean configured, boolean reachable, String url, String error,
            String compatibility, List<SubjectView> subjects) {}

    /**
     * @param compatibility the subject's own level, null when it inherits the registry's
     * @param schema the latest version's schema text (truncated for the page)
     */
    record SubjectView(String subject, List<Integer> versions, Integer latestId, String schemaType,
            String compatibility, String schema, String error) {}

    /**
     * @param address fqdn:port of the node's agent
     * @param status {@code up}, or {@code down: <reason>}
     * @param agent the agent's {@code /status}, null when it did not answer
     */
    record NodeView(String role, String address, boolean up, String status, long latencyMs, AgentSnapshot agent) {}
}
