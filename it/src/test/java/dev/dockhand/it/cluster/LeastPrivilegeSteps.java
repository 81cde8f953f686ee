package dev.dockhand.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.LabTls;
import dev.dockhand.it.lab.Timing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Least privilege on a secured cluster (ADR 019), as steps a cluster IT runs on its running cluster, each one
 * self-contained: the registry's and the console's node identities are no Kafka admins; teams' users stay within
 * their prefixes and quotas; the users file is reconciled (a removed user loses its login and ACLs, a demoted admin
 * its ALL, a malformed file changes nothing). Every client here is Kafka's own Java client, outside the agent; a
 * refusal is asserted beside the same operation on the same path succeeding.
 *
 * <p>The cluster: brokers whose clients' listener is 9092 (SASL_SSL) and nodes' listener 9091 (mutual TLS), a console
 * node and a registry node; the steps change the users file the nodes were given and reload one broker node.
 */
final class LeastPrivilegeSteps {
    static final String TEAM_A = "team-a";
    static final String TEAM_A_PASSWORD = "team-a-Secret-1";
    static final String TEAM_A_NEW_PASSWORD = "team-a-Secret-2";
    static final String TEAM_B = "team-b";
    static final String TEAM_B_PASSWORD = "team-b-Secret-1";
    /** team-a's producer quota: small enough that a few hundred KiB are throttled. */
    static final int TEAM_A_PRODUCE_RATE = 10240;

    private final LabCluster cluster;
    private final LabTls tls;
    private final List<LabNode> brokers;
    private final Path work;

    /**
     * @param brokers the running broker nodes (the first one is reloaded to apply a changed users file)
     * @param work a directory for the test's own key stores
     */
    LeastPrivilegeSteps(LabCluster cluster, LabTls tls, List<LabNode> brokers, Path work) {
        this.cluster = cluster;
        this.tls = tls;
        this.brokers = List.copyOf(brokers);
        this.work = work;
    }

    String clientBootstrap() {
        return brokers.stream().map(n -> n.fqdn() + ":9092").collect(Collectors.joining(","));
    }

    String nodeBootstrap() {
        return brokers.stream().map(n -> n.fqdn() + ":9091").collect(Collectors.joining(","));
    }

    /** An Admin on the nodes' listener with a certificate of the cluster's CA for {@code fqdn}: that node's identity. */
    Admin nodeAdmin(String fqdn) {
        NodeTls id = NodeTls.issue(tls.ca(), fqdn, null, List.of(fqdn), Instant.now(), Duration.ofDays(1));
        Path pem = work.resolve("identity-" + fqdn + ".pem");
        try {
            Files.createDirectories(work);
            Files.writeString(pem, id.keyAndChainPem());
            Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> p = new HashMap<>(Map.of("bootstrap.servers", nodeBootstrap(), "security.protocol", "SSL",
                "ssl.keystore.type", "PEM", "ssl.keystore.location", pem.toString(), "ssl.truststore.type", "PEM",
                "ssl.truststore.location", tls.caCert().toString(), "request.timeout.ms", "15000", "default.api.timeout.ms", "30000"));
        return Admin.create(p);
    }

    Admin userAdmin(String user, String password) {
        Map<String, Object> p = new HashMap<>(tls.kafkaClient(user, password));
        p.putAll(Map.of("bootstrap.servers", clientBootstrap(), "request.timeout.ms", "15000", "default.api.timeout.ms", "30000"));
        return Admin.create(p);
    }

    Properties userClient(String user, String password) {
        Properties p = new Properties();
        p.putAll(tls.kafkaClient(user, password));
        p.put("bootstrap.servers", clientBootstrap());
        return p;
    }

    /** What {@code call} failed with (the cause of an ExecutionException), or null when it succeeded. */
    static Throwable failure(KafkaCall call) {
        try {
            call.run();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    interface KafkaCall {
        void run() throws Exception;
    }

    static void assertRefused(String what, Class<? extends Throwable> expected, KafkaCall call) {
        Throwable t = failure(call);
        assertTrue(expected.isInstance(t), what + ": refused with " + expected.getSimpleName() + ", got " + t);
    }

    static void assertWorks(String what, KafkaCall call) {
        Throwable t = failure(call);
        assertEquals(null, t, what + " works");
    }

    static AclBinding probeAcl(String principal) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, "least-privilege-probe", PatternType.LITERAL),
                new AccessControlEntry(principal, "*", AclOperation.READ, AclPermissionType.ALLOW));
    }

