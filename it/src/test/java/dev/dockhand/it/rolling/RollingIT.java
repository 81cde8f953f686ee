package dev.dockhand.it.rolling;

import dev.dockhand.it.lab.ClusterScenario;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster.NodeSpec;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNet;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.Roll.Pace;
import dev.dockhand.it.lab.Roll;
import dev.dockhand.it.lab.Timing;
import dev.dockhand.it.lab.Workload;
import dev.dockhand.it.lab.ZooKeeperWords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rolling a cluster without loss, on this machine without Docker: three ZooKeeper nodes, three brokers and
 * the registry, each an agent as PID 1 of its own PID and network namespace, under a producer with {@code acks=all}
 * (replication factor 3, {@code min.insync.replicas} 2), a producer that never retries (so that every
 * {@code NotEnoughReplicas} shows) and a consumer group, all running for the whole test. Every roll is
 * driven only by the readiness the agents report ({@code /readyz}), as Kubernetes and roll.sh drive theirs:
 * <ol>
 *   <li>the brokers start on another Kafka 3.9 patch release with {@code inter.broker.protocol.version}
 *       pinned, and are rolled onto the image's release (a rolling upgrade);
 *   <li>the ZooKeeper ensemble is rolled;
 *   <li>every node in a random order, the brokers' protocol version bumped on the way;
 *   <li>a roll that ignores readiness is held by the stop gates: a broker, then a ZooKeeper member, told to
 *       stop while its peer is still coming back waits until that peer is back;
 *   <li>a fourth broker joins (appended to the node list) and takes partitions with Kafka's own
 *       reassignment tool;
 * </ol>
 * then: no acknowledged record lost, no {@code NotEnoughReplicas}, every committed offset kept.
 *
 * <p>Run: {@code mvn -B -pl it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=RollingIT} (root; {@code -Dtiming.multiple=2} on a slow machine). Figures with readiness
 * ignored and without the gates: {@code it/bench/rolling-bench.sh}.
 */
class RollingIT {
    static final String TOPIC = "rolling";
    static final Path UPGRADE_FROM_HOME = Path.of(System.getProperty("upgrade-from.home", "kafka-upgrade-from/target/home"))
            .toAbsolutePath().normalize();
    static final String FROM_VERSION = System.getProperty("upgrade-from.version", "3.9.0");
    static final String TO_VERSION = System.getProperty("kafka.version", "3.9.1");
    /** The protocol the brokers speak while their releases differ, and the one they speak after. */
    static final String PINNED_PROTOCOL = "3.8";
    static final String BUMPED_PROTOCOL = "3.9";
    static final String IBP = "KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION";
    static final String BROKER = "kafka-broker | ";

    static LabCluster cluster;
    static Kafka kafka;
    static Workload workload;
    @RegisterExtension
    static final ClusterScenario scenario = new ClusterScenario("RollingIT", () -> cluster).closing(() -> workload).closing(() -> kafka);

    static List<NodeSpec> nodes() {
        Map<String, String> zk = Map.of("AGENT_HEAP_MB_ZOOKEEPER", "128");
        Map<String, String> broker = Map.of("AGENT_HEAP_MB_KAFKA_BROKER", "256", "AGENT_HOME", UPGRADE_FROM_HOME.toString(),
                IBP, PINNED_PROTOCOL);
        return List.of(
                new NodeSpec("zk-1", "zookeeper", 400, zk),
                new NodeSpec("zk-2", "zookeeper", 400, zk),
                new NodeSpec("zk-3", "zookeeper", 400, zk),
                // the production config has a registry node; listed before the brokers, so that a broker
                // appended to the list takes the next id and every other node keeps its own
                new NodeSpec("sr-1", "schemareg", 500, Map.of("AGENT_HEAP_MB_SCHEMA_REGISTRY", "192")),
                new NodeSpec("b-1", "broker", 700, broker),
                new NodeSpec("b-2", "broker", 700, broker),
                new NodeSpec("b-3", "broker", 700, broker));
    }

    /** The broker that joins at the end: on the image's release and protocol, its node list with itself appended. */
    static final NodeSpec FOURTH = new NodeSpec("b-4", "broker", 700, Map.of("AGENT_HEAP_MB_KAFKA_BROKER", "256", IBP, BUMPED_PROTOCOL));

