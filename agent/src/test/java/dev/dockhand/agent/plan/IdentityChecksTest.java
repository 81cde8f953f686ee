package dev.dockhand.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.CatalogReader;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.metadata.MetadataInputs;
import dev.dockhand.agent.metadata.MetadataResolver;
import dev.dockhand.agent.metadata.NodeIdentity;
import dev.dockhand.agent.render.NodeContext;
import dev.dockhand.agent.render.RenderPlan;
import dev.dockhand.agent.render.RenderTestSupport;
import dev.dockhand.agent.render.Renderer;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Steps 2 and 3 of the start sequence: the identity against the catalog, and against what is on disk. */
class IdentityChecksTest {
    FileSystem fs;
    Catalog catalog;

    @BeforeEach
    void copyTemplatesIntoJimfs() throws IOException {
        fs = Jimfs.newFileSystem(Configuration.unix());
        RenderTestSupport.copyTemplates(fs);
        catalog = CatalogReader.read(fs.getPath("/etc/agent/templates/catalog.json"));
    }

    NodeContext context(String fqdn, Map<String, String> env) {
        return RenderTestSupport.context(fs, fqdn, env);
    }

    /** The guard as the planner calls it: on what the read step found on the volume, now. */
    static void guard(RenderPlan plan, String clusterId, Path dataDir, Problems problems) {
        List<ServerSettings> servers = ServerSettings.of(plan.files());
        NodeFiles.Recorder disk = new NodeFiles.Recorder();
        IdentityGuard.look(plan, servers, dataDir, disk);
        IdentityGuard.check(plan, servers, clusterId, dataDir, disk.files(), problems);
    }

    static dev.dockhand.agent.metadata.HostInfo noHost() {
        return RenderTestSupport.noHost();
    }

