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
        IdentityGuard.check(plan, problems);
        assertEquals(1, problems.list().size());
        assertTrue(problems.list().get(0).startsWith("identity conflict: " + myid + " holds ZooKeeper id 7 but this node would be id 2"),
                problems.list().get(0));
        assertEquals("7\n", Files.readString(myid), "never overwritten");

        Path meta = fs.getPath("/data/broker-1.kafka1.example/kafka/logs/meta.properties");
        Files.createDirectories(meta.getParent());
        Files.writeString(meta, "version=0\nbroker.id=9\ncluster.id=abc\n");
        problems = new Problems();
        IdentityGuard.check(new Renderer(context("broker-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan(), problems);
        assertEquals(1, problems.list().size());
        assertTrue(problems.list().get(0).contains(meta + " holds broker id 9 but this node would be broker 4"), problems.list().get(0));

        Files.writeString(meta, "version=0\nbroker.id=4\ncluster.id=abc\n");
        problems = new Problems();
        IdentityGuard.check(new Renderer(context("broker-1.kafka1.example", Map.of()), Map.of(), Map.of()).plan(), problems);
        assertTrue(problems.isEmpty(), problems.list().toString());
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