    @BeforeAll
    static void up() {
        scenario.needNamespaces("rolling cluster");
        assertTrue(Files.isDirectory(UPGRADE_FROM_HOME.resolve("lib/kafka")),
                "Kafka " + FROM_VERSION + " is assembled by it/kafka-upgrade-from (mvn -pl it -am package): " + UPGRADE_FROM_HOME);
        cluster = new LabCluster(nodes(), List.of(FOURTH), "production", Path.of("target/rolling").toAbsolutePath(), null);
        cluster.nodes().stream().filter(n -> !n.name().equals(FOURTH.name())).forEach(LabNode::start);
    }

    static List<LabNode> brokers() {
        return cluster.withRole("broker").stream().filter(n -> !n.name().equals(FOURTH.name())).toList();
    }

    /** The value of {@code key = value} in the broker's config dump of its last start, from its agent's log. */
    static String brokerConfig(LabNode n, String key) {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(".*\\s" + java.util.regex.Pattern.quote(key) + " = (\\S*).*");
        return n.logSinceStart().lines().filter(l -> l.contains(BROKER)).map(line::matcher).filter(java.util.regex.Matcher::matches)
                .map(m -> m.group(1)).reduce((a, b) -> b).orElse("(not in the log)");
    }

    static String kafkaVersion(LabNode n) {
        return n.logSinceStart().lines().filter(l -> l.contains(BROKER) && l.contains("Kafka version: "))
                .map(l -> l.substring(l.indexOf("Kafka version: ") + 15).replaceAll("\\s.*", "")).reduce((a, b) -> b).orElse("(none)");
    }

    /** The workload the steps share: there only when the first step passed (a later step has nothing to measure otherwise). */
    static Workload workload() {
        if (workload == null) {
            throw new AssertionError("the cluster did not come up with its workload (see the first step)");
        }
        return workload;
    }

    /** Rolls {@code nodes} in order, each after the previous is ready again; records the time and the producer's figures. */
    static void roll(String what, List<LabNode> nodes, Map<String, Map<String, String>> envByRole) {
        double from = workload().now();
        long t0 = System.nanoTime();
        List<String> each = new ArrayList<>();
        for (LabNode n : nodes) {
            String role = n.env().get("AGENT_ROLE");
            Duration d = Roll.restart(n, envByRole.getOrDefault(role, Map.of()), Pace.READY);
            each.add(n.name() + " " + d.toSeconds() + " s");
        }
        double to = workload.now();
        scenario.figure(what, String.format("%.0f s (%s); %s", (System.nanoTime() - t0) / 1e9, String.join(", ", each), workload.figures(from, to)));
        workload.checkpoint("after " + what);
        Timing.await("acknowledgements after " + what, Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> workload.figures(to, workload.now()).acks() > 20);
    }

    static boolean quorum() {
        Map<String, Long> modes = cluster.withRole("zookeeper").stream().map(n -> ZooKeeperWords.mode(n.fqdn(), 2181).orElse("(none)"))
                .collect(Collectors.groupingBy(m -> m, TreeMap::new, Collectors.counting()));
        return modes.getOrDefault("leader", 0L) == 1 && modes.getOrDefault("follower", 0L) == 2;
    }

