package dev.dockhand.agent.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.core.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogReaderTest {
    static final Path SHIPPED = Path.of("../templates/catalog.json");

    static String minimal(String servicesExtra, String assignments, String startOrder) {
        return """
                {
                  "roles": [ { "id": "broker", "cardinality": "1+" }, { "id": "zookeeper", "cardinality": "1+" } ],
                  "services": [
                    { "id": "zookeeper", "port": 2181, "command": ["zk"] },
                    { "id": "kafka-broker", "port": 9092, "command": ["kafka"] %s }
                  ],
                  "clusterConfigs": [ { "id": "default", "assignments": %s } ],
                  "startOrder": %s
                }
                """.formatted(servicesExtra, assignments, startOrder);
    }

    static List<String> problems(String json) {
        return assertThrows(InvalidInputException.class, () -> CatalogReader.parse("c.json", json)).problems();
    }

    @Test
    void shippedCatalogHasTheTalksRolesServicesAndConfigs() {
        Catalog c = CatalogReader.read(SHIPPED);
        assertEquals("1+", c.role("broker").orElseThrow().cardinality().toString());
        assertEquals("0+", c.role("gateway").orElseThrow().cardinality().toString());
        assertEquals(9092, c.service("kafka-broker").orElseThrow().port());
        assertEquals(2181, c.service("zookeeper").orElseThrow().port());
        assertEquals(8081, c.service("schema-registry").orElseThrow().port());
        assertEquals(9021, c.service("control-center").orElseThrow().port());
        assertEquals(List.of("kafka-broker", "kafka-access", "zookeeper"), c.clusterConfig("default").orElseThrow().servicesOf("zookeeper"));
        assertEquals(Security.TLS, c.clusterConfig("production").orElseThrow().security(), "production is secured by default");
        assertEquals(Security.PLAINTEXT, c.clusterConfig("single-node").orElseThrow().security());
        assertEquals(Security.TLS, c.service("kafka-access").orElseThrow().when(), "the users' step exists on a secured node only");
        assertEquals(9091, c.service("kafka-broker").orElseThrow().internalPort());
        assertEquals(List.of("schema-registry"), c.clusterConfig("production").orElseThrow().servicesOf("schemareg"));
        assertEquals(List.of("zookeeper"), c.waitsOf("kafka-broker"));
        assertEquals(Duration.ofMinutes(15), c.service("kafka-broker").orElseThrow().health().startupTimeout());
    }

    /**
     * The exporter's JDK HTTP server froze for good under a few clients that send half a request head
     * (docs/hostile-inputs.md, "Network clients"): every JVM that loads it carries the head deadline,
     * and every exporter config it is given the larger worker pool. Both are needed.
     */
    @Test
    void everyServiceWithTheMetricsExporterBoundsSlowClients() throws java.io.IOException {
        Catalog c = CatalogReader.read(SHIPPED);
        int withExporter = 0;
        for (ServiceSpec s : c.services()) {
            List<String> cmd = s.command();
            int agent = -1;
            for (int i = 0; i < cmd.size(); i++) {
                if (cmd.get(i).startsWith("-javaagent:") && cmd.get(i).contains("jmx_prometheus_javaagent.jar")) {
                    agent = i;
                }
            }
            if (agent < 0) {
                continue;
            }
            withExporter++;
            assertTrue(cmd.subList(0, agent).contains("-Dsun.net.httpserver.maxReqTime=3"), s.id() + ": " + cmd);
            String config = cmd.get(agent).substring(cmd.get(agent).lastIndexOf(':') + 1);
            String target = config.substring(config.indexOf("@@CONF_DIR@@/") + "@@CONF_DIR@@/".length());
            TemplateSpec t = s.templates().stream().filter(x -> x.target().equals(target)).findFirst().orElseThrow(() -> new AssertionError(s.id() + ": no template renders " + target));
            String yml = java.nio.file.Files.readString(SHIPPED.resolveSibling(t.source()));
            assertTrue(yml.contains("\nhttpServer:\n  threads:\n    minimum: 1\n    maximum: 256\n    keepAliveTime: 30\n"), t.source());
        }
        assertEquals(5, withExporter, "ZooKeeper, the ZooKeeper-mode broker and the three KRaft roles");
    }

    @Test
    void shippedCatalogDeclaresTheServicesMetricsPortsAndTheNodesClientConfigs() {
        Catalog c = CatalogReader.read(SHIPPED);
        assertEquals(9404, c.service("kafka-broker").orElseThrow().metricsPort());
        assertEquals(9405, c.service("zookeeper").orElseThrow().metricsPort());
        assertEquals(0, c.service("schema-registry").orElseThrow().metricsPort());
        assertEquals(List.of("client.properties", "zookeeper-client.properties", "kafka-lib"),
                c.nodeTemplates().stream().filter(t -> t.when() == null).map(TemplateSpec::target).toList());
    }

    @Test
    void securityOfAClusterConfigAndOfATemplateIsReadCheckedAndWrittenBack() {
        String json = minimal(", \"templates\": [ {\"source\": \"a\", \"target\": \"s.properties\"},"
                        + " {\"source\": \"b\", \"target\": \"s.properties\", \"when\": \"tls\"} ]",
                "{ \"broker\": [\"kafka-broker\"] }", "[]")
                .replace("\"id\": \"default\",", "\"id\": \"default\", \"security\": \"tls\",");
        Catalog c = CatalogReader.parse("c.json", json);
        assertEquals(Security.TLS, c.clusterConfig("default").orElseThrow().security());
        List<TemplateSpec> t = c.service("kafka-broker").orElseThrow().templates();
        assertTrue(t.get(0).appliesTo(Security.PLAINTEXT) && t.get(0).appliesTo(Security.TLS));
        assertTrue(t.get(1).appliesTo(Security.TLS) && !t.get(1).appliesTo(Security.PLAINTEXT));
        assertEquals(c, CatalogReader.parse("again.json", CatalogWriter.toJson(c)));

        List<String> p = problems(json.replace("\"when\": \"tls\"", "\"when\": \"ssl\"").replace("\"security\": \"tls\"", "\"security\": \"on\""));
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.stream().allMatch(x -> x.contains("unknown security") && x.contains("use tls or plaintext")), p.toString());
    }

    @Test
    void nodeTemplatesAreCheckedLikeAServicesTemplates() {
        String json = minimal(", \"metricsPort\": 9404", "{ \"broker\": [\"kafka-broker\"] }", "[]")
                .replaceFirst("\"startOrder\"", "\"nodeTemplates\": [ { \"source\": \"node/client.properties\", \"mode\": \"0600\" } ],\n  \"startOrder\"");
        List<String> p = problems(json);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("nodeTemplates[0].mode: unknown property 'mode' (known: source, target, when)"), p.get(0));
        Catalog c = CatalogReader.parse("c.json", json.replace(", \"mode\": \"0600\"", ""));
        assertEquals(List.of(new TemplateSpec("node/client.properties", "node/client.properties")), c.nodeTemplates());
        assertEquals(9404, c.service("kafka-broker").orElseThrow().metricsPort());
        assertEquals(CatalogWriter.toJson(c), CatalogWriter.toJson(CatalogReader.parse("again.json", CatalogWriter.toJson(c))));
    }

    @Test
    void unknownPropertyIsReportedWithItsLine() {
        List<String> p = problems(minimal(", \"helth\": {}", "{ \"broker\": [\"kafka-broker\"] }", "[]"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("c.json:5 services[1].helth: unknown property 'helth'"), p.get(0));
    }

    @Test
    void unknownServiceAndRoleInAssignmentsAreAllReported() {
        List<String> p = problems(minimal("", "{ \"gateway\": [\"gateway\", \"control-center\"], \"broker\": [\"kafka-broker\"] }", "[]"));
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.get(0).contains("assigns unknown role 'gateway'"), p.get(0));
        assertTrue(p.get(1).contains("unknown service 'gateway'"), p.get(1));
        assertTrue(p.get(2).contains("unknown service 'control-center'"), p.get(2));
    }

    @Test
    void cycleInWaitsIsNamed() {
        List<String> p = problems(minimal("", "{}", """
                [ { "service": "zookeeper", "waitFor": ["kafka-broker"] }, { "service": "kafka-broker", "waitFor": ["zookeeper"] } ]"""));
        assertEquals(List.of("c.json:8 startOrder: the waits form a cycle: zookeeper -> kafka-broker -> zookeeper"), p);
    }

    @Test
    void unknownMacroInAutogenIsReported() {
        String json = minimal(", \"templates\": [ {\"source\": \"s.properties\"} ]", "{}", "[]")
                .replace("\"startOrder\"", "\"autogen\": [ { \"file\": \"s.properties\", \"pattern\": \"@@ID@@\", \"macro\": \"NODE_NUMBER\" } ],\n  \"startOrder\"");
        List<String> p = problems(json);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("autogen[0].macro: unknown macro 'NODE_NUMBER' (macros: UNIQUE_SELF_NODE_INT"), p.get(0));
    }

    @Test
    void duplicateIdsAndBadValuesAreAllReported() {
        String json = minimal(", \"health\": {\"type\": \"htp\", \"interval\": \"5 seconds\"}", "{}", "[]")
                .replace("{ \"id\": \"zookeeper\", \"port\": 2181", "{ \"id\": \"kafka-broker\", \"port\": 2181");
        List<String> p = problems(json);
        assertTrue(p.stream().anyMatch(x -> x.contains("unknown probe type 'htp'")), p.toString());
        assertTrue(p.stream().anyMatch(x -> x.contains("'5 seconds' is not a duration")), p.toString());
        json = minimal("", "{}", "[]").replace("{ \"id\": \"zookeeper\", \"port\": 2181", "{ \"id\": \"kafka-broker\", \"port\": 2181");
        assertTrue(problems(json).stream().anyMatch(x -> x.contains("duplicate service id 'kafka-broker'")));
    }

    @Test
    void syntaxErrorNamesLineAndColumn() {
        List<String> p = problems("{\n  \"roles\": [\n    { \"id\": \"broker\" \n  ]\n}");
        assertEquals(1, p.size());
        assertTrue(p.get(0).startsWith("c.json:4:3: not valid JSON"), p.get(0));
    }

    @Test
    void emptyFileIsAClearError() {
        assertEquals(List.of("c.json: the file is empty; it must hold a JSON object"), problems("  \n"));
    }

    @Test
    void writerOutputReadsBackTheSame() {
        Catalog c = CatalogReader.read(SHIPPED);
        Catalog again = CatalogReader.parse("again.json", CatalogWriter.toJson(c));
        assertEquals(c, again);
    }

    @Test
    void aKafkaLineOutsideTheHomeAPrepareStepThatEscapesAndPortsSharedOnANodeAreRefused() throws java.io.IOException {
        String shipped = java.nio.file.Files.readString(SHIPPED);
        String bad = shipped.replace("\"kafkaLib\": \"lib/kafka4\"", "\"kafkaLib\": \"../../etc\"")
                .replace("\"unless\": \"@@DATA_DIR@@/kafka/metadata/meta.properties\"", "\"unless\": \"/etc/passwd\"")
                .replace("\"timeout\": \"2m\"", "\"timeout\": \"0s\"")
                .replace("\"standalone\": [\"kraft-combined\", \"kafka-access\", \"schema-registry\", \"control-center\", \"connect\"]",
                        "\"standalone\": [\"kraft-combined\", \"kafka-broker\", \"schema-registry\", \"control-center\", \"connect\"]");
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.dockhand.agent.core.InvalidInputException.class,
                () -> CatalogReader.parse("catalog.json", bad));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("'../../etc' must be a relative path inside the home dir"), all);
        assertTrue(all.contains("'/etc/passwd' must be @@DATA_DIR@@/ and a relative path inside the data dir"), all);
        assertTrue(all.contains("a prepare step needs a timeout above 0"), all);
        assertTrue(all.contains("role 'standalone' runs both; services that share a node need their own ports"), all);
        // the shipped catalog: the brokers of both modes share 9092, as no role runs both
        Catalog c = CatalogReader.read(SHIPPED);
        assertEquals(9092, c.service("kraft-broker").orElseThrow().port());
        assertEquals(9092, c.service("kafka-broker").orElseThrow().port());
        assertEquals("lib/kafka4", c.clusterConfig("kraft").orElseThrow().kafkaLib());
        assertEquals("lib/kafka", c.clusterConfig("production").orElseThrow().kafkaLib());
        assertEquals(List.of("format"), c.service("kraft-controller").orElseThrow().prepare().stream().map(PrepareStep::id).toList());
    }

    @Test
    void shippedCatalogMakesBrokersReadyInSyncAndTheirStopsAndZooKeepersWaitUntilSafe() {
        Catalog c = CatalogReader.read(SHIPPED);
        ServiceSpec broker = c.service("kafka-broker").orElseThrow();
        assertEquals(new ProbeSpec.Kafka(9092, true), broker.health().probe());
        assertEquals(Duration.ofSeconds(60), broker.stop().waitUntilSafe());
        assertEquals(StopSpec.Gate.MIN_INSYNC, StopSpec.Gate.of(broker));
        ServiceSpec zk = c.service("zookeeper").orElseThrow();
        assertEquals(Duration.ofSeconds(20), zk.stop().waitUntilSafe());
        assertEquals(StopSpec.Gate.QUORUM, StopSpec.Gate.of(zk));
        for (ServiceSpec s : c.services()) {
            if (s.stop().waitUntilSafe() != null) {
                assertTrue(s.stop().waitUntilSafe().compareTo(s.stop().grace()) < 0, s.id() + ": the wait is part of the grace");
            }
        }
        assertEquals(StopSpec.Gate.NONE, StopSpec.Gate.of(c.service("schema-registry").orElseThrow()));
    }

    @Test
    void waitUntilSafeMustBeShorterThanTheGraceAndNeedsAGate() {
        List<String> p = problems(minimal(", \"health\": {\"type\": \"kafka\"}, \"stop\": {\"grace\": \"30s\", \"waitUntilSafe\": \"30s\"}",
                "{}", "[]"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("services[1].stop.waitUntilSafe: 30s must be shorter than the grace (30s)"), p.get(0));
        p = problems(minimal(", \"health\": {\"type\": \"tcp\"}, \"stop\": {\"waitUntilSafe\": \"10s\"}", "{}", "[]"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("services[1].stop.waitUntilSafe: service 'kafka-broker' has no stop gate to wait for"), p.get(0));
        Catalog c = CatalogReader.parse("c.json", minimal(", \"health\": {\"type\": \"kafka\", \"readyWhen\": \"in-sync\"},"
                + " \"stop\": {\"grace\": \"2m\", \"waitUntilSafe\": \"90s\"}", "{}", "[]"));
        assertEquals(Duration.ofSeconds(90), c.service("kafka-broker").orElseThrow().stop().waitUntilSafe());
        assertEquals(c, CatalogReader.parse("again.json", CatalogWriter.toJson(c)));
    }
}
