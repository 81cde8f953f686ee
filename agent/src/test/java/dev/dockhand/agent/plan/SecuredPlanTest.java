package dev.dockhand.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.metadata.MetadataInputs;
import dev.dockhand.agent.render.RenderPlan.RenderedFile;
import dev.dockhand.agent.render.RenderTestSupport;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.Pem;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The production cluster config, secured by default: what a node plans with the cluster's CA and users, and without. */
class SecuredPlanTest {
    static final ClusterCa CA = ClusterCa.create("kafka1 CA", Instant.now(), 365);
    FileSystem fs;

    @BeforeEach
    void files() throws IOException {
        fs = SecretsFs.of(CA);
    }

    void secret(String path, String text) throws IOException {
        SecretsFs.secret(fs, path, text);
    }

    Map<String, String> env(String fqdn, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(RenderTestSupport.env(fqdn, Map.of()));
        env.remove("AGENT_SECURITY");
        env.put("AGENT_JAVA", "/usr/bin/java");
        env.putAll(Map.of("AGENT_CA_CERT_FILE", "/run/secrets/ca.crt", "AGENT_CA_KEY_FILE", "/run/secrets/ca.key",
                "AGENT_USERS_FILE", "/run/secrets/users"));
        env.putAll(extra);
        return env;
    }

    Planner.Resolved resolve(Map<String, String> env) {
        String data = "/data/" + env.get("AGENT_FQDN");
        return PlanReader.resolve(new PlanInputs("/etc/agent/templates/catalog.json", null, null, data, "/opt/dockhand",
                MetadataInputs.none(), 9800), env, fs, RenderTestSupport.noHost(), RenderTestSupport.JAVA_HOME, java.time.Instant.now());
    }

    NodePlan plan(String fqdn, Map<String, String> extra) {
        Map<String, String> env = env(fqdn, extra);
        return Planner.plan(PlanReader.read(resolve(env), env, PlannerTest.FOUR_GIB, java.time.Instant.now()));
    }

    static String file(NodePlan p, String suffix) {
        return p.files().stream().filter(f -> f.target().toString().endsWith(suffix)).findFirst().orElseThrow(() -> new AssertionError(suffix))
                .content();
    }

