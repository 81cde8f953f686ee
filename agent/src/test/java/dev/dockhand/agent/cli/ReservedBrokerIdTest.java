package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.cli.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ZooKeeper-mode broker's id above Kafka's {@code reserved.broker.max.id} (1000 unless overridden):
 * Kafka exits at start with it, so check and render refuse it first (run plans through the same
 * Planner), naming the node, where its id came from, the limit and what to do. KRaft has no such limit.
 */
class ReservedBrokerIdTest {
    static final String CATALOG = HostileInputsTest.CATALOG;

    @TempDir
    Path tmp;

    Result run(Map<String, String> env, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--catalog", CATALOG, "--data-dir", tmp.resolve("data").toString()));
        return Cli.run(env, all);
    }

    static Map<String, String> broker(String nodes, String config) {
        return new HashMap<>(Map.of("AGENT_NODES", nodes, "AGENT_FQDN", "b-2.x", "AGENT_CLUSTER_CONFIG", config, "AGENT_SECURITY", "plaintext"));
    }

    static final String ZK_NODES = "zookeeper=1@zk-1.x;broker=1000@b-1.x,1001@b-2.x;schemareg=3@sr-1.x";

    @Test
    void aZooKeeperModeBrokerIdAboveTheReservedMaximumIsRefusedInCheckAndRender() {
        for (String command : new String[] {"check", "render"}) {
            Result r = run(broker(ZK_NODES, "production"), command);
            assertEquals(2, r.code(), command + ": " + r.out() + r.err());
            assertTrue(r.err().contains("agent: node b-2.x: broker.id 1001 (derived: explicit id 1001 of b-2.x in the node list (env AGENT_NODES))"
                    + " is above reserved.broker.max.id 1000 (Kafka's default)"), r.err());
            assertTrue(r.err().contains("give the nodes explicit ids from 1 to 1000 (id@fqdn in AGENT_NODES or --nodes) or set"
                    + " KAFKA_CFG_RESERVED_BROKER_MAX_ID=1001 or more"), r.err());
            assertFalse(Files.exists(tmp.resolve("data/conf")), "nothing rendered");
        }
        // at the limit is fine
        Map<String, String> first = broker(ZK_NODES, "production");
        first.put("AGENT_FQDN", "b-1.x");
        assertEquals(0, run(first, "render", "--dry-run").code());
    }

    @Test
    void theOverrideOfTheLimitIsHonouredAndABadOneNamed() {
        Map<String, String> env = broker(ZK_NODES, "production");
        env.put("KAFKA_CFG_RESERVED_BROKER_MAX_ID", "1001");
        Result r = run(env, "render", "--dry-run");
        assertEquals(0, r.code(), r.err());
        env.put("KAFKA_CFG_RESERVED_BROKER_MAX_ID", "1000");
        r = run(env, "check");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("is above reserved.broker.max.id 1000 (set in server.properties (KAFKA_CFG_RESERVED_BROKER_MAX_ID))"), r.err());
        env.put("KAFKA_CFG_RESERVED_BROKER_MAX_ID", "lots");
        r = run(env, "check");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("reserved.broker.max.id 'lots' is not a whole number (KAFKA_CFG_RESERVED_BROKER_MAX_ID)"), r.err());
    }

    @Test
    void aKraftBrokerHasNoSuchLimit() {
        Result r = run(broker("controller=1@c-1.x;broker=1001@b-1.x,1002@b-2.x;schemareg=3@sr-1.x", "kraft"), "render", "--dry-run");
        assertEquals(0, r.code(), r.err());
    }
}
