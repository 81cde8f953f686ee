package dev.dockhand.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.metadata.MetadataInputs;
import dev.dockhand.agent.plan.NodePlan.PlannedService;
import dev.dockhand.agent.plan.NodePlan.RemoteDependency;
import dev.dockhand.agent.render.RenderTestSupport;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.Pem;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The move from ZooKeeper to KRaft (ADR 012): phases, what each renders, refusals, preconditions, node ids. */
class MigrationTest {
    /** The production cluster with explicit ids (its positions), plus three controllers with ids no broker has. */
    static final String NODES = "zookeeper=1@zk-1.k.test,2@zk-2.k.test,3@zk-3.k.test;"
            + "broker=4@b-1.k.test,5@b-2.k.test,6@b-3.k.test;schemareg=7@sr.k.test;"
            + "controller=8@c-1.k.test,9@c-2.k.test,10@c-3.k.test";
    /** After the migration: ZooKeeper's nodes gone, nobody renumbered. */
    static final String AFTER = "broker=4@b-1.k.test,5@b-2.k.test,6@b-3.k.test;schemareg=7@sr.k.test;"
            + "controller=8@c-1.k.test,9@c-2.k.test,10@c-3.k.test";
    static final String VOTERS = "8@c-1.k.test:9093,9@c-2.k.test:9093,10@c-3.k.test:9093";

    FileSystem fs;

    @BeforeEach
    void templates() throws IOException {
        fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix", "unix").build());
        RenderTestSupport.copyTemplates(fs);
    }

    Map<String, String> env(String fqdn, String config, String nodes, String phase) {
        Map<String, String> env = new HashMap<>(Map.of("AGENT_NODES", nodes, "AGENT_FQDN", fqdn, "AGENT_CLUSTER_CONFIG", config,
                "AGENT_CLUSTER_NAME", "k", "AGENT_SECURITY", "plaintext", "AGENT_JAVA", "/usr/bin/java"));
        if (phase != null) {
            env.put(Migration.PHASE, phase);
        }
        return env;
    }

    NodePlan plan(Map<String, String> env) {
        String data = "/data/" + env.get("AGENT_FQDN");
        Planner.Resolved node = PlanReader.resolve(new PlanInputs("/etc/agent/templates/catalog.json", null, null, data, "/opt/dockhand",
                MetadataInputs.none(), 9800), env, fs, RenderTestSupport.noHost(), RenderTestSupport.JAVA_HOME, java.time.Instant.now());
        return Planner.plan(PlanReader.read(node, env, PlannerTest.FOUR_GIB, java.time.Instant.now()));
    }

    NodePlan plan(String fqdn, String config, String phase) {
        return plan(env(fqdn, config, config.equals("kraft") ? AFTER : NODES, phase));
    }

    static String file(NodePlan p, String name) {
        return p.files().stream().filter(f -> f.target().toString().endsWith(name)).findFirst().orElseThrow().content();
    }

