package dev.dockhand.it.cluster;

import dev.dockhand.it.lab.ClusterScenario;
import dev.dockhand.it.lab.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dockhand.it.lab.Await;
import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.LabTls;
import dev.dockhand.it.lab.Timing;
import dev.dockhand.it.lab.ZooKeeperWords;
import dev.dockhand.it.soak.Soak;
import dev.dockhand.it.soak.SoakReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production cluster config on this machine, without Docker: three ZooKeeper nodes, three brokers, the
 * registry and the console, each node an agent as PID 1 of its own PID and network namespace, configured by
 * env as an orchestrator would: secured, as the config is by default, with a CA and a users file as the
 * only secrets, and certificates of a few minutes so that they are renewed while the scenarios run. The
 * scenarios share one cluster and run in order; each leaves it whole.
 *
 * <p>Run: {@code mvn -B -o -pl it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ProductionClusterIT} (root; {@code -Dtiming.multiple=2} on a slow machine).
 */
class ProductionClusterIT {
    static final String TOPIC = "durable";
    static final int N = 2000;
    static final Set<Integer> BROKER_IDS = Set.of(4, 5, 6); // node order: zk-1..3 are 1..3, b-1..3 are 4..6
    /** A broker's log lines in its agent's output. */
    static final String BROKER_PREFIX = "kafka-broker | ";
    /** A non-empty "(unclean log dirs = ArrayBuffer(/data/...))": the broker recovered after an unclean stop. */
    static final Pattern UNCLEAN_DIRS = Pattern.compile("unclean log dirs = \\w*\\([^)\\s]");

    /** The nodes' certificates live this long: renewed at two thirds of it, several times during the scenarios. */
    static final String CERT_LIFETIME = "5m";

    static LabTls tls;
    static LabCluster cluster;
    static Kafka kafka;
    /** Every value the cluster acknowledged so far; all of them must be readable at every step. */
    static final Set<String> acked = new HashSet<>();
    @RegisterExtension
    static final ClusterScenario scenario = new ClusterScenario("ProductionClusterIT", () -> cluster).closing(() -> kafka);

    @BeforeAll
    static void up() {
        scenario.needNamespaces("production cluster");
        tls = new LabTls(Path.of("target/cluster-secrets").toAbsolutePath(), CERT_LIFETIME);
        // every node told the outside address pattern, the brokers two racks (OutsideSteps)
        cluster = new LabCluster(OutsideSteps.declared(LabCluster.production()), "production", Path.of("target/cluster").toAbsolutePath(), tls);
        cluster.startAll();
    }

    static Map<String, Long> zkModes() {
        return cluster.withRole("zookeeper").stream()
                .map(n -> ZooKeeperWords.mode(n.fqdn(), 2181, tls.clientContext()).orElse("(none)"))
                .collect(Collectors.groupingBy(m -> m, TreeMap::new, Collectors.counting()));
    }

    static boolean quorum(Map<String, Long> modes, int followers) {
        return modes.getOrDefault("leader", 0L) == 1 && modes.getOrDefault("follower", 0L) == followers;
    }

    static JsonNode brokerStatus(LabNode n) {
        JsonNode s = n.service("kafka-broker");
        if (s == null) {
            throw new IllegalStateException(n.name() + " lists no kafka-broker");
        }
        return s;
    }

