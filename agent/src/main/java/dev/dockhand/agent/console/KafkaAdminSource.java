package dev.dockhand.agent.console;

import dev.dockhand.agent.console.Overview.BrokerView;
import dev.dockhand.agent.console.Overview.GroupView;
import dev.dockhand.agent.console.Overview.KafkaView;
import dev.dockhand.agent.console.Overview.LagView;
import dev.dockhand.agent.console.Overview.PartitionView;
import dev.dockhand.agent.console.Overview.TopicView;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeLogDirsOptions;
import org.apache.kafka.clients.admin.DescribeMetadataQuorumOptions;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListConsumerGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Reads the Kafka cluster with one long-lived {@link Admin}. Independent calls start together;
 * dependent ones (describe after list) get what is left of the deadline. A part that fails is
 * named in {@code problems}; the rest still shows.
 */
final class KafkaAdminSource implements Sources.KafkaSource {
    private final String bootstrap;
    private final Map<String, String> settings;
    private final Duration timeout;
    private final ExecutorService executor;
    private Admin admin; // created lazily: at start the brokers may not be resolvable yet

    /**
     * @param settings Kafka client settings from the config's {@code kafka.} keys (on a secured node
     *     the SSL listener's: protocol, PEM key store and trust store); the console's own bootstrap,
     *     timeouts and client id are set after them
     */
    KafkaAdminSource(String bootstrap, Map<String, String> settings, Duration timeout, ExecutorService executor) {
        this.bootstrap = bootstrap;
        this.settings = Map.copyOf(settings);
        this.timeout = timeout;
        this.executor = executor;
    }

