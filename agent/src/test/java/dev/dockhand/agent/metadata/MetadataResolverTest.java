package dev.dockhand.agent.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.core.InvalidInputException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetadataResolverTest {
    final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

    static HostInfo host(String hostname, String fqdn) {
        return new HostInfo() {
            public Optional<String> hostname() { return Optional.ofNullable(hostname); }
            public Optional<String> resolverFqdn() { return Optional.ofNullable(fqdn); }
        };
    }

    NodeIdentity resolve(MetadataInputs flags, Map<String, String> env) {
        return new MetadataResolver(fs, host("broker-1", "broker-1.kafka1.example")).resolve(flags, env);
    }

    List<String> problems(MetadataInputs flags, Map<String, String> env) {
        return assertThrows(InvalidInputException.class, () -> resolve(flags, env)).problems();
    }

    static final String FILE = """
            {
              "cluster": { "name": "kafka1", "config": "production" },
              "self": "broker-1.kafka1.example",
              "nodes": [
                { "fqdn": "zk-0.kafka1.example", "role": "zookeeper" },
                { "fqdn": "broker-1.kafka1.example", "role": "broker" }
              ]
            }
            """;

    @Test
    void metadataFileGivesEverythingWithSources() throws Exception {
        Files.writeString(fs.getPath("/meta.json"), FILE);
        NodeIdentity id = resolve(MetadataInputs.none(), Map.of("AGENT_METADATA_FILE", "/meta.json"));
        assertEquals("broker", id.role().value());
        assertEquals("production", id.clusterConfig().value());
        assertEquals("kafka1", id.clusterName().value());
        assertEquals(2, id.selfIndex().getAsInt());
        assertEquals("metadata file /meta.json:3 self", id.self().source().toString());
        assertEquals(Source.Kind.METADATA_FILE, id.nodes().source().kind());
    }

    @Test
    void flagsBeatEnvBeatFile() throws Exception {
        Files.writeString(fs.getPath("/meta.json"), FILE);
        Map<String, String> env = Map.of("AGENT_METADATA_FILE", "/meta.json", "AGENT_CLUSTER_CONFIG", "default", "AGENT_CLUSTER_NAME", "fromenv");
        NodeIdentity id = resolve(new MetadataInputs(null, null, "fromflag", null, null, null), env);
        assertEquals("default", id.clusterConfig().value());
        assertEquals(Source.env("AGENT_CLUSTER_CONFIG"), id.clusterConfig().source());
        assertEquals("fromflag", id.clusterName().value());
        assertEquals(Source.flag("--cluster-name"), id.clusterName().source());
    }

    @Test
    void nodesFromEnvKeepTheOrderWritten() {
        NodeIdentity id = resolve(MetadataInputs.none(), Map.of(
                "AGENT_NODES", "zookeeper=zk-1.x,zk-2.x;broker=broker-1.kafka1.example;zookeeper=zk-3.x",
                "AGENT_FQDN", "zk-3.x"));
        assertEquals(List.of("zk-1.x", "zk-2.x", "broker-1.kafka1.example", "zk-3.x"),
                id.nodes().value().stream().map(Node::fqdn).toList());
        assertEquals(4, id.selfIndex().getAsInt());
        assertEquals("zookeeper", id.role().value());
    }

    @Test
    void derivedFqdnOrdinalAndOneNodeCluster() {
        NodeIdentity id = resolve(MetadataInputs.none(), Map.of("AGENT_ROLE", "broker"));
        assertEquals("broker-1.kafka1.example", id.self().value());
        assertEquals(Source.Kind.DERIVED, id.self().source().kind());
        assertEquals(1, id.ordinal().getAsInt());
        assertEquals(List.of(new Node("broker-1.kafka1.example", "broker")), id.nodes().value());
    }

    @Test
    void missingRoleIsAClearError() {
        assertEquals(List.of("no role given: set AGENT_ROLE (or --role), or give a metadata file whose nodes list this node "
                + "(broker-1.kafka1.example)"), problems(MetadataInputs.none(), Map.of("AGENT_ROLE", "")));
    }

    @Test
    void selfNotInNodesAndDuplicateFqdnsAreReportedTogether() {
        List<String> p = problems(MetadataInputs.none(), Map.of(
                "AGENT_ROLE", "broker", "AGENT_FQDN", "broker-9.x", "AGENT_NODES", "broker=broker-1.x,broker-1.x;zookeeper=zk-1.x"));
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("this node broker-9.x (env AGENT_FQDN) is not in the node list (env AGENT_NODES)"), p.get(0));
        assertTrue(p.get(1).contains("node broker-1.x is listed twice"), p.get(1));
    }

    @Test
    void roleDisagreeingWithNodeListIsAnError() {
        List<String> p = problems(MetadataInputs.none(), Map.of("AGENT_ROLE", "zookeeper", "AGENT_FQDN", "b.x", "AGENT_NODES", "broker=b.x"));
        assertTrue(p.get(0).contains("disagrees with the node list"), p.toString());
    }

    @Test
    void malformedAndEmptyMetadataFiles() throws Exception {
        Files.writeString(fs.getPath("/bad.json"), "{ \"self\": \"a.x\", \n \"nodes\": [ }");
        List<String> p = problems(MetadataInputs.none(), Map.of("AGENT_METADATA_FILE", "/bad.json"));
        assertTrue(p.get(0).startsWith("metadata file /bad.json:2:"), p.toString());
        Files.writeString(fs.getPath("/empty.json"), "");
        p = problems(new MetadataInputs(null, null, null, null, null, "/empty.json"), Map.of());
        assertTrue(p.get(0).contains("/empty.json: the file is empty"), p.toString());
        p = problems(MetadataInputs.none(), Map.of("AGENT_METADATA_FILE", "/missing.json"));
        assertTrue(p.get(0).contains("metadata file /missing.json (env AGENT_METADATA_FILE) does not exist"), p.toString());
    }

    @Test
    void badNodeListSyntax() {
        List<String> p = problems(MetadataInputs.none(), Map.of("AGENT_ROLE", "broker", "AGENT_NODES", "broker-1.x,broker-2.x"));
        assertTrue(p.get(0).contains("is not role=fqdn[,fqdn...]"), p.toString());
    }

    @Test
    void explicitIdsAreAllOrNothingUniqueAndSurviveNodesLeavingTheList() throws Exception {
        NodeIdentity id = resolve(MetadataInputs.none(), Map.of("AGENT_FQDN", "b-1.x",
                "AGENT_NODES", "broker=4@b-1.x, 5@b-2.x;controller=8@c-1.x"));
        assertEquals(List.of(new Node("b-1.x", "broker", 4), new Node("b-2.x", "broker", 5), new Node("c-1.x", "controller", 8)),
                id.nodes().value());
        assertEquals(4, id.selfId().getAsInt());
        assertEquals(1, id.selfIndex().getAsInt(), "the position is still the position");
        assertEquals(8, id.idOf(id.nodes().value().get(2)));

        id = resolve(MetadataInputs.none(), Map.of("AGENT_FQDN", "b-1.x", "AGENT_NODES", "zookeeper=z-1.x;broker=b-1.x"));
        assertEquals(2, id.selfId().getAsInt(), "no explicit ids: positions, as before");

        assertEquals(List.of("env AGENT_NODES: 1 of 2 nodes have an explicit id, the others none (b-2.x); give every node its id "
                + "(id@fqdn), or none: ids are then positions in the list"),
                problems(MetadataInputs.none(), Map.of("AGENT_FQDN", "b-1.x", "AGENT_NODES", "broker=4@b-1.x,b-2.x")));
        assertEquals(List.of("env AGENT_NODES: nodes b-1.x and c-1.x both have id 4; every node needs its own id"),
                problems(MetadataInputs.none(), Map.of("AGENT_FQDN", "b-1.x", "AGENT_NODES", "broker=4@b-1.x;controller=4@c-1.x")));
        List<String> bad = problems(MetadataInputs.none(), Map.of("AGENT_FQDN", "b-1.x", "AGENT_NODES", "broker=0@b-1.x,x@b-2.x"));
        assertTrue(bad.get(0).contains("the id '0' is not a positive whole number (write id@fqdn"), bad.toString());
        assertTrue(bad.get(1).contains("the id 'x' is not a positive whole number"), bad.toString());

        Files.writeString(fs.getPath("/meta.json"), """
                { "self": "b-1.x", "nodes": [ { "fqdn": "b-1.x", "role": "broker", "id": 4 }, { "fqdn": "c-1.x", "role": "controller", "id": 8 } ] }
                """);
        id = resolve(MetadataInputs.none(), Map.of("AGENT_METADATA_FILE", "/meta.json"));
        assertEquals(List.of(new Node("b-1.x", "broker", 4), new Node("c-1.x", "controller", 8)), id.nodes().value());
    }
}
