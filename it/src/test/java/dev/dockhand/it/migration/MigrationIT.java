package dev.dockhand.it.migration;

import dev.dockhand.it.lab.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabCluster.NodeSpec;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.Roll;
import dev.dockhand.it.lab.Roll.Pace;
import dev.dockhand.it.lab.Timing;
import dev.dockhand.it.lab.Workload;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The move of a running ZooKeeper cluster to KRaft, as the runbook (examples/migration/README.md) has an
 * operator do it: each step one {@code AGENT_MIGRATION_PHASE} (or cluster config) set on a set of nodes, then
 * a rolling restart driven by the agents' readiness, under a producer with {@code acks=all} and a consumer group
 * running from before the first step to after the move to Kafka 4 (ADR 012). The smallest cluster that still
 * shows it: one ZooKeeper node, three brokers (topic replication factor 3, {@code min.insync.replicas} 2), one
 * KRaft controller, the registry. Each node an agent as PID 1 of its own PID and network namespace.
 *
 * <ol>
 *   <li>production (ZooKeeper mode), node ids explicit; a topic with a config of its own, the group's offsets,
 *       a schema;
 *   <li>a controller in migration mode joins, formatted with ZooKeeper's cluster id; a broker sent into KRaft
 *       mode now is held, its status saying why;
 *   <li>the brokers roll with the migration settings: the controller copies the metadata (dual write);
 *   <li>rollback from dual write (Kafka's documented one): the controller goes, /controller and /migration
 *       are deleted, the brokers roll back; then the migration again from a fresh controller;
 *   <li>the brokers roll into KRaft mode under their old ids, the controller out of migration mode;
 *   <li>ZooKeeper is retired; the brokers and the controller roll onto Kafka 4 (cluster config kraft) with
 *       ZooKeeper's node gone from the node list and nobody renumbered;
 * </ol>
 * then: every acknowledged record readable, offsets and the topic's config kept, the schema there.
 * Figures: the producer's longest stall in each step.
 *
 * <p>Run: {@code mvn -B -pl it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=MigrationIT}
 * (root; {@code -Dtiming.multiple=2} on a slow machine).
 */
class MigrationIT {
    static final String TOPIC = "migrating";
    static final String RETENTION = "123456789";
    static final String SUBJECT = "migrating-value";
    static final String SCHEMA = "{\"schema\": \"{\\\"type\\\": \\\"record\\\", \\\"name\\\": \\\"Move\\\", \\\"fields\\\": "
            + "[{\\\"name\\\": \\\"step\\\", \\\"type\\\": \\\"int\\\"}]}\"}";
    static final String PHASE = "AGENT_MIGRATION_PHASE";

    /** Explicit ids: ZooKeeper 1, brokers 2-4, registry 5, the controller 6 (an id no broker has). */
    static final String ZK = "zookeeper=1@zk-1.dockhand.test";
    static final String REST = "broker=2@b-1.dockhand.test,3@b-2.dockhand.test,4@b-3.dockhand.test;schemareg=5@sr-1.dockhand.test";
    static final String CONTROLLER = "controller=6@c-1.dockhand.test";
    static final String BEFORE = ZK + ";" + REST;
    static final String DURING = BEFORE + ";" + CONTROLLER;
    static final String AFTER = REST + ";" + CONTROLLER;

    static LabCluster cluster;
    static Kafka kafka;
    static Workload workload;
    static final Map<String, String> figures = new LinkedHashMap<>();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static List<NodeSpec> nodes() {
        Map<String, String> broker = Map.of("AGENT_HEAP_MB_KAFKA_BROKER", "256", "AGENT_HEAP_MB_KRAFT_BROKER", "256");
        return List.of(
                new NodeSpec("zk-1", "zookeeper", 400, Map.of("AGENT_HEAP_MB_ZOOKEEPER", "128")),
                new NodeSpec("b-1", "broker", 700, broker),
                new NodeSpec("b-2", "broker", 700, broker),
                new NodeSpec("b-3", "broker", 700, broker),
                new NodeSpec("sr-1", "schemareg", 500, Map.of("AGENT_HEAP_MB_SCHEMA_REGISTRY", "192")),
                new NodeSpec("c-1", "controller", 450, Map.of("AGENT_HEAP_MB_KRAFT_CONTROLLER", "192")));
    }

    @BeforeAll
    static void up() {
        String why = LabCluster.unsupportedReason();
        Need.that(why == null, () -> "migration in network namespaces: " + why);
        cluster = new LabCluster(nodes(), "production", Path.of("target/migration").toAbsolutePath());
        for (LabNode n : cluster.nodes()) {
            n.env().put("AGENT_NODES", BEFORE);
        }
        cluster.nodes().stream().filter(n -> !n.name().equals("c-1")).forEach(LabNode::start);
    }

    @AfterAll
    static void down() {
        try {
            if (workload != null) {
                workload.close();
            }
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            System.out.println("MigrationIT figures (the producer with acks=all, per step):");
            figures.forEach((k, v) -> System.out.println("  " + k + ": " + v));
        }
    }

    static LabNode node(String name) {
        return cluster.node(name);
    }

    static List<LabNode> brokers() {
        return cluster.withRole("broker");
    }

    static Workload workload() {
        if (workload == null) {
            throw new AssertionError("the cluster did not come up with its workload (see the first step)");
        }
        return workload;
    }

    /** Runs {@code step}, then records the producer's figures over it (its longest stall among them). */
    static void step(String what, Runnable step) {
        double from = workload().now();
        long t0 = System.nanoTime();
        step.run();
        double to = workload.now();
        figures.put(what, String.format("%.0f s; %s", (System.nanoTime() - t0) / 1e9, workload.figures(from, to)));
        workload.checkpoint("after " + what);
        Timing.await("acknowledgements after " + what, Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> workload.figures(to, workload.now()).acks() > 20);
    }

    /** Rolls {@code nodes} one after the other, each with {@code env} changed, each once the previous is ready. */
    static void roll(List<LabNode> nodes, Map<String, String> env) {
        for (LabNode n : nodes) {
            Roll.restart(n, env, Pace.READY);
        }
    }

    /** The controller's migration state and ZooKeeper-mode brokers, from its JMX exporter (as the agents read them). */
    static String controllerMetric(String name) {
        String body = node("c-1").http(9404, "/metrics").body();
        return body.lines().filter(l -> l.startsWith("kafka_controller_kafkacontroller_" + name + " ")).map(l -> l.split(" ")[1])
                .findFirst().orElse("(absent)");
    }

    static void awaitMigrationState(int value, String meaning) {
        Timing.awaitValue("the controller's ZkMigrationState " + value + " (" + meaning + ")", Duration.ofMinutes(3), Duration.ofMillis(500),
                () -> {
                    try {
                        return Double.parseDouble(controllerMetric("zkmigrationstate")) == value ? Boolean.TRUE : null;
                    } catch (RuntimeException e) {
                        return null;
                    }
                }, () -> {
                    try {
                        return "ZkMigrationState " + controllerMetric("zkmigrationstate") + ", ZooKeeper-mode brokers "
                                + controllerMetric("migratingzkbrokercount");
                    } catch (RuntimeException e) {
                        return String.valueOf(e);
                    }
                });
    }

    /** A broker's env back in plain ZooKeeper mode: production, no phase (removed: a null value), ZooKeeper's node list. */
    static Map<String, String> backToZooKeeperMode() {
        Map<String, String> env = new HashMap<>();
        env.put("AGENT_NODES", BEFORE);
        env.put("AGENT_CLUSTER_CONFIG", "production");
        env.put(PHASE, null);
        return env;
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

    static Properties properties(Path file) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (java.io.IOException e) {
            throw new AssertionError("read " + file + ": " + e, e);
        }
        return p;
    }

    static Path dataDir(LabNode n) {
        return Path.of(n.env().get("AGENT_DATA_DIR"));
    }

    static String brokerClusterId() {
        return properties(dataDir(node("b-1")).resolve("kafka/logs/meta.properties")).getProperty("cluster.id");
    }

    static HttpResponse<String> registry(String method, String path, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(java.net.URI.create("http://" + node("sr-1").fqdn() + ":8081" + path))
                    .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/vnd.schemaregistry.v1+json");
            b = body == null ? b.GET() : b.method(method, HttpRequest.BodyPublishers.ofString(body));
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        }
    }

    static String topicConfig(String key) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        return kafka.admin().describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r).get(key).value();
    }

    static String kafkaVersion(LabNode n, String service) {
        return n.logSinceStart().lines().filter(l -> l.contains(service + " | ") && l.contains("Kafka version: "))
                .map(l -> l.substring(l.indexOf("Kafka version: ") + 15).replaceAll("\\s.*", "")).reduce((a, b) -> b).orElse("(none)");
    }

    @TestFactory
    Stream<DynamicTest> migration() {
        return Stream.of(
            dynamicTest("1 a ZooKeeper cluster with a topic, a group's offsets and a schema", this::aZooKeeperClusterWithDataAndAWorkload),
            dynamicTest("2 a controller joins in migration mode and brokers may not go into KRaft mode yet", this::aControllerJoinsInMigrationMode),
            dynamicTest("3 the brokers roll with the migration settings and the metadata is copied", this::theBrokersRollWithTheMigrationSettings),
            dynamicTest("4 rollback from dual write then the migration again", this::rollbackFromDualWriteThenTheMigrationAgain),
            dynamicTest("5 the brokers roll into KRaft mode under their ids", this::theBrokersRollIntoKraftMode),
            dynamicTest("6 the controller rolls out of migration mode", this::theControllerRollsOutOfMigrationMode),
            dynamicTest("7 ZooKeeper retires and every Kafka node rolls onto Kafka 4", this::zooKeeperRetiresAndKafka4),
            dynamicTest("8 every acknowledged record readable offsets configs and the schema kept", this::nothingLost));
    }

    void aZooKeeperClusterWithDataAndAWorkload() throws Exception {
        long t0 = System.nanoTime();
        Timing.awaitValue("every node's agent ready", Duration.ofMinutes(5), Duration.ofMillis(250),
                () -> cluster.nodes().stream().filter(LabNode::running).allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
        figures.put("production cluster ready", String.format("%.0f s", (System.nanoTime() - t0) / 1e9));
        kafka = new Kafka(cluster.bootstrap());
        assertEquals(Set.of(2, 3, 4), kafka.brokerIds(), "the explicit ids");
        kafka.createTopic(TOPIC, 6, 3, 2);
        Timing.await("ISR 3 on every partition of " + TOPIC, Duration.ofSeconds(60), Duration.ofMillis(200), () -> kafka.minIsr(TOPIC) == 3);
        // a config of the topic's own, set as an operator would (kept in ZooKeeper, then in the metadata log)
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        kafka.admin().incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", RETENTION),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        assertEquals(RETENTION, topicConfig("retention.ms"));
        Timing.awaitValue("the registry answers", Duration.ofMinutes(2), Duration.ofMillis(500), () -> {
            try {
                return registry("GET", "/apis/ccompat/v7/subjects", null).statusCode() == 200 ? Boolean.TRUE : null;
            } catch (RuntimeException e) {
                return null;
            }
        }, () -> "");
        HttpResponse<String> registered = registry("POST", "/apis/ccompat/v7/subjects/" + SUBJECT + "/versions", SCHEMA);
        assertEquals(200, registered.statusCode(), registered.body());
        workload = new Workload(kafka, TOPIC, Duration.ofMillis(5));
        Timing.await("the workload's first acknowledgements", Duration.ofSeconds(60), Duration.ofMillis(100), () -> workload.ackedCount() > 100);
        workload.checkpoint("at the start");
    }

    void aControllerJoinsInMigrationMode() {
        LabNode c1 = node("c-1");
        step("step 1: the controller joins in migration mode", () -> Roll.start(c1,
                Map.of("AGENT_NODES", DURING, "AGENT_CLUSTER_CONFIG", "zk-migration", PHASE, "migration"), Pace.READY));
        Properties meta = properties(dataDir(c1).resolve("kafka/metadata/meta.properties"));
        assertEquals(brokerClusterId(), meta.getProperty("cluster.id"), "formatted with ZooKeeper's cluster id");
        assertEquals("6", meta.getProperty("node.id"));
        awaitMigrationState(2, "PRE_MIGRATION: waiting for the brokers");
        JsonNode status = c1.status();
        assertEquals("migration", status.path("migrationPhase").asText(), status.toString());

        // a broker sent into KRaft mode before the metadata is migrated is held, and says why
        LabNode b1 = node("b-1");
        Roll.stop(b1);
        b1.env().putAll(Map.of("AGENT_NODES", DURING, "AGENT_CLUSTER_CONFIG", "zk-migration", PHASE, "kraft-brokers"));
        b1.start(); // readiness cannot come: the broker waits for the controller's word
        JsonNode held = Timing.awaitValue("b-1's broker held, waiting for the controller's word", Duration.ofSeconds(60), Duration.ofMillis(200),
                () -> {
                    try {
                        JsonNode s = b1.service("kafka-broker");
                        return s != null && s.path("reason").asText().contains("PRE_MIGRATION") ? s : null;
                    } catch (RuntimeException e) {
                        return null;
                    }
                }, () -> String.valueOf(b1.service("kafka-broker")));
        assertEquals("PENDING", held.path("state").asText(), held.toString());
        assertTrue(held.path("reason").asText().startsWith("waiting for zk-migration (0/1 answered: ZkMigrationState PRE_MIGRATION"),
                held.toString());
        assertTrue(held.path("pid").asInt() <= 0, "no broker process: " + held);
        figures.put("b-1 sent into KRaft mode too early", held.path("reason").asText());
        // back into ZooKeeper mode: the operator's way out
        Roll.restart(b1, backToZooKeeperMode(), Pace.READY);
        Timing.await("ISR 3 again", Duration.ofSeconds(120), Duration.ofMillis(250), () -> kafka.minIsr(TOPIC) == 3);
    }

    void theBrokersRollWithTheMigrationSettings() {
        step("step 2: the brokers roll with the migration settings", () -> {
            roll(brokers(), Map.of("AGENT_NODES", DURING, "AGENT_CLUSTER_CONFIG", "zk-migration", PHASE, "migration"));
            awaitMigrationState(1, "MIGRATION: metadata copied, dual write");
        });
        assertEquals(3.0, Double.parseDouble(controllerMetric("migratingzkbrokercount")), "three brokers registered in ZooKeeper mode");
        assertEquals(Set.of(2, 3, 4), kafka.brokerIds());
    }

    void rollbackFromDualWriteThenTheMigrationAgain() {
        LabNode c1 = node("c-1");
        step("rollback from dual write", () -> {
            Roll.stop(c1);
            tool(node("b-1"), "zookeeper-shell", "deleteall", "/controller").check();
            tool(node("b-1"), "zookeeper-shell", "deleteall", "/migration").check();
            // each broker back without the migration settings, its copy of the KRaft metadata log removed while it is down
            // (it would hold the first attempt's epochs when the migration is tried again)
            for (LabNode b : brokers()) {
                Roll.stop(b);
                LabCluster.deleteTree(dataDir(b).resolve("kafka/logs/__cluster_metadata-0"));
                Roll.start(b, backToZooKeeperMode(), Pace.READY);
            }
        });
        for (LabNode b : brokers()) {
            String server = readConf(b, "kafka-broker/server.properties");
            assertFalse(server.contains("zookeeper.metadata.migration.enable"), b.name() + " back in plain ZooKeeper mode");
        }
        assertEquals(Set.of(2, 3, 4), kafka.brokerIds());
        String zkController = tool(node("b-1"), "zookeeper-shell", "get", "/controller").check().out();
        java.util.regex.Matcher controllerId = java.util.regex.Pattern.compile("\"brokerid\":(\\d+)").matcher(zkController);
        assertTrue(controllerId.find() && Set.of("2", "3", "4").contains(controllerId.group(1)),
                "a broker is ZooKeeper's controller again (not the KRaft controller, 6): " + zkController);

        // the migration again, from a fresh controller (its old metadata log holds the first attempt's state)
        LabCluster.deleteTree(c1.dir().resolve("data"));
        step("step 1 again: a fresh controller", () -> Roll.start(c1, Map.of(), Pace.READY));
        step("step 2 again: the brokers roll with the migration settings", () -> {
            roll(brokers(), Map.of("AGENT_NODES", DURING, "AGENT_CLUSTER_CONFIG", "zk-migration", PHASE, "migration"));
            awaitMigrationState(1, "MIGRATION: metadata copied, dual write");
        });
    }

    static String readConf(LabNode n, String file) {
        try {
            return Files.readString(dataDir(n).resolve("conf").resolve(file));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    void theBrokersRollIntoKraftMode() {
        step("step 3: the brokers roll into KRaft mode", () -> roll(brokers(), Map.of(PHASE, "kraft-brokers")));
        for (LabNode b : brokers()) {
            String server = readConf(b, "kafka-broker/server.properties");
            assertTrue(server.contains("\nprocess.roles=broker\n"), b.name() + ": " + server);
            assertFalse(server.contains("\nzookeeper.connect="), b.name());
            assertFalse(Files.exists(dataDir(b).resolve(".dockhand/migration-wait-kafka-broker")), "the precondition held and was recorded");
        }
        assertEquals(Set.of(2, 3, 4), kafka.brokerIds(), "every broker kept its id");
        assertEquals(0.0, Double.parseDouble(controllerMetric("migratingzkbrokercount")), "no broker left in ZooKeeper mode");
    }

    void theControllerRollsOutOfMigrationMode() {
        step("step 4: the controller rolls out of migration mode", () -> {
            roll(List.of(node("c-1")), Map.of(PHASE, "kraft"));
            awaitMigrationState(3, "POST_MIGRATION: finalized");
        });
        assertFalse(readConf(node("c-1"), "kraft-controller/server.properties").contains("\nzookeeper.connect="));
    }

    void zooKeeperRetiresAndKafka4() {
        step("step 5: ZooKeeper retires", () -> {
            Roll.stop(node("zk-1"));
            Timing.await("acknowledgements without ZooKeeper", Duration.ofSeconds(60), Duration.ofMillis(100),
                    () -> workload.figures(workload.now() - 5, workload.now()).acks() > 20);
        });
        Map<String, String> kraft = new HashMap<>(Map.of("AGENT_NODES", AFTER, "AGENT_CLUSTER_CONFIG", "kraft", PHASE, "kraft"));
        step("step 6: Kafka 4 (cluster config kraft), ZooKeeper's node gone from the list", () -> {
            roll(List.of(node("c-1")), kraft);
            roll(brokers(), kraft);
            roll(List.of(node("sr-1")), kraft);
        });
        String version = kafkaVersion(node("b-1"), "kraft-broker");
        assertTrue(version.startsWith("4."), "b-1 runs Kafka 4: " + version);
        figures.put("Kafka after the upgrade", version);
        assertEquals(Set.of(2, 3, 4), kafka.brokerIds(), "nobody renumbered");
        assertEquals(6, node("c-1").status().path("nodeId").asInt());
        assertFalse(node("zk-1").running(), "ZooKeeper is gone");
    }

    void nothingLost() throws Exception {
        Workload.Report r = workload().finish(Duration.ofMinutes(2));
        figures.put("workload", r.acked().size() + " records acknowledged, " + r.consumed().size() + " consumed, NotEnoughReplicas "
                + r.notEnoughReplicas().size() + ", canary errors " + new TreeMap<>(r.canaryErrors()));
        assertEquals(List.of(), r.durableErrors().size() > 20 ? List.of(r.durableErrors().size() + " errors, e.g. "
                + r.durableErrors().subList(0, 5)) : r.durableErrors(), "errors of the producer with acks=all that retries");
        Set<String> lost = r.lost();
        assertEquals(Set.of(), lost.size() > 20 ? Set.of(lost.size() + " values, e.g. " + new TreeSet<>(lost).first()) : lost,
                "acknowledged but never consumed");
        assertTrue(r.acked().size() > 1000, "the producers kept producing: " + r.acked().size());
        Map<Integer, Long> ends = new TreeMap<>();
        r.ends().forEach((tp, o) -> ends.put(tp.partition(), o));
        Map<Integer, Long> committed = new TreeMap<>();
        r.committed().forEach((tp, o) -> committed.put(tp.partition(), o));
        assertEquals(ends, committed, "the group committed up to the end of every partition");
        assertEquals(RETENTION, topicConfig("retention.ms"), "the topic's own config");
        assertEquals("2", topicConfig("min.insync.replicas"));
        HttpResponse<String> schema = registry("GET", "/apis/ccompat/v7/subjects/" + SUBJECT + "/versions/latest", null);
        assertEquals(200, schema.statusCode(), schema.body());
        assertTrue(schema.body().contains("Move"), schema.body());
    }
}