    /** The console's JSON overview (HTTPS, a user's login), or null while it does not answer (it may take its request timeout). */
    static JsonNode consoleOverview() {
        try {
            var r = cluster.node("gw-1").https(tls.clientContext(), "GET", 9021, "/api/overview", LabTls.APP_USER, LabTls.APP_PASSWORD, null);
            return r.statusCode() == 200 ? new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()) : null;
        } catch (RuntimeException | java.io.IOException e) {
            return null;
        }
    }

    /**
     * The scenarios, in this order, on the one cluster this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
                dynamicTest("1 comes up with every broker registered and zoo keeper in quorum", this::comesUpWithEveryBrokerRegisteredAndZooKeeperInQuorum),
                dynamicTest("2 replicated topic returns every acknowledged record", this::replicatedTopicReturnsEveryAcknowledgedRecord),
                dynamicTest("3 only the right clients get in", this::onlyTheRightClientsGetIn),
                dynamicTest("4 certificates are renewed while a producer with acks all runs and nothing is lost", this::certificatesAreRenewedWhileAProducerWithAcksAllRunsAndNothingIsLost),
                dynamicTest("5 broker killed with sigkill is restarted by its agent and loses nothing", this::brokerKilledWithSigkillIsRestartedByItsAgentAndLosesNothing),
                dynamicTest("6 sigterm stops the broker cleanly and it restarts without recovery", this::sigtermStopsTheBrokerCleanlyAndItRestartsWithoutRecovery),
                dynamicTest("7 zookeeper node restart keeps quorum and the brokers working", this::zookeeperNodeRestartKeepsQuorumAndTheBrokersWorking),
                dynamicTest("8 a short soak loses nothing and every service is READY again after each fault", this::shortSoak),
                dynamicTest("9 a user named like a node is no super user and a hostile users file changes nothing",
                        this::aUserNamedLikeANodeIsNoSuperUserAndAHostileUsersFileChangesNothing),
                dynamicTest("10 rack: a two rack cluster places replicas across racks",
                        () -> OutsideSteps.aTwoRackClusterPlacesReplicasAcrossRacks(cluster, kafka)),
                dynamicTest("11 outside: a client outside the network produces and consumes through the outside addresses",
                        () -> OutsideSteps.aClientOutsideTheNetworkProducesAndConsumesThroughTheOutsideAddresses(cluster, tls)),
                dynamicTest("12 the registry's, the console's and zookeeper's nodes are no kafka admins", () -> new LeastPrivilegeSteps(cluster, tls,
                        cluster.withRole("broker"), Path.of("target/production-least-privilege").toAbsolutePath())
                        .registryAndConsoleNodesAreNoKafkaAdmins(TOPIC, cluster.node("gw-1").fqdn(),
                                List.of(cluster.node("sr-1").fqdn(), cluster.node("zk-1").fqdn()))),
                dynamicTest("13 no credential in any log of any node", this::noCredentialInAnyLogOfAnyNode));
    }

    void comesUpWithEveryBrokerRegisteredAndZooKeeperInQuorum() {
        long t0 = cluster.node("zk-1").startedNanos();
        Timing.awaitValue("every node's agent ready", Duration.ofMinutes(5), Duration.ofMillis(250),
                () -> cluster.nodes().stream().allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
        scenario.time("1 all ready", t0);
        kafka = new Kafka(cluster.bootstrap(), tls.kafkaAdmin()); // now: a client made earlier only logs refused connections
        assertEquals(BROKER_IDS, kafka.brokerIds(), "describeCluster");
        Map<String, Long> modes = zkModes();
        assertTrue(quorum(modes, 2), "srvr Mode over the 3 ZooKeeper nodes: " + modes);
        // the other two roles answer on their own ports, over HTTPS with the nodes' certificates
        assertEquals(200, cluster.node("sr-1").https(tls.clientContext(), "GET", 8081, "/apis/ccompat/v7/subjects", null, null, null)
                .statusCode(), "registry ccompat API: reads need no login");
        assertEquals(200, cluster.node("gw-1").https(tls.clientContext(), "GET", 9021, "/livez", null, null, null).statusCode(),
                "console /livez needs no login");
        assertEquals(401, cluster.node("gw-1").https(tls.clientContext(), "GET", 9021, "/api/overview", null, null, null).statusCode(),
                "the console's overview asks for a login");
        for (LabNode n : cluster.nodes()) {
            JsonNode st = n.status();
            assertEquals("tls", st.path("security").asText(), n.name());
            assertEquals("CN=" + n.fqdn(), st.path("certificates").path(0).path("subject").asText(), n.name());
        }
        // the console (gateway role) sees the whole cluster from the real agents, brokers and ensemble
        Timing.await("the console shows 3 brokers, the ensemble in quorum and 8 nodes whose agents are READY",
                Duration.ofSeconds(90), Duration.ofMillis(500), () -> {
                    JsonNode o = consoleOverview();
                    if (o == null || o.path("kafka").path("brokers").size() != 3) {
                        return false;
                    }
                    List<String> seen = new ArrayList<>();
                    o.path("zookeeper").path("members").forEach(m -> seen.add(m.path("mode").asText()));
                    boolean quorum = seen.stream().filter("leader"::equals).count() == 1
                            && seen.stream().filter("follower"::equals).count() == 2;
                    int ready = 0;
                    for (JsonNode n : o.path("nodes")) {
                        if (n.path("up").asBoolean() && n.path("agent").path("ready").asBoolean()) {
                            ready++;
                        }
                    }
                    return quorum && ready == 8;
                });
        for (LabNode n : cluster.nodes()) {
            assertEquals(1, n.pidInNamespace(), n + " is PID 1 of its namespace");
        }
        // the services' own metrics (JMX exporter): ZooKeeper's name its role in the ensemble, one
        // broker is the controller
        Map<String, Long> roles = new TreeMap<>();
        for (LabNode zk : cluster.withRole("zookeeper")) {
            String m = zk.http(9405, "/metrics").body();
            assertTrue(m.contains("\nzookeeper_quorumsize 3.0\n"), zk.name() + ":\n" + m);
            var role = Pattern.compile("\nzookeeper_avgrequestlatency\\{server_state=\"(\\w+)\"}").matcher(m);
            assertTrue(role.find(), zk.name() + " serves no zookeeper_avgrequestlatency");
            roles.merge(role.group(1), 1L, Long::sum);
        }
        assertEquals(Map.of("Follower", 2L, "Leader", 1L), roles, "server_state over the ensemble");
        double controllers = 0;
        for (LabNode b : cluster.withRole("broker")) {
            var c = Pattern.compile("\nkafka_controller_kafkacontroller_activecontrollercount ([0-9.]+)\n")
                    .matcher(b.http(9404, "/metrics").body());
            assertTrue(c.find(), b.name() + " serves no kafka_controller_kafkacontroller_activecontrollercount");
            controllers += Double.parseDouble(c.group(1));
        }
        assertEquals(1.0, controllers, "one active controller over the brokers");
    }
    void replicatedTopicReturnsEveryAcknowledgedRecord() {
        long t0 = System.nanoTime();
        kafka.createTopic(TOPIC, 3, 3, 2);
        Timing.await("ISR 3 on every partition of " + TOPIC, Duration.ofSeconds(60), Duration.ofMillis(200), () -> kafka.minIsr(TOPIC) == 3);
        Kafka.Produced p = kafka.produce(TOPIC, "first", N);
        assertEquals(List.of(), p.errors(), "every send with acks=all to a healthy cluster is acknowledged");
        assertEquals(N, p.acked().size());
        acked.addAll(p.acked());
        Set<String> read = kafka.consumeAll(TOPIC, acked, Duration.ofSeconds(60));
        assertTrue(read.containsAll(acked), "read back " + read.size() + " of " + acked.size() + " acknowledged");
        scenario.time("2 produce+consume " + N, t0);
    }

    /** kcat (librdkafka, Debian's package) in the gateway's network namespace: a client of the cluster that nobody here wrote. */
    static Cmd.Result kcat(Duration timeout, String... args) {
        List<String> argv = new ArrayList<>(List.of("kcat", "-b", cluster.bootstrap(), "-m", "15"));
        argv.addAll(List.of(args));
        return Cmd.run(timeout, cluster.net().exec("gw-1", argv.toArray(String[]::new)));
    }

    static String[] sasl(String user, String password) {
        return new String[] {"-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=" + user,
            "-X", "sasl.password=" + password, "-X", "ssl.ca.location=" + tls.caCert()};
    }

    /** A client context that presents no certificate and trusts {@code trusted}. */
    static javax.net.ssl.SSLContext noClientCertificate(java.util.List<java.security.cert.X509Certificate> trusted) {
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                ks.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new AssertionError("a client context without a certificate", e);
        }
    }

    /**
     * A TLS server that refuses a client's certificate: under TLS 1.2 the client's handshake fails with the
     * server's alert; under TLS 1.3 the client's certificate is checked after the client has finished its
     * side, so the client may already be writing its request when the server's alert and close arrive, and
     * sees the alert, a broken pipe or a reset instead. Each is the server hanging up on that certificate
     * (the same request on the same path was answered with the CA's); a refused connection or a timeout,
     * what a dead node gives, is not.
     */
    static boolean refusedAtTheHandshake(String detail) {
        return detail.startsWith("TLS handshake refused") || detail.startsWith("Received fatal alert")
                || detail.startsWith("Broken pipe") || detail.startsWith("Connection reset")
                || detail.startsWith("connection closed before a full answer");
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
    void onlyTheRightClientsGetIn() throws Exception {
        Need.tool("kcat", "kcat");
        // a user of the users file, over SASL_SSL with the CA: produces and consumes
        Path lines = Path.of("target/cluster-secrets/kcat-lines").toAbsolutePath();
        java.nio.file.Files.writeString(lines, "kcat-1\nkcat-2\nkcat-3\n");
        Cmd.Result produced = kcat(Duration.ofSeconds(60), concat(sasl(LabTls.APP_USER, LabTls.APP_PASSWORD),
                "-P", "-t", "kcat-topic", "-l", lines.toString()));
        assertEquals(0, produced.exit(), produced.out());
        Cmd.Result consumed = kcat(Duration.ofSeconds(60), concat(sasl(LabTls.APP_USER, LabTls.APP_PASSWORD),
                "-C", "-t", "kcat-topic", "-o", "beginning", "-e", "-q"));
        assertEquals(0, consumed.exit(), consumed.out());
        // the topic has several partitions: every record once, in no particular order across them
        assertEquals(List.of("kcat-1", "kcat-2", "kcat-3"), consumed.out().lines().filter(l -> l.startsWith("kcat-")).sorted().toList());

        // plaintext, a wrong password: refused, each next to the same request with the right settings
        // answered on the same path, and each by the broker (a hang-up after the connection was
        // accepted, an authentication failure), not by a node that is not there (connection refused)
        Cmd.Result listed = kcat(Duration.ofSeconds(60), concat(sasl(LabTls.APP_USER, LabTls.APP_PASSWORD), "-L"));
        assertEquals(0, listed.exit(), listed.out());
        assertTrue(listed.out().contains("3 brokers"), "the user lists the brokers: " + listed.out());
        Cmd.Result plain = kcat(Duration.ofSeconds(60), "-L");
        assertNotEquals(0, plain.exit(), "a plaintext client lists nothing: " + plain.out());
        assertTrue(plain.out().contains("Disconnected while requesting ApiVersion"),
                "the broker accepted the plaintext connection and hung up on its first request: " + plain.out());
        Cmd.Result wrong = kcat(Duration.ofSeconds(60), concat(sasl(LabTls.APP_USER, "not-the-password"), "-L"));
        assertNotEquals(0, wrong.exit(), wrong.out());
        assertTrue(wrong.out().contains("Authentication failed"), wrong.out());

        // the nodes' listener (9091): a certificate from another CA, or none, is refused; one from the
        // cluster's CA that is no node's may connect but is denied what no ACL grants it
        String internal = cluster.withRole("broker").stream().map(n -> n.fqdn() + ":9091").collect(Collectors.joining(","));
        dev.dockhand.agent.security.ClusterCa otherCa = dev.dockhand.agent.security.ClusterCa.create("another CA", java.time.Instant.now(), 1);
        var stranger = dev.dockhand.agent.security.NodeTls.issue(otherCa, java.util.List.of("b-1.dockhand.test"), java.time.Instant.now(), 1);
        var itClient = dev.dockhand.agent.security.NodeTls.issue(tls.ca(), java.util.List.of("it-client.dockhand.test"), java.time.Instant.now(), 1);
        Path itPem = Path.of("target/cluster-secrets/it-client.pem").toAbsolutePath();
        java.nio.file.Files.writeString(itPem, itClient.keyAndChainPem());
        // on one broker's 9091, the same Kafka request (ApiVersions, the agent's own probe) three times,
        // trusting the cluster CA each time: answered with the CA's certificate, refused in the TLS
        // handshake with another CA's certificate and with none (not a timeout: that a dead node also gives)
        LabNode b1 = cluster.node("b-1");
        java.util.function.Function<javax.net.ssl.SSLContext, dev.dockhand.agent.health.HealthResult> apiVersions = ctx ->
                dev.dockhand.agent.health.Probes.of(new dev.dockhand.agent.catalog.ProbeSpec.Kafka(9091, false), null,
                        new dev.dockhand.agent.health.ProbeTls(() -> ctx, b1.fqdn())).check(b1.fqdn(), 9091, Duration.ofSeconds(20));
        java.util.List<java.security.cert.X509Certificate> trustTheCa = java.util.List.of(tls.ca().certificate());
        var answered = apiVersions.apply(dev.dockhand.agent.security.TlsContexts.of(itClient.key().getPrivate(),
                java.util.List.of(itClient.certificate()), trustTheCa));
        assertTrue(answered.ok(), "the CA's certificate: " + answered.detail());
        var foreign = apiVersions.apply(dev.dockhand.agent.security.TlsContexts.of(stranger.key().getPrivate(),
                java.util.List.of(stranger.certificate()), trustTheCa));
        assertFalse(foreign.ok(), foreign.detail());
        assertTrue(refusedAtTheHandshake(foreign.detail()), "another CA's certificate: " + foreign.detail());
        var anonymous = apiVersions.apply(noClientCertificate(trustTheCa));
        assertFalse(anonymous.ok(), anonymous.detail());
        assertTrue(refusedAtTheHandshake(anonymous.detail()), "no client certificate: " + anonymous.detail());
        try (Kafka k = new Kafka(internal, Map.of("security.protocol", "SSL", "ssl.truststore.type", "PEM",
                "ssl.truststore.location", tls.caCert().toString(), "ssl.keystore.type", "PEM", "ssl.keystore.location", itPem.toString()))) {
            assertEquals(BROKER_IDS, k.brokerIds(), "the CA's certificate connects");
            AssertionError denied = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> k.createTopic("not-granted", 1, 1, 1));
            assertTrue(denied.getMessage().contains("TopicAuthorizationException"), "User:it-client has no ACL: " + denied.getMessage());
        }

        // ZooKeeper: TLS only. On each node's 2181, srvr over TLS with the CA's certificate is answered;
        // in plaintext the connection is accepted and closed without an answer (a dead node refuses the
        // connection or stays silent instead)
        for (LabNode zk : cluster.withRole("zookeeper")) {
            assertTrue(ZooKeeperWords.mode(zk.fqdn(), 2181, tls.clientContext()).isPresent(), zk.name() + " answers srvr over TLS");
            String refusal = ZooKeeperWords.plaintextRefusal(zk.fqdn(), 2181);
            assertTrue(refusal.startsWith("closed"), zk.name() + " on a plaintext srvr: " + refusal);
        }

        // the registry: anyone may read, no one writes without a login
        String schema = "{\"schema\": \"{\\\"type\\\": \\\"string\\\"}\"}";
        LabNode sr = cluster.node("sr-1");
        assertEquals(401, sr.https(tls.clientContext(), "POST", 8081, "/apis/ccompat/v7/subjects/anon-value/versions", null, null, schema)
                .statusCode(), "an anonymous schema registration is refused");
        var registered = sr.https(tls.clientContext(), "POST", 8081, "/apis/ccompat/v7/subjects/app-value/versions",
                LabTls.APP_USER, LabTls.APP_PASSWORD, schema);
        assertEquals(200, registered.statusCode(), registered.body());
    }
    void certificatesAreRenewedWhileAProducerWithAcksAllRunsAndNothingIsLost() {
        Map<String, String> before = new TreeMap<>();
        for (LabNode n : cluster.nodes()) {
            before.put(n.name(), nodeSerial(n));
        }
        Map<String, Integer> brokerRestarts = new TreeMap<>();
        cluster.withRole("broker").forEach(b -> brokerRestarts.put(b.name(), brokerStatus(b).path("restarts").asInt()));
        long t0 = System.nanoTime();
        try (Kafka.Background bg = new Kafka.Background(kafka, TOPIC, "during-renewal", Duration.ofMillis(20))) {
            Timing.await("every node renewed its certificate (lifetime " + CERT_LIFETIME + ")", Duration.ofMinutes(5), Duration.ofSeconds(1),
                    () -> cluster.nodes().stream().allMatch(n -> !nodeSerial(n).equals(before.get(n.name()))));
            scenario.time("4 renewal of every node", t0);
            Timing.awaitValue("every node ready after the renewal", Duration.ofMinutes(3), Duration.ofMillis(500),
                    () -> cluster.nodes().stream().allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
            int now = bg.ackedCount();
            Timing.await("records acknowledged after the renewal", Duration.ofSeconds(60), Duration.ofMillis(100), () -> bg.ackedCount() > now + 50);
            Kafka.Produced p = bg.finish();
            assertEquals(List.of(), p.errors(), "no send failed while the certificates were renewed");
            acked.addAll(p.acked());
        }
        // the brokers took their new certificate without a restart (Kafka's dynamic listener config)
        for (LabNode b : cluster.withRole("broker")) {
            // the renewal command is a Kafka tool's JVM: on a busy machine it may end after the node is ready again
            Await.until(b.name() + ": the broker uses the renewed certificate", Duration.ofMinutes(2),
                    () -> assertTrue(b.logSinceStart().contains("kafka-broker: uses the renewed certificate"), b.tail(40)));
            assertEquals(brokerRestarts.get(b.name()), brokerStatus(b).path("restarts").asInt(), b.name() + " restarted to renew");
        }
        Set<String> read = kafka.consumeAll(TOPIC, acked, Duration.ofSeconds(90));
        assertTrue(read.containsAll(acked), "read " + read.size() + ", acknowledged " + acked.size());
    }

    static String nodeSerial(LabNode n) {
        try {
            for (JsonNode c : n.status().path("certificates")) {
                if (c.path("use").asText().equals("node")) {
                    return c.path("serial").asText();
                }
            }
        } catch (RuntimeException e) {
            return "(no answer)";
        }
        return "(none)";
    }
    void brokerKilledWithSigkillIsRestartedByItsAgentAndLosesNothing() {
        LabNode b = cluster.node("b-2");
        long javaPid = b.serviceProcess("kafka.Kafka").orElseThrow(() -> new AssertionError("no kafka.Kafka under " + b));
        int restartsBefore = brokerStatus(b).path("restarts").asInt();
        int logBefore = b.logText().length();
        long t0 = System.nanoTime();
        assertTrue(dev.dockhand.it.lab.Procs.signal(javaPid, "KILL"), "kill -9 " + javaPid);
        assertTrue(b.running(), "the agent of " + b.name() + " survives its broker");
        // what status says meanwhile: the restart waits, PENDING, until ZooKeeper expired the dead broker's session
        Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread watch = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    JsonNode s = brokerStatus(b);
                    seen.add(s.path("state").asText() + ": " + s.path("reason").asText().replaceAll("\\d+ s of", "N s of"));
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // the agent's socket busy: ask again
                }
            }
        });
        watch.start();
        // two brokers left, min.insync.replicas=2: acks=all still succeeds while the third is away
        Kafka.Produced during = kafka.produce(TOPIC, "during-kill", 500);
        acked.addAll(during.acked());
        JsonNode ready;
        try {
            ready = Timing.awaitValue("b-2's agent restarted its broker and it is READY again (a restart right after kill -9 waits"
                            + " for ZooKeeper to expire the old session)", Duration.ofSeconds(150), Duration.ofMillis(250),
                    () -> {
                        JsonNode s = brokerStatus(b);
                        return s.path("restarts").asInt() > restartsBefore && "READY".equals(s.path("state").asText()) ? s : null;
                    }, () -> String.valueOf(b.service("kafka-broker")));
        } finally {
            watch.interrupt();
        }
        scenario.time("5 kill -9 -> READY", t0);
        String since = b.logText().substring(logBefore);
        System.out.printf("ProductionClusterIT: kill -9 of b-2's broker -> READY in %.1f s; the wait: %s; status meanwhile: %s%n",
                (System.nanoTime() - t0) / 1e9, since.lines().filter(l -> l.contains("ZooKeeper expired its old session")).findFirst()
                        .orElse("(none)"), seen);
        // one kill, one restart: the broker was not started while its old session still held /brokers/ids/5
        // (it would exit with "node already exists" and count a second crash toward FAILED)
        assertEquals(restartsBefore + 1, ready.path("restarts").asInt(), "exactly one restart for one kill: " + ready);
        List<String> crashes = since.lines().filter(l -> l.contains("kafka-broker: ") && l.contains("-> BACKOFF")).toList();
        assertEquals(1, crashes.size(), "one crash, the kill: " + crashes);
        assertTrue(since.contains("kafka-broker: /brokers/ids/5 held by session 0x"), "the agent saw the old registration:\n" + since);
        assertTrue(since.contains("kafka-broker: ZooKeeper expired its old session, /brokers/ids/5 absent after"),
                "and waited until it was gone:\n" + since);
        assertFalse(since.contains("does not match current session"), "no start raced the old registration");
        assertTrue(seen.stream().anyMatch(x -> x.startsWith("PENDING: waiting for broker 5's old ZooKeeper session to expire")),
                "status showed the wait: " + seen);
        // the kill was unclean, and the broker's lines show it: the check of scenario 4 sees recovery when there is one
        List<String> restartLines = b.logSinceStart().lines().filter(l -> l.contains(BROKER_PREFIX))
                .dropWhile(l -> !l.contains("since no clean shutdown file") && !UNCLEAN_DIRS.matcher(l).find()).toList();
        assertFalse(restartLines.isEmpty(), "the broker restarted after kill -9 recovered its logs");
        long newPid = b.serviceProcess("kafka.Kafka").orElseThrow(() -> new AssertionError("no kafka.Kafka under " + b + " after restart"));
        assertNotEquals(javaPid, newPid, "a new broker process");
        Timing.await("ISR back to 3 on every partition", Duration.ofSeconds(120), Duration.ofMillis(250), () -> kafka.minIsr(TOPIC) == 3);
        scenario.time("5 kill -9 -> ISR 3", t0);
        assertTrue(kafka.brokerIds().containsAll(BROKER_IDS), "broker 5 registered again");
        assertEquals(List.of(), during.errors(), "acks=all with 2 of 3 in sync");
        Kafka.Produced after = kafka.produce(TOPIC, "after-kill", 200);
        assertEquals(List.of(), after.errors());
        acked.addAll(after.acked());
        Set<String> read = kafka.consumeAll(TOPIC, acked, Duration.ofSeconds(60));
        Set<String> lost = new HashSet<>(acked);
        lost.removeAll(read);
        assertEquals(Set.of(), lost.size() > 20 ? Set.of(lost.size() + " values") : lost, "acknowledged but not read back");
    }
    void sigtermStopsTheBrokerCleanlyAndItRestartsWithoutRecovery() {
        LabNode b = cluster.node("b-3");
        long t0 = System.nanoTime();
        b.signalAgent("TERM");
        int exit = b.awaitExit(Duration.ofSeconds(150));
        scenario.time("6 SIGTERM -> agent exit", t0);
        String stopLog = b.logSinceStart();
        assertEquals(0, exit, "agent exit code after SIGTERM: " + b.tail(30));
        List<String> brokerLines = stopLog.lines().filter(l -> l.contains(BROKER_PREFIX)).toList();
        assertTrue(brokerLines.stream().anyMatch(l -> l.contains("Controlled shutdown request returned successfully")),
                "controlled shutdown in the broker's lines: " + tail(brokerLines, 30));
        assertFalse(stopLog.contains("Proceeding to do an unclean shutdown"), "unclean shutdown: " + tail(brokerLines, 30));
        assertTrue(kafka.minIsr(TOPIC) >= 2, "two brokers keep every partition writable");
        // the console shows the node whose agent stopped as down, not hidden
        Timing.await("the console shows b-3 down", Duration.ofSeconds(60), Duration.ofMillis(500), () -> {
            JsonNode o = consoleOverview();
            if (o == null) {
                return false;
            }
            for (JsonNode n : o.path("nodes")) {
                if (n.path("address").asText().startsWith(b.fqdn() + ":")) {
                    return !n.path("up").asBoolean() && n.path("status").asText().startsWith("down");
                }
            }
            return false;
        });

        long t1 = System.nanoTime();
        b.start();
        Timing.awaitValue("b-3 ready after its restart", Duration.ofMinutes(3), Duration.ofMillis(250),
                () -> LabCluster.ready(b) ? Boolean.TRUE : null, cluster::describe);
        scenario.time("6 restart -> READY", t1);
        List<String> startLines = b.logSinceStart().lines().filter(l -> l.contains(BROKER_PREFIX)).toList();
        assertTrue(startLines.stream().anyMatch(l -> l.contains("Skipping recovery")), "clean start: " + tail(startLines, 40));
        List<String> recovery = startLines.stream()
                .filter(l -> l.contains("Recovering unflushed segment") || l.contains("since no clean shutdown file") || UNCLEAN_DIRS.matcher(l).find())
                .toList();
        assertEquals(List.of(), recovery, "log recovery after a clean stop");
        Timing.await("ISR back to 3 after b-3's restart", Duration.ofSeconds(120), Duration.ofMillis(250), () -> kafka.minIsr(TOPIC) == 3);
        Kafka.Produced p = kafka.produce(TOPIC, "after-sigterm", 200);
        assertEquals(List.of(), p.errors());
        acked.addAll(p.acked());
        assertTrue(kafka.consumeAll(TOPIC, acked, Duration.ofSeconds(60)).containsAll(acked), "every acknowledged record readable");
    }
    void zookeeperNodeRestartKeepsQuorumAndTheBrokersWorking() {
        // a follower: the ensemble keeps its leader and a majority the whole time
        LabNode zk = cluster.withRole("zookeeper").stream()
                .filter(n -> ZooKeeperWords.mode(n.fqdn(), 2181, tls.clientContext()).orElse("").equals("follower")).findFirst()
                .orElseThrow(() -> new AssertionError("no follower: " + zkModes()));
        List<LabNode> others = new ArrayList<>(cluster.withRole("zookeeper"));
        others.remove(zk);
        long t0 = System.nanoTime();
        try (Kafka.Background bg = new Kafka.Background(kafka, TOPIC, "during-zk-restart", Duration.ofMillis(10))) {
            zk.signalAgent("TERM");
            assertEquals(0, zk.awaitExit(Duration.ofSeconds(60)), "zk agent exit after SIGTERM: " + zk.tail(20));
            Map<String, Long> down = others.stream().map(n -> ZooKeeperWords.mode(n.fqdn(), 2181, tls.clientContext()).orElse("(none)"))
                    .collect(Collectors.groupingBy(m -> m, TreeMap::new, Collectors.counting()));
            assertTrue(quorum(down, 1), "2 of 3 keep quorum while " + zk.name() + " is down: " + down);
            int before = bg.ackedCount();
            Timing.await("records acknowledged while " + zk.name() + " is down", Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> bg.ackedCount() > before + 50);
            zk.start();
            Timing.awaitValue(zk.name() + " ready after restart", Duration.ofMinutes(2), Duration.ofMillis(250),
                    () -> LabCluster.ready(zk) ? Boolean.TRUE : null, cluster::describe);
            Timing.await("leader x1, follower x2 again", Duration.ofSeconds(60), Duration.ofMillis(250), () -> quorum(zkModes(), 2));
            int back = bg.ackedCount();
            Timing.await("records acknowledged after " + zk.name() + " is back", Duration.ofSeconds(30), Duration.ofMillis(100),
                    () -> bg.ackedCount() > back + 50);
            Kafka.Produced p = bg.finish();
            scenario.time("7 zk restart cycle", t0);
            assertEquals(List.of(), p.errors(), "no send failed during the ZooKeeper restart");
            acked.addAll(p.acked());
        }
        assertEquals(BROKER_IDS, kafka.brokerIds(), "every broker still registered");
        Set<String> read = kafka.consumeAll(TOPIC, acked, Duration.ofSeconds(90));
        assertTrue(read.containsAll(acked), "read " + read.size() + ", acknowledged " + acked.size());
    }

    /** The users this class gave the cluster beyond LabTls's, with their passwords: none may reach a log. */
    static final Map<String, String> extraUsers = new TreeMap<>();

    /**
     * A users-file user may be named like a node (here b-1's FQDN, which was the broker's Kafka principal
     * while a certificate's principal was its bare CN); it logs in, and is refused what only the nodes may
     * do. A users file with a name Kafka cannot store ({@code ..}) is refused by the reload: the node stays
     * live, its services untouched, and the users' step reruns on the last file the agent found valid.
     */
    void aUserNamedLikeANodeIsNoSuperUserAndAHostileUsersFileChangesNothing() throws Exception {
        LabNode b1 = cluster.node("b-1");
        Path usersFile = Path.of(tls.env().get("AGENT_USERS_FILE"));
        String original = java.nio.file.Files.readString(usersFile);
        String nodeNamed = b1.fqdn();
        extraUsers.put(nodeNamed, "node-Named-pw1");
        int accessRunsBefore = accessRuns(b1);
        java.nio.file.Files.writeString(usersFile, original + nodeNamed + ":" + extraUsers.get(nodeNamed) + "\n");
        try {
            b1.signalAgent("HUP");
            // the changed users run the users' step again (the reload restarts the node's services: they all read the users)
            Timing.await("b-1's users step ran again on the changed users file", Duration.ofMinutes(3), Duration.ofMillis(250),
                    () -> accessRuns(b1) > accessRunsBefore && LabCluster.ready(b1));
            assertTrue(b1.logSinceStart().contains("kafka-access: 3 user(s)"), b1.tail(40));
            try (Kafka asNodeName = new Kafka(cluster.bootstrap(), tls.kafkaClient(nodeNamed, extraUsers.get(nodeNamed)))) {
                // it is a user like any other: it logs in and sees the cluster (the same path the refusals below take)
                assertEquals(BROKER_IDS, asNodeName.brokerIds(), "the user named like a node logs in");
                var acl = new org.apache.kafka.common.acl.AclBinding(
                        new org.apache.kafka.common.resource.ResourcePattern(org.apache.kafka.common.resource.ResourceType.TOPIC, "*",
                                org.apache.kafka.common.resource.PatternType.LITERAL),
                        new org.apache.kafka.common.acl.AccessControlEntry("User:" + nodeNamed, "*", org.apache.kafka.common.acl.AclOperation.ALL,
                                org.apache.kafka.common.acl.AclPermissionType.ALLOW));
                var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> asNodeName.admin().createAcls(List.of(acl)).all().get(30, java.util.concurrent.TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof org.apache.kafka.common.errors.ClusterAuthorizationException, "no ACL of its own: " + e);
                var broker = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.BROKER, "4");
                var alter = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> asNodeName.admin().incrementalAlterConfigs(Map.of(broker, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                                new org.apache.kafka.clients.admin.ConfigEntry("log.cleaner.threads", "2"),
                                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, java.util.concurrent.TimeUnit.SECONDS));
                assertTrue(alter.getCause() instanceof org.apache.kafka.common.errors.ClusterAuthorizationException, "no broker config: " + alter);
            }

            // a name Kafka cannot store: the reload is refused with the file and line, and nothing changes
            int runs = accessRuns(b1);
            int brokerRestarts = brokerStatus(b1).path("restarts").asInt();
            extraUsers.put("..", "dot-Dot-pw-1");
            java.nio.file.Files.writeString(usersFile, original + nodeNamed + ":" + extraUsers.get(nodeNamed) + "\n..:" + extraUsers.get("..") + "\n");
            b1.signalAgent("HUP");
            Await.until("b-1 refuses the reload", Duration.ofSeconds(30), () -> assertTrue(
                    b1.logSinceStart().contains("reload refused, nothing changed: users file " + usersFile + " (env AGENT_USERS_FILE):"
                            + (original.lines().count() + 2) + ": the user name '..' is not a name"), b1.tail(20)));
            assertEquals(200, b1.http(9800, "/livez").statusCode(), "the node stays live");
            assertEquals(brokerRestarts, brokerStatus(b1).path("restarts").asInt(), "the broker was not restarted");
            assertEquals(runs, accessRuns(b1), "the users step did not run on the refused file");
            // the step run again reads the last file the agent found valid, not the live one
            Cmd.Result r = Cmd.run(Duration.ofSeconds(60), List.of("java", "-jar", LabCluster.AGENT_JAR.toString(), "restart", "kafka-access"),
                    Map.of("AGENT_SOCKET", b1.env().get("AGENT_SOCKET")));
            assertEquals(0, r.exit(), r.out());
            Timing.await("kafka-access ran again and exited", Duration.ofMinutes(2), Duration.ofMillis(250),
                    () -> accessRuns(b1) > runs && "EXITED".equals(b1.service("kafka-access").path("state").asText()));
            assertEquals(200, b1.http(9800, "/livez").statusCode(), "the node stays live");
        } finally {
            java.nio.file.Files.writeString(usersFile, original);
        }
    }

    /** How many times b's users step started: its "kafka-access: N user(s)" lines so far. */
    static int accessRuns(LabNode b) {
        return (int) b.logText().lines().filter(l -> l.contains("kafka-access: ") && l.contains(" user(s) with SCRAM")).count();
    }

    /**
     * Every log any node wrote (the agents' output with every service's lines, and the services' own log
     * files) holds no password of the users file and nothing of their SCRAM form: Kafka logs a request it
     * fails to handle whole, which for the users' credentials held every salted password.
     */
    void noCredentialInAnyLogOfAnyNode() throws Exception {
        Map<String, String> secrets = new TreeMap<>(extraUsers);
        secrets.put(LabTls.APP_USER, LabTls.APP_PASSWORD);
        secrets.put(LabTls.ADMIN_USER, LabTls.ADMIN_PASSWORD);
        List<String> needles = new ArrayList<>(secrets.values());
        needles.addAll(List.of("saltedPassword", "SaltedPassword", "stored_key", "storedKey", "server_key", "serverKey"));
        List<String> found = new ArrayList<>();
        int files = 0;
        for (LabNode n : cluster.nodes()) {
            List<Path> logs;
            try (Stream<Path> walk = java.nio.file.Files.walk(n.dir())) {
                // the agent's output, and every log file of a service (not a partition's segments: those are data)
                logs = walk.filter(java.nio.file.Files::isRegularFile).filter(f -> f.equals(n.log()) || f.toString().contains("/app-logs/")
                        || f.getFileName().toString().endsWith(".out")).toList();
            }
            for (Path f : logs) {
                files++;
                String text = java.nio.file.Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1);
                for (String needle : needles) {
                    if (text.contains(needle)) {
                        found.add(f + " holds " + (secrets.containsValue(needle) ? "a password" : needle));
                    }
                }
            }
        }
        assertTrue(files >= cluster.nodes().size(), "read " + files + " log files");
        assertEquals(List.of(), found);
    }

    /**
     * The soak's short variant (it/bench/soak.sh runs the long one): four faults, one at a time and each while the
     * cluster is whole, under an acks=all producer and a consumer group: kill -9 of a ZooKeeper member, SIGSTOP
     * of a broker for 20 s, kill -9 of the registry node's agent (started again at once), kill -9 of the
     * registry. Every acknowledged record is consumed; every node is READY again after each fault.
     */
    void shortSoak() {
        long t0 = System.nanoTime();
        String loadStart = SoakReport.loadAverage();
        List<Soak.Fault> faults = List.of(
                new Soak.Fault(Soak.Kind.KILL_SERVICE, "zk-2", "zookeeper"),
                new Soak.Fault(Soak.Kind.STOP_SERVICE, "b-1", "kafka-broker"),
                new Soak.Fault(Soak.Kind.KILL_AGENT, "sr-1", null),
                new Soak.Fault(Soak.Kind.KILL_SERVICE, "sr-1", "schema-registry"));
        Map<String, String> app = tls.kafkaClient(LabTls.APP_USER, LabTls.APP_PASSWORD);
        Soak.Result r;
        try (Kafka appClient = new Kafka(cluster.bootstrap(), app)) {
            r = new Soak(cluster, kafka, appClient, app, Soak.Plan.fixed(faults), System.out).run();
        }
        scenario.time("8 short soak", t0);
        String text = SoakReport.render(r, SoakReport.commit(Path.of(System.getProperty("dockhand.repo.root", "..")).toAbsolutePath()),
                "ProductionClusterIT's cluster (production config, secured, 8 nodes)", loadStart, SoakReport.loadAverage());
        System.out.println(text);
        assertEquals(faults.size(), r.faults().size(), "every fault injected: " + r.problems());
        assertTrue(r.everyFaultRecovered(), "every node READY and every partition in sync again after each fault: " + text);
        assertEquals(0, r.load().lost(), "acknowledged but not consumed, e.g. " + r.load().lostSample() + "\n" + text);
        assertTrue(r.load().acked() > 0, "records acknowledged");
        assertEquals(List.of(), r.problems(), text);
    }

    static String tail(List<String> lines, int n) {
        return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