    static PlannedService service(NodePlan p, String id) {
        return p.services().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    static RemoteDependency precondition(PlannedService s) {
        return s.remoteWaits().stream().filter(d -> d.service().equals(NodePlan.MIGRATION_PRECONDITION)).findFirst().orElse(null);
    }

    static List<String> problems(Runnable r) {
        return assertThrows(InvalidInputException.class, r::run).problems();
    }

    @Test
    void brokersWithTheMigrationSettingsStayInZooKeeperModeUnderTheirIds() {
        NodePlan p = plan("b-2.k.test", "zk-migration", "migration");
        String server = file(p, "kafka-broker/server.properties");
        assertTrue(server.contains("\nbroker.id=5\n"), server);
        assertTrue(server.contains("\nzookeeper.connect=zk-1.k.test:2181,zk-2.k.test:2181,zk-3.k.test:2181\n"), server);
        assertTrue(server.contains("\nzookeeper.metadata.migration.enable=true\n"), server);
        assertTrue(server.contains("\ninter.broker.protocol.version=3.9\n"), server);
        assertTrue(server.contains("\ncontroller.quorum.voters=" + VOTERS + "\n"), server);
        assertTrue(server.contains("\ncontroller.listener.names=CONTROLLER\n"), server);
        assertTrue(server.contains("\nlistener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"), server);
        assertFalse(server.contains("process.roles"), server);
        assertEquals("migration", p.node().migrationPhase());
        assertEquals(5, p.node().nodeId());
    }

    @Test
    void brokersInKraftModeKeepTheirOldIdAndLoseEveryZooKeeperSetting() {
        String server = file(plan("b-2.k.test", "zk-migration", "kraft-brokers"), "kafka-broker/server.properties");
        assertTrue(server.contains("\nprocess.roles=broker\n"), server);
        assertTrue(server.contains("\nnode.id=5\n"), server);
        assertTrue(server.contains("\ncontroller.quorum.voters=" + VOTERS + "\n"), server);
        for (String gone : List.of("broker.id=", "zookeeper.connect=", "zookeeper.metadata.migration.enable=", "inter.broker.protocol.version=",
                "zookeeper.session.timeout.ms=")) {
            assertFalse(server.contains("\n" + gone), gone + " in\n" + server);
        }
        assertTrue(server.contains("# broker.id: not set in migration phase kraft-brokers (ADR 012)"), server);
    }

    @Test
    void controllersRunInMigrationModeWithAStaticQuorumAndFormatWithZooKeepersClusterId() {
        NodePlan p = plan("c-2.k.test", "zk-migration", "migration");
        assertEquals(9, p.node().nodeId());
        String server = file(p, "kraft-controller/server.properties");
        assertTrue(server.contains("\nnode.id=9\n"), server);
        assertTrue(server.contains("\ncontroller.quorum.voters=" + VOTERS + "\n"), server);
        assertTrue(server.contains("\nzookeeper.metadata.migration.enable=true\n"), server);
        assertTrue(server.contains("\nzookeeper.connect=zk-1.k.test:2181,zk-2.k.test:2181,zk-3.k.test:2181\n"), server);
        assertTrue(server.contains("\ninter.broker.listener.name=PLAINTEXT\n"), server);
        assertFalse(server.contains("\ncontroller.quorum.bootstrap.servers="), server);
        List<String> format = service(p, "kraft-controller").command().prepare().get(0).argv();
        assertEquals(List.of("/opt/dockhand/libexec/format-with-zookeeper-cluster-id", "zk-1.k.test:2181,zk-2.k.test:2181,zk-3.k.test:2181", "--"),
                format.subList(0, 3));
        assertFalse(format.contains("--initial-controllers"), format.toString());
        assertFalse(format.contains("--cluster-id"), "the script adds ZooKeeper's: " + format);
        assertTrue(format.containsAll(List.of("kafka.tools.StorageTool", "format", "--config")), format.toString());
        // the controller's metrics, where the agent reads the migration state
        assertTrue(service(p, "kraft-controller").command().argv().stream().anyMatch(a -> a.startsWith("-javaagent:") && a.contains("=9404:")));
    }

    @Test
    void controllersOutOfMigrationModeAndTheKafka4ConfigKeepTheStaticQuorum() {
        String server = file(plan("c-1.k.test", "zk-migration", "kraft"), "kraft-controller/server.properties");
        assertTrue(server.contains("\ncontroller.quorum.voters=" + VOTERS + "\n"), server);
        assertFalse(server.contains("zookeeper.connect="), server);
        assertFalse(server.contains("zookeeper.metadata.migration.enable="), server);

        NodePlan controller = plan("c-1.k.test", "kraft", "kraft");
        assertEquals("/opt/dockhand/lib/kafka4/*", service(controller, "kraft-controller").command().argv()
                .get(service(controller, "kraft-controller").command().argv().indexOf("-cp") + 1));
        server = file(controller, "kraft-controller/server.properties");
        assertTrue(server.contains("\ncontroller.quorum.voters=" + VOTERS + "\n"), server);
        assertFalse(server.contains("\ncontroller.quorum.bootstrap.servers="), server);
        NodePlan broker = plan("b-3.k.test", "kraft", "kraft");
        assertEquals(6, broker.node().nodeId(), "ZooKeeper's nodes left the list: nobody renumbered");
        server = file(broker, "kraft-broker/server.properties");
        assertTrue(server.contains("\nnode.id=6\n"), server);
        assertTrue(server.contains("\ncontroller.quorum.voters=" + VOTERS + "\n"), server);
    }

    @Test
    void aPhaseThatCannotHoldIsRefusedNamingWhatToDo() {
        List<String> p = problems(() -> plan("b-1.k.test", "zk-migration", null));
        assertTrue(p.get(0).startsWith("cluster config 'zk-migration' runs ZooKeeper and KRaft controllers side by side"), p.toString());
        assertTrue(p.get(0).contains("AGENT_MIGRATION_PHASE (one of migration, kraft-brokers, kraft"), p.toString());

        p = problems(() -> plan("b-1.k.test", "zk-migration", "dual-write"));
        assertEquals(List.of("env AGENT_MIGRATION_PHASE: unknown phase 'dual-write'; use one of migration, kraft-brokers, kraft, in that "
                + "order (examples/migration/README.md), or unset it"), p);

        p = problems(() -> plan("b-1.k.test", "kraft", "kraft-brokers"));
        assertTrue(p.get(0).contains("the controllers still read and write ZooKeeper, and cluster config 'kraft' runs none"), p.toString());

        p = problems(() -> plan(env("b-1.k.test", "production", NODES.substring(0, NODES.indexOf(";controller")), "migration")));
        assertTrue(p.get(0).contains("needs KRaft controllers, and cluster config 'production' runs none"), p.toString());
    }

    Map<String, String> secured(String fqdn, String config, String phase) throws IOException {
        secret("/run/secrets/ca.crt", Pem.certificate(CA.certificate()));
        secret("/run/secrets/ca.key", Pem.privateKey(CA.key()));
        secret("/run/secrets/users", "app:app-secret-1\nops:ops-secret-1:admin\n");
        Map<String, String> env = env(fqdn, config, config.equals("kraft") ? AFTER : NODES, phase);
        env.putAll(Map.of("AGENT_SECURITY", "tls", "AGENT_CA_CERT_FILE", "/run/secrets/ca.crt", "AGENT_CA_KEY_FILE", "/run/secrets/ca.key",
                "AGENT_USERS_FILE", "/run/secrets/users"));
        return env;
    }

    void secret(String path, String text) throws IOException {
        Path p = fs.getPath(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }

    static final ClusterCa CA = ClusterCa.create("k CA", Instant.now(), 365);

    @Test
    void aSecuredClusterMovesSecuredControllersReachZooKeeperOverTlsAsTheBrokersIdentity() throws IOException {
        NodePlan c = plan(secured("c-2.k.test", "zk-migration", "migration"));
        String server = file(c, "kraft-controller/server.properties");
        for (String line : List.of("zookeeper.metadata.migration.enable=true", "zookeeper.ssl.client.enable=true",
                "zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty", "zookeeper.ssl.keystore.type=PEM",
                "zookeeper.ssl.keystore.location=/data/c-2.k.test/conf/tls/zk-client.pem",
                "zookeeper.ssl.truststore.location=/data/c-2.k.test/conf/tls/ca.crt", "zookeeper.set.acl=true",
                "inter.broker.listener.name=INTERNAL", "listener.security.protocol.map=CONTROLLER:SSL,INTERNAL:SSL",
                "listener.name.controller.ssl.client.auth=required",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer", "controller.quorum.voters=" + VOTERS)) {
            assertTrue(server.contains("\n" + line + "\n"), line + " in\n" + server);
        }
        assertFalse(server.contains("PLAINTEXT"), server);
        // the identity the znodes' ACLs name: the brokers' one, which the controller now has too
        assertTrue(c.files().stream().anyMatch(f -> f.target().toString().equals("/data/c-2.k.test/conf/tls/zk-client.pem") && f.secret()));
        List<String> format = service(c, "kraft-controller").command().prepare().get(0).argv();
        assertEquals(List.of("/opt/dockhand/libexec/format-with-zookeeper-cluster-id", "zk-1.k.test:2181,zk-2.k.test:2181,zk-3.k.test:2181",
                "--zk-tls-config-file", "/data/c-2.k.test/conf/zookeeper-client.properties", "--"), format.subList(0, 5));
        assertTrue(format.containsAll(List.of("kafka.tools.StorageTool", "format", "--config")), format.toString());
        assertFalse(String.join(" ", format).contains("users"), "no users to add: the migration copies them: " + format);

        String broker = file(plan(secured("b-1.k.test", "zk-migration", "migration")), "kafka-broker/server.properties");
        for (String line : List.of("zookeeper.metadata.migration.enable=true", "zookeeper.ssl.client.enable=true", "zookeeper.set.acl=true",
                "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL", "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=INTERNAL", "authorizer.class.name=kafka.security.authorizer.AclAuthorizer")) {
            assertTrue(broker.contains("\n" + line + "\n"), line + " in\n" + broker);
        }

        broker = file(plan(secured("b-1.k.test", "zk-migration", "kraft-brokers")), "kafka-broker/server.properties");
        assertTrue(broker.contains("\nauthorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer\n"), broker);
        assertTrue(broker.contains("\nlistener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL\n"), broker);
        assertFalse(broker.contains("\nzookeeper."), broker);

        NodePlan out = plan(secured("c-2.k.test", "zk-migration", "kraft"));
        assertFalse(file(out, "kraft-controller/server.properties").contains("zookeeper."), "out of migration mode: no ZooKeeper at all");
        assertTrue(out.files().stream().noneMatch(f -> f.target().toString().endsWith("zk-client.pem")));
    }

    @Test
    void aBrokerAddedAfterTheMigrationFormatsWithTheClusterIdTheControllersTell() throws IOException {
        Map<String, String> env = secured("b-4.k.test", "kraft", "kraft");
        env.put("AGENT_NODES", AFTER.replace("6@b-3.k.test", "6@b-3.k.test,11@b-4.k.test"));
        NodePlan p = plan(env);
        List<String> format = service(p, "kraft-broker").command().prepare().get(0).argv();
        assertEquals(List.of("/opt/dockhand/libexec/format-with-quorum-cluster-id", "c-1.k.test:9093,c-2.k.test:9093,c-3.k.test:9093",
                "/data/b-4.k.test/conf/client.properties", "--"), format.subList(0, 4));
        assertTrue(format.containsAll(List.of("kafka.tools.StorageTool", "format", "--config")), format.toString());
        assertFalse(format.stream().anyMatch(a -> a.startsWith("--cluster-id")), "the script adds the controllers' id: " + format);
        // a new kraft cluster, not migrated, formats with the id derived from its name, as before
        Map<String, String> fresh = secured("b-1.k.test", "kraft", null);
        fresh.put("AGENT_NODES", AFTER);
        assertTrue(service(plan(fresh), "kraft-broker").command().prepare().get(0).argv().stream().anyMatch(a -> a.startsWith("--cluster-id=")));
    }

    @Test
    void aNodeWhoseSecurityChangesDuringTheMigrationIsRefusedNamingTheOtherNodes() throws IOException {
        // secured before, told plaintext now: it would be cut off from the secured nodes, or open what they close
        Planner.write(plan(secured("b-1.k.test", "zk-migration", "migration")));
        List<String> p = problems(() -> plan("b-1.k.test", "zk-migration", "kraft-brokers"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("env AGENT_MIGRATION_PHASE=kraft-brokers: this node ran secured (its last config, "
                + "/data/b-1.k.test/conf/kafka-broker/server.properties, has TLS listeners) and env AGENT_SECURITY asks for plaintext now"), p.get(0));
        assertTrue(p.get(0).endsWith("set AGENT_SECURITY=tls as on the other nodes (kraft is secured by default), and change security in a "
                + "roll of its own before or after the migration. Nothing was changed"), p.get(0));
        // a plaintext cluster's controller moved onto kraft (secured by default) without AGENT_SECURITY=plaintext
        Planner.write(plan("c-1.k.test", "zk-migration", "kraft"));
        Map<String, String> kraft = secured("c-1.k.test", "kraft", "kraft");
        kraft.remove("AGENT_SECURITY");
        p = problems(() -> plan(kraft));
        assertTrue(p.get(0).contains("this node ran plaintext (its last config, /data/c-1.k.test/conf/kraft-controller/server.properties, "
                + "has no TLS listeners) and derived: default of cluster config kraft asks for tls now"), p.toString());
        assertTrue(p.get(0).contains("set AGENT_SECURITY=plaintext as on the other nodes"), p.toString());
        // the same nodes, security unchanged: planned
        plan(secured("b-1.k.test", "zk-migration", "kraft-brokers"));
        Map<String, String> plain = env("c-1.k.test", "kraft", AFTER, "kraft");
        plan(plain);
    }

    @Test
    void aBrokersFirstStartInKraftModeWaitsForTheControllersAndOnlyThatOne() throws IOException {
        String fqdn = "b-1.k.test";
        // before the roll: the broker's last config is ZooKeeper mode (with the migration settings)
        NodePlan migrating = plan(fqdn, "zk-migration", "migration");
        assertNull(precondition(service(migrating, "kafka-broker")), "nothing to wait for in phase migration");
        Planner.write(migrating);

        NodePlan kraft = plan(fqdn, "zk-migration", "kraft-brokers");
        RemoteDependency wait = precondition(service(kraft, "kafka-broker"));
        assertEquals(List.of("c-1.k.test:9404", "c-2.k.test:9404", "c-3.k.test:9404"),
                wait.endpoints().stream().map(Object::toString).toList());
        assertEquals(new ProbeSpec.ZkMigration(9404, false), wait.health().probe());
        assertEquals(1, wait.required());
        Planner.write(kraft);
        Path marker = kraft.migrationMarker("kafka-broker");
        assertTrue(Files.exists(marker));

        // restarted while it still waits (its config on disk is KRaft mode now): it waits again
        assertEquals(wait, precondition(service(plan(fqdn, "zk-migration", "kraft-brokers"), "kafka-broker")));
        // once the supervisor saw the precondition hold, the marker is gone and later starts do not ask
        Files.delete(marker);
        assertNull(precondition(service(plan(fqdn, "zk-migration", "kraft-brokers"), "kafka-broker")));
    }

    @Test
    void aControllerLeavesMigrationModeOnlyOnceNoBrokerIsLeftInZooKeeperModeAndNeverGoesBack() throws IOException {
        String fqdn = "c-2.k.test";
        NodePlan migrating = plan(fqdn, "zk-migration", "kraft-brokers");
        assertNull(precondition(service(migrating, "kraft-controller")));
        Planner.write(migrating);

        NodePlan out = plan(fqdn, "zk-migration", "kraft");
        RemoteDependency wait = precondition(service(out, "kraft-controller"));
        assertEquals(List.of("c-1.k.test:9404", "c-3.k.test:9404"), wait.endpoints().stream().map(Object::toString).toList(),
                "the other controllers: this one is the one restarting");
        assertEquals(new ProbeSpec.ZkMigration(9404, true), wait.health().probe());
        Planner.write(out);
        Files.delete(out.migrationMarker("kraft-controller"));

        // once out of migration mode and formatted, back into it is refused: Kafka cannot return to ZooKeeper
        Path meta = fs.getPath("/data/" + fqdn + "/kafka/metadata/meta.properties");
        Files.createDirectories(meta.getParent());
        Files.writeString(meta, "version=1\nnode.id=9\ncluster.id=ZkClusterIdZkClusterId0\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAA\n");
        List<String> p = problems(() -> plan(fqdn, "zk-migration", "kraft-brokers"));
        assertTrue(p.get(0).contains("this controller already ran out of migration mode"), p.toString());
        assertTrue(p.get(0).endsWith("set AGENT_MIGRATION_PHASE=kraft. Nothing was changed"), p.toString());
    }

    @Test
    void migratedNodesKeepZooKeepersClusterIdNotTheOneDerivedFromTheName() throws IOException {
        String fqdn = "b-1.k.test";
        Path data = fs.getPath("/data/" + fqdn);
        Path meta = data.resolve("kafka/logs/meta.properties");
        Files.createDirectories(meta.getParent());
        Files.writeString(meta, "version=0\nbroker.id=4\ncluster.id=ZkClusterIdZkClusterId0\n");
        Planner.write(plan(fqdn, "zk-migration", "migration")); // records ZooKeeper's id
        Files.writeString(meta, "version=1\nnode.id=4\ncluster.id=ZkClusterIdZkClusterId0\ndirectory.id=BBBBBBBBBBBBBBBBBBBBBB\n");
        Planner.write(plan(fqdn, "zk-migration", "kraft-brokers")); // KRaft mode: the same id is fine
        Planner.write(plan(fqdn, "kraft", "kraft")); // and on Kafka 4

        Files.writeString(meta, "version=1\nnode.id=4\ncluster.id=OtherClusterOtherCluste\ndirectory.id=BBBBBBBBBBBBBBBBBBBBBB\n");
        List<String> p = problems(() -> plan(fqdn, "kraft", "kraft"));
        assertTrue(p.stream().anyMatch(x -> x.contains("belongs to cluster OtherClusterOtherCluste but this node's Kafka belongs to cluster "
                + "ZkClusterIdZkClusterId0")), p.toString());
    }

    @Test
    void retiringZooKeeperRenumbersNobodyWithExplicitIdsAndTheIdentityGuardCatchesPositionsThatMove() throws IOException {
        String fqdn = "b-1.k.test";
        Path meta = fs.getPath("/data/" + fqdn + "/kafka/logs/meta.properties");
        Files.createDirectories(meta.getParent());
        Files.writeString(meta, "version=1\nnode.id=4\ncluster.id=ZkClusterIdZkClusterId0\n");
        assertEquals(4, plan(fqdn, "kraft", "kraft").node().nodeId());

        // the same list without explicit ids: positions moved up by three, and the guard refuses the volume
        String positional = AFTER.replaceAll("[0-9]+@", "");
        List<String> p = problems(() -> plan(env(fqdn, "kraft", positional, "kraft")));
        assertTrue(p.stream().anyMatch(x -> x.contains(meta + " holds broker id 4 but this node would be broker 1")), p.toString());
    }
}
