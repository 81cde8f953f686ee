package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.NodeTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's secured settings: HTTPS, the login, its clients' TLS and the Kafka client's pass-through. */
class ConsoleTlsConfigTest {
    @TempDir
    Path dir;

    private static String message(Runnable r) {
        return assertThrows(InvalidInputException.class, r::run).getMessage();
    }

    @Test
    void readsTheSecuredSettingsOfTheTlsFragment() {
        ConsoleConfig c = Fixtures.config(
                "listen.tls.certificate", "/d/tls/node.crt", "listen.tls.key", "/d/tls/node.key",
                "login.users", "/d/tls/users.hashed",
                "client.tls.key", "/d/tls/node.key", "client.tls.certificate", "/d/tls/node.crt", "client.tls.ca", "/d/tls/ca.crt",
                "zookeeper.tls", "true", "schema.registry.url", "https://sr-1.x:8081",
                "kafka.security.protocol", "SSL", "kafka.ssl.keystore.type", "PEM",
                "kafka.ssl.keystore.location", "/d/tls/node.pem", "kafka.ssl.truststore.type", "PEM",
                "kafka.ssl.truststore.location", "/d/tls/ca.crt");
        assertTrue(c.https());
        assertEquals(new ConsoleConfig.ListenTls(Path.of("/d/tls/node.crt"), Path.of("/d/tls/node.key")), c.listenTls());
        assertEquals(Path.of("/d/tls/users.hashed"), c.loginUsers());
        assertEquals(new ConsoleConfig.ClientTls(Path.of("/d/tls/node.key"), Path.of("/d/tls/node.crt"), Path.of("/d/tls/ca.crt")),
                c.clientTls());
        assertTrue(c.zookeeperTls());
        assertEquals(Map.of("security.protocol", "SSL", "ssl.keystore.type", "PEM", "ssl.keystore.location", "/d/tls/node.pem",
                "ssl.truststore.type", "PEM", "ssl.truststore.location", "/d/tls/ca.crt"), c.kafkaClient());
        assertEquals("https://127.0.0.1:8443/", Fixtures.config("listen.host", "127.0.0.1", "listen.tls.certificate", "c",
                "listen.tls.key", "k").url(8443));
    }

    @Test
    void aPlainConsoleHasNoneOfIt() {
        ConsoleConfig c = Fixtures.config();
        assertFalse(c.https());
        assertNull(c.loginUsers());
        assertNull(c.clientTls());
        assertFalse(c.zookeeperTls());
        assertTrue(c.kafkaClient().isEmpty());
        assertEquals("http://0.0.0.0:9021/", c.url(9021));
    }

    @Test
    void everyHalfSecuredSettingIsAProblemNamingItsKey() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", "b:9091");
        p.setProperty("listen.tls.certificate", "/d/node.crt");
        p.setProperty("login.users", "/d/users.hashed");
        p.setProperty("client.tls.key", "/d/node.key");
        p.setProperty("zookeeper.tls", "true");
        p.setProperty("schema.registry.url", "https://sr:8081");
        p.setProperty("kafka.ssl.keystore.locaton", "/d/node.pem");
        p.setProperty("kafka.bootstrap.servers", "b:9092");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConsoleConfig.parse(p, "c.properties"));
        String m = e.getMessage();
        assertTrue(m.contains("keys 'listen.tls.certificate' and 'listen.tls.key' go together"), m);
        assertTrue(m.contains("key 'login.users' needs HTTPS"), m);
        assertTrue(m.contains("keys 'client.tls.key' and 'client.tls.certificate' go together"), m);
        assertTrue(m.contains("key 'zookeeper.tls' = true needs 'client.tls.ca'"), m);
        assertTrue(m.contains("names an https URL; set 'client.tls.ca'"), m);
        assertTrue(m.contains("key 'kafka.ssl.keystore.locaton' is not a Kafka AdminClient setting"), m);
        assertTrue(m.contains("key 'kafka.bootstrap.servers' is the console's own setting; use 'bootstrap.servers'"), m);
    }

    @Test
    void theKafkaClientGetsThePassedSettingsAndTheConsolesOwnWin() {
        KafkaAdminSource k = new KafkaAdminSource("b1.x:9091", Map.of("security.protocol", "SSL", "ssl.keystore.type", "PEM",
                "socket.connection.setup.timeout.ms", "777"), Duration.ofMillis(1500), Executors.newSingleThreadExecutor());
        Properties p = k.properties();
        assertEquals("SSL", p.get("security.protocol"));
        assertEquals("PEM", p.get("ssl.keystore.type"));
        assertEquals("b1.x:9091", p.get("bootstrap.servers"));
        assertEquals(1500, p.get("request.timeout.ms"));
        assertEquals("777", p.get("socket.connection.setup.timeout.ms"), "a setting the console only defaults");
        k.close();
    }

    @Test
    void badTlsFilesAreNamedByKeyAndFile() throws Exception {
        ClusterCa ca = ClusterCa.create("test CA", Instant.now(), 30);
        NodeTls node = NodeTls.issue(ca, List.of("localhost"), Instant.now(), 1);
        NodeTls other = NodeTls.issue(ca, List.of("other"), Instant.now(), 1);
        Path crt = Files.writeString(dir.resolve("node.crt"), node.chainPem());
        Path wrongKey = Files.writeString(dir.resolve("other.key"), other.keyPem());
        Path notPem = Files.writeString(dir.resolve("junk.key"), "hello\n");
        Path missing = dir.resolve("absent.crt");

        String m = message(() -> TlsFiles.server(new ConsoleConfig.ListenTls(crt, wrongKey), "c.properties"));
        assertTrue(m.contains("key 'listen.tls.key' is not the key of the first certificate of 'listen.tls.certificate'"), m);
        m = message(() -> TlsFiles.server(new ConsoleConfig.ListenTls(missing, notPem), "c.properties"));
        assertTrue(m.contains("key 'listen.tls.key': file " + notPem + " holds no PEM private key"), m);
        assertTrue(m.contains("key 'listen.tls.certificate': file " + missing), m);
        m = message(() -> TlsFiles.client(new ConsoleConfig.ClientTls(null, null, notPem), "c.properties"));
        assertTrue(m.contains("key 'client.tls.ca': file " + notPem + " holds no PEM certificate"), m);
        assertFalse(m.contains(other.keyPem().substring(40, 80)), "no key material in a message");

        Path key = Files.writeString(dir.resolve("node.key"), node.keyPem());
        TlsFiles.server(new ConsoleConfig.ListenTls(crt, key), "c.properties"); // the right pair loads
    }
}
