package dev.dockhand.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.metadata.MetadataInputs;
import dev.dockhand.agent.render.RenderTestSupport;
import java.io.IOException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Planning is read then plan: {@link PlanReader} takes every outside fact once, and {@link Planner#plan}
 * is a function of that value. Shown by planning after the file system the facts came from is closed
 * (any file access would throw), and by giving the volume's state as plain values.
 */
class PurePlanTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** The facts of {@code fqdn} (production cluster, or {@code extra}'s), read from a jimfs that is closed afterwards. */
    static NodeFacts readThenClose(String fqdn, Map<String, String> extra) throws IOException {
        FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
        RenderTestSupport.copyTemplates(fs);
        Map<String, String> env = new HashMap<>(RenderTestSupport.env(fqdn, extra));
        env.put("AGENT_JAVA", "/usr/bin/java");
        String data = "/data/" + fqdn;
        Planner.Resolved node = PlanReader.resolve(new PlanInputs("/etc/agent/templates/catalog.json", null, null, data, "/opt/dockhand",
                MetadataInputs.none(), 9800), env, fs, RenderTestSupport.noHost(), RenderTestSupport.JAVA_HOME, T0);
        NodeFacts facts = PlanReader.read(node, env, PlannerTest.FOUR_GIB, T0);
        fs.close();
        assertThrows(ClosedFileSystemException.class, () -> Files.readAllBytes(node.catalogPath()),
                "the facts' file system is gone: a plan that read a file now would throw");
        return facts;
    }

    @Test
    void aPlanIsMadeFromItsFactsAloneAndTheSameFactsGiveTheSamePlan() throws IOException {
        NodeFacts facts = readThenClose("broker-2.kafka1.example", Map.of("KAFKA_CFG_ZOOKEEPER_SESSION_TIMEOUT_MS", "6000"));
        NodePlan plan = Planner.plan(facts);
        NodePlan again = Planner.plan(facts);
        assertEquals(plan.files(), again.files());
        assertEquals(plan.services(), again.services());
        assertEquals(List.of("kafka-broker"), plan.services().stream().map(NodePlan.PlannedService::id).toList());
        NodePlan.ZooKeeperRegistration r = plan.services().get(0).registration();
        assertEquals(5, r.brokerId(), "the broker.id the broker reads, carried as data");
        assertEquals(java.time.Duration.ofSeconds(6), r.sessionTimeout(), "the env override is in the facts, not re-read");
    }

    @Test
    void whatTheVolumeHoldsIsAValueTheGuardTakes() throws IOException {
        NodeFacts fresh = readThenClose("zk-2.kafka1.example", Map.of());
        NodePlan plan = Planner.plan(fresh);
        var myid = plan.files().stream().filter(f -> f.target().getFileName().toString().equals("myid")).findFirst().orElseThrow();
        assertEquals("2", myid.content().strip());

        NodeFacts another = new NodeFacts(fresh.node(), fresh.env(), fresh.limits(), fresh.now(), fresh.files().with(myid.target(), "7\n"));
        var e = assertThrows(InvalidInputException.class, () -> Planner.plan(another));
        assertTrue(e.problems().get(0).startsWith("identity conflict: " + myid.target() + " holds ZooKeeper id 7 but this node would be id 2"),
                e.problems().toString());
        NodeFacts same = new NodeFacts(fresh.node(), fresh.env(), fresh.limits(), fresh.now(), fresh.files().with(myid.target(), "2\n"));
        assertEquals(plan.files(), Planner.plan(same).files(), "its own id on the volume: the same plan");
    }

    @Test
    void aBrokerThatLastRanInZooKeeperModeWaitsForTheControllersOnItsFirstKraftStartFromTheValuesGiven() throws IOException {
        Map<String, String> kraftBrokers = Map.of("AGENT_NODES", MigrationTest.NODES, "AGENT_CLUSTER_CONFIG", "zk-migration",
                "AGENT_CLUSTER_NAME", "k", Migration.PHASE, "kraft-brokers");
        NodeFacts fresh = readThenClose("b-1.k.test", kraftBrokers);
        var broker = Planner.plan(fresh).services().stream().filter(s -> s.id().equals("kafka-broker")).findFirst().orElseThrow();
        assertTrue(broker.remoteWaits().stream().noneMatch(d -> d.service().equals(NodePlan.MIGRATION_PRECONDITION)),
                "no earlier config on the volume: nothing moves with this start");

        var config = Planner.plan(fresh).files().stream()
                .filter(f -> f.service().equals("kafka-broker") && f.target().getFileName().toString().equals("server.properties"))
                .findFirst().orElseThrow().target();
        NodeFacts afterZooKeeperMode = new NodeFacts(fresh.node(), fresh.env(), fresh.limits(), fresh.now(),
                fresh.files().with(config, "broker.id=4\nzookeeper.connect=zk-1.k.test:2181\n"));
        broker = Planner.plan(afterZooKeeperMode).services().stream().filter(s -> s.id().equals("kafka-broker")).findFirst().orElseThrow();
        assertTrue(broker.remoteWaits().stream().anyMatch(d -> d.service().equals(NodePlan.MIGRATION_PRECONDITION)),
                "its last config (a value here) was ZooKeeper mode: this start moves it, and waits");
    }

    @Test
    void aReloadRestartsWhatChangedAndAFirstPlanEverything() throws IOException {
        NodeFacts facts = readThenClose("broker-1.kafka1.example", Map.of());
        NodePlan first = Planner.plan(facts);
        assertEquals(Set.of("kafka-broker"), Planner.restarts(null, first, Set.of(), false));
        assertEquals(Set.of(), Planner.restarts(first, Planner.plan(facts), Set.of(), false), "the same plan again restarts nothing");
        assertEquals(Set.of("kafka-broker"), Planner.restarts(first, Planner.plan(facts), Set.of("kafka-broker"), false),
                "a file of it was rewritten");
        assertEquals(Set.of("kafka-broker"), Planner.restarts(first, Planner.plan(facts), Set.of(NodeSecurity.TLS_SCOPE), false),
                "the CA or the users changed: every service reads them");
        assertEquals(Set.of(), Planner.restarts(first, Planner.plan(facts), Set.of(NodeSecurity.TLS_SCOPE), true),
                "a renewal's certificates alone: no restart");

        Map<String, String> env = new HashMap<>(facts.env());
        env.put("PATH", "/opt/other/bin:/usr/bin");
        NodePlan otherPath = Planner.plan(new NodeFacts(facts.node(), env, facts.limits(), facts.now(), facts.files()));
        assertEquals(Set.of("kafka-broker"), Planner.restarts(first, otherPath, Set.of(), false), "its environment changed");
    }

    @Test
    void aPlanReadingAFileItsReadStepDidNotIsABugThatShows() throws IOException {
        NodeFacts facts = readThenClose("broker-1.kafka1.example", Map.of());
        var e = assertThrows(IllegalStateException.class, () -> facts.files().read(
                facts.node().context().paths().dataDir().resolve("not-looked-at"), dev.dockhand.agent.core.InputFiles.STATE_LIMIT));
        assertTrue(e.getMessage().contains("which its read step did not"), e.getMessage());
        var dir = facts.node().context().paths().dataDir();
        assertTrue(NodeFiles.none().with(dir.resolve("x"), "y").isRegularFile(dir.resolve("x")));
        assertTrue(!NodeFiles.none().exists(dir.resolve("z")), "plain values: a file not given is not there");
    }
}