    /** The AdminClient's properties: the passed-through settings, then the console's own. */
    Properties properties() {
        Properties p = new Properties();
        p.putAll(settings);
        int t = (int) timeout.toMillis();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "dockhand-console");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, t);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, t);
        p.putIfAbsent(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, t);
        p.putIfAbsent(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, t);
        p.putIfAbsent(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
        p.putIfAbsent(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 200);
        return p;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Properties p = properties();
            admin = Admin.create(p); // throws ConfigException when no bootstrap address resolves
        }
        return admin;
    }

    @Override
    public KafkaView collect(Deadline d) throws Exception {
        Admin a;
        try {
            a = admin();
        } catch (RuntimeException e) {
            return KafkaView.down("down: " + Deadline.reason(e));
        }
        int t = (int) d.remainingMillis();
        List<String> problems = new ArrayList<>();

        DescribeClusterResult cluster = a.describeCluster(new DescribeClusterOptions().timeoutMs(t));
        KafkaFuture<Set<String>> names = a.listTopics(new ListTopicsOptions().listInternal(true).timeoutMs(t)).names();
        KafkaFuture<Collection<ConsumerGroupListing>> groupList =
                a.listConsumerGroups(new ListConsumerGroupsOptions().timeoutMs(t)).all();
        // KRaft: the brokers forward DescribeQuorum to the controllers; ZooKeeper mode has no quorum to describe
        KafkaFuture<QuorumInfo> quorumInfo = a.describeMetadataQuorum(new DescribeMetadataQuorumOptions().timeoutMs(t)).quorumInfo();

        Collection<Node> nodes;
        String clusterId;
        Node controller;
        try {
            nodes = cluster.nodes().get(d.remainingMillis(), TimeUnit.MILLISECONDS);
            clusterId = cluster.clusterId().get(d.remainingMillis(), TimeUnit.MILLISECONDS);
            controller = cluster.controller().get(d.remainingMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            names.cancel(true);
            groupList.cancel(true);
            quorumInfo.cancel(true);
            return KafkaView.down("down: " + Deadline.reason(e));
        }
        Map<Integer, Future<Boolean>> reach = new HashMap<>();
        for (Node n : nodes) {
            reach.put(n.id(), executor.submit(() -> connects(n.host(), n.port(), d)));
        }
        List<Integer> brokerIds = nodes.stream().map(Node::id).sorted().toList();
        Map<Integer, KafkaFuture<Map<String, LogDirDescription>>> logDirs = brokerIds.isEmpty() ? Map.of()
                : a.describeLogDirs(brokerIds, new DescribeLogDirsOptions().timeoutMs((int) d.remainingMillis())).descriptions();

        Map<String, TopicDescription> topics = Map.of();
        try {
            Set<String> topicNames = names.get(d.remainingMillis(), TimeUnit.MILLISECONDS);
            topics = a.describeTopics(topicNames, new DescribeTopicsOptions().timeoutMs((int) d.remainingMillis()))
                    .allTopicNames().get(d.remainingMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            problems.add("topics: " + Deadline.reason(e));
        }

        List<GroupView> groups = groups(a, groupList, d, problems);

        // Size of one copy: the largest replica of each partition that any broker reported.
        Map<TopicPartition, Long> sizes = new HashMap<>();
        List<Integer> silent = new ArrayList<>();
        for (Map.Entry<Integer, KafkaFuture<Map<String, LogDirDescription>>> e : logDirs.entrySet()) {
            try {
                for (LogDirDescription dir : e.getValue().get(d.remainingMillis(), TimeUnit.MILLISECONDS).values()) {
                    for (Map.Entry<TopicPartition, ReplicaInfo> r : dir.replicaInfos().entrySet()) {
                        sizes.merge(r.getKey(), r.getValue().size(), Math::max);
                    }
                }
            } catch (Exception ex) {
                silent.add(e.getKey());
            }
        }
        if (!silent.isEmpty()) {
            problems.add("log dir sizes: no answer from broker(s) " + silent);
        }

        Set<Integer> registered = new TreeSet<>(brokerIds);
        Set<Integer> named = new TreeSet<>();
        List<TopicView> topicViews = new ArrayList<>();
        for (TopicDescription td : topics.values()) {
            topicViews.add(topic(td, sizes, named));
        }
        topicViews.sort(Comparator.comparing(TopicView::internal).thenComparing(TopicView::name));

        List<BrokerView> brokers = new ArrayList<>();
        for (Node n : nodes.stream().sorted(Comparator.comparingInt(Node::id)).toList()) {
            boolean ok;
            String detail;
            try {
                ok = reach.get(n.id()).get(d.remainingMillis(), TimeUnit.MILLISECONDS);
                detail = ok ? "reachable" : "not reachable from the console";
            } catch (Exception e) {
                ok = false;
                detail = "not reachable: " + Deadline.reason(e);
            }
            brokers.add(new BrokerView(n.id(), n.host(), n.port(), n.rack(),
                    controller != null && controller.id() == n.id(), true, ok, detail));
        }
        for (int id : named) {
            if (!registered.contains(id)) {
                brokers.add(new BrokerView(id, null, 0, null, false, false, false,
                        "offline: holds replicas but is not registered"));
            }
        }
        Integer controllerId = controller == null || controller.isEmpty() ? null : controller.id();
        return new KafkaView(true, null, clusterId, controllerId, brokers, topicViews, groups, problems, quorum(quorumInfo, d, problems));
    }

    /** The KRaft quorum, or null in ZooKeeper mode (the brokers answer UnsupportedVersion) or when it could not be read. */
    static Overview.QuorumView quorum(KafkaFuture<QuorumInfo> f, Deadline d, List<String> problems) {
        QuorumInfo q;
        try {
            q = f.get(Math.max(1, d.remainingMillis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnsupportedVersionException)) {
                problems.add("KRaft quorum: " + Deadline.reason(e));
            }
            return null;
        } catch (Exception e) {
            f.cancel(true);
            problems.add("KRaft quorum: " + Deadline.reason(e));
            return null;
        }
        long leaderEnd = -1;
        long now = -1;
        for (QuorumInfo.ReplicaState v : q.voters()) {
            if (v.replicaId() == q.leaderId()) {
                leaderEnd = v.logEndOffset();
                now = v.lastCaughtUpTimestamp().orElse(-1);
            }
        }
        return new Overview.QuorumView(q.leaderId(), (int) q.leaderEpoch(), q.highWatermark(), replicas(q.voters(), q.leaderId(), leaderEnd, now),
                replicas(q.observers(), q.leaderId(), leaderEnd, now));
    }

    private static List<Overview.ReplicaView> replicas(List<QuorumInfo.ReplicaState> states, int leader, long leaderEnd, long now) {
        List<Overview.ReplicaView> out = new ArrayList<>();
        for (QuorumInfo.ReplicaState r : states) {
            boolean self = r.replicaId() == leader;
            long lag = leaderEnd >= 0 && r.logEndOffset() >= 0 ? Math.max(0, leaderEnd - r.logEndOffset()) : -1;
            out.add(new Overview.ReplicaView(r.replicaId(), r.logEndOffset(), lag,
                    self ? -1 : ago(now, r.lastFetchTimestamp().orElse(-1)), self ? 0 : ago(now, r.lastCaughtUpTimestamp().orElse(-1))));
        }
        out.sort(Comparator.comparingInt(Overview.ReplicaView::id));
        return out;
    }

    private static long ago(long now, long at) {
        return now < 0 || at < 0 ? -1 : Math.max(0, now - at);
    }

    private static TopicView topic(TopicDescription td, Map<TopicPartition, Long> sizes, Set<Integer> named) {
        List<PartitionView> parts = new ArrayList<>();
        int urp = 0;
        int offline = 0;
        long size = 0;
        boolean sized = false;
        int rf = 0;
        for (TopicPartitionInfo p : td.partitions()) {
            List<Integer> replicas = p.replicas().stream().map(Node::id).toList();
            List<Integer> isr = p.isr().stream().map(Node::id).toList();
            named.addAll(replicas);
            int leader = p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id();
            boolean off = leader < 0;
            boolean under = isr.size() < replicas.size();
            urp += under ? 1 : 0;
            offline += off ? 1 : 0;
            rf = Math.max(rf, replicas.size());
            Long s = sizes.get(new TopicPartition(td.name(), p.partition()));
            if (s != null) {
                size += s;
                sized = true;
            }
            parts.add(new PartitionView(p.partition(), leader, replicas, isr, under, off));
        }
        parts.sort(Comparator.comparingInt(PartitionView::partition));
        return new TopicView(td.name(), td.isInternal(), parts.size(), rf, urp, offline, sized ? size : null, parts);
    }

    private static List<GroupView> groups(Admin a, KafkaFuture<Collection<ConsumerGroupListing>> listing,
            Deadline d, List<String> problems) {
        List<String> ids;
        try {
            ids = listing.get(d.remainingMillis(), TimeUnit.MILLISECONDS).stream()
                    .map(ConsumerGroupListing::groupId).sorted().toList();
        } catch (Exception e) {
            problems.add("consumer groups: " + Deadline.reason(e));
            return List.of();
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<String, KafkaFuture<ConsumerGroupDescription>> descriptions = a.describeConsumerGroups(ids,
                new DescribeConsumerGroupsOptions().timeoutMs((int) d.remainingMillis())).describedGroups();
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        ids.forEach(id -> specs.put(id, new ListConsumerGroupOffsetsSpec()));
        var offsetsResult = a.listConsumerGroupOffsets(specs,
                new ListConsumerGroupOffsetsOptions().timeoutMs((int) d.remainingMillis()));

        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
        Map<String, String> errors = new HashMap<>();
        for (String id : ids) {
            try {
                Map<TopicPartition, OffsetAndMetadata> m =
                        offsetsResult.partitionsToOffsetAndMetadata(id).get(d.remainingMillis(), TimeUnit.MILLISECONDS);
                Map<TopicPartition, OffsetAndMetadata> clean = new HashMap<>();
                m.forEach((tp, om) -> {
                    if (om != null) {
                        clean.put(tp, om);
                    }
                });
                committed.put(id, clean);
            } catch (Exception e) {
                errors.put(id, "offsets: " + Deadline.reason(e));
            }
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.values().forEach(m -> m.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        if (!latest.isEmpty()) {
            var lo = a.listOffsets(latest, new ListOffsetsOptions().timeoutMs((int) d.remainingMillis()));
            for (TopicPartition tp : latest.keySet()) {
                try {
                    ends.put(tp, lo.partitionResult(tp).get(d.remainingMillis(), TimeUnit.MILLISECONDS).offset());
                } catch (Exception e) {
                    // an offline partition has no end offset: its lag is left out and the group says so
                }
            }
        }
        List<GroupView> out = new ArrayList<>();
        for (String id : ids) {
            String state = "UNKNOWN";
            int members = 0;
            Integer coordinator = null;
            String error = errors.get(id);
            try {
                ConsumerGroupDescription g = descriptions.get(id).get(d.remainingMillis(), TimeUnit.MILLISECONDS);
                state = g.state().toString();
                members = g.members().size();
                coordinator = g.coordinator() == null ? null : g.coordinator().id();
            } catch (Exception e) {
                error = error == null ? "describe: " + Deadline.reason(e) : error;
            }
            List<LagView> lag = new ArrayList<>();
            long total = 0;
            int unknown = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> c : committed.getOrDefault(id, Map.of()).entrySet()) {
                Long end = ends.get(c.getKey());
                if (end == null) {
                    unknown++;
                    continue;
                }
                long l = Math.max(0, end - c.getValue().offset());
                total += l;
                lag.add(new LagView(c.getKey().topic(), c.getKey().partition(), c.getValue().offset(), end, l));
            }
            if (unknown > 0 && error == null) {
                error = unknown + " partition(s) without end offset: lag incomplete";
            }
            lag.sort(Comparator.comparing(LagView::topic).thenComparingInt(LagView::partition));
            out.add(new GroupView(id, state, members, coordinator, total, lag, error));
        }
        return out;
    }

    private static boolean connects(String host, int port, Deadline d) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) d.remainingMillis());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
        }
    }
}
