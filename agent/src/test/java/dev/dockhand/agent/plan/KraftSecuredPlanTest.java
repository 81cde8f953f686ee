package dev.dockhand.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.metadata.MetadataInputs;
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

/** The KRaft cluster configs secured: kraft by default, kraft-single-node when asked; what each node plans. */
class KraftSecuredPlanTest {
    static final ClusterCa CA = ClusterCa.create("kafka1 CA", Instant.now(), 365);
    static final String NODES = "controller=c-1.k.test,c-2.k.test,c-3.k.test;broker=b-1.k.test,b-2.k.test,b-3.k.test;"
            + "schemareg=sr-1.k.test;gateway=gw-1.k.test";
    FileSystem fs;

    @BeforeEach
    void files() throws IOException {
        fs = SecretsFs.of(CA);
    }

    void secret(String path, String text) throws IOException {
        SecretsFs.secret(fs, path, text);
    }

    Map<String, String> env(String config, String nodes, String fqdn, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("AGENT_NODES", nodes, "AGENT_FQDN", fqdn, "AGENT_CLUSTER_CONFIG", config,
                "AGENT_CLUSTER_NAME", "kafka1", "AGENT_JAVA", "/usr/bin/java", "AGENT_CA_CERT_FILE", "/run/secrets/ca.crt",
                "AGENT_CA_KEY_FILE", "/run/secrets/ca.key", "AGENT_USERS_FILE", "/run/secrets/users"));
        env.putAll(extra);
        return env;
    }

    Planner.Resolved resolve(Map<String, String> env) {
        return SecretsFs.resolve(fs, env);
    }

    NodePlan plan(Map<String, String> env) {
        return Planner.plan(PlanReader.read(resolve(env), env, PlannerTest.FOUR_GIB, java.time.Instant.now()));
    }

    NodePlan kraft(String fqdn) {
        return plan(env("kraft", NODES, fqdn, Map.of()));
    }

    static String file(NodePlan p, String suffix) {
        return SecuredPlanTest.file(p, suffix);
    }

    @Test
    void aKraftNodeWithoutTheCaOrUsersRefusesToStartNamingWhatIsMissingAndTheOptOut() {
        Map<String, String> env = env("kraft", NODES, "c-1.k.test", Map.of());
        env.remove("AGENT_CA_CERT_FILE");
        env.remove("AGENT_USERS_FILE");
        List<String> p = assertThrows(InvalidInputException.class, () -> resolve(env)).problems();
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("set AGENT_CA_CERT_FILE, AGENT_USERS_FILE") && p.get(0).contains("AGENT_SECURITY=plaintext"), p.get(0));
        // the opt-out, by name: the plaintext listeners, no users' step
        env.put("AGENT_SECURITY", "plaintext");
        NodePlan plain = plan(env);
        assertFalse(plain.secured());
        assertTrue(file(plain, "kraft-controller/server.properties").contains("listener.security.protocol.map=CONTROLLER:PLAINTEXT"));
    }

    @Test
    void aSecuredControllerServesItsListenerOverMutualTlsAndFormatsWithTheUsersCredentials() {
        NodePlan p = kraft("c-2.k.test");
        assertTrue(p.secured());
        String server = file(p, "kraft-controller/server.properties");
        assertTrue(server.contains("\nlisteners=CONTROLLER://0.0.0.0:9093\n"), server);
        assertTrue(server.contains("\nlistener.security.protocol.map=CONTROLLER:SSL\n"), server);
        assertTrue(server.contains("\nlistener.name.controller.ssl.client.auth=required\n"), server);
        assertTrue(server.contains("\nauthorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer\n"), server);
        assertTrue(server.contains("\nallow.everyone.if.no.acl.found=false\n"), server);
        // the controllers and the brokers, and no one else: not the registry's node, not the console's (ADR 019)
        assertTrue(server.contains("\nsuper.users=User:CN=c-1.k.test;User:CN=c-2.k.test;User:CN=c-3.k.test;User:CN=b-1.k.test;"
                + "User:CN=b-2.k.test;User:CN=b-3.k.test\n"), server);
        assertTrue(server.contains("\nssl.principal.mapping.rules=DEFAULT\n"), server);
        assertFalse(server.contains("PLAINTEXT"), "no plaintext listener on a secured controller");

        NodePlan.PlannedService controller = p.services().get(0);
        assertEquals(List.of("kraft-controller"), p.services().stream().map(NodePlan.PlannedService::id).toList());
        assertEquals(new ProbeSpec.KafkaQuorum(9093, 0), controller.probe(), "the quorum is asked on the controllers' listener");
        assertTrue(controller.command().certRenewal().isEmpty(), "a renewed certificate restarts the controller (ADR 014)");
        // the first format: the users' SCRAM credentials from the agent's checked copy, never a password in argv
        List<String> format = controller.command().prepare().get(0).argv();
        assertTrue(format.containsAll(List.of("dev.dockhand.agent.access.StorageFormat", "/opt/dockhand/lib/kafka4", "tls",
                "/data/c-2.k.test/conf/tls/users", "format", "--initial-controllers")), format.toString());
        assertTrue(format.stream().noneMatch(a -> a.contains("secret-1") || a.contains("add-scram")), format.toString());
        assertTrue(file(p, "tls/users").contains("app:app-secret-1"), "a controller has the users file its format reads");
        assertTrue(p.files().stream().filter(f -> f.target().endsWith("tls/users")).allMatch(f -> f.secret()));
    }

    @Test
    void aSecuredBrokerHasClientsOverScramAndTheNodesOverMutualTlsAndGivesTheUsersTheirAcls() {
        NodePlan p = kraft("b-2.k.test");
        String server = file(p, "kraft-broker/server.properties");
        assertTrue(server.contains("\nlisteners=CLIENT://0.0.0.0:9092,INTERNAL://0.0.0.0:9091\n"), server);
        assertTrue(server.contains("\nadvertised.listeners=CLIENT://b-2.k.test:9092,INTERNAL://b-2.k.test:9091\n"), server);
        assertTrue(server.contains("\nlistener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL\n"), server);
        assertTrue(server.contains("\ninter.broker.listener.name=INTERNAL\n"), server);
        assertTrue(server.contains("\nsasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256\n"), server);
        assertTrue(server.contains("\nlistener.name.client.scram-sha-256.sasl.jaas.config="), server);
        assertTrue(server.contains("\nlistener.name.internal.ssl.client.auth=required\n"), server);
        assertTrue(server.contains("\nauthorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer\n"), server);
        assertTrue(server.contains("\ncontroller.quorum.bootstrap.servers=c-1.k.test:9093,c-2.k.test:9093,c-3.k.test:9093\n"), server);
        assertFalse(server.contains("PLAINTEXT"), server);

        assertEquals(List.of("kraft-broker", "kafka-access"), p.services().stream().map(NodePlan.PlannedService::id).toList());
        NodePlan.PlannedService broker = p.services().get(0);
        assertEquals(9091, broker.probe().port(), "the agent probes the brokers' mutual-TLS listener");
        assertEquals(9093, broker.remoteWaits().get(0).endpoints().get(0).port(), "and waits for the controllers on theirs");
        assertTrue(broker.command().certRenewal().isEmpty(), "a renewed certificate restarts the broker, through its stop gate (ADR 014)");
        assertTrue(broker.command().prepare().get(0).argv().contains("kafka.tools.StorageTool"), "a broker formats without the users");
        assertTrue(p.services().get(1).command().argv().contains("/data/b-2.k.test/conf/tls/users"));
        // the console's node gets its read rights from the users' step, the registry's none; both are no super users
        assertTrue(p.services().get(1).command().argv().containsAll(List.of("--console-nodes=gw-1.k.test", "--registry-nodes=sr-1.k.test")),
                p.services().get(1).command().argv().toString());
        assertTrue(server.contains("\nsuper.users=User:CN=c-1.k.test;User:CN=c-2.k.test;User:CN=c-3.k.test;User:CN=b-1.k.test;"
                + "User:CN=b-2.k.test;User:CN=b-3.k.test\n"), server);
        assertTrue(server.contains("\nlistener.name.client.connections.max.reauth.ms=600000\n"), server);
        String client = file(p, "client.properties");
        assertTrue(client.contains("bootstrap.servers=b-1.k.test:9091,b-2.k.test:9091,b-3.k.test:9091") && client.contains("security.protocol=SSL"),
                client);
    }

    @Test
    void theRegistryAndTheConsoleOfASecuredKraftClusterUseTheBrokersMutualTlsListenerAndHttps() {
        String console = file(kraft("gw-1.k.test"), "control-center/console.properties");
        assertTrue(console.contains("bootstrap.servers=b-1.k.test:9091,b-2.k.test:9091,b-3.k.test:9091"), console);
        assertTrue(console.contains("kafka.security.protocol=SSL") && console.contains("listen.tls.certificate="), console);
        String registry = file(kraft("sr-1.k.test"), "schema-registry/application.properties");
        assertTrue(registry.contains("quarkus.http.ssl.certificate.files=") || registry.contains("certificate"), registry);
    }

    @Test
    void aSingleNodeIsPlaintextUnlessAskedAndThenServesAllThreeListenersSecured() {
        String nodes = "standalone=kafka.k.test";
        NodePlan plain = plan(env("kraft-single-node", nodes, "kafka.k.test", Map.of()));
        assertFalse(plain.secured());
        assertEquals(List.of("kraft-combined", "schema-registry", "control-center", "connect"),
                plain.services().stream().map(NodePlan.PlannedService::id).toList());
        // the Connect worker is Kafka 3.9's, whose plugins Maven Central serves, a client of the Kafka 4 broker (ADR 022)
        List<String> worker = plain.services().get(3).command().argv();
        assertTrue(worker.stream().anyMatch(a -> a.startsWith("/opt/dockhand/lib/kafka/*:")), worker.toString());
        assertFalse(worker.stream().anyMatch(a -> a.contains("kafka4")), worker.toString());

        NodePlan p = plan(env("kraft-single-node", nodes, "kafka.k.test", Map.of("AGENT_SECURITY", "tls")));
        assertTrue(p.secured());
        String server = file(p, "kraft-combined/server.properties");
        assertTrue(server.contains("\nlisteners=CLIENT://0.0.0.0:9092,INTERNAL://0.0.0.0:9091,CONTROLLER://0.0.0.0:9093\n"), server);
        assertTrue(server.contains("\nlistener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL\n"), server);
        assertTrue(server.contains("\nlistener.name.controller.ssl.client.auth=required\n"), server);
        assertFalse(server.contains("PLAINTEXT"), server);
        // the Connect worker runs secured too: HTTPS with logins, Kafka over the node's identity (ADR 023)
        assertEquals(List.of("kraft-combined", "kafka-access", "schema-registry", "control-center", "connect"),
                p.services().stream().map(NodePlan.PlannedService::id).toList());
        String connect = file(p, "connect/connect-distributed.properties");
        assertTrue(connect.contains("\nlisteners=https://0.0.0.0:8083\n") && connect.contains("\nbootstrap.servers=kafka.k.test:9091\n"), connect);
        assertEquals(new ProbeSpec.KafkaQuorum(9093, 9091), p.services().get(0).probe(),
                "the quorum on the controller listener, the broker on its mutual-TLS one");
        assertTrue(p.services().get(0).command().prepare().get(0).argv().contains("dev.dockhand.agent.access.StorageFormat"));
        // one node, one certificate: the console and the registry share the broker's identity, a super user, so the users'
        // step names no console or registry node to give narrower rights
        assertTrue(server.contains("\nsuper.users=User:CN=kafka.k.test\n"), server);
        assertTrue(p.services().get(1).command().argv().containsAll(List.of("--console-nodes=", "--registry-nodes=", "--connect-nodes=")),
                p.services().get(1).command().argv().toString());
    }
}