    /**
     * The scenarios, in this order, on the one stack this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
            dynamicTest("1 comes up on the older release with the protocol pinned", this::comesUpOnTheOlderReleaseWithTheProtocolPinned),
            dynamicTest("2 the brokers roll onto the images release one at a time", this::theBrokersRollOntoTheImagesReleaseOneAtATime),
            dynamicTest("3 the zoo keeper ensemble rolls one at a time", this::theZooKeeperEnsembleRollsOneAtATime),
            dynamicTest("4 every node rolls in a random order and the brokers protocol is bumped", this::everyNodeRollsInARandomOrderAndTheBrokersProtocolIsBumped),
            dynamicTest("5 a broker told to stop while its peer catches up waits until the peer is in sync", this::aBrokerToldToStopWhileItsPeerCatchesUpWaitsUntilThePeerIsInSync),
            dynamicTest("6 a zoo keeper member told to stop while a peer rejoins waits until the peer serves", this::aZooKeeperMemberToldToStopWhileAPeerRejoinsWaitsUntilThePeerServes),
            dynamicTest("7 a fourth broker joins and takes partitions while the producers run", this::aFourthBrokerJoinsAndTakesPartitionsWhileTheProducersRun),
            dynamicTest("8 nothing acknowledged was lost no write was refused and every committed offset kept", this::nothingAcknowledgedWasLostNoWriteWasRefusedAndEveryCommittedOffsetKept));
    }

    void comesUpOnTheOlderReleaseWithTheProtocolPinned() {
        long t0 = System.nanoTime();
        Timing.awaitValue("every node's agent ready", Duration.ofMinutes(5), Duration.ofMillis(250),
                () -> cluster.nodes().stream().filter(LabNode::running).allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
        scenario.figure("cluster ready", String.format("%.0f s", (System.nanoTime() - t0) / 1e9));
        kafka = new Kafka(brokers().stream().map(n -> n.fqdn() + ":9092").collect(Collectors.joining(",")));
        assertEquals(Set.of(5, 6, 7), kafka.brokerIds());
        for (LabNode b : brokers()) {
            assertEquals(FROM_VERSION, kafkaVersion(b), b.name());
            assertTrue(brokerConfig(b, "inter.broker.protocol.version").startsWith(PINNED_PROTOCOL), b.name() + ": "
                    + brokerConfig(b, "inter.broker.protocol.version"));
        }
        kafka.createTopic(TOPIC, 6, 3, 2);
        Timing.await("ISR 3 on every partition of " + TOPIC, Duration.ofSeconds(60), Duration.ofMillis(200), () -> kafka.minIsr(TOPIC) == 3);
        workload = new Workload(kafka, TOPIC, Duration.ofMillis(5));
        Timing.await("the workload's first acknowledgements", Duration.ofSeconds(60), Duration.ofMillis(100), () -> workload.ackedCount() > 100);
        workload.checkpoint("at the start");
    }
    void theBrokersRollOntoTheImagesReleaseOneAtATime() {
        roll("upgrade roll of 3 brokers (" + FROM_VERSION + " to " + TO_VERSION + ", protocol " + PINNED_PROTOCOL + ")", brokers(),
                Map.of("broker", Map.of("AGENT_HOME", LabCluster.DIST.toString())));
        for (LabNode b : brokers()) {
            assertEquals(TO_VERSION, kafkaVersion(b), b.name() + " runs the image's release");
            assertTrue(brokerConfig(b, "inter.broker.protocol.version").startsWith(PINNED_PROTOCOL), b.name() + " keeps the pinned protocol: "
                    + brokerConfig(b, "inter.broker.protocol.version"));
        }
        assertEquals(3, kafka.minIsr(TOPIC));
    }
    void theZooKeeperEnsembleRollsOneAtATime() {
        roll("roll of 3 ZooKeeper nodes", cluster.withRole("zookeeper"), Map.of());
        Timing.await("leader x1, follower x2", Duration.ofSeconds(60), Duration.ofMillis(250), RollingIT::quorum);
        assertEquals(Set.of(5, 6, 7), kafka.brokerIds(), "every broker still registered");
    }
    void everyNodeRollsInARandomOrderAndTheBrokersProtocolIsBumped() {
        List<LabNode> all = new ArrayList<>(cluster.withRole("zookeeper"));
        all.addAll(cluster.withRole("schemareg"));
        all.addAll(brokers());
        long seed = Long.getLong("rolling.seed", System.nanoTime());
        Collections.shuffle(all, new Random(seed));
        String order = all.stream().map(LabNode::name).collect(Collectors.joining(" "));
        System.out.println("RollingIT: random order (-Drolling.seed=" + seed + "): " + order);
        roll("roll of all 7 nodes in a random order (" + order + "; protocol bumped to " + BUMPED_PROTOCOL + ")", all,
                Map.of("broker", Map.of(IBP, BUMPED_PROTOCOL)));
        for (LabNode b : brokers()) {
            assertTrue(brokerConfig(b, "inter.broker.protocol.version").startsWith(BUMPED_PROTOCOL), b.name() + ": "
                    + brokerConfig(b, "inter.broker.protocol.version"));
        }
        Timing.await("leader x1, follower x2", Duration.ofSeconds(60), Duration.ofMillis(250), RollingIT::quorum);
    }

    /** The node's service {@code id} as its agent's status has it. */
    static JsonNode service(LabNode n, String id) {
        JsonNode s = n.service(id);
        if (s == null) {
            throw new AssertionError(n.name() + " lists no " + id);
        }
        return s;
    }

