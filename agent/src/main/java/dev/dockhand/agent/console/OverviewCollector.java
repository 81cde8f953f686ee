package dev.dockhand.agent.console;

import dev.dockhand.agent.console.ConsoleConfig.AgentEndpoint;
import dev.dockhand.agent.console.ConsoleConfig.HostPort;
import dev.dockhand.agent.console.Overview.BrokerView;
import dev.dockhand.agent.console.Overview.GroupView;
import dev.dockhand.agent.console.Overview.KafkaView;
import dev.dockhand.agent.console.Overview.NodeView;
import dev.dockhand.agent.console.Overview.RegistryView;
import dev.dockhand.agent.console.Overview.Summary;
import dev.dockhand.agent.console.Overview.TopicView;
import dev.dockhand.agent.console.Overview.ZooKeeperMember;
import dev.dockhand.agent.console.Overview.ZooKeeperView;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Builds one {@link Overview}: every source at once, all under one deadline of
 * {@code request.timeout.ms}. Sources bound their own requests by it; the collector waits at most
 * {@link #GRACE} longer and then reports what is missing as "down: timeout".
 */
final class OverviewCollector {
    /** Time a source gets past the deadline to hand in the result of a request that timed out. */
    static final Duration GRACE = Duration.ofMillis(300);

    private final ConsoleConfig config;
    private final Sources.KafkaSource kafka;
    private final Sources.ZooKeeperSource zookeeper;
    private final Sources.RegistrySource registry;
    private final Sources.AgentSource agents;
    private final Sources.BrokerMetricsSource brokerMetrics;
    private final ExecutorService executor;
    private final Clock clock;

    OverviewCollector(ConsoleConfig config, Sources.KafkaSource kafka, Sources.ZooKeeperSource zookeeper,
            Sources.RegistrySource registry, Sources.AgentSource agents, Sources.BrokerMetricsSource brokerMetrics,
            ExecutorService executor, Clock clock) {
        this.config = config;
        this.kafka = kafka;
        this.zookeeper = zookeeper;
        this.registry = registry;
        this.agents = agents;
        this.brokerMetrics = brokerMetrics;
        this.executor = executor;
        this.clock = clock;
    }

    Overview collect() {
        long start = System.nanoTime();
        Deadline d = Deadline.in(config.requestTimeout());
        Future<KafkaView> k = executor.submit(() -> kafka.collect(d));
        Future<RegistryView> r = executor.submit(() -> registry.collect(d));
        List<Future<ZooKeeperMember>> zk = new ArrayList<>();
        for (HostPort m : config.zookeeper()) {
            zk.add(executor.submit(() -> zookeeper.probe(m, d)));
        }
        List<Future<NodeView>> nodes = new ArrayList<>();
        for (AgentEndpoint e : config.agents()) {
            nodes.add(executor.submit(() -> agents.probe(e, d)));
        }

        // One end for all waits: sources that missed the deadline cost the grace once, not each.
        Deadline end = new Deadline(d.atNanos() + GRACE.toNanos());
        KafkaView kv = withMetrics(await(k, end, KafkaView::down), d, end);
        RegistryView rv = await(r, end, reason -> new RegistryView(true, false,
                config.registryUrls().isEmpty() ? null : config.registryUrls().get(0), reason, null, List.of()));
        List<ZooKeeperMember> members = new ArrayList<>();
        for (int i = 0; i < zk.size(); i++) {
            String addr = config.zookeeper().get(i).toString();
            members.add(await(zk.get(i), end, reason -> new ZooKeeperMember(addr, false, "down", reason, 0)));
        }
        List<NodeView> nodeViews = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            AgentEndpoint e = config.agents().get(i);
            nodeViews.add(await(nodes.get(i), end, reason -> new NodeView(e.role(), e.address(), false, reason, 0, null)));
        }
        int zkUp = (int) members.stream().filter(ZooKeeperMember::up).count();
        ZooKeeperView zv = new ZooKeeperView(!members.isEmpty(), zkUp * 2 > members.size(), members);
        long ms = (System.nanoTime() - start) / 1_000_000;
        return new Overview(config.clusterName(), clock.millis(), ms, true, summary(kv, zv, rv, nodeViews), kv, zv, rv, nodeViews);
    }

    /** The brokers' own metrics, read in parallel once the brokers (and their hosts) are known. */
    private KafkaView withMetrics(KafkaView kv, Deadline d, Deadline end) {
        if (config.brokerMetricsPort() <= 0 || kv.brokers().isEmpty()) {
            return kv;
        }
        List<Future<Overview.BrokerMetrics>> scrapes = new ArrayList<>();
        for (BrokerView b : kv.brokers()) {
            scrapes.add(executor.submit(() -> brokerMetrics.probe(b, d)));
        }
        List<BrokerView> brokers = new ArrayList<>();
        for (int i = 0; i < scrapes.size(); i++) {
            BrokerView b = kv.brokers().get(i);
            brokers.add(b.withMetrics(await(scrapes.get(i), end, reason -> b.host() == null ? null
                    : Overview.BrokerMetrics.down("http://" + b.host() + ":" + config.brokerMetricsPort() + "/metrics", reason))));
        }
        return new KafkaView(kv.reachable(), kv.error(), kv.clusterId(), kv.controllerId(), brokers, kv.topics(), kv.groups(),
                kv.problems(), kv.quorum());
    }

    static Summary summary(KafkaView k, ZooKeeperView z, RegistryView r, List<NodeView> nodes) {
        int partitions = 0;
        int urp = 0;
        int offline = 0;
        for (TopicView t : k.topics()) {
            partitions += t.partitionCount();
            urp += t.underReplicated();
            offline += t.offline();
        }
        long lag = k.groups().stream().mapToLong(GroupView::totalLag).sum();
        int brokers = (int) k.brokers().stream().filter(b -> b.registered()).count();
        int zkUp = (int) z.members().stream().filter(ZooKeeperMember::up).count();
        int up = (int) nodes.stream().filter(NodeView::up).count();
        return new Summary(brokers, k.topics().size(), partitions, urp, offline, k.groups().size(), lag,
                zkUp, z.members().size(), nodes.size(), up, r.subjects().size());
    }

    /** The source's result, or {@code onFailure("down: <reason>")} when it failed or missed the deadline. */
    private static <T> T await(Future<T> f, Deadline end, Function<String, T> onFailure) {
        try {
            return f.get(end.remainingMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return onFailure.apply("down: interrupted");
        } catch (Exception e) {
            f.cancel(true);
            return onFailure.apply("down: " + Deadline.reason(e));
        }
    }

}
