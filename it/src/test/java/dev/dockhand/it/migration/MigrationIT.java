package dev.dockhand.it.migration;

import dev.dockhand.it.lab.ClusterScenario;
import dev.dockhand.it.lab.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import dev.dockhand.it.lab.LabTls;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The move of a running, secured ZooKeeper cluster to a secured KRaft cluster, as the runbook
 * (examples/migration/README.md) has an operator do it: each step one {@code AGENT_MIGRATION_PHASE} (or cluster
 * config) set on a set of nodes, then a rolling restart driven by the agents' readiness, under a producer with
 * {@code acks=all} and a consumer group running from before the first step to after the move to Kafka 4 (ADR 012,
 * 017). Never plaintext: the nodes get the cluster's CA and users ({@link LabTls}) and keep them through every step;
 * clients log in over SASL_SSL with SCRAM, the nodes speak mutual TLS among themselves, to ZooKeeper and to the
 * controllers. The cluster: one ZooKeeper node, three brokers (topic replication factor 3, {@code min.insync.replicas}
 * 2), three KRaft controllers, the registry; a fourth broker joins after the move. Each node an agent as PID 1 of its
 * own PID and network namespace.
 *
 * <ol>
 *   <li>production (ZooKeeper mode, secured), node ids explicit; a topic with a config of its own, the group's offsets,
 *       a schema; a user made by hand (not in the users file) with an ACL of its own;
 *   <li>three controllers in migration mode join, formatted with ZooKeeper's cluster id (read over TLS); a broker sent
 *       into KRaft mode now is held, its status saying why;
 *   <li>the brokers roll with the migration settings (one first told plaintext: refused, exit 2): the controllers copy
 *       the metadata, the users' SCRAM credentials and the ACLs included (dual write);
 *   <li>rollback from dual write (Kafka's documented one): the controllers go, /controller and /migration are deleted,
 *       the brokers roll back; then the migration again from fresh controllers;
 *   <li>the brokers roll into KRaft mode under their old ids, the controllers out of migration mode;
 *   <li>ZooKeeper is retired; every node rolls onto Kafka 4 (cluster config kraft) with ZooKeeper's node gone from the
 *       node list and nobody renumbered; a new broker formats itself with the cluster's id, which the controllers tell;
 * </ol>
 * then: every acknowledged record readable, offsets and the topic's config kept, the schema there. Before, during and
 * after: the users log in with both SCRAM mechanisms and are refused what their ACLs do not allow (Java client, and
 * kcat wherever its librdkafka can log in). Figures: each step's time and the producer's longest stall in it.
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

    /** Explicit ids: ZooKeeper 1, brokers 2-4, registry 5, the controllers 6-8 (ids no broker has), the broker added last 9. */
    static final String ZK = "zookeeper=1@zk-1.dockhand.test";
    static final String REST = "broker=2@b-1.dockhand.test,3@b-2.dockhand.test,4@b-3.dockhand.test;schemareg=5@sr-1.dockhand.test";
    static final String CONTROLLERS = "controller=6@c-1.dockhand.test,7@c-2.dockhand.test,8@c-3.dockhand.test";
    static final String BEFORE = ZK + ";" + REST;
    static final String DURING = BEFORE + ";" + CONTROLLERS;
    /** After the move: ZooKeeper's node gone; b-4 (id 9) listed already, started last (the nodes name it as a super user). */
    static final String AFTER = REST.replace("4@b-3.dockhand.test", "4@b-3.dockhand.test,9@b-4.dockhand.test") + ";" + CONTROLLERS;
    /** The clients' listener of the brokers that run from the start. */
    static final String BOOTSTRAP = "b-1.dockhand.test:9092,b-2.dockhand.test:9092,b-3.dockhand.test:9092";
    /** A topic the users' login checks write to (created before the move: no topic is created in dual write by a login). */
    static final String LOGINS = "logins";
    /** A user made by hand before the move (not in the users file, so nothing but the migration carries it across). */
    static final String LEGACY_USER = "legacy";
    static final String LEGACY_PASSWORD = "legacy-Secret-1";

    static LabTls tls;
    static LabCluster cluster;
    static Kafka kafka;
    static Workload workload;
    @RegisterExtension
    static final ClusterScenario scenario = new ClusterScenario("MigrationIT", () -> cluster).closing(() -> workload).closing(() -> kafka);

    static List<NodeSpec> nodes() {
        Map<String, String> broker = Map.of("AGENT_HEAP_MB_KAFKA_BROKER", "256", "AGENT_HEAP_MB_KRAFT_BROKER", "256");
        Map<String, String> controller = Map.of("AGENT_HEAP_MB_KRAFT_CONTROLLER", "192");
        return List.of(
                new NodeSpec("zk-1", "zookeeper", 400, Map.of("AGENT_HEAP_MB_ZOOKEEPER", "128")),
                // 128 MiB more than the broker needs: a secured broker node also runs kafka-access, a short JVM
                new NodeSpec("b-1", "broker", 832, broker),
                new NodeSpec("b-2", "broker", 832, broker),
                new NodeSpec("b-3", "broker", 832, broker),
                new NodeSpec("sr-1", "schemareg", 500, Map.of("AGENT_HEAP_MB_SCHEMA_REGISTRY", "192")),
                new NodeSpec("c-1", "controller", 450, controller),
                new NodeSpec("c-2", "controller", 450, controller),
                new NodeSpec("c-3", "controller", 450, controller),
                new NodeSpec("b-4", "broker", 832, broker));
    }

    @BeforeAll
    static void up() {
        scenario.needNamespaces("migration");
        Need.tool("kcat", "kcat");
        tls = new LabTls(Path.of("target/migration-secrets").toAbsolutePath(), null);
        cluster = new LabCluster(nodes(), "production", Path.of("target/migration").toAbsolutePath(), tls);
        for (LabNode n : cluster.nodes()) {
            n.env().put("AGENT_NODES", BEFORE);
        }
        cluster.nodes().stream().filter(n -> !controllers().contains(n) && !n.name().equals("b-4")).forEach(LabNode::start);
    }

    static LabNode node(String name) {
        return cluster.node(name);
    }

    /** The brokers that run from the start (b-4 joins after the move). */
    static List<LabNode> brokers() {
        return cluster.withRole("broker").stream().filter(n -> !n.name().equals("b-4")).toList();
    }

    static List<LabNode> controllers() {
        return cluster.withRole("controller");
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
        scenario.figure(what, String.format("%.0f s; %s", (System.nanoTime() - t0) / 1e9, workload.figures(from, to)));
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

    /**
     * The controllers' migration state and ZooKeeper-mode brokers, from c-1's JMX exporter (as the agents read them:
     * every controller publishes what the metadata log says).
     */
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

    /** The registry over HTTPS (the cluster's CA), writes with the app user's login. */
    static HttpResponse<String> registry(String method, String path, String body) {
        return node("sr-1").https(tls.clientContext(), method, 8081, path, body == null ? null : LabTls.APP_USER,
                body == null ? null : LabTls.APP_PASSWORD, body);
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
            dynamicTest("1 a secured ZooKeeper cluster with a topic, a group's offsets, a schema and its users", this::aZooKeeperClusterWithDataAndAWorkload),
            dynamicTest("2 three controllers join in migration mode and brokers may not go into KRaft mode yet", this::controllersJoinInMigrationMode),
            dynamicTest("3 the brokers roll with the migration settings and the metadata is copied with the users and ACLs", this::theBrokersRollWithTheMigrationSettings),
            dynamicTest("4 rollback from dual write then the migration again", this::rollbackFromDualWriteThenTheMigrationAgain),
            dynamicTest("5 the brokers roll into KRaft mode under their ids", this::theBrokersRollIntoKraftMode),
            dynamicTest("6 the controllers roll out of migration mode", this::theControllersRollOutOfMigrationMode),
            dynamicTest("7 ZooKeeper retires and every Kafka node rolls onto Kafka 4", this::zooKeeperRetiresAndKafka4),
            dynamicTest("8 a broker added after the move formats itself with the cluster's id", this::aBrokerAddedAfterTheMoveFormatsItself),
            dynamicTest("9 every acknowledged record readable offsets configs and the schema kept", this::nothingLost));
    }

    /** The Java client's settings of the app user (a users-file user, role client) with {@code mechanism}. */
    static Map<String, String> app(String mechanism) {
        Map<String, String> p = new LinkedHashMap<>(tls.kafkaClient(LabTls.APP_USER, LabTls.APP_PASSWORD));
        p.put("sasl.mechanism", mechanism);
        return p;
    }

    /** kcat (librdkafka, Debian's package) in the registry's namespace: a client nobody here wrote. */
    static Cmd.Result kcat(String... args) {
        List<String> argv = new ArrayList<>(List.of("kcat", "-b", BOOTSTRAP, "-m", "15", "-X", "security.protocol=SASL_SSL",
                "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=" + LabTls.APP_USER, "-X", "sasl.password=" + LabTls.APP_PASSWORD,
                "-X", "ssl.ca.location=" + tls.caCert()));
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(60), cluster.net().exec("sr-1", argv.toArray(String[]::new)));
    }

    /** librdkafka before 2.6.1 cannot log in to Kafka 4 with SCRAM (librdkafka#4895; see KRaftClusterIT); Kafka 3.9 takes it. */
    static boolean kcatLogsInToKafka4() {
        var m = java.util.regex.Pattern.compile("librdkafka (\\d+)\\.(\\d+)\\.(\\d+)").matcher(Cmd.run(Duration.ofSeconds(10), "kcat", "-V").out());
        return m.find() && Integer.parseInt(m.group(1)) * 10000 + Integer.parseInt(m.group(2)) * 100 + Integer.parseInt(m.group(3)) >= 20601;
    }

    /**
     * The users, at {@code when}: the app user (users file, role client) logs in with SCRAM-SHA-256 and SCRAM-SHA-512 and
     * writes, and is refused the deletion of a topic (its ACLs do not grant it); the user made by hand before the move
     * logs in and describes the topic its ACL names, and is refused deleting it; kcat lists the topic as the app user
     * where its librdkafka can log in. Each refusal beside a success of the same client on the same path.
     */
    static void theUsersGetInAndAreRefusedWhatTheirAclsDoNotAllow(String when, boolean kafka4) {
        for (String mechanism : List.of("SCRAM-SHA-256", "SCRAM-SHA-512")) {
            try (Kafka k = new Kafka(BOOTSTRAP, app(mechanism))) {
                Kafka.Produced p = k.produce(LOGINS, when + "-" + mechanism, 3);
                assertEquals(List.of(), p.errors(), when + ": app with " + mechanism + " writes");
                assertEquals(3, p.acked().size());
                if (mechanism.equals("SCRAM-SHA-512")) {
                    java.util.concurrent.ExecutionException denied = assertThrows(java.util.concurrent.ExecutionException.class,
                            () -> k.admin().deleteTopics(List.of(LOGINS)).all().get(30, TimeUnit.SECONDS), when + ": app deletes a topic");
                    assertTrue(denied.getCause() instanceof TopicAuthorizationException, when + ": refused by the ACLs: " + denied.getCause());
                }
            }
        }
        try (Kafka legacy = new Kafka(BOOTSTRAP, tls.kafkaClient(LEGACY_USER, LEGACY_PASSWORD))) {
            assertEquals(6, legacy.describe(TOPIC).partitions().size(), when + ": the hand-made user logs in and describes " + TOPIC);
            java.util.concurrent.ExecutionException denied = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> legacy.admin().deleteTopics(List.of(TOPIC)).all().get(30, TimeUnit.SECONDS), when + ": the hand-made user deletes");
            assertTrue(denied.getCause() instanceof TopicAuthorizationException, when + ": its ACL grants describe only: " + denied.getCause());
        }
        if (!kafka4 || kcatLogsInToKafka4()) {
            Cmd.Result listed = kcat("-L", "-t", TOPIC);
            assertEquals(0, listed.exit(), when + ": kcat as app: " + listed.out());
            assertTrue(listed.out().contains("topic \"" + TOPIC + "\" with 6 partitions"), when + ": " + listed.out());
        } else {
            scenario.figure("kcat " + when, "not asked to log in: its librdkafka (< 2.6.1) cannot log in to Kafka 4 (librdkafka#4895); the Java client did");
        }
    }

    void aZooKeeperClusterWithDataAndAWorkload() throws Exception {
        long t0 = System.nanoTime();
        Timing.awaitValue("every node's agent ready", Duration.ofMinutes(5), Duration.ofMillis(250),
                () -> cluster.nodes().stream().filter(LabNode::running).allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
        scenario.figure("production cluster ready", String.format("%.0f s", (System.nanoTime() - t0) / 1e9));
        for (LabNode b : brokers()) {
            Timing.await(b.name() + "'s kafka-access gave the users their credentials and ACLs", Duration.ofSeconds(90), Duration.ofMillis(250),
                    () -> b.logText().contains("kafka-access: 2 user(s) with SCRAM-SHA-512 and SCRAM-SHA-256 credentials"));
        }
        kafka = new Kafka(BOOTSTRAP, tls.kafkaAdmin());
        assertEquals(Set.of(2, 3, 4), kafka.brokerIds(), "the explicit ids");
        kafka.createTopic(TOPIC, 6, 3, 2);
        kafka.createTopic(LOGINS, 3, 3, 2);
        Timing.await("ISR 3 on every partition of " + TOPIC, Duration.ofSeconds(60), Duration.ofMillis(200), () -> kafka.minIsr(TOPIC) == 3);
        // a config of the topic's own, set as an operator would (kept in ZooKeeper, then in the metadata log)
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        kafka.admin().incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", RETENTION),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        assertEquals(RETENTION, topicConfig("retention.ms"));
        // a user and an ACL made by hand (in ZooKeeper): only the migration can carry them to KRaft
        kafka.admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(LEGACY_USER,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), LEGACY_PASSWORD))).all().get(30, TimeUnit.SECONDS);
        kafka.admin().createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                new AccessControlEntry("User:" + LEGACY_USER, "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW)))).all().get(30, TimeUnit.SECONDS);
        Timing.await("the registry answers", Duration.ofMinutes(2), Duration.ofMillis(500), () -> {
            try {
                return registry("GET", "/apis/ccompat/v7/subjects", null).statusCode() == 200;
            } catch (RuntimeException e) {
                return false;
            }
        });
        HttpResponse<String> registered = registry("POST", "/apis/ccompat/v7/subjects/" + SUBJECT + "/versions", SCHEMA);
        assertEquals(200, registered.statusCode(), registered.body());
        Timing.await("the hand-made user's login works", Duration.ofSeconds(60), Duration.ofMillis(500), () -> {
            try (Kafka legacy = new Kafka(BOOTSTRAP, tls.kafkaClient(LEGACY_USER, LEGACY_PASSWORD))) {
                return legacy.describe(TOPIC) != null;
            } catch (RuntimeException e) {
                return false;
            }
        });
        theUsersGetInAndAreRefusedWhatTheirAclsDoNotAllow("before the move", false);
        workload = new Workload(kafka, TOPIC, Duration.ofMillis(5));
        Timing.await("the workload's first acknowledgements", Duration.ofSeconds(60), Duration.ofMillis(100), () -> workload.ackedCount() > 100);
        workload.checkpoint("at the start");
    }

    static Map<String, String> migrating(String phase) {
        return Map.of("AGENT_NODES", DURING, "AGENT_CLUSTER_CONFIG", "zk-migration", PHASE, phase);
    }

    /** Starts the controllers together (a quorum needs two of them), each with {@code env}; waits until every one is ready. */
    static void startControllers(Map<String, String> env) {
        for (LabNode c : controllers()) {
            c.env().putAll(env);
            c.start();
        }
        for (LabNode c : controllers()) {
            Timing.await(c.name() + " ready (its agent's /readyz)", Duration.ofMinutes(5), Duration.ofMillis(100), () -> Roll.readyz(c));
        }
    }

    /** Stops the controllers together (the cluster has no controller until it is rolled back). */
    static void stopControllers() {
        controllers().forEach(c -> c.signalAgent("TERM"));
        for (LabNode c : controllers()) {
            assertEquals(0, c.awaitExit(Duration.ofSeconds(150)), c.name() + ": " + c.tail(20));
        }
    }

    void controllersJoinInMigrationMode() {
        step("step 1: three controllers join in migration mode", () -> startControllers(migrating("migration")));
        for (LabNode c : controllers()) {
            Properties meta = properties(dataDir(c).resolve("kafka/metadata/meta.properties"));
            assertEquals(brokerClusterId(), meta.getProperty("cluster.id"), c.name() + " formatted with ZooKeeper's cluster id, read over TLS");
            assertTrue(c.logText().contains("format-with-zookeeper-cluster-id: ZooKeeper's cluster id is " + brokerClusterId()), c.tail(30));
            assertEquals("migration", c.status().path("migrationPhase").asText());
            String server = readConf(c, "kraft-controller/server.properties");
            assertTrue(server.contains("\nzookeeper.ssl.client.enable=true\n") && server.contains("\nlistener.security.protocol.map=CONTROLLER:SSL,INTERNAL:SSL\n"),
                    c.name() + ": " + server);
        }
        assertEquals("6", properties(dataDir(node("c-1")).resolve("kafka/metadata/meta.properties")).getProperty("node.id"));
        awaitMigrationState(2, "PRE_MIGRATION: waiting for the brokers");

        // a broker sent into KRaft mode before the metadata is migrated is held, and says why
        LabNode b1 = node("b-1");
        Roll.stop(b1);
        b1.env().putAll(migrating("kraft-brokers"));
        b1.start(); // readiness cannot come: the broker waits for the controllers' word
        JsonNode held = Timing.awaitValue("b-1's broker held, waiting for the controllers' word", Duration.ofSeconds(60), Duration.ofMillis(200),
                () -> {
                    try {
                        JsonNode s = b1.service("kafka-broker");
                        return s != null && s.path("reason").asText().contains("PRE_MIGRATION") ? s : null;
                    } catch (RuntimeException e) {
                        return null;
                    }
                }, () -> String.valueOf(b1.service("kafka-broker")));
        assertEquals("PENDING", held.path("state").asText(), held.toString());
        // the reason may name ZooKeeper first (a wait of its own, answered once probed): the controllers' word is the one asked of
        assertTrue(held.path("reason").asText().contains("zk-migration (0/3 answered: ZkMigrationState PRE_MIGRATION"), held.toString());
        assertTrue(held.path("pid").asInt() <= 0, "no broker process: " + held);
        scenario.figure("b-1 sent into KRaft mode too early", held.path("reason").asText());
        // back into ZooKeeper mode: the operator's way out
        Roll.restart(b1, backToZooKeeperMode(), Pace.READY);
        Timing.await("ISR 3 again", Duration.ofSeconds(120), Duration.ofMillis(250), () -> kafka.minIsr(TOPIC) == 3);
    }

    /**
     * A broker told plaintext in the middle of the move of a secured cluster: refused at start (exit 2, naming why), nothing
     * changed on its volume; the same node with the cluster's security then rolls on.
     */
    static void aBrokerToldPlaintextIsRefusedThenRollsSecured(LabNode b, Map<String, String> env) {
        Roll.stop(b);
        String conf = readConf(b, "kafka-broker/server.properties");
        b.env().putAll(env);
        b.env().put("AGENT_SECURITY", "plaintext");
        try {
            b.start();
        } catch (AssertionError e) {
            // the agent refused before its process was seen: the exit code says how
        }
        assertEquals(2, b.awaitExit(Duration.ofSeconds(60)), b.tail(20));
        String refusal = b.logSinceStart();
        assertTrue(refusal.contains("this node ran secured") && refusal.contains("set AGENT_SECURITY=tls as on the other nodes"), refusal);
        assertEquals(conf, readConf(b, "kafka-broker/server.properties"), "nothing written");
        scenario.figure("a broker told plaintext during the move", refusal.lines().filter(l -> l.contains("this node ran secured")).findFirst()
                .orElse(""));
        Roll.start(b, Map.of("AGENT_SECURITY", "tls"), Pace.READY);
    }

    void theBrokersRollWithTheMigrationSettings() {
        step("step 2: the brokers roll with the migration settings", () -> {
            aBrokerToldPlaintextIsRefusedThenRollsSecured(node("b-1"), migrating("migration"));
            roll(brokers().subList(1, 3), migrating("migration"));
            awaitMigrationState(1, "MIGRATION: metadata copied, dual write");
        });
        assertEquals(3.0, Double.parseDouble(controllerMetric("migratingzkbrokercount")), "three brokers registered in ZooKeeper mode");
        assertEquals(Set.of(2, 3, 4), kafka.brokerIds());
        // the controllers copied the users' SCRAM credentials and the ACLs from ZooKeeper (Kafka 3.9's migration carries both)
        String copied = controllers().stream().flatMap(c -> c.logText().lines()).filter(l -> l.contains("Completed migration of metadata from ZooKeeper"))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no controller completed the migration"));
        assertTrue(copied.contains("USER_SCRAM_CREDENTIAL_RECORD=") && copied.contains("ACCESS_CONTROL_ENTRY_RECORD="), copied);
        scenario.figure("what the controllers copied", copied.substring(copied.indexOf("The record types were")));
        theUsersGetInAndAreRefusedWhatTheirAclsDoNotAllow("in dual write", false);
    }

    void rollbackFromDualWriteThenTheMigrationAgain() {
        step("rollback from dual write", () -> {
            stopControllers();
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
                "a broker is ZooKeeper's controller again (not a KRaft controller): " + zkController);
        theUsersGetInAndAreRefusedWhatTheirAclsDoNotAllow("after the rollback", false);

        // the migration again, from fresh controllers (their old metadata logs hold the first attempt's state)
        controllers().forEach(c -> LabCluster.deleteTree(c.dir().resolve("data")));
        step("step 1 again: fresh controllers", () -> startControllers(Map.of()));
        step("step 2 again: the brokers roll with the migration settings", () -> {
            roll(brokers(), migrating("migration"));
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
            assertTrue(server.contains("\nauthorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer\n"), b.name());
            assertFalse(server.contains("\nzookeeper."), b.name());
            assertFalse(Files.exists(dataDir(b).resolve(".dockhand/migration-wait-kafka-broker")), "the precondition held and was recorded");
        }
        assertEquals(Set.of(2, 3, 4), kafka.brokerIds(), "every broker kept its id");
        assertEquals(0.0, Double.parseDouble(controllerMetric("migratingzkbrokercount")), "no broker left in ZooKeeper mode");
        theUsersGetInAndAreRefusedWhatTheirAclsDoNotAllow("with the brokers in KRaft mode", false);
    }

    void theControllersRollOutOfMigrationMode() {
        step("step 4: the controllers roll out of migration mode", () -> {
            roll(controllers(), Map.of(PHASE, "kraft"));
            awaitMigrationState(3, "POST_MIGRATION: finalized");
        });
        for (LabNode c : controllers()) {
            assertFalse(readConf(c, "kraft-controller/server.properties").contains("\nzookeeper."), c.name());
        }
    }

    void zooKeeperRetiresAndKafka4() {
        step("step 5: ZooKeeper retires", () -> {
            Roll.stop(node("zk-1"));
            Timing.await("acknowledgements without ZooKeeper", Duration.ofSeconds(60), Duration.ofMillis(100),
                    () -> workload.figures(workload.now() - 5, workload.now()).acks() > 20);
        });
        Map<String, String> kraft = new HashMap<>(Map.of("AGENT_NODES", AFTER, "AGENT_CLUSTER_CONFIG", "kraft", PHASE, "kraft"));
        step("step 6: Kafka 4 (cluster config kraft), ZooKeeper's node gone from the list", () -> {
            roll(controllers(), kraft);
            roll(brokers(), kraft);
            roll(List.of(node("sr-1")), kraft);
        });
        String version = kafkaVersion(node("b-1"), "kraft-broker");
        assertTrue(version.startsWith("4."), "b-1 runs Kafka 4: " + version);
        scenario.figure("Kafka after the upgrade", version);
        assertEquals(Set.of(2, 3, 4), kafka.brokerIds(), "nobody renumbered");
        assertEquals(6, node("c-1").status().path("nodeId").asInt());
        assertEquals("tls", node("b-1").status().path("security").asText());
        assertFalse(node("zk-1").running(), "ZooKeeper is gone");
        theUsersGetInAndAreRefusedWhatTheirAclsDoNotAllow("on Kafka 4", true);
    }

    void aBrokerAddedAfterTheMoveFormatsItself() {
        LabNode b4 = node("b-4");
        step("a broker added after the move", () -> Roll.start(b4, Map.of("AGENT_NODES", AFTER, "AGENT_CLUSTER_CONFIG", "kraft", PHASE, "kraft"),
                Pace.READY));
        Properties meta = properties(dataDir(b4).resolve("kafka/logs/meta.properties"));
        assertEquals(brokerClusterId(), meta.getProperty("cluster.id"), "formatted by its agent with the migrated cluster's id");
        assertEquals("9", meta.getProperty("node.id"));
        assertTrue(b4.logText().contains("format-with-quorum-cluster-id: the controllers' cluster id is " + brokerClusterId()), b4.tail(30));
        Timing.await("broker 9 registered", Duration.ofSeconds(60), Duration.ofMillis(250), () -> kafka.brokerIds().contains(9));
    }

    void nothingLost() throws Exception {
        Workload.Report r = workload().finish(Duration.ofMinutes(2));
        scenario.figure("workload", r.acked().size() + " records acknowledged, " + r.consumed().size() + " consumed, NotEnoughReplicas "
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