    @Test
    void identityGuardRefusesAnotherNodesMyidAndMetaProperties() throws IOException {
        Path myid = fs.getPath("/data/zk-2.kafka1.example/zookeeper/myid");
        Files.createDirectories(myid.getParent());
        Files.writeString(myid, "7\n");
        RenderPlan plan = new Renderer(context("zk-2.kafka1.example", Map.of()), Map.of(), Map.of()).plan();
        Problems problems = new Problems();
        guard(plan, "unused", fs.getPath("/data/zk-2.kafka1.example"), problems);
        assertEquals(1, problems.list().size());
        assertTrue(problems.list().get(0).startsWith("identity conflict: " + myid + " holds ZooKeeper id 7 but this node would be id 2"),
                problems.list().get(0));
        assertEquals("7\n", Files.readString(myid), "never overwritten");

        Path meta = fs.getPath("/data/broker-1.kafka1.example/kafka/logs/meta.properties");
        Files.createDirectories(meta.getParent());
        Files.writeString(meta, "version=0\nbroker.id=9\ncluster.id=abc\n");
        problems = new Problems();
        guard(new Renderer(context("broker-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan(), "unused",
                fs.getPath("/data/broker-1.kafka1.example"), problems);
        assertEquals(1, problems.list().size());
        assertTrue(problems.list().get(0).contains(meta + " holds broker id 9 but this node would be broker 4"), problems.list().get(0));

        Files.writeString(meta, "version=0\nbroker.id=4\ncluster.id=abc\n");
        problems = new Problems();
        guard(new Renderer(context("broker-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan(), "unused",
                fs.getPath("/data/broker-1.kafka1.example"), problems);
        assertTrue(problems.isEmpty(), problems.list().toString());
    }

    @Test
    void aZooKeeperModeBrokersClusterIdIsRecordedWhenFirstSeenAndAnotherClusterRefusedAfter() throws IOException {
        String fqdn = "broker-1.kafka1.example";
        Path data = fs.getPath("/data/" + fqdn);
        Path meta = data.resolve("kafka/logs/meta.properties");
        Files.createDirectories(meta.getParent());
        Files.writeString(meta, "version=0\nbroker.id=4\ncluster.id=ZkClusterAAAAAAAAAAAAA\n");
        RenderPlan plan = new Renderer(context(fqdn, Map.of()), Map.of(), Map.of()).plan();
        Problems problems = new Problems();
        guard(plan, "unused", data, problems);
        assertTrue(problems.isEmpty(), "nothing recorded yet: " + problems.list());
        IdentityGuard.record(ServerSettings.of(plan.files()), data);
        assertTrue(Files.readString(data.resolve(IdentityGuard.STORAGE_RECORD))
                .contains(IdentityGuard.ZK_CLUSTER_ID + "=ZkClusterAAAAAAAAAAAAA"));

        // the volume of a broker of another cluster, with this node's broker id
        Files.writeString(meta, "version=0\nbroker.id=4\ncluster.id=OtherClusterBBBBBBBBBB\n");
        problems = new Problems();
        guard(plan, "unused", data, problems);
        assertEquals(1, problems.list().size(), problems.list().toString());
        assertTrue(problems.list().get(0).contains(meta + " belongs to cluster OtherClusterBBBBBBBBBB but this node's broker belongs to cluster "
                + "ZkClusterAAAAAAAAAAAAA"), problems.list().get(0));
        IdentityGuard.record(ServerSettings.of(plan.files()), data);
        assertTrue(Files.readString(data.resolve(IdentityGuard.STORAGE_RECORD)).contains("ZkClusterAAAAAAAAAAAAA"), "never overwritten");
    }

    static final String KRAFT_NODES = "controller=c-1.k.test,c-2.k.test,c-3.k.test;broker=b-1.k.test;schemareg=s.k.test;gateway=g.k.test";

    /** The guard as the planner calls it, for a node of the kraft cluster config. */
    Problems guardKraft(String fqdn) {
        NodeContext ctx = context(fqdn, Map.of("AGENT_CLUSTER_CONFIG", "kraft", "AGENT_NODES", KRAFT_NODES));
        Problems problems = new Problems();
        guard(new Renderer(ctx, Map.of(), Map.of()).plan(), ctx.values().get(dev.dockhand.agent.catalog.Macro.CLUSTER_ID).value(),
                ctx.paths().dataDir(), problems);
        return problems;
    }

    @Test
    void identityGuardCoversKraftMetaPropertiesNodeIdClusterIdAndDirectoryId() throws IOException {
        NodeContext ctx = context("c-2.k.test", Map.of("AGENT_CLUSTER_CONFIG", "kraft", "AGENT_NODES", KRAFT_NODES));
        String clusterId = ctx.values().get(dev.dockhand.agent.catalog.Macro.CLUSTER_ID).value();
        Path metaDir = fs.getPath("/data/c-2.k.test/kafka/metadata");
        Path meta = metaDir.resolve("meta.properties");
        assertTrue(guardKraft("c-2.k.test").isEmpty(), "nothing on disk yet: the first start formats");

        Files.createDirectories(metaDir);
        Files.writeString(meta, "version=1\nnode.id=2\ncluster.id=" + clusterId + "\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAA\n");
        assertTrue(guardKraft("c-2.k.test").isEmpty(), guardKraft("c-2.k.test").list().toString());

        Files.writeString(meta, "version=1\nnode.id=5\ncluster.id=" + clusterId + "\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAA\n");
        assertTrue(guardKraft("c-2.k.test").list().get(0).contains(meta + " holds broker id 5 but this node would be broker 2"),
                guardKraft("c-2.k.test").list().toString());

        Files.writeString(meta, "version=1\nnode.id=2\ncluster.id=someOtherCluster00000\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAA\n");
        assertTrue(guardKraft("c-2.k.test").list().get(0).contains(meta + " belongs to cluster someOtherCluster00000 but this node is in cluster "
                + clusterId), guardKraft("c-2.k.test").list().toString());

        // the agent records the directory id once it has seen the log dir formatted ...
        Files.writeString(meta, "version=1\nnode.id=2\ncluster.id=" + clusterId + "\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAA\n");
        IdentityGuard.record(ServerSettings.of(new Renderer(ctx, Map.of(), Map.of()).plan().files()), ctx.paths().dataDir());
        Path record = fs.getPath("/data/c-2.k.test").resolve(IdentityGuard.STORAGE_RECORD);
        assertTrue(Files.readString(record).contains("AAAAAAAAAAAAAAAAAAAAAA"), Files.readString(record));
        assertTrue(guardKraft("c-2.k.test").isEmpty());
        // ... so that a swapped volume (same ids, another directory) is refused
        Files.writeString(meta, "version=1\nnode.id=2\ncluster.id=" + clusterId + "\ndirectory.id=BBBBBBBBBBBBBBBBBBBBBB\n");
        Problems swapped = guardKraft("c-2.k.test");
        assertEquals(1, swapped.list().size(), swapped.list().toString());
        assertTrue(swapped.list().get(0).contains(meta + " holds directory.id BBBBBBBBBBBBBBBBBBBBBB but this node formatted " + metaDir
                + " as directory.id AAAAAAAAAAAAAAAAAAAAAA"), swapped.list().get(0));
        // and so is a wiped one: formatting it again would make a new replica out of a lost one
        Files.delete(meta);
        Problems wiped = guardKraft("c-2.k.test");
        assertEquals(1, wiped.list().size(), wiped.list().toString());
        assertTrue(wiped.list().get(0).contains(metaDir + " was formatted for this node (directory.id AAAAAAAAAAAAAAAAAAAAAA"),
                wiped.list().get(0));
        assertTrue(Files.readString(record).contains("AAAAAAAAAAAAAAAAAAAAAA"), "the record is never overwritten");
    }

    @Test
    void aKraftClusterPlansPlaintextWhenToldAndTlsWhenAsked() {
        // secured by default (KraftSecuredPlanTest plans it with the CA, and without it refuses); plaintext when told
        for (String security : List.of("plaintext")) {
            NodeContext ctx = context("c-1.k.test", Map.of("AGENT_CLUSTER_CONFIG", "kraft", "AGENT_NODES", KRAFT_NODES, "AGENT_SECURITY", security));
            assertEquals(List.of("kraft-controller"), ctx.services().stream().map(dev.dockhand.agent.catalog.ServiceSpec::id).toList(), security);
        }
    }

    @Test
    void cardinalityAndRoleChecks() {
        NodeIdentity id = new MetadataResolver(fs, noHost()).resolve(MetadataInputs.none(), Map.of(
                "AGENT_NODES", "broker=b-1.x", "AGENT_FQDN", "b-1.x", "AGENT_CLUSTER_CONFIG", "production"));
        Problems problems = new Problems();
        IdentityCheck.check(catalog, id, problems);
        assertTrue(problems.list().contains("cluster config 'production' needs 1+ node(s) of role 'zookeeper' but the node list (env AGENT_NODES) has 0"),
                problems.list().toString());
        id = new MetadataResolver(fs, noHost()).resolve(MetadataInputs.none(), Map.of(
                "AGENT_ROLE", "schemareg", "AGENT_FQDN", "s.x", "AGENT_CLUSTER_CONFIG", "default"));
        problems = new Problems();
        IdentityCheck.check(catalog, id, problems);
        assertTrue(problems.list().get(0).startsWith("role 'schemareg' (env AGENT_ROLE) runs nothing in cluster config 'default'"),
                problems.list().toString());
    }

}
