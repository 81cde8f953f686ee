package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.CatalogReader;
import dev.dockhand.agent.catalog.StartEntry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImportWorkbenchCommandTest {
    private static final String TALK = "src/test/resources/workbench/talk.bdwb";
    private static final String CORRECTED = "src/test/resources/workbench/talk-corrected.bdwb";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = AgentCommand.commandLine(Map.of());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void theTalksScriptComesOutWithItsRealMistakes() {
        int code = run("import-workbench", TALK);

        assertEquals(List.of(
                TALK + ":25: warning: service 'control-center' has no REGISTER_START_SERVICE_SYSV line: the workbench would"
                        + " never start it; dockhand starts it without waiting for anything (add 'REGISTER_START_SERVICE_SYSV"
                        + " control-center --wait ...')",
                TALK + ":26: warning: cluster config 'default' gives role 'schemareg' no services, yet its cardinality 1+"
                        + " asks for at least 1 such node: it would run nothing (assign it services, or make it 0+)",
                TALK + ":27: error: cluster config 'default' gives role 'gateway' unknown service 'gateway'"
                        + " (services: kafka-broker, zookeeper, schema-registry, control-center)",
                TALK + ":33: error: cluster config 'production' gives role 'schemareg' unknown service 'schemareg'"
                        + " (did you mean 'schema-registry'? services: kafka-broker, zookeeper, schema-registry, control-center)",
                TALK + ":36: warning: '-pattern' has one dash; read as --pattern",
                TALK + ":37: warning: '-pattern' has one dash; read as --pattern",
                TALK + ":38: warning: --macro has no value on this line; took 'ZOOKEEPER_SERVICE_STRING' from line 39 as its"
                        + " value (a shell would run it as a command: end this line with \\ or join the lines)",
                TALK + ":38: warning: '-pattern' has one dash; read as --pattern"),
                err.toString().lines().toList());
        assertEquals(2, code);
        assertEquals("", out.toString(), "no catalog on stdout when there is an error");
    }

    @Test
    void theCorrectedScriptImportsCleanlyIntoALoadableCatalog() {
        int code = run("import-workbench", CORRECTED);

        assertEquals("", err.toString());
        assertEquals(0, code);
        Catalog c = CatalogReader.parse("stdout", out.toString());
        assertEquals("confluent-kafka", c.distro().id());
        assertEquals("Confluent Kafka 3.2.1", c.distro().name());
        assertEquals("4.0", c.distro().version());
        assertEquals(List.of("broker", "zookeeper", "schemareg", "gateway"), c.roles().stream().map(r -> r.id()).toList());
        assertEquals("1+", c.role("broker").orElseThrow().cardinality().toString());
        assertEquals(List.of("kafka-broker", "zookeeper"), c.clusterConfig("default").orElseThrow().servicesOf("zookeeper"));
        assertEquals(List.of("schema-registry"), c.clusterConfig("production").orElseThrow().servicesOf("schemareg"));
        assertEquals("ZOOKEEPER_SERVICE_STRING", c.autogen().get(2).macro());
        assertEquals("@@zookeeper.connet@@", c.autogen().get(2).pattern(), "a pattern is whatever the template holds");
        assertEquals("tmp/zookeeper/myid", c.service("zookeeper").orElseThrow().templates().get(0).target());
        assertEquals("usr/lib/kafka/etc/kafka/server.properties",
                c.service("kafka-broker").orElseThrow().templates().get(0).target());
        assertEquals(new StartEntry("control-center", List.of("kafka-broker", "schema-registry")), c.startOrder().get(3));
        assertEquals("tcp", c.service("kafka-broker").orElseThrow().health().type());
        assertEquals(9092, c.service("kafka-broker").orElseThrow().health().probe().port());
        assertEquals("/bin/sh", c.service("kafka-broker").orElseThrow().command().get(0));
    }

    @Test
    void warningsAlonePrintTheCatalogAndStrictFailsOnThem(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("w.bdwb");
        Files.writeString(f, "catalog new --distroid d --logo x.png\nrole add r 1\nservice add --svcid s\n"
                + "clusterconfig new --configid c\nclusterconfig assign --configid c --role r --svcid s\n"
                + "REGISTER_START_SERVICE_SYSV s\n");
        String warning = f + ":1: warning: option --logo has no equivalent in the catalog; ignored";

        assertEquals(0, run("import-workbench", f.toString()));
        assertEquals(List.of(warning), err.toString().lines().toList());
        assertEquals(List.of("s"), CatalogReader.parse("stdout", out.toString()).clusterConfig("c").orElseThrow().servicesOf("r"));

        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        assertEquals(2, run("import-workbench", "--strict", f.toString()));
        assertEquals(List.of(warning), err.toString().lines().toList());
        assertEquals("", out.toString());
    }

    @Test
    void aMissingFileIsNamed() {
        assertEquals(2, run("import-workbench", "no/such.bdwb"));
        assertEquals("agent: workbench script no/such.bdwb does not exist\n", err.toString());
    }
}
