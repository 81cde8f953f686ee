package dev.dockhand.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dockhand.it.lab.Await;
import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.LabTls;
import dev.dockhand.it.lab.Need;
import dev.dockhand.it.lab.Timing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The Connect worker on a secured node (ADR 023): the dev stack ({@code single-node}, what {@code examples/local/run.sh}
 * runs) with {@code AGENT_SECURITY=tls}, one agent in its own namespaces. ZooKeeper mode, so that kcat logs in: Debian's
 * kcat (librdkafka 2.0.2) cannot log in to a Kafka 4 broker with SCRAM (librdkafka#4895, {@code KRaftClusterIT}). The worker reaches the broker over the node's mutual-TLS identity and serves its REST
 * API over HTTPS with the users file's logins. Driven by clients nobody here wrote: curl (the node's certificate
 * checked against the cluster's CA and its name) for the REST API, kcat over SASL_SSL for the topic.
 */
class SecuredConnectIT {
    static final String CONNECTOR = "secured-file-source";
    /** The connectors' topics are of prefix connect- (the worker node's ACLs on a cluster; ADR 023). */
    static final String TOPIC = "connect-secured-lines";
    static final int LINES = 40;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String NODE = "sdev-1";

    LabCluster cluster;
    LabTls tls;
    LabNode n;

    /** {@code curl} in the node's namespace: HTTPS to the node's FQDN, the CA as the only trust; the status code, then the body. */
    record Answer(int status, String body) {}

    Answer curl(String method, String path, String user, String password, String body) {
        List<String> argv = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "--cacert", tls.caCert().toString(),
                "--resolve", n.fqdn() + ":8083:" + n.ip(), "-X", method, "-H", "Accept: application/json",
                "-w", "\n%{http_code}"));
        if (user != null) {
            // from a file, not the command line: no password in the process list
            Path netrc = n.dir().resolve("curl-" + user + ".netrc");
            try {
                Files.writeString(netrc, "machine " + n.fqdn() + " login " + user + " password " + password + "\n");
                Files.setPosixFilePermissions(netrc, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            argv.addAll(List.of("--netrc-file", netrc.toString()));
        }
        if (body != null) {
            argv.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
        }
        argv.add("https://" + n.fqdn() + ":8083" + path);
        Cmd.Result r = Cmd.run(Duration.ofSeconds(90), cluster.net().exec(n.name(), argv.toArray(String[]::new)));
        assertEquals(0, r.exit(), "curl " + method + " " + path + ": " + r.out());
        String out = r.out();
        int nl = out.lastIndexOf('\n');
        return new Answer(Integer.parseInt(out.substring(nl + 1).strip()), out.substring(0, Math.max(0, nl)));
    }

    Cmd.Result kcat(String... args) {
        List<String> argv = new ArrayList<>(List.of("kcat", "-b", cluster.bootstrap(), "-m", "15", "-X", "security.protocol=SASL_SSL",
                "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=" + LabTls.APP_USER, "-X", "sasl.password=" + LabTls.APP_PASSWORD,
                "-X", "ssl.ca.location=" + tls.caCert()));
        argv.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(60), cluster.net().exec(n.name(), argv.toArray(String[]::new)));
    }

    static List<String> lines() {
        return IntStream.rangeClosed(1, LINES).mapToObj(i -> "secured line " + i).toList();
    }

    @Test
    void theWorkerServesHttpsWithLoginsAndWritesOverMutualTls() throws Exception {
        String why = LabCluster.unsupportedReason();
        Need.that(why == null, () -> "secured single-node in a network namespace: " + why);
        Need.tool("kcat", "kcat");
        Need.tool("curl", "curl");
        tls = new LabTls(Path.of("target/secured-connect-secrets").toAbsolutePath(), null);
        // the dev stack's budget, and 128 MiB for kafka-access, the short JVM of a secured broker node
        Map<String, String> heaps = new HashMap<>(LabCluster.singleNode().get(0).env());
        try (LabCluster c = new LabCluster(List.of(new LabCluster.NodeSpec(NODE, "standalone", 1928, heaps)), "single-node",
                Path.of("target/secured-connect").toAbsolutePath(), tls)) {
            cluster = c;
            n = c.node(NODE);
            n.start();
            Timing.awaitValue("the secured node ready", Duration.ofMinutes(5), Duration.ofMillis(250),
                    () -> c.readyOrExited(n) ? Boolean.TRUE : null, c::describe);
            // the agent's probe is HTTPS with the node's identity: the worker is READY in the agent's status
            assertEquals("READY", n.service("connect").path("state").asText(), n.service("connect").toString());

            // the worker is up: GET /health open (the probe's path), GET / with a client login
            Answer health = curl("GET", "/health", null, null, null);
            assertEquals(200, health.status(), health.body());
            Answer root = curl("GET", "/", LabTls.APP_USER, LabTls.APP_PASSWORD, null);
            assertEquals(200, root.status(), root.body());
            assertTrue(root.body().contains("\"version\""), root.body());
            // anonymous: refused, reads and changes alike, before anything runs
            assertEquals(401, curl("GET", "/connectors", null, null, null).status());
            String create = createBody();
            Answer anonymous = curl("POST", "/connectors", null, null, create);
            assertEquals(401, anonymous.status(), anonymous.body());
            // a wrong password: 401, its text nowhere in the answer
            Answer wrong = curl("POST", "/connectors", LabTls.ADMIN_USER, "not-" + LabTls.ADMIN_PASSWORD, create);
            assertEquals(401, wrong.status(), wrong.body());
            assertFalse(wrong.body().contains("not-" + LabTls.ADMIN_PASSWORD));
            // the client role reads but changes nothing
            Answer client = curl("POST", "/connectors", LabTls.APP_USER, LabTls.APP_PASSWORD, create);
            assertEquals(403, client.status(), client.body());
            assertTrue(client.body().contains("admin role"), client.body());
            Answer none = curl("GET", "/connectors", LabTls.APP_USER, LabTls.APP_PASSWORD, null);
            assertEquals(200, none.status(), none.body());
            assertEquals("[]", none.body().strip(), "the client's POST made nothing");

            // the admin role: a file source, its task RUNNING, the file's lines in the topic (kcat over SASL_SSL)
            try (Kafka kafka = new Kafka(c.bootstrap(), tls.kafkaAdmin())) {
                kafka.createTopic(TOPIC, 1, 1, 1);
            }
            Answer made = curl("POST", "/connectors", LabTls.ADMIN_USER, LabTls.ADMIN_PASSWORD, create);
            assertEquals(201, made.status(), made.body());
            Await.until("connector " + CONNECTOR + " and its task RUNNING", Duration.ofSeconds(180), () -> {
                Answer st = curl("GET", "/connectors/" + CONNECTOR + "/status", LabTls.APP_USER, LabTls.APP_PASSWORD, null);
                assertEquals(200, st.status(), st.body());
                JsonNode s = JSON.readTree(st.body());
                assertEquals("RUNNING", s.path("connector").path("state").asText(), st.body());
                assertEquals(1, s.path("tasks").size(), st.body());
                assertEquals("RUNNING", s.path("tasks").get(0).path("state").asText(), st.body());
            });
            List<List<String>> read = new ArrayList<>();
            Await.until("kcat to read " + LINES + " records of " + TOPIC, Duration.ofSeconds(120), () -> {
                Cmd.Result r = kcat("-C", "-q", "-e", "-t", TOPIC, "-o", "beginning", "-f", "%s\\n").check();
                read.clear();
                read.add(r.out().lines().toList());
                assertTrue(read.get(0).size() >= LINES, "kcat read " + read.get(0).size() + " of " + LINES);
            });
            assertEquals(lines(), read.get(0), "the file's lines, in order, once each");

            // the node's wrapper (dist/bin/connect-rest, examples/local/bin): HTTPS to the node's name with the CA and a login
            // whose password it reads from its environment, never from its command line
            Map<String, String> wrapperEnv = Map.of("AGENT_DATA_DIR", n.dir().resolve("data").toString(),
                    "DOCKHAND_CONNECT_PASSWORD", LabTls.APP_PASSWORD);
            String wrapper = LabCluster.DIST.resolve("bin/connect-rest").toAbsolutePath().toString();
            Cmd.Result listed = Cmd.run(Duration.ofSeconds(90), cluster.net().exec(NODE, wrapper, "-u", LabTls.APP_USER, "/connectors"),
                    wrapperEnv);
            assertEquals(0, listed.exit(), listed.out());
            assertEquals("[\"" + CONNECTOR + "\"]", listed.out().strip(), "the client lists the connector through the wrapper");
            Cmd.Result clientDelete = Cmd.run(Duration.ofSeconds(90), cluster.net().exec(NODE, wrapper, "-u", LabTls.APP_USER, "DELETE",
                    "/connectors/" + CONNECTOR), wrapperEnv);
            assertTrue(clientDelete.out().contains("\"error_code\":403"), "a client's delete through the wrapper: " + clientDelete.out());

            // a config that fails the connector's validation: the worker's own message, through the login filter
            ObjectNode bad = JSON.createObjectNode().put("name", "secured-without-topic");
            bad.putObject("config").put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector")
                    .put("tasks.max", "1").put("file", sourceFile().toString());
            Answer refused = curl("POST", "/connectors", LabTls.ADMIN_USER, LabTls.ADMIN_PASSWORD, JSON.writeValueAsString(bad));
            assertEquals(400, refused.status(), refused.body());
            String message = JSON.readTree(refused.body()).path("message").asText();
            assertTrue(message.contains("Connector configuration is invalid") && message.contains("topic"), refused.body());

            // no password of the users file in the node's log (the worker's and the agent's lines)
            String log = n.logText();
            for (String secret : List.of(LabTls.ADMIN_PASSWORD, LabTls.APP_PASSWORD)) {
                assertFalse(log.contains(secret), "a password in the node's log");
            }
            assertTrue(log.contains("logins required for the REST API"), "the worker says it checks logins");
        }
    }

    /**
     * A worker on a node of its own is no super user: the smallest secured ZooKeeper-mode cluster with a Connect node
     * (production config: one ZooKeeper, one broker, the registry the config requires, one worker). kafka-access gives
     * the worker's certificate its ACLs (ADR 023); with them alone the worker makes its topics and joins its group, a
     * file source writes its topic of prefix {@code connect-}, and one that names a topic outside it fails with
     * Kafka's authorization error.
     */
    @Test
    void aWorkerOnItsOwnNodeRunsWithItsAclsOnlyInsideItsPrefix() throws Exception {
        String why = LabCluster.unsupportedReason();
        Need.that(why == null, () -> "secured cluster with a Connect node in network namespaces: " + why);
        Need.tool("kcat", "kcat");
        Need.tool("curl", "curl");
        tls = new LabTls(Path.of("target/secured-connect-cluster-secrets").toAbsolutePath(), null);
        List<LabCluster.NodeSpec> specs = List.of(
                new LabCluster.NodeSpec("zk-1", "zookeeper", 400, Map.of("AGENT_HEAP_MB_ZOOKEEPER", "128")),
                new LabCluster.NodeSpec("b-1", "broker", 832, Map.of("AGENT_HEAP_MB_KAFKA_BROKER", "256")),
                new LabCluster.NodeSpec("sr-1", "schemareg", 500, Map.of("AGENT_HEAP_MB_SCHEMA_REGISTRY", "192")),
                new LabCluster.NodeSpec("cn-1", "connect", 600, Map.of("AGENT_HEAP_MB_CONNECT", "256")));
        try (LabCluster c = new LabCluster(specs, "production", Path.of("target/secured-connect-cluster").toAbsolutePath(), tls)) {
            cluster = c;
            n = c.node("cn-1");
            c.startAll();
            c.awaitReady(Duration.ofMinutes(6));
            assertEquals("READY", n.service("connect").path("state").asText(), n.service("connect").toString());
            String principal = "User:CN=" + n.fqdn();
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(adminProps(c))) {
                var acls = admin.describeAcls(new org.apache.kafka.common.acl.AclBindingFilter(
                        org.apache.kafka.common.resource.ResourcePatternFilter.ANY,
                        new org.apache.kafka.common.acl.AccessControlEntryFilter(principal, null,
                                org.apache.kafka.common.acl.AclOperation.ANY, org.apache.kafka.common.acl.AclPermissionType.ANY)))
                        .values().get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(15, acls.size(), "the worker node's ACLs, as AccessPlanTest lists them: " + acls);
                // the worker made its three topics with those rights alone
                var names = admin.listTopics().names().get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(names.containsAll(List.of("dockhand-connect-configs", "dockhand-connect-offsets", "dockhand-connect-status")), names.toString());
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(TOPIC, 1, (short) 1),
                        new org.apache.kafka.clients.admin.NewTopic("outside-lines", 1, (short) 1))).all()
                        .get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            Answer inside = curl("POST", "/connectors", LabTls.ADMIN_USER, LabTls.ADMIN_PASSWORD, createBody(CONNECTOR, TOPIC));
            assertEquals(201, inside.status(), inside.body());
            Answer outside = curl("POST", "/connectors", LabTls.ADMIN_USER, LabTls.ADMIN_PASSWORD, createBody("outside-source", "outside-lines"));
            assertEquals(201, outside.status(), outside.body());
            List<List<String>> read = new ArrayList<>();
            Await.until("kcat to read " + LINES + " records of " + TOPIC, Duration.ofSeconds(180), () -> {
                Cmd.Result r = kcat("-C", "-q", "-e", "-t", TOPIC, "-o", "beginning", "-f", "%s\\n").check();
                read.clear();
                read.add(r.out().lines().toList());
                assertTrue(read.get(0).size() >= LINES, "kcat read " + read.get(0).size() + " of " + LINES);
            });
            assertEquals(lines(), read.get(0), "the prefixed topic holds the file's lines, written by the worker's own rights");
            Await.until("the connector outside the prefix to fail its task", Duration.ofSeconds(180), () -> {
                Answer st = curl("GET", "/connectors/outside-source/status", LabTls.APP_USER, LabTls.APP_PASSWORD, null);
                assertEquals(200, st.status(), st.body());
                JsonNode task = JSON.readTree(st.body()).path("tasks").path(0);
                assertEquals("FAILED", task.path("state").asText(), st.body());
                assertTrue(task.path("trace").asText().contains("TopicAuthorizationException"), st.body());
            });
            Cmd.Result nothing = kcat("-C", "-q", "-e", "-t", "outside-lines", "-o", "beginning", "-f", "%s\\n").check();
            assertEquals("", nothing.out().strip(), "nothing written outside the prefix");
        }
    }

    static Map<String, Object> adminProps(LabCluster c) {
        Map<String, Object> p = new HashMap<>(c.tls().kafkaAdmin());
        p.put("bootstrap.servers", c.bootstrap());
        return p;
    }

    Path sourceFile() {
        return n.dir().resolve("connect-source.txt");
    }

    String createBody() throws Exception {
        return createBody(CONNECTOR, TOPIC);
    }

    String createBody(String name, String topic) throws Exception {
        Files.write(sourceFile(), lines(), StandardCharsets.UTF_8);
        ObjectNode create = JSON.createObjectNode().put("name", name);
        create.putObject("config")
                .put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector")
                .put("tasks.max", "1")
                .put("file", sourceFile().toString())
                .put("topic", topic)
                .put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        return JSON.writeValueAsString(create);
    }
}
