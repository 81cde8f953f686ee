package dev.dockhand.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent renders a node's files with hostile override values, and the services' own parsers read
 * them back: Kafka's {@code Utils.loadProps} for server.properties, ZooKeeper's {@code QuorumPeerConfig}
 * for zoo.cfg (which also turns every key it does not know into a {@code zookeeper.*} system property,
 * so an injected {@code skipACL=yes} would show there). Every value must come back exactly as it was
 * set, and nothing else may appear.
 */
class RenderedFilesReadBackTest {
    static final Path ROOT = Path.of(System.getProperty("dockhand.repo.root", "..")).toAbsolutePath().normalize();
    static final Path AGENT_JAR = ROOT.resolve("agent/target/agent.jar");
    static final String NODES = "zookeeper=zk-1.x,zk-2.x,zk-3.x;broker=b-1.x;schemareg=sr-1.x";
    static final String HOSTILE = "v\nskipACL=yes\nsuper.users=User:ANONYMOUS\\\n\\u0041 \u00e9\u20ac";

    @TempDir
    Path tmp;

    /** {@code agent render} as a process, the way a node runs it; the data dir. */
    private Path render(String fqdn, Map<String, String> extra) throws IOException, InterruptedException {
        Path data = tmp.resolve(fqdn);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", AGENT_JAR.toString(), "render", "--catalog", ROOT.resolve("templates/catalog.json").toString(),
                "--data-dir", data.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AGENT_") || k.endsWith("_CFG_") || k.contains("_CFG_"));
        // plaintext: what is under test is the escaping of overrides, not the TLS settings a secured node adds
        env.putAll(Map.of("AGENT_NODES", NODES, "AGENT_FQDN", fqdn, "AGENT_CLUSTER_CONFIG", "production",
                "AGENT_SECURITY", "plaintext"));
        env.putAll(extra);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "render did not end");
        assertEquals(0, p.exitValue(), out);
        assertTrue(!out.contains("skipACL") && !out.contains("ANONYMOUS"), "no secret-looking value echoed: " + out);
        return data;
    }

    @Test
    void kafkaReadsBackEveryOverrideExactly() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_CFG_LOG_RETENTION_HOURS", HOSTILE);
        env.put("KAFKA_CFG_SSL_KEY_PASSWORD", "trailing\\");
        env.put("KAFKA_CFG_SSL_KEYSTORE_LOCATION", "/next/one");
        Path data = render("b-1.x", env);
        Properties p = Utils.loadProps(data.resolve("conf/kafka-broker/server.properties").toString());
        assertEquals(HOSTILE, p.getProperty("log.retention.hours"));
        assertEquals("trailing\\", p.getProperty("ssl.key.password"));
        assertEquals("/next/one", p.getProperty("ssl.keystore.location"), "not swallowed by the backslash before it");
        assertNull(p.getProperty("super.users"));
        assertNull(p.getProperty("skipACL"));
    }

    @Test
    void zookeeperReadsBackEveryOverrideExactlyAndLearnsNothingElse() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ZOOKEEPER_CFG_4LW_COMMANDS_WHITELIST", "ruok,srvr\nskipACL=yes");
        env.put("ZOOKEEPER_CFG_TICKTIME", "500");
        Path data = render("zk-2.x", env);
        String before = System.getProperty("zookeeper.skipACL");
        QuorumPeerConfig config = new QuorumPeerConfig();
        config.parse(data.resolve("conf/zookeeper/zoo.cfg").toString());
        assertEquals(500, config.getTickTime());
        assertEquals(2, config.getServerId(), "myid read from the rendered data dir");
        assertEquals(3, config.getQuorumVerifier().getAllMembers().size());
        assertEquals(before, System.getProperty("zookeeper.skipACL"), "no skipACL reached ZooKeeper");
        assertEquals("ruok,srvr\nskipACL=yes", System.getProperty("zookeeper.4lw.commands.whitelist"),
                "the whole value, as one property");
        System.clearProperty("zookeeper.4lw.commands.whitelist");
    }
}
