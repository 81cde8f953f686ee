package dev.dockhand.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.catalog.ProbeSpec;
import dev.dockhand.agent.metadata.MetadataInputs;
import dev.dockhand.agent.plan.NodePlan.PlannedService;
import dev.dockhand.agent.plan.NodePlan.RemoteDependency;
import dev.dockhand.agent.render.RenderTestSupport;
import dev.dockhand.agent.resources.ContainerLimits;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one function from catalog, identity, limits and env to a node's plan, on the shipped catalog. */
class PlannerTest {
    static final ContainerLimits FOUR_GIB = new ContainerLimits(4L << 30, "test", ContainerLimits.MemoryBound.CONTAINER_LIMIT, 2, "test", true, Optional.empty(), 2);
    FileSystem fs;

    @BeforeEach
    void templates() throws IOException {
        fs = Jimfs.newFileSystem(Configuration.unix());
        RenderTestSupport.copyTemplates(fs);
    }

    NodePlan plan(String fqdn) {
        return plan(fqdn, Map.of());
    }

    NodePlan plan(String fqdn, Map<String, String> extra) {
        String data = "/data/" + fqdn;
        Map<String, String> env = new HashMap<>(RenderTestSupport.env(fqdn, extra));
        env.put("AGENT_JAVA", "/usr/bin/java");
        Planner.Resolved node = PlanReader.resolve(new PlanInputs("/etc/agent/templates/catalog.json", null, null, data, "/opt/dockhand",
                MetadataInputs.none(), 9800), env, fs, RenderTestSupport.noHost(), RenderTestSupport.JAVA_HOME, java.time.Instant.now());
        return Planner.plan(PlanReader.read(node, env, FOUR_GIB, java.time.Instant.now()));
    }

    @Test
    void aBrokerWaitsForAMajorityOfTheZooKeeperEnsembleOnTheirNodes() {
        NodePlan p = plan("broker-2.kafka1.example");
        assertEquals(new NodePlan.NodeInfo("broker", 5, "broker-2.kafka1.example", "kafka1", "production"), p.node());
        PlannedService broker = p.services().get(0);
        assertEquals("kafka-broker", broker.id());
        assertEquals(List.of(), broker.localWaits());
        RemoteDependency zk = broker.remoteWaits().get(0);
        assertEquals("zookeeper", zk.service());
        assertEquals(2, zk.required(), "a majority of three, as the catalog's quorum says");
        assertEquals(List.of("zk-1.kafka1.example:2181", "zk-2.kafka1.example:2181", "zk-3.kafka1.example:2181"),
                zk.endpoints().stream().map(Object::toString).toList());
        assertTrue(zk.health().probe() instanceof ProbeSpec.ZooKeeper);
        assertEquals("127.0.0.1", broker.probeHost());
    }

    @Test
    void aZooKeeperModeBrokerKnowsWhereItRegistersAndForHowLongADeadSessionHoldsIt() {
        NodePlan.ZooKeeperRegistration r = plan("broker-2.kafka1.example").services().get(0).registration();
        assertEquals(5, r.brokerId(), "its broker.id");
        assertEquals("/brokers/ids/5", r.path());
        assertEquals(java.time.Duration.ofSeconds(12), r.sessionTimeout(), "the template's zookeeper.session.timeout.ms");
        assertEquals(List.of("zk-1.kafka1.example:2181", "zk-2.kafka1.example:2181", "zk-3.kafka1.example:2181"),
                r.zookeeper().stream().map(Object::toString).toList());
        NodePlan overridden = plan("broker-2.kafka1.example", Map.of("KAFKA_CFG_ZOOKEEPER_SESSION_TIMEOUT_MS", "6000"));
        assertEquals(java.time.Duration.ofSeconds(6), overridden.services().get(0).registration().sessionTimeout(),
                "the value the broker reads: an env override counts");
        assertTrue(plan("zk-1.kafka1.example").services().stream().allMatch(s -> s.registration() == null), "only brokers register");
        assertTrue(plan("gw-1.kafka1.example").services().stream().allMatch(s -> s.registration() == null));
    }

    @Test
    void theConsoleWaitsForOneBrokerAndEverythingAboutAServiceIsResolvedOnce() {
        NodePlan p = plan("gw-1.kafka1.example");
        PlannedService console = p.services().get(0);
        assertEquals(1, console.remoteWaits().get(0).required());
        assertTrue(console.command().argv().stream().noneMatch(a -> a.contains("@@")), console.command().argv().toString());
        assertEquals(fs.getPath("/data/gw-1.kafka1.example"), console.command().workDir());
        assertNull(console.command().logFile(), "the shipped catalog keeps no log file");
        assertTrue(p.sizing().get(0).startsWith("memory: 4096 MiB"), p.sizing().toString());
        assertTrue(p.files().stream().allMatch(f -> f.target().startsWith(fs.getPath("/data/gw-1.kafka1.example"))));
    }
}
