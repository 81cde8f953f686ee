package dev.dockhand.agent.workbench;

import dev.dockhand.agent.catalog.TemplateSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkbenchImporterTest {
    private static final String BASE = String.join("\n",
            "catalog new --distroid d --name 'A name' --version 1",
            "role add r 1+",
            "service add --svcid zookeeper --port 2181",
            "service add --svcid kafka-broker --port 9092",
            "clusterconfig new --configid c",
            "clusterconfig assign --configid c --role r --svcid zookeeper kafka-broker",
            "REGISTER_START_SERVICE_SYSV zookeeper",
            "REGISTER_START_SERVICE_SYSV kafka-broker --wait zookeeper",
            "");

    private static List<String> problems(String script) {
        return WorkbenchImporter.parse("w", script).problems().stream().map(p -> p.format("w")).toList();
    }

    @Test
    void aCorrectScriptHasNoProblemAndAValidatedCatalog() {
        var r = WorkbenchImporter.parse("w", BASE);

        assertEquals(List.of(), r.problems());
        assertEquals("A name", r.catalog().orElseThrow().distro().name());
    }

    @Test
    void unknownMacroIsAnErrorListingTheMacros() {
        List<String> p = problems(BASE + "appconfig autogen --replace /zookeeper/zoo.cfg --pattern @@X@@ --macro NODE_ID\n");

        assertEquals(1, p.size());
        assertTrue(p.get(0).startsWith("w:9: error: unknown macro 'NODE_ID' (macros: UNIQUE_SELF_NODE_INT, GET_NODE_FQDN,"), p.get(0));
    }

    @Test
    void patternMustLookLikeAToken() {
        assertEquals(List.of("w:9: error: pattern 'ID' must look like @@NAME@@ (letters, digits, _ . -)"),
                problems(BASE + "appconfig autogen --replace /zookeeper/myid --pattern ID --macro UNIQUE_SELF_NODE_INT\n"));
    }

    @Test
    void duplicateIdsAreErrorsNamingTheFirstLine() {
        assertEquals(List.of(
                        "w:9: error: duplicate role id 'r' (first added on line 2)",
                        "w:10: error: duplicate service id 'zookeeper' (first added on line 3)",
                        "w:11: error: duplicate cluster config id 'c' (first created on line 5)",
                        "w:12: error: service 'zookeeper' is registered to start twice (first on line 7)"),
                problems(BASE + "role add r 0+\nservice add --svcid zookeeper\nclusterconfig new --configid c\n"
                        + "REGISTER_START_SERVICE_SYSV zookeeper\n"));
    }

    @Test
    void aCycleInWaitsIsAnError() {
        String script = BASE.replace("REGISTER_START_SERVICE_SYSV zookeeper", "REGISTER_START_SERVICE_SYSV zookeeper --wait kafka-broker");

        assertEquals(List.of("w:7: error: the waits form a cycle: zookeeper -> kafka-broker -> zookeeper"), problems(script));
    }

    @Test
    void unknownServicesInTheStartOrderAreErrors() {
        assertEquals(List.of(
                        "w:9: error: start order names unknown service 'kafka' (did you mean 'kafka-broker'? services: zookeeper, kafka-broker)",
                        "w:9: error: 'kafka' waits for unknown service 'zk' (services: zookeeper, kafka-broker)"),
                problems(BASE + "REGISTER_START_SERVICE_SYSV kafka --wait zk\n"));
    }

    @Test
    void malformedLinesAreErrors() {
        assertEquals(List.of(
                        "w:9: error: unknown command 'servce add' (understood: catalog new, role add, service add, clusterconfig new,"
                                + " clusterconfig assign, appconfig autogen, REGISTER_START_SERVICE_SYSV; builder, image, logo, sources are ignored)",
                        "w:10: error: option --port needs a value",
                        "w:11: error: role 'x': cardinality 'many' is not N or N+ (for example 1+, 0+, 3)",
                        "w:12: error: service 'y': --port 'http' is not a port number (1-65535)",
                        "w:13: error: unterminated \" quote",
                        "w:14: error: 'role add' needs a role id and a cardinality, like 'role add broker 1+'",
                        "w:15: error: 'service add' needs --svcid",
                        "w:16: error: option --name takes one value, got 2: two words (quote a value that holds spaces)"),
                problems(BASE + "servce add --svcid x\nservice add --svcid x --port\nrole add x many\n"
                        + "service add --svcid y --port http\nservice add --svcid z --name \"open\nrole add q\n"
                        + "service add --name x\nservice add --svcid w --name two words\n"));
    }

    @Test
    void aDanglingOptionDoesNotSwallowTheNextCommand() {
        List<String> p = problems(BASE + "appconfig autogen --replace /zookeeper/myid --pattern @@ID@@ --macro\n"
                + "REGISTER_START_SERVICE_SYSV nothing\n");

        assertEquals(List.of("w:9: error: option --macro needs a value",
                "w:10: error: start order names unknown service 'nothing' (services: zookeeper, kafka-broker)"), p);
    }

    @Test
    void assignBeforeNewAndUnknownRoleAreErrors() {
        assertEquals(List.of(
                        "w:9: error: cluster config 'p' is assigned before 'clusterconfig new --configid p'",
                        "w:9: error: cluster config 'p' assigns unknown role 'rr' (roles: r)",
                        "w:9: warning: cluster config 'p' gives role 'r' no services, yet its cardinality 1+ asks for at"
                                + " least 1 such node: it would run nothing (assign it services, or make it 0+)"),
                problems(BASE + "clusterconfig assign --configid p --role rr --svcid zookeeper\n"));
    }

    @Test
    void anAutogenFileNoServiceNamesGoesToTheFirstServiceWithAWarning() {
        var r = WorkbenchImporter.parse("w", BASE + "appconfig autogen --replace /etc/hosts.conf --pattern @@H@@ --macro GET_NODE_FQDN\n");

        assertEquals(List.of("w:9: warning: cannot tell which service renders 'etc/hosts.conf' (no service id in its path);"
                + " made it a template of 'zookeeper': move it in the catalog if it belongs to another"),
                r.problems().stream().map(p -> p.format("w")).toList());
        assertEquals(List.of(new TemplateSpec("etc/hosts.conf", "etc/hosts.conf")),
                r.catalog().orElseThrow().service("zookeeper").orElseThrow().templates());
    }

    @Test
    void continuationsQuotesAndCommentsAreReadAsAShellWould() {
        var r = WorkbenchImporter.parse("w", "#!/usr/bin/env bdwb\n" + BASE.replace("service add --svcid kafka-broker --port 9092",
                "service add --svcid kafka-broker \\   \n    --name \"Kafka \\\"broker\\\"\" --port 9092 # the broker"));

        assertEquals(List.of(), r.problems());
        assertEquals("Kafka \"broker\"", r.catalog().orElseThrow().service("kafka-broker").orElseThrow().name());
    }

    @Test
    void unassignedServiceAndUnstartedServiceAreWarnings() {
        assertEquals(List.of(
                        "w:9: warning: service 'extra' is not assigned to any role in any cluster config: it never runs",
                        "w:9: warning: service 'extra' has no REGISTER_START_SERVICE_SYSV line: the workbench would never start it;"
                                + " dockhand starts it without waiting for anything (add 'REGISTER_START_SERVICE_SYSV extra --wait ...')"),
                problems(BASE + "service add --svcid extra\n"));
    }
}
