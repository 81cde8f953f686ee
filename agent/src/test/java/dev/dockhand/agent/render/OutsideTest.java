package dev.dockhand.agent.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.core.InvalidInputException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A broker's rack and its outside address, from env or the metadata file, checked against the whole cluster. */
class OutsideTest {
    static final String KRAFT_NODES = "controller=c-1.k.test,c-2.k.test,c-3.k.test;broker=b-1.k.test,b-2.k.test,b-3.k.test;schemareg=s.k.test";

    FileSystem fs;

    @BeforeEach
    void templates() throws IOException {
        fs = Jimfs.newFileSystem(Configuration.unix());
        RenderTestSupport.copyTemplates(fs);
    }

    RenderPlan plan(String fqdn, Map<String, String> extra) {
        return new Renderer(RenderTestSupport.context(fs, fqdn, extra), Map.of(), Map.of()).plan();
    }

    static Map<String, String> kraft(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(Map.of("AGENT_CLUSTER_CONFIG", "kraft", "AGENT_NODES", KRAFT_NODES, "AGENT_CLUSTER_NAME", "k"));
        env.putAll(more);
        return env;
    }

    static Properties server(RenderPlan plan) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(plan.files().stream().filter(f -> f.target().toString().endsWith("/server.properties")).findFirst()
                .orElseThrow().content()));
        return p;
    }

    List<String> refused(String fqdn, Map<String, String> extra) {
        // a bad identity input is refused where the planner resolves it, a bad address where it renders
        return assertThrows(InvalidInputException.class, () -> plan(fqdn, extra)).problems();
    }

    @Test
    void theRackReachesTheBrokerWithTheFollowerFetchingSelector() throws IOException {
        Properties p = server(plan("b-2.k.test", kraft(Map.of("AGENT_RACK", "eu-west-1b"))));
        assertEquals("eu-west-1b", p.getProperty("broker.rack"));
        assertEquals("org.apache.kafka.common.replica.RackAwareReplicaSelector", p.getProperty("replica.selector.class"));
        assertNull(server(plan("b-2.k.test", kraft(Map.of()))).getProperty("broker.rack"), "no rack given: none rendered");
    }

    @Test
    void theRackComesFromTheMetadataFileToo() throws IOException {
        Files.writeString(fs.getPath("/meta.json"), """
                {"rack": "zone-a", "external": {"host": "{host}.example.com", "port": 31000}}
                """);
        Properties p = server(plan("broker-2.kafka1.example", Map.of("AGENT_METADATA_FILE", "/meta.json")));
        assertEquals("zone-a", p.getProperty("broker.rack"));
        assertTrue(p.getProperty("advertised.listeners").endsWith(",EXTERNAL://broker-2.example.com:31000"), p.getProperty("advertised.listeners"));
    }

    @Test
    void aRackWithALineBreakOrAStrangeCharacterIsRefused() {
        List<String> problems = refused("b-1.k.test", kraft(Map.of("AGENT_RACK", "a\nbroker.id=7")));
        assertEquals(List.of("env AGENT_RACK: 'a\\nbroker.id=7' is not a rack name (" + dev.dockhand.agent.metadata.Placement.RACK_CHARS + ")"),
                problems);
        assertTrue(refused("b-1.k.test", kraft(Map.of("AGENT_RACK", "zone a"))).get(0).startsWith("env AGENT_RACK: 'zone a' is not a rack"));
    }

    @Test
    void everyBrokerAdvertisesItsOwnOutsideAddressOnASecuredListener() throws IOException {
        Map<String, String> env = kraft(Map.of("AGENT_EXTERNAL_HOST", "{host}.outside.example", "AGENT_EXTERNAL_PORT", "9094"));
        Properties p = server(plan("b-2.k.test", env));
        assertEquals("PLAINTEXT://0.0.0.0:9092,EXTERNAL://0.0.0.0:9094", p.getProperty("listeners"));
        assertEquals("PLAINTEXT://b-2.k.test:9092,EXTERNAL://b-2.outside.example:9094", p.getProperty("advertised.listeners"));
        assertEquals("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT", p.getProperty("listener.security.protocol.map"),
                "plaintext only on a plaintext node");
        // one host, a port per broker: the ZooKeeper-mode production cluster's broker-3 is node 6
        Properties zk = server(plan("broker-3.kafka1.example", Map.of("AGENT_EXTERNAL_HOST", "203.0.113.10", "AGENT_EXTERNAL_PORT", "19092+id")));
        assertEquals("PLAINTEXT://broker-3.kafka1.example:9092,EXTERNAL://203.0.113.10:19098", zk.getProperty("advertised.listeners"));
        assertEquals("PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT", zk.getProperty("listener.security.protocol.map"));
        // a controller has no outside listener
        assertEquals("CONTROLLER://0.0.0.0:9093", server(plan("c-1.k.test", env)).getProperty("listeners"));
    }

    @Test
    void aBadOutsideAddressIsRefusedNamingTheInput() {
        assertTrue(refused("b-1.k.test", kraft(Map.of("AGENT_EXTERNAL_HOST", "kafka.example.com", "AGENT_EXTERNAL_PORT", "9094")))
                .get(0).contains("b-1.k.test and b-2.k.test would both be reached at kafka.example.com:9094 from outside"));
        assertTrue(refused("b-1.k.test", kraft(Map.of("AGENT_EXTERNAL_HOST", "kafka.example.com", "AGENT_EXTERNAL_PORT", "65530+id")))
                .get(0).contains("the outside port of b-3.k.test (node id 6) would be 65536, outside 1..65535"));
        assertTrue(refused("b-1.k.test", kraft(Map.of("AGENT_EXTERNAL_HOST", "kafka_{id}.example.com")))
                .get(0).startsWith("env AGENT_EXTERNAL_HOST: the outside host of b-1.k.test, 'kafka_4.example.com', "));
        assertTrue(refused("b-1.k.test", kraft(Map.of("AGENT_EXTERNAL_HOST", "{node}.example.com")))
                .get(0).startsWith("env AGENT_EXTERNAL_HOST: '{node}' is not a token of an outside host"));
        assertTrue(refused("b-1.k.test", kraft(Map.of("AGENT_EXTERNAL_HOST", "k.example.com", "AGENT_EXTERNAL_PORT", "99999")))
                .get(0).contains("would be 99999, outside 1..65535"));
        assertTrue(refused("b-1.k.test", kraft(Map.of("AGENT_EXTERNAL_HOST", "k.example.com", "AGENT_EXTERNAL_PORT", "port")))
                .get(0).startsWith("env AGENT_EXTERNAL_PORT: 'port' is not an outside port"));
        assertTrue(refused("b-1.k.test", kraft(Map.of("AGENT_EXTERNAL_HOST", "k-{id}.example.com", "AGENT_EXTERNAL_PORT", "9092")))
                .get(0).contains("the outside port 9092 of b-1.k.test is the port of its service kraft-broker"));
        assertTrue(refused("b-1.k.test", kraft(Map.of("AGENT_EXTERNAL_HOST", "10.0.0.300")))
                .get(0).contains("is neither a host name nor an IPv4 address"));
    }
}
