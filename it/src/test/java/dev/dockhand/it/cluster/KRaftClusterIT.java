package dev.dockhand.it.cluster;

import dev.dockhand.it.lab.ClusterScenario;
import dev.dockhand.it.lab.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.agent.security.Pem;
import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.LabTls;
import dev.dockhand.it.lab.Procs;
import dev.dockhand.it.lab.Roll;
import dev.dockhand.it.lab.Timing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kraft cluster config on this machine, without Docker: three KRaft controllers, three brokers (Kafka 4),
 * the registry and the console, each node an agent as PID 1 of its own PID and network namespace, configured by
 * env as an orchestrator would, secured as by default (the cluster's CA and users, {@link LabTls}). The scenarios
 * share one cluster and run in order; each leaves it whole. A fourth broker, told plaintext, is started last
 * against the secured quorum.
 *
 * <p>Run: {@code mvn -B -o verify -pl it -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=KRaftClusterIT} (root; {@code -Dtiming.multiple=2} on a slow machine).
 */
class KRaftClusterIT {
    static final String TOPIC = "durable";
    static final int N = 2000;
    /** Node order: c-1..3 are 1..3, b-1..3 are 4..6. */
    static final Set<Integer> CONTROLLER_IDS = Set.of(1, 2, 3);
    static final Set<Integer> BROKER_IDS = Set.of(4, 5, 6);

    static LabCluster cluster;
    static LabTls tls;
    static Kafka kafka;
    static final Set<String> acked = new HashSet<>();
    @RegisterExtension
    static final ClusterScenario scenario = new ClusterScenario("KRaftClusterIT", () -> cluster).closing(() -> kafka);

    @BeforeAll
    static void up() {
        scenario.needNamespaces("kraft cluster");
        tls = new LabTls(Path.of("target/kraft-cluster-secrets").toAbsolutePath(), null);
        // b-4 joins last, told plaintext: a node that disagrees with its cluster about security
        List<LabCluster.NodeSpec> plaintextBroker = List.of(new LabCluster.NodeSpec("b-4", "broker", 700,
                Map.of("AGENT_HEAP_MB_KRAFT_BROKER", "256", "AGENT_SECURITY", "plaintext")));
        cluster = new LabCluster(LabCluster.kraft(), plaintextBroker, "kraft", Path.of("target/kraft-cluster").toAbsolutePath(), tls);
        // b-3 is given its certificate as files, as cert-manager's CSI driver gives them, and no CA key
        tls.giveCertificate("b-3", cluster.node("b-3").fqdn(), tls.ca());
        cluster.node("b-3").env().remove("AGENT_CA_KEY_FILE");
        cluster.node("b-3").env().putAll(tls.givenEnv("b-3"));
        cluster.nodes().stream().filter(n -> !n.name().equals("b-4")).forEach(n -> n.start());
    }

    static JsonNode serviceOf(LabNode n, String id) {
        JsonNode s = n.service(id);
        if (s == null) {
            throw new IllegalStateException(n.name() + " lists no " + id);
        }
        return s;
    }

    static Set<Integer> ids(List<QuorumInfo.ReplicaState> replicas) {
        Set<Integer> out = new TreeSet<>();
        replicas.forEach(r -> out.add(r.replicaId()));
        return out;
    }

    /**
     * The scenarios, in this order, on the one cluster this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
            dynamicTest("1 comes up with a quorum of three controllers and every broker registered", this::comesUpWithAQuorumOfThreeControllersAndEveryBrokerRegistered),
            dynamicTest("2 replicated topic returns every acknowledged record", this::replicatedTopicReturnsEveryAcknowledgedRecord),
            dynamicTest("3 broker killed with sigkill is restarted by its agent and loses nothing", this::brokerKilledWithSigkillIsRestartedByItsAgentAndLosesNothing),
            dynamicTest("4 active controller killed with sigkill is replaced and restarted by its agent", this::activeControllerKilledWithSigkillIsReplacedAndRestartedByItsAgent),
            dynamicTest("5 only the right clients get in", this::onlyTheRightClientsGetIn),
            dynamicTest("6 a plaintext broker is refused by the secured quorum", this::aPlaintextBrokerIsRefusedByTheSecuredQuorum),
            dynamicTest("7 a broker given its certificate as files holds no CA key and takes renewed files", this::aBrokerGivenItsCertificateAsFilesHoldsNoCaKeyAndTakesRenewedFiles),
            dynamicTest("8 the registry's and the console's nodes are no Kafka admins", () -> leastPrivilege()
                    .registryAndConsoleNodesAreNoKafkaAdmins(TOPIC, cluster.node("gw-1").fqdn(), List.of(cluster.node("sr-1").fqdn()))),
            dynamicTest("9 teams stay within their prefixes and quotas", () -> leastPrivilege().teamsStayWithinTheirPrefixesAndQuotas()),
            dynamicTest("10 the users file is reconciled", () -> leastPrivilege().theUsersFileIsReconciled()),
            dynamicTest("11 the CA is rotated by three rolls under acks=all: nothing lost, no handshake refused", this::theCaIsRotatedByThreeRollsUnderAcksAllNothingLostNoHandshakeRefused),
            dynamicTest("12 no credential in any log of any node", this::noCredentialInAnyLogOfAnyNode));
    }

    /** Least privilege's steps (ADR 019) on this cluster: b-1 is the broker node reloaded with a changed users file. */
    static LeastPrivilegeSteps leastPrivilege() {
        return new LeastPrivilegeSteps(cluster, tls, cluster.withRole("broker").stream().filter(n -> !n.name().equals("b-4")).toList(),
                Path.of("target/kraft-cluster-secrets").toAbsolutePath());
    }

    void comesUpWithAQuorumOfThreeControllersAndEveryBrokerRegistered() {
        long t0 = cluster.node("c-1").startedNanos();
        Timing.awaitValue("every node's agent ready", Duration.ofMinutes(5), Duration.ofMillis(250),
                () -> first().stream().allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
        scenario.time("1 all ready", t0);
        // the users' ACLs follow their credentials (already in the bootstrap metadata): kafka-access on every broker node
        for (LabNode b : first().stream().filter(n -> n.name().startsWith("b-")).toList()) {
            Timing.await(b.name() + "'s kafka-access gave both users both mechanisms and their ACLs", Duration.ofSeconds(90),
                    Duration.ofMillis(250), () -> b.logText().contains("kafka-access: 2 user(s) with SCRAM-SHA-512 and SCRAM-SHA-256 credentials"));
        }
        kafka = new Kafka(bootstrap(), tls.kafkaAdmin());
        assertEquals(BROKER_IDS, kafka.brokerIds(), "describeCluster: the brokers are registered and unfenced");
        QuorumInfo q = kafka.quorum();
        assertEquals(CONTROLLER_IDS, ids(q.voters()), "the voters are the controllers of the node list");
        assertTrue(CONTROLLER_IDS.contains(q.leaderId()), "a controller leads: " + q);
        assertTrue(ids(q.observers()).containsAll(BROKER_IDS), "the brokers follow the metadata log: " + q);
        for (LabNode c : cluster.withRole("controller")) {
            assertEquals(1, c.pidInNamespace(), c + " is PID 1 of its namespace");
            // each controller's agent shows the quorum: the leader, every voter, and each voter's lag
            JsonNode quorum = Timing.awaitValue(c.name() + " shows the quorum with 3 voters", Duration.ofSeconds(30), Duration.ofMillis(250),
                    () -> {
                        JsonNode j = c.status().path("quorum");
                        return j.path("voters").size() == 3 ? j : null;
                    }, () -> String.valueOf(c.status().path("quorum")));
            assertTrue(CONTROLLER_IDS.contains(quorum.path("leaderId").asInt()), c.name() + ": " + quorum);
            for (JsonNode v : quorum.path("voters")) {
                assertTrue(v.path("lag").asLong(-1) >= 0, c.name() + " knows every voter's lag: " + quorum);
            }
            // its storage was formatted once, with the initial controllers and the users' credentials, which the
            // format's printout does not show
            assertTrue(c.logText().contains("kraft-controller: prepare step format: done"), c.name() + " formatted its storage");
            assertTrue(c.logText().contains("format: with the SCRAM-SHA-512 and SCRAM-SHA-256 credentials of 2 user(s) in the bootstrap metadata"),
                    c.tail(40));
            assertTrue(c.logText().contains("it holds the users' SCRAM credentials)"), c.tail(40));
        }
        // the registry and the console as on production: HTTPS with the nodes' certificates, logins for what needs one
        assertEquals(200, cluster.node("sr-1").https(tls.clientContext(), "GET", 8081, "/apis/ccompat/v7/subjects", null, null, null)
                .statusCode(), "registry reads need no login");
        assertEquals(401, cluster.node("sr-1").https(tls.clientContext(), "POST", 8081, "/apis/ccompat/v7/subjects/anon-value/versions",
                null, null, "{\"schema\": \"{\\\"type\\\": \\\"string\\\"}\"}").statusCode(), "an anonymous registration is refused");
        assertEquals(401, cluster.node("gw-1").https(tls.clientContext(), "GET", 9021, "/api/overview", null, null, null).statusCode(),
                "the console's overview asks for a login");
        for (LabNode n : first()) {
            JsonNode st = n.status();
            assertEquals("tls", st.path("security").asText(), n.name());
            assertEquals("CN=" + n.fqdn(), st.path("certificates").path(0).path("subject").asText(), n.name());
        }
        // the console sees the three brokers and every agent READY
        Timing.await("the console shows 3 brokers and 8 nodes whose agents are READY", Duration.ofSeconds(90), Duration.ofMillis(500), () -> {
            try {
                var r = cluster.node("gw-1").https(tls.clientContext(), "GET", 9021, "/api/overview", LabTls.APP_USER, LabTls.APP_PASSWORD, null);
                if (r.statusCode() != 200) {
                    return false;
                }
                JsonNode o = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
                int ready = 0;
                for (JsonNode n : o.path("nodes")) {
                    if (n.path("up").asBoolean() && n.path("agent").path("ready").asBoolean()) {
                        ready++;
                    }
                }
                return o.path("kafka").path("brokers").size() == 3 && ready == 8;
            } catch (RuntimeException | java.io.IOException e) {
                return false;
            }
        });
    }
    void replicatedTopicReturnsEveryAcknowledgedRecord() {
        kafka.createTopic(TOPIC, 3, 3, 2);
        Timing.await("ISR 3 on every partition of " + TOPIC, Duration.ofSeconds(60), Duration.ofMillis(200), () -> kafka.minIsr(TOPIC) == 3);
        Kafka.Produced p = kafka.produce(TOPIC, "first", N);
        assertEquals(List.of(), p.errors(), "every send with acks=all to a healthy cluster is acknowledged");
        assertEquals(N, p.acked().size());
        acked.addAll(p.acked());
        Set<String> read = kafka.consumeAll(TOPIC, acked, Duration.ofSeconds(60));
        assertTrue(read.containsAll(acked), "read back " + read.size() + " of " + acked.size() + " acknowledged");
    }
    void brokerKilledWithSigkillIsRestartedByItsAgentAndLosesNothing() {
        LabNode b = cluster.node("b-2");
        long javaPid = b.serviceProcess("kafka.Kafka").orElseThrow(() -> new AssertionError("no kafka.Kafka under " + b));
        int restartsBefore = serviceOf(b, "kraft-broker").path("restarts").asInt();
        int logBefore = b.logText().length();
        long t0 = System.nanoTime();
        assertTrue(Procs.signal(javaPid, "KILL"), "kill -9 " + javaPid);
        assertTrue(b.running(), "the agent of " + b.name() + " survives its broker");
        Kafka.Produced during = kafka.produce(TOPIC, "during-broker-kill", 500);
        acked.addAll(during.acked());
        Timing.awaitValue("b-2's agent restarted its broker and it is READY (in sync) again", Duration.ofSeconds(150), Duration.ofMillis(250),
                () -> {
                    JsonNode s = serviceOf(b, "kraft-broker");
                    return s.path("restarts").asInt() > restartsBefore && "READY".equals(s.path("state").asText()) ? s : null;
                }, () -> String.valueOf(b.service("kraft-broker")));
        JsonNode ready = serviceOf(b, "kraft-broker");
        scenario.time("3 broker kill -9 -> READY", t0);
        // the restart at once races the old incarnation's registration, which the controller keeps until the
        // broker's session times out: the new broker is refused and asks again in-process, it does not exit
        // (ADR 004), so one kill is one restart and the agent has nothing to wait for
        String since = b.logText().substring(logBefore);
        long refused = since.lines().filter(l -> l.contains("DUPLICATE_BROKER_REGISTRATION")).count();
        System.out.printf("KRaftClusterIT: kill -9 of b-2's broker -> READY in %.1f s; its new process was refused %d time(s) "
                + "while the old incarnation's session lived%n", (System.nanoTime() - t0) / 1e9, refused);
        assertEquals(restartsBefore + 1, ready.path("restarts").asInt(), "one kill, one restart: " + ready);
        assertEquals(1, since.lines().filter(l -> l.contains("kraft-broker: ") && l.contains("-> BACKOFF")).count(),
                "one crash, the kill:\n" + since);
        assertTrue(b.logSinceStart().contains("kraft-broker: prepare step format: skipped"), "a restart never formats again");
        assertNotEquals(javaPid, b.serviceProcess("kafka.Kafka").orElseThrow(), "a new broker process");
        Timing.await("ISR back to 3 on every partition", Duration.ofSeconds(120), Duration.ofMillis(250), () -> kafka.minIsr(TOPIC) == 3);
        scenario.time("3 broker kill -9 -> ISR 3", t0);
        assertEquals(BROKER_IDS, kafka.brokerIds(), "broker 5 registered and unfenced again");
        assertEquals(List.of(), during.errors(), "acks=all with 2 of 3 in sync");
        assertEverythingAcknowledgedIsReadable();
    }
    void activeControllerKilledWithSigkillIsReplacedAndRestartedByItsAgent() {
        int leader = kafka.quorum().leaderId();
        LabNode c = cluster.node("c-" + leader);
        long javaPid = c.serviceProcess("kafka.Kafka").orElseThrow(() -> new AssertionError("no kafka.Kafka under " + c));
        int restartsBefore = serviceOf(c, "kraft-controller").path("restarts").asInt();
        int logBefore = c.logText().length();
        long t0 = System.nanoTime();
        try (Kafka.Background bg = new Kafka.Background(kafka, TOPIC, "during-controller-kill", Duration.ofMillis(10))) {
            assertTrue(Procs.signal(javaPid, "KILL"), "kill -9 of the active controller " + javaPid);
            int newLeader = Timing.awaitValue("a new controller leader elected", Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
                try {
                    QuorumInfo q = kafka.quorum();
                    return q.leaderId() >= 0 && q.leaderId() != leader ? q.leaderId() : null;
                } catch (RuntimeException e) {
                    return null;
                }
            }, () -> "leader was " + leader);
            scenario.time("4 controller kill -9 -> new leader", t0);
            assertTrue(CONTROLLER_IDS.contains(newLeader));
            Timing.awaitValue(c.name() + "'s agent restarted its controller and it follows the new leader", Duration.ofSeconds(150),
                    Duration.ofMillis(250), () -> {
                        JsonNode s = serviceOf(c, "kraft-controller");
                        return s.path("restarts").asInt() > restartsBefore && "READY".equals(s.path("state").asText()) ? s : null;
                    }, () -> String.valueOf(c.service("kraft-controller")));
            scenario.time("4 controller kill -9 -> READY", t0);
            System.out.printf("KRaftClusterIT: kill -9 of the active controller (c-%d) -> READY in %.1f s%n", leader,
                    (System.nanoTime() - t0) / 1e9);
            assertEquals(restartsBefore + 1, serviceOf(c, "kraft-controller").path("restarts").asInt(), "one kill, one restart");
            assertEquals(1, c.logText().substring(logBefore).lines()
                    .filter(l -> l.contains("kraft-controller: ") && l.contains("-> BACKOFF")).count(), "one crash, the kill");
            int before = bg.ackedCount();
            Timing.await("records acknowledged after the controller is back", Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> bg.ackedCount() > before + 50);
            Kafka.Produced p = bg.finish();
            assertEquals(List.of(), p.errors(), "no send failed while the active controller was replaced");
            acked.addAll(p.acked());
        }
        QuorumInfo q = kafka.quorum();
        assertEquals(CONTROLLER_IDS, ids(q.voters()), "the same three voters");
        assertEquals(BROKER_IDS, kafka.brokerIds(), "every broker still registered");
        JsonNode shown = c.status().path("quorum");
        assertNotNull(shown);
        assertFalse(shown.isMissingNode() || shown.isNull(), c.name() + " shows the quorum again");
        assertEverythingAcknowledgedIsReadable();
    }

    /** The clients' listener of the brokers started with the cluster (not b-4's, which never serves). */
    static String bootstrap() {
        return cluster.withRole("broker").stream().filter(n -> !n.name().equals("b-4")).map(n -> n.fqdn() + ":9092")
                .collect(java.util.stream.Collectors.joining(","));
    }

    /** The nodes started with the cluster (b-4 joins later). */
    static List<LabNode> first() {
        return cluster.nodes().stream().filter(n -> !n.name().equals("b-4")).toList();
    }

    /** kcat (librdkafka, Debian's package) in the gateway's network namespace: a client of the cluster that nobody here wrote. */
    static Cmd.Result kcat(String... args) {
        List<String> argv = new ArrayList<>(List.of("kcat", "-b", bootstrap(), "-m", "15"));
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(60), cluster.net().exec("gw-1", argv.toArray(String[]::new)));
    }

    static List<String> sasl(String mechanism, String password, Path ca) {
        return List.of("-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=" + mechanism, "-X", "sasl.username=" + LabTls.APP_USER,
                "-X", "sasl.password=" + password, "-X", "ssl.ca.location=" + ca);
    }

    static String[] args(List<String> a, String... more) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** The Java client's settings of the app user with {@code mechanism} and {@code password}. */
    static Map<String, String> app(String mechanism, String password) {
        Map<String, String> p = new java.util.LinkedHashMap<>(tls.kafkaClient(LabTls.APP_USER, password));
        p.put("sasl.mechanism", mechanism);
        return p;
    }

    /**
     * librdkafka before 2.6.1 sends a SCRAM client-final-message whose nonce Kafka 4 refuses (librdkafka#4895; Kafka 4
     * compares the nonce strictly, as RFC 5802 asks): every SCRAM login of such a kcat fails against Kafka 4 with
     * "invalid credentials", whatever the password. Debian 12's kcat links librdkafka 2.0.2.
     */
    static boolean kcatLogsInToKafka4() {
        var m = java.util.regex.Pattern.compile("librdkafka (\\d+)\\.(\\d+)\\.(\\d+)").matcher(Cmd.run(Duration.ofSeconds(10), "kcat", "-V").out());
        if (!m.find()) {
            return false;
        }
        int v = Integer.parseInt(m.group(1)) * 10000 + Integer.parseInt(m.group(2)) * 100 + Integer.parseInt(m.group(3));
        return v >= 20601;
    }

    /**
     * Outside clients: over SASL_SSL with either SCRAM mechanism a user produces and consumes (the Java client; kcat too
     * where its librdkafka can log in to Kafka 4); a wrong password, a plaintext client and a client trusting another CA
     * are refused, each beside the same client on the same path getting further; on the controllers' listener (9093) a
     * client without a certificate, or with another CA's, is refused at the handshake, while one with the cluster CA's
     * passes it and is denied by the authorizer. Each refusal is named, none is a timeout.
     */
    void onlyTheRightClientsGetIn() throws Exception {
        Path dir = Path.of("target/kraft-cluster-secrets").toAbsolutePath();
        for (String mechanism : List.of("SCRAM-SHA-256", "SCRAM-SHA-512")) {
            String topic = "scram-" + mechanism.toLowerCase(java.util.Locale.ROOT);
            try (Kafka k = new Kafka(bootstrap(), app(mechanism, LabTls.APP_PASSWORD))) {
                Kafka.Produced p = k.produce(topic, mechanism, 20);
                assertEquals(List.of(), p.errors(), mechanism + " produce");
                assertEquals(20, p.acked().size());
                assertTrue(k.consumeAll(topic, p.acked(), Duration.ofSeconds(60)).containsAll(p.acked()), mechanism + " consume");
            }
            try (Kafka k = new Kafka(bootstrap(), app(mechanism, "not-the-password"))) {
                IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, k::brokerIds);
                assertTrue(String.valueOf(e).contains("SaslAuthenticationException") && String.valueOf(e).contains(mechanism),
                        "a wrong password, " + mechanism + ": " + e);
            }
        }
        // a mechanism the listener does not offer, with the right password: refused by name at the handshake, beside
        // the SCRAM logins above on the same listener
        Map<String, String> plainLogin = app("PLAIN", LabTls.APP_PASSWORD);
        plainLogin.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + LabTls.APP_USER + "\" password=\"" + LabTls.APP_PASSWORD + "\";");
        try (Kafka k = new Kafka(bootstrap(), plainLogin)) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, k::brokerIds);
            assertTrue(String.valueOf(e).contains("UnsupportedSaslMechanismException") && String.valueOf(e).contains("PLAIN"),
                    "SASL PLAIN: " + e);
        }

        Need.tool("kcat", "kcat");
        boolean logsIn = kcatLogsInToKafka4();
        if (logsIn) {
            for (String mechanism : List.of("SCRAM-SHA-256", "SCRAM-SHA-512")) {
                String topic = "kcat-" + mechanism.toLowerCase(java.util.Locale.ROOT);
                Path lines = dir.resolve(topic + "-lines");
                Files.writeString(lines, mechanism + "-1\n" + mechanism + "-2\n" + mechanism + "-3\n");
                Cmd.Result produced = kcat(args(sasl(mechanism, LabTls.APP_PASSWORD, tls.caCert()), "-P", "-t", topic, "-l", lines.toString()));
                assertEquals(0, produced.exit(), mechanism + " produce: " + produced.out());
                Cmd.Result consumed = kcat(args(sasl(mechanism, LabTls.APP_PASSWORD, tls.caCert()), "-C", "-t", topic, "-o", "beginning", "-e", "-q"));
                assertEquals(0, consumed.exit(), mechanism + " consume: " + consumed.out());
                assertEquals(List.of(mechanism + "-1", mechanism + "-2", mechanism + "-3"),
                        consumed.out().lines().filter(l -> l.startsWith(mechanism + "-")).sorted().toList(), consumed.out());
            }
        } else {
            System.out.println("KRaftClusterIT: kcat's librdkafka (< 2.6.1) cannot log in to Kafka 4 (librdkafka#4895): its SCRAM logins "
                    + "are not asked to succeed; the Java client's are");
        }
        // the same kcat, the same brokers, the cluster's CA: past the TLS handshake, to the login
        Cmd.Result listed = kcat(args(sasl("SCRAM-SHA-256", LabTls.APP_PASSWORD, tls.caCert()), "-L"));
        if (logsIn) {
            assertEquals(0, listed.exit(), "the path the refusals take works: " + listed.out());
        } else {
            assertTrue(listed.out().contains("SASL authentication error") && !listed.out().contains("certificate verify failed")
                    && !listed.out().contains("security.protocol"), "kcat with the cluster's CA gets past TLS to the login: " + listed.out());
        }
        Cmd.Result plain = kcat("-L");
        System.out.println("KRaftClusterIT: kcat plaintext -> " + plain.out().lines().findFirst().orElse(""));
        assertNotEquals(0, plain.exit(), "a plaintext client lists nothing: " + plain.out());
        assertTrue(plain.out().contains("security.protocol"), "refused as plaintext at a TLS listener: " + plain.out());
        if (logsIn) {
            Cmd.Result wrong = kcat(args(sasl("SCRAM-SHA-512", "not-the-password", tls.caCert()), "-L"));
            assertNotEquals(0, wrong.exit(), wrong.out());
            assertTrue(wrong.out().contains("Authentication failed"), wrong.out());
        }
        ClusterCa otherCa = ClusterCa.create("another CA", Instant.now(), 1);
        Path otherCaCert = dir.resolve("other-ca.crt");
        Files.writeString(otherCaCert, Pem.certificate(otherCa.certificate()));
        Cmd.Result foreign = kcat(args(sasl("SCRAM-SHA-512", LabTls.APP_PASSWORD, otherCaCert), "-L"));
        System.out.println("KRaftClusterIT: kcat trusting another CA -> " + foreign.out().lines().findFirst().orElse(""));
        assertNotEquals(0, foreign.exit(), foreign.out());
        assertTrue(foreign.out().contains("certificate verify failed"), "the brokers' certificates are not another CA's: " + foreign.out());

        // the controllers' listener: mutual TLS, a certificate of the cluster's CA or no handshake. The same name (a broker's: a
        // super user, as the agents' probes on the nodes that ask the controllers are; a controller answers DescribeCluster
        // only to ALTER on the cluster, which the console's node no longer has: ADR 019) from the cluster's CA gets the
        // quorum described; from another CA, or no certificate at all, the handshake fails
        String controllers = cluster.withRole("controller").stream().map(n -> n.fqdn() + ":9093").collect(java.util.stream.Collectors.joining(","));
        String name = cluster.node("b-1").fqdn();
        NodeTls stranger = NodeTls.issue(otherCa, name, null, List.of(name), Instant.now(), Duration.ofDays(1));
        Path strangerPem = dir.resolve("stranger.pem");
        Files.writeString(strangerPem, stranger.keyAndChainPem());
        NodeTls member = NodeTls.issue(tls.ca(), name, null, List.of(name), Instant.now(), Duration.ofDays(1));
        Path memberPem = dir.resolve("member.pem");
        Files.writeString(memberPem, member.keyAndChainPem());
        List<String> wrong = new ArrayList<>();
        for (Path keyStore : java.util.Arrays.asList(null, strangerPem)) {
            Throwable refused = askControllers(controllers, keyStore);
            if (!(refused instanceof org.apache.kafka.common.errors.SslAuthenticationException)) {
                wrong.add((keyStore == null ? "no client certificate: " : "another CA's certificate: ") + refused);
            }
        }
        Throwable passed = askControllers(controllers, memberPem);
        if (passed != null) {
            wrong.add("the cluster CA's certificate of the same name: " + passed);
        }
        assertEquals(List.of(), wrong, "9093: refused at the handshake without the cluster CA's certificate, answered with it");
    }

    /** DescribeQuorum straight to the controllers, as {@code keyStore} (null: no certificate); what it failed with, or null. */
    static Throwable askControllers(String controllers, Path keyStore) {
        Map<String, Object> p = new java.util.HashMap<>(Map.of("bootstrap.controllers", controllers, "security.protocol", "SSL",
                "ssl.truststore.type", "PEM", "ssl.truststore.location", tls.caCert().toString(), "request.timeout.ms", "15000",
                "default.api.timeout.ms", "30000"));
        if (keyStore != null) {
            p.putAll(Map.of("ssl.keystore.type", "PEM", "ssl.keystore.location", keyStore.toString()));
        }
        try (Admin admin = Admin.create(p)) {
            admin.describeMetadataQuorum().quorumInfo().get(40, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    /**
     * A broker told plaintext, in a cluster whose controllers are secured: it never joins. Its agent waits for the
     * controllers, which its plaintext probes cannot reach, and the controllers name each refused handshake.
     */
    void aPlaintextBrokerIsRefusedByTheSecuredQuorum() {
        LabNode b4 = cluster.node("b-4");
        int[] before = cluster.withRole("controller").stream().mapToInt(c -> c.logText().length()).toArray();
        b4.start();
        Timing.await("the controllers refuse b-4's plaintext connections, named as a failed SSL handshake", Duration.ofSeconds(90),
                Duration.ofMillis(500), () -> {
                    List<LabNode> cs = cluster.withRole("controller");
                    for (int i = 0; i < cs.size(); i++) {
                        if (cs.get(i).logText().substring(before[i]).contains("SSL handshake failed")) {
                            return true;
                        }
                    }
                    return false;
                });
        JsonNode broker = b4.service("kraft-broker");
        assertNotNull(broker, b4.tail(20));
        assertEquals("PENDING", broker.path("state").asText(), "b-4's broker waits for controllers it cannot reach: " + broker);
        assertFalse(LabCluster.ready(b4));
        assertEquals(BROKER_IDS, kafka.brokerIds(), "no broker joined in plaintext");
        System.out.println("KRaftClusterIT: a plaintext broker against the secured quorum: " + broker.path("reason").asText(broker.toString()));
        b4.stop(Duration.ofSeconds(20));
    }

    /**
     * b-3 runs on a certificate given as files, with no CA key in its env, its files or its rendered config: its
     * issuer (the test, as cert-manager) renews the files while it runs, and the node takes them (a KRaft broker by a
     * restart through its stop gate, ADR 014) while an acks=all producer loses nothing.
     */
    void aBrokerGivenItsCertificateAsFilesHoldsNoCaKeyAndTakesRenewedFiles() throws Exception {
        LabNode b3 = cluster.node("b-3");
        assertFalse(b3.env().containsKey("AGENT_CA_KEY_FILE"), "no CA key given to b-3");
        String caKeyBody = Pem.privateKey(tls.ca().key()).lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        try (var files = Files.walk(b3.dir())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1).contains(caKeyBody), f + " holds the CA key");
            }
        }
        String before = b3.status().path("certificates").path(0).path("serial").asText();
        long pidBefore = serviceOf(b3, "kraft-broker").path("pid").asLong();
        long t0 = System.nanoTime();
        try (Kafka.Background bg = new Kafka.Background(kafka, TOPIC, "during-given-renewal", Duration.ofMillis(10))) {
            NodeTls renewed = tls.giveCertificate("b-3", b3.fqdn(), tls.ca());
            String serial = renewed.certificate().getSerialNumber().toString(16);
            assertNotEquals(before, serial);
            Timing.awaitValue("b-3 presents the renewed certificate its files hold", Duration.ofMinutes(3), Duration.ofMillis(250),
                    () -> serial.equals(b3.status().path("certificates").path(0).path("serial").asText()) ? Boolean.TRUE : null,
                    () -> String.valueOf(b3.status().path("certificates")));
            Timing.await("b-3's broker READY again", Duration.ofMinutes(3), Duration.ofMillis(250),
                    () -> "READY".equals(serviceOf(b3, "kraft-broker").path("state").asText()));
            scenario.time("7 given files renewed -> in use", t0);
            assertTrue(b3.logText().contains("hold a new certificate: taking it"), b3.tail(30));
            int before2 = bg.ackedCount();
            Timing.await("records acknowledged after b-3 took its renewed files", Duration.ofSeconds(60), Duration.ofMillis(100),
                    () -> bg.ackedCount() > before2 + 50);
            Kafka.Produced p = bg.finish();
            assertEquals(List.of(), p.errors(), "no send failed while b-3 took its renewed certificate");
            acked.addAll(p.acked());
        }
        System.out.printf("KRaftClusterIT: b-3 took its renewed certificate files in %.1f s (broker process %d -> %d: KRaft restarts)%n",
                (System.nanoTime() - t0) / 1e9, pidBefore, serviceOf(b3, "kraft-broker").path("pid").asLong());
        Timing.await("ISR 3 on every partition of " + TOPIC, Duration.ofSeconds(120), Duration.ofMillis(250), () -> kafka.minIsr(TOPIC) == 3);
        assertEverythingAcknowledgedIsReadable();
    }

    /** What a TLS peer logs when it refuses the other's certificate (the JDK's, Kafka's, OpenSSL's words). */
    static final List<String> REFUSED_CERTIFICATE = List.of("PKIX path", "unable to find valid certification path", "unknown_ca",
            "certificate_unknown", "bad_certificate", "No trusted certificate", "certificate verify failed");

    /**
     * The three rolls of docs/security.md, every node each time (each role one node at a time, the roles side by side,
     * as StatefulSets roll), under the
     * workload of RollingIT (an acks=all producer that retries, one that does not, a consumer group): trust the new
     * CA beside the old, issue from the new (b-3: its files from the new CA, taken while it runs), drop the old.
     * Nothing acknowledged is lost, no send fails, no node logs a refused certificate; afterwards the old CA's
     * certificates are refused where the new CA's get in, and every node shows the new CA's end.
     */
    void theCaIsRotatedByThreeRollsUnderAcksAllNothingLostNoHandshakeRefused() throws Exception {
        ClusterCa oldCa = tls.ca();
        ClusterCa newCa = ClusterCa.create("dockhand lab CA 2", Instant.now(), 60);
        // step 1's file, which clients get too before any node presents a certificate of the new CA
        tls.replace("ca.crt", Pem.certificate(oldCa.certificate()) + Pem.certificate(newCa.certificate()));
        kafka.close();
        kafka = new Kafka(bootstrap(), tls.kafkaAdmin());
        kafka.createTopic("rotation", 3, 3, 2);
        Timing.await("ISR 3 on every partition of rotation", Duration.ofSeconds(60), Duration.ofMillis(200), () -> kafka.minIsr("rotation") == 3);
        Map<String, Integer> logFrom = new TreeMap<>();
        first().forEach(n -> logFrom.put(n.name(), n.logText().length()));
        List<LabNode> order = new ArrayList<>(cluster.withRole("controller"));
        order.addAll(cluster.withRole("broker").stream().filter(n -> !n.name().equals("b-4")).toList());
        order.add(cluster.node("sr-1"));
        order.add(cluster.node("gw-1"));
        long t0 = System.nanoTime();
        try (dev.dockhand.it.lab.Workload w = new dev.dockhand.it.lab.Workload(kafka, "rotation", Duration.ofMillis(10))) {
            roll("8.1 trust both CAs", order, Map.of(), w);
            Path newKey = tls.replace("ca-new.key", Pem.privateKey(newCa.key()));
            // b-3 first, by itself (its issuer renews its files), and back before the others roll: one node down at a time
            LabNode b3 = cluster.node("b-3");
            // a restart through the stop gate is no crash: the broker's process changes, its restart count does not
            long b3Pid = serviceOf(b3, "kraft-broker").path("pid").asLong();
            String b3Serial = tls.giveCertificate("b-3", b3.fqdn(), newCa).certificate().getSerialNumber().toString(16);
            Timing.await("b-3 took its certificate of the new CA from its files and its broker is back", Duration.ofMinutes(3),
                    Duration.ofMillis(250), () -> b3Serial.equals(b3.status().path("certificates").path(0).path("serial").asText())
                            && serviceOf(b3, "kraft-broker").path("pid").asLong() > 0
                            && serviceOf(b3, "kraft-broker").path("pid").asLong() != b3Pid && Roll.readyz(b3));
            roll("8.2 issue from the new CA", order.stream().filter(n -> !n.name().equals("b-3")).toList(),
                    Map.of("AGENT_CA_KEY_FILE", newKey.toString()), w);
            Path newOnly = tls.replace("ca-new.crt", Pem.certificate(newCa.certificate()));
            roll("8.3 drop the old CA", order, Map.of("AGENT_CA_CERT_FILE", newOnly.toString()), w);
            scenario.time("8 CA rotated (3 rolls)", t0);
            dev.dockhand.it.lab.Workload.Report r = w.finish(Duration.ofMinutes(2));
            System.out.println("KRaftClusterIT: CA rotation: " + r.acked().size() + " records acknowledged, " + r.consumed().size()
                    + " consumed, canary errors " + new TreeMap<>(r.canaryErrors()));
            assertEquals(List.of(), r.notEnoughReplicas(), "NotEnoughReplicas answered to the producer that does not retry");
            assertEquals(List.of(), r.durableErrors().size() > 20 ? List.of(r.durableErrors().size() + " errors, e.g. "
                    + r.durableErrors().subList(0, 5)) : r.durableErrors(), "errors of the producer with acks=all");
            Set<String> lost = r.lost();
            assertEquals(Set.of(), lost.size() > 20 ? Set.of(lost.size() + " values") : lost, "acknowledged but never consumed");
            assertTrue(r.acked().size() > 1000, "the producers kept producing: " + r.acked().size());
        }
        Map<String, List<String>> refused = new TreeMap<>();
        for (LabNode n : first()) {
            List<String> lines = n.logText().substring(logFrom.get(n.name())).lines()
                    .filter(l -> REFUSED_CERTIFICATE.stream().anyMatch(l::contains)).limit(3).toList();
            if (!lines.isEmpty()) {
                refused.put(n.name(), lines);
            }
        }
        assertEquals(Map.of(), refused, "certificates refused in a handshake during the rotation");
        // after the last roll: the old CA's certificate is refused at the controllers, the new CA's answered (a
        // controller's name: a super user whatever the other nodes are)
        String controllers = cluster.withRole("controller").stream().map(n -> n.fqdn() + ":9093").collect(java.util.stream.Collectors.joining(","));
        String name = cluster.node("c-1").fqdn();
        Path dir = Path.of("target/kraft-cluster-secrets").toAbsolutePath();
        Path oldPem = Files.writeString(dir.resolve("old-member.pem"),
                NodeTls.issue(oldCa, name, null, List.of(name), Instant.now(), Duration.ofDays(1)).keyAndChainPem());
        Path newPem = Files.writeString(dir.resolve("new-member.pem"),
                NodeTls.issue(newCa, name, null, List.of(name), Instant.now(), Duration.ofDays(1)).keyAndChainPem());
        Throwable withNew = askControllers(controllers, newPem);
        assertEquals(null, withNew, "a certificate of the new CA gets the quorum described");
        Throwable withOld = askControllers(controllers, oldPem);
        assertTrue(withOld instanceof org.apache.kafka.common.errors.SslAuthenticationException, "the old CA's is refused: " + withOld);
        for (LabNode n : first()) {
            JsonNode cas = n.status().path("certificates");
            List<String> trusted = new ArrayList<>();
            cas.forEach(c -> {
                if ("ca".equals(c.path("use").asText())) {
                    trusted.add(c.path("subject").asText());
                }
            });
            assertEquals(List.of(newCa.certificate().getSubjectX500Principal().getName()), trusted, n.name() + " trusts the new CA only");
        }
        String metrics = cluster.node("b-1").http(9800, "/metrics").body();
        assertTrue(metrics.contains("dockhand_ca_expiry_seconds{subject=\"" + newCa.certificate().getSubjectX500Principal().getName()),
                metrics);
        assertEverythingAcknowledgedIsReadable();
    }

    /** Rolls {@code nodes} in order, each once the previous is ready again, each with {@code env} changed. */
    /**
     * Restarts {@code nodes} as an orchestrator with one StatefulSet per role rolls them: each role's nodes one at a
     * time, each after the previous is ready again, the roles side by side (the stop gates keep each role's quorum
     * and replicas); then waits for the producer to be acknowledged again.
     */
    static void roll(String what, List<LabNode> nodes, Map<String, String> env, dev.dockhand.it.lab.Workload w) throws Exception {
        long t0 = System.nanoTime();
        Map<String, List<LabNode>> lanes = new java.util.LinkedHashMap<>();
        nodes.forEach(n -> lanes.computeIfAbsent(n.env().get("AGENT_ROLE"), r -> new ArrayList<>()).add(n));
        List<String> each = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(lanes.size());
        try {
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            for (List<LabNode> lane : lanes.values()) {
                running.add(pool.submit(() -> {
                    for (LabNode n : lane) {
                        each.add(n.name() + " " + Roll.restart(n, env, Roll.Pace.READY).toSeconds() + " s");
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : running) {
                try {
                    f.get(30, java.util.concurrent.TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Error err ? err : new AssertionError(what, e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        scenario.time(what, t0);
        System.out.println("KRaftClusterIT: " + what + " (roles side by side): " + String.join(", ", each));
        int acks = w.ackedCount();
        Timing.await("acknowledgements after " + what, Duration.ofSeconds(60), Duration.ofMillis(100), () -> w.ackedCount() > acks + 20);
    }

    /** Neither a user's password nor the SCRAM records Kafka's format prints reach any log of any node. */
    void noCredentialInAnyLogOfAnyNode() {
        for (LabNode n : cluster.nodes()) {
            String log = n.logText();
            // Kafka names the records it replays ("Replayed UserScramCredentialRecord creating new entry for app"), never their keys
            for (String secret : List.of(LabTls.APP_PASSWORD, LabTls.ADMIN_PASSWORD, "storedKey=", "serverKey=", "salt=[")) {
                assertFalse(log.contains(secret), n.name() + "'s log holds " + (secret.contains("Secret") ? "a password" : secret));
            }
        }
    }

    static void assertEverythingAcknowledgedIsReadable() {
        Set<String> read = kafka.consumeAll(TOPIC, acked, Duration.ofSeconds(90));
        Set<String> lost = new HashSet<>(acked);
        lost.removeAll(read);
        assertEquals(Set.of(), lost.size() > 20 ? Set.of(lost.size() + " values") : lost, "acknowledged but not read back");
    }
}