    /**
     * The registry's and the console's nodes (and ZooKeeper's, where there are some) are no Kafka super users: with
     * their certificates (the principal their agents and services use on the nodes' listener) CreateAcls, DeleteTopics,
     * CreateTopics and AlterConfigs are refused, while the console's identity reads what its page shows and a broker's
     * identity, on the same listener, creates and deletes an ACL.
     *
     * @param withoutRights the nodes whose identity has no Kafka right at all (the registry's, ZooKeeper's)
     */
    void registryAndConsoleNodesAreNoKafkaAdmins(String topic, String consoleNode, List<String> withoutRights) throws Exception {
        String broker = brokers.get(0).fqdn();
        for (String node : withoutRights) {
            nodeWithoutRights(topic, node);
        }
        try (Admin b = nodeAdmin(broker); Admin gw = nodeAdmin(consoleNode)) {
            // the positive path: a broker's identity (a super user) creates and deletes an ACL, sees the topic
            assertWorks("a broker's identity creates an ACL", () -> b.createAcls(List.of(probeAcl("User:nobody"))).all().get(30, TimeUnit.SECONDS));
            assertWorks("a broker's identity deletes it", () -> b.deleteAcls(List.of(probeAcl("User:nobody").toFilter())).all().get(30, TimeUnit.SECONDS));
            assertTrue(b.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic));

            // the console's identity: what its page reads works
            assertTrue(gw.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic), "the console's identity lists the topics");
            assertWorks("the console's identity describes a topic", () -> gw.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS));
            assertWorks("the console's identity reads a topic's settings",
                    () -> gw.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic))).all().get(30, TimeUnit.SECONDS));
            assertWorks("the console's identity lists the groups", () -> gw.listConsumerGroups().all().get(30, TimeUnit.SECONDS));
            assertWorks("the console's identity reads the log dirs", () -> gw.describeLogDirs(
                    gw.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(org.apache.kafka.common.Node::id).toList())
                    .allDescriptions().get(30, TimeUnit.SECONDS));
            // ... and nothing that changes the cluster
            refusedAdminOperations("the console's node identity", gw, topic);
            consoleShowsWithoutAuthorizationProblems(consoleNode, topic);
            assertTrue(b.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic), "the topic is still there");
        }
    }

    /**
     * The console itself, with its node's read rights only: its overview lists {@code topic} and names no authorization
     * problem (topics, groups and their offsets, log dirs, the KRaft quorum all read).
     */
    void consoleShowsWithoutAuthorizationProblems(String consoleNode, String topic) {
        LabNode gw = cluster.nodes().stream().filter(n -> n.fqdn().equals(consoleNode)).findFirst().orElseThrow();
        String[] last = {""};
        Timing.await("the console lists " + topic + " and names no authorization problem", Duration.ofSeconds(90), Duration.ofMillis(500), () -> {
            try {
                var r = gw.https(tls.clientContext(), "GET", 9021, "/api/overview", LabTls.APP_USER, LabTls.APP_PASSWORD, null);
                if (r.statusCode() != 200) {
                    last[0] = r.statusCode() + " " + r.body();
                    return false;
                }
                var k = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("kafka");
                last[0] = k.path("problems").toString();
                boolean listed = false;
                for (var t : k.path("topics")) {
                    listed |= topic.equals(t.path("name").asText());
                }
                return listed && k.path("brokers").size() == brokers.size() && !k.path("problems").toString().contains("uthoriz");
            } catch (RuntimeException | IOException e) {
                last[0] = e.toString();
                return false;
            }
        });
        System.out.println("LeastPrivilegeSteps: the console's problems with its read rights only: " + last[0]);
    }

    /** {@code node}'s identity: connected and known (the brokers answer it), but it sees no topic and changes nothing. */
    void nodeWithoutRights(String topic, String node) throws Exception {
        try (Admin a = nodeAdmin(node)) {
            assertEquals(brokers.size(), a.describeCluster().nodes().get(30, TimeUnit.SECONDS).size(), node + "'s identity reaches the brokers");
            assertEquals(Set.of(), a.listTopics().names().get(30, TimeUnit.SECONDS), node + "'s identity sees no topic");
            refusedAdminOperations(node + "'s identity", a, topic);
        }
    }

    static void refusedAdminOperations(String who, Admin a, String topic) {
        assertRefused(who + ": CreateAcls", org.apache.kafka.common.errors.ClusterAuthorizationException.class,
                () -> a.createAcls(List.of(probeAcl("User:someone"))).all().get(30, TimeUnit.SECONDS));
        assertRefused(who + ": DeleteTopics", org.apache.kafka.common.errors.TopicAuthorizationException.class,
                () -> a.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS));
        assertRefused(who + ": AlterConfigs on the topic", org.apache.kafka.common.errors.TopicAuthorizationException.class,
                () -> a.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                        List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET))))
                        .all().get(30, TimeUnit.SECONDS));
        assertRefused(who + ": CreateTopics", org.apache.kafka.common.errors.TopicAuthorizationException.class,
                () -> a.createTopics(List.of(new NewTopic("made-by-a-node", 1, (short) 1))).all().get(30, TimeUnit.SECONDS));
    }

    /** Writes the nodes' users file anew (0600, atomically), reloads the first broker node and waits for its kafka-access. */
    void applyUsers(String text, String expectedLine) throws IOException {
        Path users = Path.of(tls.env().get("AGENT_USERS_FILE"));
        Path tmp = users.resolveSibling("users.new");
        Files.writeString(tmp, text);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        Files.move(tmp, users, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        LabNode b = brokers.get(0);
        int from = b.logText().length();
        b.signalAgent("HUP");
        Timing.await(b.name() + " reloaded and its kafka-access applied the users file (" + expectedLine + ")", Duration.ofSeconds(240),
                Duration.ofMillis(500), () -> {
                    String since = b.logText().substring(from);
                    return since.contains(expectedLine) && since.contains("kafka-access: reconciled");
                });
    }

    /**
     * Teams: two scoped users, each confined to its prefixes. team-a produces, consumes, commits and describes within
     * {@code team-a.}, and is refused on team-b's topic and group, on a topic of no team, and on the internal offsets
     * topic; its produce quota throttles it (the brokers' throttle time, as the client measures it), while the same
     * records from an unscoped user are not throttled.
     */
    void teamsStayWithinTheirPrefixesAndQuotas() throws Exception {
        applyUsers(LabTls.APP_USER + ":" + LabTls.APP_PASSWORD + "\n" + LabTls.ADMIN_USER + ":" + LabTls.ADMIN_PASSWORD + ":admin\n"
                + TEAM_A + ":" + TEAM_A_PASSWORD + ":client:topic=team-a.,group=team-a.,producer_byte_rate=" + TEAM_A_PRODUCE_RATE + "\n"
                + TEAM_B + ":" + TEAM_B_PASSWORD + ":client:topic=team-b.,group=team-b.\n", "kafka-access: 4 user(s)");
        String aTopic = "team-a.orders";
        String bTopic = "team-b.orders";
        try (Admin a = userAdmin(TEAM_A, TEAM_A_PASSWORD); Admin bAdmin = userAdmin(TEAM_B, TEAM_B_PASSWORD);
                Admin root = nodeAdmin(brokers.get(0).fqdn())) {
            assertWorks("team-a creates a topic of its prefix", () -> a.createTopics(List.of(new NewTopic(aTopic, 1, (short) 3))).all().get(60, TimeUnit.SECONDS));
            assertWorks("team-b creates a topic of its prefix", () -> bAdmin.createTopics(List.of(new NewTopic(bTopic, 1, (short) 3))).all().get(60, TimeUnit.SECONDS));
            assertRefused("team-a creates a topic outside its prefix", org.apache.kafka.common.errors.TopicAuthorizationException.class,
                    () -> a.createTopics(List.of(new NewTopic("team-b.by-a", 1, (short) 3))).all().get(60, TimeUnit.SECONDS));
            assertWorks("team-a describes its topic", () -> a.describeTopics(List.of(aTopic)).allTopicNames().get(30, TimeUnit.SECONDS));
            assertRefused("team-a describes team-b's topic", org.apache.kafka.common.errors.TopicAuthorizationException.class,
                    () -> a.describeTopics(List.of(bTopic)).allTopicNames().get(30, TimeUnit.SECONDS));
            Set<String> seen = a.listTopics().names().get(30, TimeUnit.SECONDS);
            assertTrue(seen.contains(aTopic) && seen.stream().allMatch(t -> t.startsWith("team-a.")), "team-a lists only its topics: " + seen);
            // Kafka's own view of the quota
            var quotas = root.describeClientQuotas(ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.USER, TEAM_A))))
                    .entities().get(30, TimeUnit.SECONDS);
            assertEquals(Map.of("producer_byte_rate", (double) TEAM_A_PRODUCE_RATE), quotas.get(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, TEAM_A))));
        }

        // produce: its own topic, throttled by its quota; team-b's topic and the internal offsets topic refused
        byte[] kib = new byte[1024];
        int records = 200; // 200 KiB: 20 s of team-a's rate, twice what the brokers' 10 s quota window lets through unthrottled
        double throttled;
        try (KafkaProducer<byte[], byte[]> p = producer(TEAM_A, TEAM_A_PASSWORD)) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                sent.add(p.send(new ProducerRecord<>(aTopic, kib)));
            }
            p.flush();
            for (var f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
            throttled = throttleMax(p);
            assertRefused("team-a writes to team-b's topic", org.apache.kafka.common.errors.TopicAuthorizationException.class,
                    () -> p.send(new ProducerRecord<>(bTopic, kib)).get(60, TimeUnit.SECONDS));
            assertRefused("team-a writes to the internal offsets topic", org.apache.kafka.common.errors.TopicAuthorizationException.class,
                    () -> p.send(new ProducerRecord<>("__consumer_offsets", kib)).get(60, TimeUnit.SECONDS));
        }
        double free;
        try (KafkaProducer<byte[], byte[]> p = producer(LabTls.APP_USER, LabTls.APP_PASSWORD)) {
            for (int i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(aTopic, kib));
            }
            p.flush();
            free = throttleMax(p);
        }
        System.out.printf("LeastPrivilegeSteps: %d KiB produced by team-a (producer_byte_rate=%d): throttled up to %.0f ms a request; "
                + "by an unscoped user without quota: %.0f ms%n", records, TEAM_A_PRODUCE_RATE, throttled, free);
        assertTrue(throttled > 0, "team-a's quota throttles it: produce-throttle-time-max " + throttled);
        assertFalse(free > 0, "a user without quota is not throttled: produce-throttle-time-max " + free);

        // consume and commit: its own topic with its own group; team-b's topic and group refused
        try (KafkaConsumer<byte[], byte[]> c = consumer(TEAM_A, TEAM_A_PASSWORD, "team-a.readers")) {
            TopicPartition own = new TopicPartition(aTopic, 0);
            c.assign(List.of(own));
            c.seekToBeginning(List.of(own));
            int read = 0;
            long deadline = System.nanoTime() + Timing.seconds(60).toNanos();
            while (read == 0 && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    read++;
                }
            }
            assertTrue(read > 0, "team-a reads its own topic");
            assertWorks("team-a commits in its own group", () -> c.commitSync(Map.of(own, new OffsetAndMetadata(1))));
            TopicPartition theirs = new TopicPartition(bTopic, 0);
            c.assign(List.of(theirs));
            assertRefused("team-a reads team-b's topic", org.apache.kafka.common.errors.TopicAuthorizationException.class,
                    () -> c.poll(Duration.ofSeconds(10)));
        }
        try (KafkaConsumer<byte[], byte[]> c = consumer(TEAM_A, TEAM_A_PASSWORD, "team-b.readers")) {
            TopicPartition own = new TopicPartition(aTopic, 0);
            c.assign(List.of(own));
            assertRefused("team-a commits in team-b's group", org.apache.kafka.common.errors.GroupAuthorizationException.class,
                    () -> c.commitSync(Map.of(own, new OffsetAndMetadata(1))));
        }
        try (KafkaConsumer<byte[], byte[]> c = consumer(TEAM_A, TEAM_A_PASSWORD, "team-b.readers")) {
            assertRefused("team-a joins team-b's group", org.apache.kafka.common.errors.GroupAuthorizationException.class, () -> {
                c.subscribe(List.of(aTopic));
                c.poll(Duration.ofSeconds(20));
            });
        }
    }

    /**
     * The users file reconciled: team-b removed, the admin demoted to client, team-a's password changed. team-b can no
     * longer log in and holds no credential, ACL or quota; the demoted admin no ALL (and is refused CreateAcls, beside
     * its client rights still working); team-a's old password is refused, its new one works, and a session it opened with
     * the old one before the change ends within {@code reauth} (the brokers' connections.max.reauth.ms). A malformed file then
     * changes nothing: the reload is refused and the cluster keeps every login.
     */
    void theUsersFileIsReconciled(Duration reauth) throws Exception {
        String operatorsOwn = "User:" + TEAM_B;
        AclBinding handMade = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "audit-log", PatternType.LITERAL),
                new AccessControlEntry("User:" + LabTls.APP_USER, "*", AclOperation.READ, AclPermissionType.ALLOW));
        try (Admin root = nodeAdmin(brokers.get(0).fqdn())) {
            // an operator's own ACL for a managed user: not a shape the agent writes, so never the agent's to remove
            root.createAcls(List.of(handMade)).all().get(30, TimeUnit.SECONDS);
            assertFalse(acls(root, operatorsOwn).isEmpty(), "team-b has ACLs before");
        }
        // a session of team-a's, open with its old password across the change
        Admin openSession = userAdmin(TEAM_A, TEAM_A_PASSWORD);
        try {
            assertWorks("team-a's session before the change", () -> openSession.describeTopics(List.of("team-a.orders")).allTopicNames()
                    .get(30, TimeUnit.SECONDS));
            applyUsers(LabTls.APP_USER + ":" + LabTls.APP_PASSWORD + "\n" + LabTls.ADMIN_USER + ":" + LabTls.ADMIN_PASSWORD + ":client\n"
                    + TEAM_A + ":" + TEAM_A_NEW_PASSWORD + ":client:topic=team-a.,group=team-a.\n", "kafka-access: 3 user(s)");
            // the broker asks every session to log in again within connections.max.reauth.ms; the old password now fails
            dev.dockhand.it.lab.Await.until("team-a's open session to end within the re-authentication interval (" + reauth.toSeconds() + " s)",
                    reauth.multipliedBy(3), Duration.ofSeconds(1), () -> {
                        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                                () -> openSession.describeTopics(List.of("team-a.orders")).allTopicNames().get(30, TimeUnit.SECONDS));
                        assertTrue(e.getCause() instanceof org.apache.kafka.common.errors.SaslAuthenticationException, String.valueOf(e.getCause()));
                    });
        } finally {
            openSession.close(Duration.ofSeconds(10));
        }
        try (Admin root = nodeAdmin(brokers.get(0).fqdn())) {
            Set<String> scram = root.describeUserScramCredentials().all().get(30, TimeUnit.SECONDS).keySet();
            assertEquals(Set.of(LabTls.APP_USER, LabTls.ADMIN_USER, TEAM_A), scram, "the SCRAM users are the file's");
            assertEquals(List.of(), acls(root, operatorsOwn), "the removed user has no ACL left");
            List<AclBinding> ops = acls(root, "User:" + LabTls.ADMIN_USER);
            assertFalse(ops.isEmpty());
            assertTrue(ops.stream().noneMatch(b -> b.entry().operation() == AclOperation.ALL), "the demoted admin holds no ALL: " + ops);
            assertTrue(acls(root, "User:" + LabTls.APP_USER).contains(handMade), "the operator's own ACL stays");
            var quotas = root.describeClientQuotas(ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.USER, TEAM_A))))
                    .entities().get(30, TimeUnit.SECONDS);
            assertEquals(null, quotas.get(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, TEAM_A))), "team-a's quota went with the file's");
            root.deleteAcls(List.of(handMade.toFilter())).all().get(30, TimeUnit.SECONDS);
        }
        // logins, each refusal beside a login that works on the same listener
        try (Admin app = userAdmin(LabTls.APP_USER, LabTls.APP_PASSWORD)) {
            assertWorks("an unchanged user logs in", () -> app.describeCluster().nodes().get(30, TimeUnit.SECONDS));
        }
        try (Admin b = userAdmin(TEAM_B, TEAM_B_PASSWORD)) {
            assertRefused("the removed user logs in", org.apache.kafka.common.errors.SaslAuthenticationException.class,
                    () -> b.describeCluster().nodes().get(30, TimeUnit.SECONDS));
        }
        try (Admin old = userAdmin(TEAM_A, TEAM_A_PASSWORD)) {
            assertRefused("team-a's old password", org.apache.kafka.common.errors.SaslAuthenticationException.class,
                    () -> old.describeCluster().nodes().get(30, TimeUnit.SECONDS));
        }
        try (Admin now = userAdmin(TEAM_A, TEAM_A_NEW_PASSWORD)) {
            assertWorks("team-a's new password", () -> now.describeTopics(List.of("team-a.orders")).allTopicNames().get(30, TimeUnit.SECONDS));
        }
        try (Admin ops = userAdmin(LabTls.ADMIN_USER, LabTls.ADMIN_PASSWORD)) {
            assertWorks("the demoted admin still describes a topic, as a client", () -> ops.describeTopics(List.of("team-a.orders")).allTopicNames()
                    .get(30, TimeUnit.SECONDS));
            assertRefused("the demoted admin creates an ACL", org.apache.kafka.common.errors.ClusterAuthorizationException.class,
                    () -> ops.createAcls(List.of(probeAcl("User:someone"))).all().get(30, TimeUnit.SECONDS));
        }

        // a malformed file: the reload is refused, nothing in the cluster changes
        Path users = Path.of(tls.env().get("AGENT_USERS_FILE"));
        String good = Files.readString(users);
        LabNode b = brokers.get(0);
        int from = b.logText().length();
        Files.writeString(users, LabTls.APP_USER + ":" + LabTls.APP_PASSWORD + "\nbroken line\n");
        b.signalAgent("HUP");
        Timing.await(b.name() + " refuses the reload of a malformed users file", Duration.ofSeconds(60), Duration.ofMillis(250),
                () -> b.logText().substring(from).contains("reload refused"));
        try (Admin root = nodeAdmin(b.fqdn())) {
            assertEquals(Set.of(LabTls.APP_USER, LabTls.ADMIN_USER, TEAM_A), root.describeUserScramCredentials().all().get(30, TimeUnit.SECONDS).keySet(),
                    "a malformed file removed no login");
        }
        assertFalse(b.logText().substring(from).contains("kafka-access: reconciled"), "kafka-access did not run on a malformed file");
        Files.writeString(users, good);
        for (LabNode n : cluster.nodes()) {
            String log = n.logText();
            for (String secret : List.of(TEAM_A_PASSWORD, TEAM_A_NEW_PASSWORD, TEAM_B_PASSWORD)) {
                assertFalse(log.contains(secret), n.name() + "'s log holds a team's password");
            }
        }
    }

    static List<AclBinding> acls(Admin admin, String principal) throws Exception {
        Collection<AclBinding> all = admin.describeAcls(new AclBindingFilter(ResourcePatternFilter.ANY,
                new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY))).values().get(30, TimeUnit.SECONDS);
        return List.copyOf(all);
    }

    KafkaProducer<byte[], byte[]> producer(String user, String password) {
        Properties p = userClient(user, password);
        p.put("acks", "all");
        p.put("linger.ms", "5");
        p.put("max.block.ms", "60000");
        p.put("delivery.timeout.ms", "120000");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    KafkaConsumer<byte[], byte[]> consumer(String user, String password, String group) {
        Properties p = userClient(user, password);
        p.put("group.id", group);
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The largest throttle time the brokers asked of {@code p}'s produce requests, as the client measured it (ms). */
    static double throttleMax(KafkaProducer<?, ?> p) {
        for (var e : p.metrics().entrySet()) {
            if (e.getKey().name().equals("produce-throttle-time-max") && e.getKey().group().equals("producer-metrics")) {
                Object v = e.getValue().metricValue();
                return v instanceof Double d ? d : Double.NaN;
            }
        }
        throw new AssertionError("the producer has no produce-throttle-time-max metric");
    }
}