    /**
     * {@code first} is restarted and, as soon as its process runs (readiness ignored), {@code second} is told to
     * stop: its stop must wait, saying why in its status and /metrics, until {@code first} is back; then it stops
     * cleanly and is started again.
     */
    static void gateHolds(LabNode first, LabNode second, String service, String notSafe) {
        workload();
        Roll.stop(first);
        Roll.start(first, Map.of(), Pace.PROCESS_UP);
        second.signalAgent("TERM");
        JsonNode held = Timing.awaitValue(second.name() + "'s " + service + " stop waiting at its gate, not safe", Duration.ofSeconds(20),
                Duration.ofMillis(50), () -> {
                    JsonNode s = service(second, service);
                    return s.path("stopGate").path("waiting").asBoolean() && s.path("reason").asText().contains(notSafe) ? s : null;
                }, () -> String.valueOf(second.service(service)));
        assertEquals("STOPPING", held.path("state").asText());
        assertTrue(held.path("pid").asInt() > 0, "its process still runs: " + held);
        String metrics = second.http(9800, "/metrics").body();
        assertTrue(metrics.contains("dockhand_service_stop_waiting{service=\"" + service + "\"} 1\n"), metrics);
        long t0 = System.nanoTime();
        int exit = second.awaitExit(Duration.ofSeconds(150));
        double waited = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, exit, second.name() + ": " + second.tail(20));
        String log = second.logSinceStart();
        assertTrue(log.contains(service + ": safe to stop after "), "the gate opened (rather than the wait running out): "
                + log.lines().filter(l -> l.contains(service + ": ")).reduce("", (a, b) -> a + "\n" + b));
        // the gate opened on the second's view of the ISR; the first's own probe says so within a probe or two
        Timing.await(first.name() + " ready once " + second.name() + "'s gate let it stop", Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> Roll.readyz(first));
        scenario.figure("stop of " + second.name() + " held while " + first.name() + " came back",
                String.format("%.1f s after it was seen waiting; %s", waited,
                        log.lines().filter(l -> l.contains(service + ": safe to stop after ")).findFirst().orElse("").replaceAll(".*" + service + ": ", "")));
        Roll.start(second, Map.of(), Pace.READY);
        workload.checkpoint("after " + second.name() + "'s held stop");
    }
    void aBrokerToldToStopWhileItsPeerCatchesUpWaitsUntilThePeerIsInSync() {
        List<LabNode> b = brokers();
        gateHolds(b.get(0), b.get(1), "kafka-broker", "min.insync.replicas");
        Timing.await("ISR 3 again", Duration.ofSeconds(120), Duration.ofMillis(250), () -> kafka.minIsr(TOPIC) == 3);
    }
    void aZooKeeperMemberToldToStopWhileAPeerRejoinsWaitsUntilThePeerServes() {
        List<LabNode> zk = cluster.withRole("zookeeper");
        gateHolds(zk.get(0), zk.get(1), "zookeeper", "needed for the quorum");
        Timing.await("leader x1, follower x2", Duration.ofSeconds(60), Duration.ofMillis(250), RollingIT::quorum);
    }

    /** Runs one of Kafka's tools (the thin wrapper, as an operator would) inside {@code node}'s namespace. */
    static Cmd.Result tool(LabNode node, String... args) {
        List<String> argv = cluster.net().exec(node.name(), LabCluster.DIST.resolve("bin").resolve(args[0]).toString());
        argv.addAll(List.of(args).subList(1, args.length));
        Map<String, String> env = new HashMap<>();
        env.put("AGENT_DATA_DIR", node.env().get("AGENT_DATA_DIR"));
        env.put("KAFKA_HEAP_OPTS", "-Xmx128m");
        return Cmd.run(Timing.seconds(120), argv, env);
    }
    void aFourthBrokerJoinsAndTakesPartitionsWhileTheProducersRun() throws Exception {
        LabNode b4 = cluster.node(FOURTH.name());
        double from = workload().now();
        long t0 = System.nanoTime();
        b4.start();
        Timing.awaitValue("b-4 ready", Duration.ofMinutes(3), Duration.ofMillis(250), () -> Roll.readyz(b4) ? Boolean.TRUE : null,
                cluster::describe);
        assertEquals(Set.of(5, 6, 7, 8), kafka.brokerIds(), "b-4 registered with the id its place in the node list gives it");

        Path work = b4.dir().resolve("reassign");
        Files.createDirectories(work);
        Files.writeString(work.resolve("topics.json"), "{\"version\":1,\"topics\":[{\"topic\":\"" + TOPIC + "\"}]}");
        Cmd.Result gen = tool(b4, "kafka-reassign-partitions", "--topics-to-move-json-file", work.resolve("topics.json").toString(),
                "--broker-list", "5,6,7,8", "--generate").check();
        String plan = gen.out().lines().dropWhile(l -> !l.startsWith("Proposed partition reassignment configuration")).skip(1)
                .filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError("no proposed plan:\n" + gen.out()));
        assertTrue(plan.contains("8"), "the plan gives broker 8 partitions: " + plan);
        Files.writeString(work.resolve("plan.json"), plan);
        tool(b4, "kafka-reassign-partitions", "--reassignment-json-file", work.resolve("plan.json").toString(), "--execute",
                "--throttle", "50000000").check();
        Timing.awaitValue("the reassignment completes", Duration.ofMinutes(3), Duration.ofSeconds(1), () -> {
            Cmd.Result v = tool(b4, "kafka-reassign-partitions", "--reassignment-json-file", work.resolve("plan.json").toString(), "--verify");
            return v.ok() && v.out().contains("is completed") && !v.out().contains("is still in progress") ? v : null;
        }, () -> "");
        TopicDescription d = kafka.describe(TOPIC);
        List<Integer> onFourth = d.partitions().stream().filter(p -> p.replicas().stream().anyMatch(r -> r.id() == 8))
                .map(TopicPartitionInfo::partition).toList();
        assertFalse(onFourth.isEmpty(), "broker 8 (b-4) hosts partitions of " + TOPIC + ": " + d);
        for (TopicPartitionInfo p : d.partitions()) {
            assertEquals(3, p.replicas().size(), "replication factor kept: " + p);
        }
        Timing.await("every partition fully in sync after the move", Duration.ofSeconds(120), Duration.ofMillis(250),
                () -> kafka.describe(TOPIC).partitions().stream().allMatch(p -> p.isr().size() == p.replicas().size()));
        double to = workload.now();
        scenario.figure("b-4 joins and takes partitions " + onFourth, String.format("%.0f s; %s", (System.nanoTime() - t0) / 1e9,
                workload.figures(from, to)));
        workload.checkpoint("after the reassignment");
    }

    static Map<Integer, Long> byPartition(Map<org.apache.kafka.common.TopicPartition, Long> offsets) {
        Map<Integer, Long> out = new TreeMap<>();
        offsets.forEach((tp, o) -> out.put(tp.partition(), o));
        return out;
    }
    void nothingAcknowledgedWasLostNoWriteWasRefusedAndEveryCommittedOffsetKept() {
        Workload.Report r = workload().finish(Duration.ofMinutes(2));
        scenario.figure("workload", r.acked().size() + " records acknowledged, " + r.consumed().size() + " consumed, canary errors "
                + new TreeMap<>(r.canaryErrors()));
        assertEquals(List.of(), r.notEnoughReplicas(), "produce errors of the NotEnoughReplicas kind (a producer that does not retry)");
        assertEquals(List.of(), r.durableErrors().size() > 20 ? List.of(r.durableErrors().size() + " errors, e.g. "
                + r.durableErrors().subList(0, 5)) : r.durableErrors(), "errors of the producer with acks=all that retries");
        Set<String> lost = r.lost();
        assertEquals(Set.of(), lost.size() > 20 ? Set.of(lost.size() + " values, e.g. " + new TreeSet<>(lost).first()) : lost,
                "acknowledged but never consumed");
        assertTrue(r.acked().size() > 1000, "the producers kept producing: " + r.acked().size());
        assertEquals(byPartition(r.ends()), byPartition(r.committed()), "the group committed up to the end of every partition");
    }
}