    @Test
    void aProductionNodeWithoutTheCaOrUsersRefusesToStartNamingWhatIsMissingAndTheOptOut() {
        Map<String, String> env = env("broker-1.kafka1.example", Map.of());
        env.remove("AGENT_CA_KEY_FILE");
        env.remove("AGENT_USERS_FILE");
        List<String> p = assertThrows(InvalidInputException.class, () -> resolve(env)).problems();
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("set AGENT_CA_KEY_FILE (or AGENT_TLS_CERT_FILE and AGENT_TLS_KEY_FILE), AGENT_USERS_FILE") && p.get(0).contains("agent ca init")
                && p.get(0).contains("AGENT_SECURITY=plaintext"), p.get(0));
    }

    @Test
    void aBadCaAndABadSettingAreAllNamedAtOnce() throws IOException {
        secret("/run/secrets/ca.key", Pem.privateKey(ClusterCa.create("another", Instant.now(), 30).key()));
        Files.setPosixFilePermissions(fs.getPath("/run/secrets/users"), PosixFilePermissions.fromString("rw-r--r--"));
        List<String> p = assertThrows(InvalidInputException.class,
                () -> resolve(env("broker-1.kafka1.example", Map.of("AGENT_CERT_LIFETIME", "1m")))).problems();
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.contains("AGENT_CERT_LIFETIME='1m' is outside 2m..397d")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.contains("CA key /run/secrets/ca.key (env AGENT_CA_KEY_FILE) is not the key of")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.startsWith("users file /run/secrets/users (env AGENT_USERS_FILE)")), p.toString());
        List<String> q = assertThrows(InvalidInputException.class,
                () -> resolve(env("broker-1.kafka1.example", Map.of("AGENT_SECURITY", "ssl")))).problems();
        assertEquals(List.of("env AGENT_SECURITY='ssl' is not a security: use tls or plaintext"), q);
    }

    @Test
    void aSecuredBrokerListensForClientsWithLoginsAndForTheNodesWithMutualTls() {
        NodePlan p = plan("broker-2.kafka1.example", Map.of());
        assertTrue(p.secured());
        String server = file(p, "kafka-broker/server.properties");
        assertTrue(server.contains("listeners=CLIENT://0.0.0.0:9092,INTERNAL://0.0.0.0:9091"), server);
        assertTrue(server.contains("advertised.listeners=CLIENT://broker-2.kafka1.example:9092,INTERNAL://broker-2.kafka1.example:9091"), server);
        assertTrue(server.contains("listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL"));
        assertTrue(server.contains("\nsasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256\n"), "clients pick either mechanism: " + server);
        assertTrue(server.contains("\nlistener.name.client.scram-sha-256.sasl.jaas.config="), server);
        assertTrue(server.contains("allow.everyone.if.no.acl.found=false"));
        // a certificate's principal is its whole subject (CN=...): no user name can be one (Users.NAME has no '=')
        // super users: the brokers only; ZooKeeper's, the registry's and the console's nodes are not (ADR 019)
        assertTrue(server.contains("\nsuper.users=User:CN=broker-1.kafka1.example;User:CN=broker-2.kafka1.example;User:CN=broker-3.kafka1.example\n"),
                server);
        // a changed password or a removed user ends its open sessions within 10 minutes: every login is asked again by then
        assertTrue(server.contains("\nlistener.name.client.connections.max.reauth.ms=600000\n"), server);
        assertTrue(server.contains("ssl.principal.mapping.rules=DEFAULT\n"), server);
        assertTrue(server.contains("ssl.keystore.location=/data/broker-2.kafka1.example/conf/tls/node.pem"), server);
        assertTrue(server.contains("zookeeper.ssl.keystore.location=/data/broker-2.kafka1.example/conf/tls/zk-client.pem"), server);
        assertFalse(server.contains("PLAINTEXT://"), "no plaintext listener on a secured broker");

        NodePlan.PlannedService broker = p.services().get(0);
        assertEquals(new ProbeSpec.Kafka(9091, false).port(), broker.probe().port(), "the agent probes the mutual-TLS listener");
        assertEquals(List.of("kafka-broker", "kafka-access"), p.services().stream().map(NodePlan.PlannedService::id).toList());
        // the users' step reads the file as the agent last found it valid, not the live secret (a reload may refuse a new one)
        assertTrue(p.services().get(1).command().argv().contains("/data/broker-2.kafka1.example/conf/tls/users"), p.services().get(1).command().argv().toString());
        assertFalse(p.services().get(1).command().argv().contains("/run/secrets/users"));
        // the console's node gets its read-only rights, the registry's none: both named to the step, which manages them
        assertTrue(p.services().get(1).command().argv().contains("--console-nodes=gw-1.kafka1.example"), p.services().get(1).command().argv().toString());
        assertTrue(p.services().get(1).command().argv().contains("--registry-nodes=sr-1.kafka1.example"), p.services().get(1).command().argv().toString());
        assertEquals(2181, broker.remoteWaits().get(0).endpoints().get(0).port(), "ZooKeeper's secure port is its port");

        List<RenderedFile> tls = p.files().stream().filter(f -> f.service().equals(NodeSecurity.TLS_SCOPE)).toList();
        assertEquals(List.of("node.key", "node.crt", "node.pem", "ca.crt", "users.hashed", "users", "zk-client.pem"),
                tls.stream().map(f -> f.target().getFileName().toString()).toList());
        assertTrue(tls.stream().allMatch(RenderedFile::secret));
        assertTrue(file(p, "tls/users").contains("app-secret-1"), "the copy the users' step reads");
        assertFalse(file(p, "tls/users.hashed").contains("app-secret-1"), "no password in the hashed users");
        assertTrue(file(p, "client.properties").contains("security.protocol=SSL"));
        assertTrue(p.files().stream().filter(f -> f.target().endsWith("client.properties")).allMatch(RenderedFile::secret),
                "the tools' client config is its owner's only");

        var c = p.certificates();
        assertEquals("CN=broker-2.kafka1.example", c.node().certificate().getSubjectX500Principal().getName());
        assertEquals("CN=kafka-brokers,O=kafka1", c.zooKeeperClient().certificate().getSubjectX500Principal().getName());
        assertEquals(Duration.ofDays(30), Duration.between(c.node().certificate().getNotBefore().toInstant(), c.node().notAfter())
                .minusSeconds(300));
        String explain = p.explain().toString();
        assertTrue(explain.contains("SANs broker-2.kafka1.example") && explain.contains("issuer CN=kafka1 CA"), explain);
        assertFalse(explain.contains("PRIVATE KEY") || explain.contains("app-secret-1"), "no key, no password in --explain");
    }

    @Test
    void aSecuredConnectNodeRunsTheWorkerOverMutualTlsWithHttpsAndLoginsAndTheBrokersGiveItItsRights() throws IOException {
        String nodes = dev.dockhand.agent.render.RenderTestSupport.NODES + ";connect=cn-1.kafka1.example";
        NodePlan p = plan("cn-1.kafka1.example", Map.of("AGENT_NODES", nodes));
        assertEquals(List.of("connect"), p.services().stream().map(NodePlan.PlannedService::id).toList(), "the worker runs on a secured node");
        java.util.Properties w = new java.util.Properties();
        w.load(new java.io.StringReader(file(p, "connect/connect-distributed.properties")));
        String tls = "/data/cn-1.kafka1.example/conf/tls/";
        for (String prefix : List.of("", "producer.", "consumer.", "admin.")) {
            assertEquals("SSL", w.getProperty(prefix + "security.protocol"), prefix);
            assertEquals(tls + "node.pem", w.getProperty(prefix + "ssl.keystore.location"), prefix);
            assertEquals(tls + "ca.crt", w.getProperty(prefix + "ssl.truststore.location"), prefix);
        }
        assertEquals("broker-1.kafka1.example:9091,broker-2.kafka1.example:9091,broker-3.kafka1.example:9091", w.getProperty("bootstrap.servers"),
                "the brokers' mutual-TLS listener");
        assertEquals("https://0.0.0.0:8083", w.getProperty("listeners"));
        assertEquals("https", w.getProperty("rest.advertised.listener"));
        assertEquals("PEM", w.getProperty("listeners.https.ssl.keystore.type"));
        assertEquals(tls + "node.pem", w.getProperty("listeners.https.ssl.keystore.location"));
        assertEquals(tls + "ca.crt", w.getProperty("listeners.https.ssl.truststore.location"));
        assertEquals("dev.dockhand.connect.auth.ConnectLogins", w.getProperty("rest.extension.classes"));
        assertEquals(tls + "users.hashed", w.getProperty("dockhand.connect.users.file"));
        assertFalse(file(p, "connect/connect-distributed.properties").contains("http://"), "no plaintext listener");
        assertTrue(w.stringPropertyNames().stream().noneMatch(k -> k.contains("password")), "no key store password: the PEM key store");
        assertTrue(p.files().stream().noneMatch(f -> f.target().endsWith("tls/users")), "the worker reads hashes, never the passwords");
        NodePlan.PlannedService worker = p.services().get(0);
        assertEquals(8083, worker.probe().port());
        assertTrue(worker.command().argv().contains("dev.dockhand.connect.auth.Worker"), worker.command().argv().toString());

        // the worker's node is no super user; the brokers' users step gives it the worker's rights
        NodePlan broker = plan("broker-1.kafka1.example", Map.of("AGENT_NODES", nodes));
        assertFalse(file(broker, "kafka-broker/server.properties").contains("cn-1.kafka1.example"), "no super user");
        assertTrue(broker.services().get(1).command().argv().contains("--connect-nodes=cn-1.kafka1.example"),
                broker.services().get(1).command().argv().toString());
    }

    @Test
    void aSecuredZooKeeperServesTlsOnlyAndANodeThatIsNoBrokerHasNoBrokersIdentity() {
        NodePlan p = plan("zk-2.kafka1.example", Map.of());
        String zoo = file(p, "zookeeper/zoo.cfg");
        assertTrue(zoo.contains("secureClientPort=2181") && zoo.contains("sslQuorum=true") && zoo.contains("ssl.clientAuth=need"), zoo);
        assertFalse(zoo.lines().anyMatch(l -> l.startsWith("clientPort=")), "no plaintext client port");
        assertNull(p.certificates().zooKeeperClient());
        assertTrue(p.files().stream().noneMatch(f -> f.target().endsWith("zk-client.pem")));
        assertTrue(p.files().stream().noneMatch(f -> f.target().endsWith("tls/users")), "a node that gives no logins gets no passwords");
    }

    @Test
    void aReloadKeepsTheCertificatesARenewalOrTheirRenewalTimeReplacesThem() {
        Map<String, String> env = env("broker-1.kafka1.example", Map.of("AGENT_CERT_LIFETIME", "9m"));
        Planner.Resolved node = resolve(env);
        Instant t0 = Instant.now();
        NodePlan first = Planner.plan(PlanReader.read(node, env, PlannerTest.FOUR_GIB, t0), null, false);
        NodeSecurity.Certificates c = first.certificates();
        assertEquals(t0.plus(Duration.ofMinutes(6)).getEpochSecond(), c.renewAt().getEpochSecond(), 1, "renewal at two thirds of 9 minutes");
        NodePlan reload = Planner.plan(PlanReader.read(node, env, PlannerTest.FOUR_GIB, t0.plusSeconds(60)), c, false);
        assertSame(c, reload.certificates());
        assertEquals(file(first, "tls/node.pem"), file(reload, "tls/node.pem"));
        assertEquals(file(first, "tls/users.hashed"), file(reload, "tls/users.hashed"), "the same users hash the same: nothing restarts");
        NodePlan renewed = Planner.plan(PlanReader.read(node, env, PlannerTest.FOUR_GIB, t0.plusSeconds(60)), c, true);
        assertNotEquals(c.node().certificate().getSerialNumber(), renewed.certificates().node().certificate().getSerialNumber());
        NodePlan due = Planner.plan(PlanReader.read(node, env, PlannerTest.FOUR_GIB, c.renewAt().plusSeconds(1)), c, false);
        assertNotEquals(c.node().certificate().getSerialNumber(), due.certificates().node().certificate().getSerialNumber());
    }

    @Test
    void plaintextIsAnExplicitChoiceThatRendersTheOldListenersAndNoUsersStep() {
        NodePlan p = plan("broker-1.kafka1.example", Map.of("AGENT_SECURITY", "plaintext"));
        assertFalse(p.secured());
        assertNull(p.certificates());
        assertTrue(file(p, "kafka-broker/server.properties").contains("listeners=PLAINTEXT://0.0.0.0:9092"));
        assertEquals(List.of("kafka-broker"), p.services().stream().map(NodePlan.PlannedService::id).toList());
        assertEquals(9092, p.services().get(0).probe().port());
        assertTrue(p.files().stream().noneMatch(f -> f.service().equals(NodeSecurity.TLS_SCOPE)));
        assertEquals("env AGENT_SECURITY", p.explain().stream().filter(e -> e.token().equals("SECURITY")).findFirst().orElseThrow().source());
    }
}
