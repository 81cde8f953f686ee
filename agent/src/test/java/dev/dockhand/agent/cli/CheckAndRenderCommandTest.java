package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.cli.Cli.Result;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end on the shipped catalog: exit codes and exact messages for every bad input. */
class CheckAndRenderCommandTest {
    static final String CATALOG = Path.of("../templates/catalog.json").toAbsolutePath().normalize().toString();
    static final String NODES = "zookeeper=zk-1.x,zk-2.x,zk-3.x;broker=b-1.x,b-2.x,b-3.x;schemareg=sr-1.x";

    @TempDir
    Path tmp;

    Result run(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (List.of("check", "render").contains(args[0])) {
            all.addAll(List.of("--catalog", CATALOG, "--data-dir", tmp.resolve("data").toString()));
        }
        return Cli.run(env, all);
    }

    static Map<String, String> prod(String fqdn) {
        return new HashMap<>(Map.of("AGENT_NODES", NODES, "AGENT_FQDN", fqdn, "AGENT_CLUSTER_CONFIG", "production", "AGENT_SECURITY", "plaintext"));
    }

    /** A distribution home with what the shipped catalog's commands name. */
    Path home() throws IOException {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("lib/kafka"));
        Files.createDirectories(home.resolve("registry"));
        Files.writeString(home.resolve("registry/quarkus-run.jar"), "");
        Files.writeString(home.resolve("agent-console.jar"), "");
        return home;
    }

    @Test
    void checkValidProductionNode() throws IOException {
        Result r = run(prod("b-2.x"), "check", "--home", home().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("ok: b-2.x is node 5, role broker, cluster config production"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void checkSaysWhenAServiceCannotBeStarted() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty-home"));
        Result missing = run(prod("b-2.x"), "check", "--home", empty.toString());
        assertBad(missing, "agent: service kafka-broker: the class path entry " + empty + "/lib/kafka/* does not exist");

        Path notExecutable = Files.writeString(tmp.resolve("java"), "#!/bin/sh\n");
        Map<String, String> e = prod("b-2.x");
        e.put("AGENT_JAVA", notExecutable.toString());
        assertBad(run(e, "check", "--home", home().toString()),
                "agent: service kafka-broker: its command " + notExecutable + " is not executable (permission denied)");
        e.put("AGENT_JAVA", tmp.resolve("no-java").toString());
        assertBad(run(e, "check", "--home", home().toString()),
                "agent: service kafka-broker: its command " + tmp.resolve("no-java") + " does not exist");
    }

    @Test
    void badInputsExitTwoWithAClearMessageAndWriteNothing() throws IOException {
        Map<String, String> e;
        // missing role
        assertBad(run(Map.of("AGENT_FQDN", "a.x"), "check"), "agent: no role given: set AGENT_ROLE");
        // unknown role
        assertBad(run(Map.of("AGENT_FQDN", "a.x", "AGENT_ROLE", "brokr"), "check"),
                "agent: unknown role 'brokr' (env AGENT_ROLE); the catalog has: broker, zookeeper, schemareg, gateway, standalone");
        // role not in the active cluster config
        assertBad(run(Map.of("AGENT_FQDN", "a.x", "AGENT_ROLE", "standalone"), "check"),
                "agent: role 'standalone' (env AGENT_ROLE) runs nothing in cluster config 'default'");
        // unknown cluster config
        e = prod("b-1.x");
        e.put("AGENT_CLUSTER_CONFIG", "prod");
        assertBad(run(e, "check"), "agent: unknown cluster config 'prod' (env AGENT_CLUSTER_CONFIG); the catalog has: default, production, single-node");
        // malformed and empty metadata
        Path bad = Files.writeString(tmp.resolve("bad.json"), "{ \"self\": ");
        assertBad(run(Map.of("AGENT_METADATA_FILE", bad.toString()), "check"), "agent: metadata file " + bad + ":1:");
        Path empty = Files.writeString(tmp.resolve("empty.json"), "");
        assertBad(run(Map.of(), "check", "--metadata", empty.toString()), "agent: metadata file " + empty + ": the file is empty");
        // self not in nodes
        e = prod("b-9.x");
        e.put("AGENT_ROLE", "broker");
        assertBad(run(e, "check"), "agent: this node b-9.x (env AGENT_FQDN) is not in the node list (env AGENT_NODES)");
        // duplicate FQDNs
        e = prod("b-1.x");
        e.put("AGENT_NODES", "zookeeper=zk-1.x;broker=b-1.x,b-1.x;schemareg=sr-1.x");
        assertBad(run(e, "check"), "agent: env AGENT_NODES: node b-1.x is listed twice");
        // cardinality: no zookeeper node
        e = prod("b-1.x");
        e.put("AGENT_NODES", "broker=b-1.x;schemareg=sr-1.x");
        assertBad(run(e, "check"), "agent: cluster config 'production' needs 1+ node(s) of role 'zookeeper' but the node list (env AGENT_NODES) has 0");
        assertFalse(Files.exists(tmp.resolve("data")), "nothing written by a failed check");
    }

    @Test
    void catalogProblemsAreReportedTogetherWithTheIdentitysOnes() throws IOException {
        String text = Files.readString(Path.of(CATALOG))
                .replace("\"waitFor\": []", "\"waitFor\": [\"control-center\"]")
                .replace("\"macro\": \"GET_NODE_FQDN\"", "\"macro\": \"GET_NODE_HOST\"");
        Path cat = Files.writeString(tmp.resolve("catalog.json"), text);
        StringWriter err = new StringWriter();
        var cl = AgentCommand.commandLine(Map.of("AGENT_FQDN", "a.x"));
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("check", "--catalog", cat.toString());
        assertEquals(2, code);
        String[] lines = err.toString().split("\n");
        assertEquals(3, lines.length, err.toString());
        assertTrue(lines[0].startsWith("agent: " + cat + ":"), lines[0]);
        assertTrue(lines[0].contains("autogen[2].macro: unknown macro 'GET_NODE_HOST'"), lines[0]);
        assertTrue(lines[1].contains("startOrder: the waits form a cycle: zookeeper -> control-center -> kafka-broker -> zookeeper"), lines[1]);
        assertTrue(lines[2].startsWith("agent: no role given"), lines[2]);
    }

    @Test
    void renderWritesOnlyTheRolesFilesAndExplains() throws IOException {
        Result r = run(prod("zk-2.x"), "render", "--explain");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("UNIQUE_SELF_NODE_INT"), r.out());
        assertTrue(r.out().contains("= 2 "), r.out());
        assertEquals("2\n", Files.readString(tmp.resolve("data/zookeeper/myid")));
        try (Stream<Path> s = Files.list(tmp.resolve("data/conf"))) {
            // the zookeeper service's dir, and the client configs that every node has for the tools
            assertEquals(List.of("client.properties", "kafka-lib", "zookeeper", "zookeeper-client.properties"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void explainMasksAPasswordInsideAValue() {
        Map<String, String> env = prod("sr-1.x");
        env.put("REGISTRY_CFG_QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://db:5432/registry?user=reg&password=s3cret-Pw");
        env.put("REGISTRY_CFG_REGISTRY_UI_URL", "https://reg:ui-s3cret@ui.example/x");
        Result r = run(env, "render", "--dry-run", "--explain");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("jdbc:postgresql://db:5432/registry?user=reg&password=****"), r.out());
        assertTrue(r.out().contains("https://reg:****@ui.example/x"), r.out());
        assertFalse(r.out().contains("s3cret"), r.out());
    }

    @Test
    void dryRunWritesNothing() {
        Result r = run(prod("zk-2.x"), "render", "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("would write " + tmp.resolve("data/conf/zookeeper/zoo.cfg")), r.out());
        assertFalse(Files.exists(tmp.resolve("data")));
    }

    @Test
    void templateMissingAndUnknownMacroInTemplate() throws IOException {
        Path templates = tmp.resolve("templates");
        try (Stream<Path> files = Files.walk(Path.of("../templates"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path dst = templates.resolve(Path.of("../templates").relativize(p).toString());
                Files.createDirectories(dst.getParent());
                Files.copy(p, dst);
            }
        }
        Files.delete(templates.resolve("zookeeper/log4j.properties"));
        Files.writeString(templates.resolve("zookeeper/zoo.cfg"), "a=1\nb=@@NODE_NUMBER@@\n");
        StringWriter err = new StringWriter();
        var cl = AgentCommand.commandLine(prod("zk-1.x"));
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("render", "--catalog", templates.resolve("catalog.json").toString(), "--data-dir", tmp.resolve("d").toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains("agent: " + templates.resolve("zookeeper/zoo.cfg") + ":2: token @@NODE_NUMBER@@ is neither a macro"), err.toString());
        assertTrue(err.toString().contains("zookeeper/log4j.properties (service zookeeper) does not exist"), err.toString());
        assertFalse(Files.exists(tmp.resolve("d")));
    }

    @Test
    void outputDirThatCannotBeWrittenIsAClearError() throws IOException {
        Path blocker = Files.writeString(tmp.resolve("blocker"), "a file, not a directory");
        Result r = run(prod("zk-1.x"), "render", "--out", blocker.resolve("conf").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("agent: cannot "), r.err());
        assertTrue(r.err().contains(blocker.toString()), r.err());
        assertEquals("a file, not a directory", Files.readString(blocker));
    }

    @Test
    void versionAndHelp() {
        Result v = run(Map.of(), "version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("dockhand agent "), v.out());
        Result h = run(Map.of(), "--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("Exit codes:"), h.out());
    }

    private static void assertBad(Result r, String expectedStart) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith(expectedStart)),
                "expected a line of stderr to start with:\n" + expectedStart + "\nbut was:\n" + r.err());
        assertTrue(r.err().lines().allMatch(l -> l.startsWith("agent: ")), "one problem per line: " + r.err());
    }
}
