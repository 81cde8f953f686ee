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
import java.io.StringReader;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
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
        FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
        RenderTestSupport.copyTemplates(fs);
        if (secured) {
            Path catalog = fs.getPath("/etc/agent/templates/catalog.json");
            String json = Files.readString(catalog);
            String production = "\"id\": \"production\",";
            assertTrue(json.contains(production));
            Files.writeString(catalog, json.replace(production, production + " \"security\": \"tls\","));
        }
        RenderPlan plan = new Renderer(RenderTestSupport.context(fs, GATEWAY, Map.of()), Map.of(), Map.of()).plan();
        FileWriter.write(plan.files());
        Path file = fs.getPath("/data", GATEWAY, "conf/control-center/console.properties");
        assertEquals(1, plan.files().stream().filter(f -> f.target().equals(file)).count(), "one file from the fragments");
        String text = Files.readString(file);
        assertFalse(text.contains("@@"), text);
        Properties p = new Properties();
        p.load(new StringReader(text));
        return ConsoleConfig.parse(p, file.toString());
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
