package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.render.FileWriter;
import dev.dockhand.agent.render.RenderPlan;
import dev.dockhand.agent.render.RenderTestSupport;
import dev.dockhand.agent.render.Renderer;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.Pem;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The console's config as the agent renders it for the gateway of the production cluster, plaintext
 * and secured: the catalog's fragments joined by the node's security, every token replaced, and what
 * the console reads from it.
 */
class ConsoleTemplateRenderTest {
    static final String GATEWAY = "gw-1.kafka1.example";

    private static ConsoleConfig render(boolean secured) throws Exception {
        FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix", "unix").build());
        RenderTestSupport.copyTemplates(fs);
        // production is secured by default; the test support makes it plaintext unless told
        Map<String, String> env = Map.of("AGENT_SECURITY", "plaintext");
        if (secured) {
            ClusterCa ca = ClusterCa.create("kafka1 CA", Instant.now(), 30);
            secret(fs, "/run/secrets/ca.crt", Pem.certificate(ca.certificate()));
            secret(fs, "/run/secrets/ca.key", Pem.privateKey(ca.key()));
            secret(fs, "/run/secrets/users", "app:app-secret-1\n");
            env = Map.of("AGENT_SECURITY", "tls", "AGENT_CA_CERT_FILE", "/run/secrets/ca.crt", "AGENT_CA_KEY_FILE", "/run/secrets/ca.key",
                    "AGENT_USERS_FILE", "/run/secrets/users");
        }
        RenderPlan plan = new Renderer(RenderTestSupport.context(fs, GATEWAY, env), Map.of(), Map.of()).plan();
        FileWriter.write(plan.files());
        Path file = fs.getPath("/data", GATEWAY, "conf/control-center/console.properties");
        assertEquals(1, plan.files().stream().filter(f -> f.target().equals(file)).count(), "one file from the fragments");
        String text = Files.readString(file);
        assertFalse(text.contains("@@"), text);
        Properties p = new Properties();
        p.load(new StringReader(text));
        return ConsoleConfig.parse(p, file.toString());
    }

    private static void secret(FileSystem fs, String path, String text) throws IOException {
        Path p = fs.getPath(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aPlaintextGatewayServesHttpAndReadsThePlaintextListener() throws Exception {
        ConsoleConfig c = render(false);
        assertFalse(c.https());
        assertNull(c.loginUsers());
        assertNull(c.clientTls());
        assertFalse(c.zookeeperTls());
        assertTrue(c.kafkaClient().isEmpty());
        assertEquals("broker-1.kafka1.example:9092,broker-2.kafka1.example:9092,broker-3.kafka1.example:9092", c.bootstrapServers());
    }

    @Test
    void aSecuredGatewayServesHttpsWithALoginAndReadsTheSecuredListeners() throws Exception {
        ConsoleConfig c = render(true);
        String tls = "/data/" + GATEWAY + "/conf/tls/";
        assertEquals(new ConsoleConfig.ListenTls(Path.of(tls + "node.crt"), Path.of(tls + "node.key")), c.listenTls());
        assertEquals(Path.of(tls + "users.hashed"), c.loginUsers());
        assertEquals(new ConsoleConfig.ClientTls(Path.of(tls + "node.key"), Path.of(tls + "node.crt"), Path.of(tls + "ca.crt")),
                c.clientTls());
        assertTrue(c.zookeeperTls());
        assertEquals("broker-1.kafka1.example:9091,broker-2.kafka1.example:9091,broker-3.kafka1.example:9091", c.bootstrapServers());
        assertEquals(Map.of("security.protocol", "SSL", "ssl.keystore.type", "PEM", "ssl.keystore.location", tls + "node.pem",
                "ssl.truststore.type", "PEM", "ssl.truststore.location", tls + "ca.crt"), c.kafkaClient());
        assertEquals(9021, c.listenPort());
        assertEquals("zk-1.kafka1.example", c.zookeeper().get(0).host());
    }
}
