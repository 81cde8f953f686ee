package dev.dockhand.agent.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.dockhand.agent.core.InvalidInputException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.FileSystem;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The env of Confluent's and the official apache/kafka images: property spelling, script variables, log levels. */
class OtherImagesTest {
    static final String KRAFT_NODES = "controller=c-1.k.test,c-2.k.test,c-3.k.test;broker=b-1.k.test,b-2.k.test;schemareg=s.k.test";

    FileSystem fs;

    @BeforeEach
    void templates() throws IOException {
        fs = Jimfs.newFileSystem(Configuration.unix());
        RenderTestSupport.copyTemplates(fs);
    }

    RenderPlan plan(String fqdn, Map<String, String> env) {
        return new Renderer(RenderTestSupport.context(fs, fqdn, Map.of()), env, Map.of()).plan();
    }

    RenderPlan kraftPlan(String fqdn, Map<String, String> env) {
        Map<String, String> node = Map.of("AGENT_CLUSTER_CONFIG", "kraft", "AGENT_NODES", KRAFT_NODES, "AGENT_CLUSTER_NAME", "k");
        return new Renderer(RenderTestSupport.context(fs, fqdn, node), env, Map.of()).plan();
    }

    static String file(RenderPlan plan, String suffix) {
        return plan.files().stream().filter(f -> f.target().toString().endsWith(suffix)).findFirst().orElseThrow().content();
    }

    static Properties props(String text) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }

    static List<String> command(RenderPlan plan, String service) {
        return plan.commands().stream().filter(s -> s.serviceId().equals(service)).findFirst().orElseThrow().argv();
    }

    static List<String> problems(Runnable r) {
        return assertThrows(InvalidInputException.class, r::run).problems();
    }

    @Test
    void confluentsSpellingSetsTheSamePropertiesAsBitnamis() throws IOException {
        Map<String, String> env = Map.of(
                "KAFKA_LOG_RETENTION_HOURS", "24",
                "KAFKA_SOME__UNDERSCORE___DASH", "x",
                "KAFKA_CFG_NUM_PARTITIONS", "6",
                "KAFKA_ZOOKEEPER_CLIENT_CNXN_SOCKET", "org.apache.zookeeper.ClientCnxnSocketNIO",
                "KAFKA_SSL_KEY_PASSWORD", "s3cr3t");
        RenderPlan plan = plan("broker-1.kafka1.example", env);
        String server = file(plan, "kafka-broker/server.properties");
        Properties p = props(server);
        assertEquals("24", p.getProperty("log.retention.hours"));
        assertEquals(1, server.lines().filter(l -> l.startsWith("log.retention.hours=")).count(), "replaced, not appended");
        assertEquals("x", p.getProperty("some_underscore-dash"));
        assertEquals("6", p.getProperty("num.partitions"));
        assertEquals("org.apache.zookeeper.ClientCnxnSocketNIO", p.getProperty("zookeeper.clientCnxnSocket"));
        assertEquals("s3cr3t", p.getProperty("ssl.key.password"));
        assertTrue(plan.explain().stream().noneMatch(e -> e.value().contains("s3cr3t")), "secret never in explain");
        assertTrue(plan.files().stream().filter(f -> f.target().toString().endsWith("kafka-broker/server.properties"))
                .allMatch(RenderPlan.RenderedFile::secret), "a file with a secret is the owner's only");
    }

    @Test
    void scriptVariablesAndKubernetesServiceLinksAreNoProperties() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_VERSION", "7.6.0");
        env.put("KAFKA_OPTS", "-Dfoo=bar");
        env.put("KAFKA_LOG4J_ROOT_LOGLEVEL", "WARN");
        env.put("KAFKA_TOOLS_LOG4J_LOGLEVEL", "ERROR");
        // what Kubernetes puts in every pod of a namespace with a Service "kafka" and one "kafka-headless"
        env.put("KAFKA_PORT", "tcp://10.96.0.12:9092");
        env.put("KAFKA_PORT_9092_TCP", "tcp://10.96.0.12:9092");
        env.put("KAFKA_PORT_9092_TCP_ADDR", "10.96.0.12");
        env.put("KAFKA_PORT_9092_TCP_PORT", "9092");
        env.put("KAFKA_PORT_9092_TCP_PROTO", "tcp");
        env.put("KAFKA_SERVICE_HOST", "10.96.0.12");
        env.put("KAFKA_SERVICE_PORT", "9092");
        env.put("KAFKA_HEADLESS_SERVICE_PORT_CLIENT", "9092");
        Properties p = props(file(plan("broker-1.kafka1.example", env), "kafka-broker/server.properties"));
        for (String k : p.stringPropertyNames()) {
            assertFalse(k.startsWith("version") || k.startsWith("opts") || k.startsWith("log4j") || k.startsWith("tools")
                    || k.equals("port") || k.startsWith("port.") || k.startsWith("service.") || k.startsWith("headless."), k);
        }
    }

    @Test
    void aPropertyTheAgentDerivesIsRefusedNamingWhatSetsItInstead() {
        List<String> problems = problems(() -> plan("broker-1.kafka1.example", Map.of(
                "KAFKA_BROKER_ID", "1",
                "KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://localhost:9092",
                "KAFKA_CFG_ZOOKEEPER_CONNECT", "zk:2181")));
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("env KAFKA_BROKER_ID: sets broker.id, which the agent derives")
                && p.contains("AGENT_NODES")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("env KAFKA_ADVERTISED_LISTENERS: sets advertised.listeners")
                && p.contains("AGENT_SECURITY")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("env KAFKA_CFG_ZOOKEEPER_CONNECT: sets zookeeper.connect")), problems.toString());
    }

    @Test
    void twoSpellingsOfOnePropertyAreRefused() {
        List<String> problems = problems(() -> plan("broker-1.kafka1.example",
                Map.of("KAFKA_LOG_RETENTION_HOURS", "24", "KAFKA_CFG_LOG_RETENTION_HOURS", "48")));
        assertEquals(List.of("env KAFKA_CFG_LOG_RETENTION_HOURS and env KAFKA_LOG_RETENTION_HOURS both set log.retention.hours "
                + "(two spellings of one property); keep one"), problems);
    }

    @Test
    void jvmOptionsLandAsKafkaRunClassPutsThem() {
        Map<String, String> env = Map.of(
                "KAFKA_OPTS", "-Dzookeeper.sasl.client=false  -Dx=1",
                "KAFKA_JVM_PERFORMANCE_OPTS", "-XX:+UseParallelGC -Djava.awt.headless=true",
                "KAFKA_GC_LOG_OPTS", "-Xlog:gc",
                "KAFKA_JMX_OPTS", "-Dcom.sun.management.jmxremote");
        RenderPlan plan = plan("broker-1.kafka1.example", env);
        List<String> argv = command(plan, ServiceIds.KAFKA_BROKER);
        assertFalse(argv.contains("-XX:+UseG1GC") || argv.contains("-XX:MaxGCPauseMillis=20"), "the performance opts replace Kafka's: " + argv);
        assertTrue(argv.contains("-XX:+UseParallelGC"), argv.toString());
        int cp = argv.indexOf("-cp");
        assertEquals(List.of("-Xlog:gc", "-Dcom.sun.management.jmxremote", "-Dzookeeper.sasl.client=false", "-Dx=1"),
                argv.subList(cp - 4, cp), "before the class path, in the script's order: " + argv);
        assertTrue(argv.get(argv.size() - 1).endsWith("server.properties"), "the main class and its argument stay last");
        // ZooKeeper starts through the same script in those images
        List<String> zk = command(plan("zk-1.kafka1.example", env), ServiceIds.ZOOKEEPER);
        assertTrue(zk.contains("-Dx=1") && zk.contains("-XX:+UseParallelGC") && !zk.contains("-XX:+UseSerialGC"), zk.toString());
        // the registry does not
        List<String> sr = command(plan("sr-1.kafka1.example", env), ServiceIds.SCHEMA_REGISTRY);
        assertFalse(sr.contains("-Dx=1"), sr.toString());
    }

    @Test
    void theHeapTheLogConfigAndRemoteJmxAreRefusedWithWhatToDo() {
        List<String> problems = problems(() -> plan("broker-1.kafka1.example", Map.of(
                "KAFKA_HEAP_OPTS", "-Xmx1G -Xms1G",
                "KAFKA_LOG4J_OPTS", "-Dlog4j.configuration=file:/etc/kafka/log4j.properties",
                "KAFKA_JMX_PORT", "9999",
                "KAFKA_OPTS", "-Xmx2g -Dlog4j.configuration=file:/x")));
        assertEquals(5, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("env KAFKA_HEAP_OPTS: the agent sizes every service's heap") 
                && problems.get(0).contains("AGENT_HEAP_MB_KAFKA_BROKER=<MB>"), problems.get(0));
        assertTrue(problems.get(1).startsWith("env KAFKA_LOG4J_OPTS:") && problems.get(1).contains("KAFKA_LOG4J_ROOT_LOGLEVEL"), problems.get(1));
        assertTrue(problems.get(2).startsWith("env KAFKA_JMX_PORT: the agent opens no remote JMX port"), problems.get(2));
        assertTrue(problems.get(3).startsWith("env KAFKA_OPTS: the heap flag -Xmx2g"), problems.get(3));
        assertTrue(problems.get(4).startsWith("env KAFKA_OPTS: a log config flag"), problems.get(4));
        List<String> clusterId = problems(() -> plan("broker-1.kafka1.example", Map.of("CLUSTER_ID", "4L6g3nShT-eMCtK--X86sw")));
        assertEquals(1, clusterId.size(), clusterId.toString());
        assertTrue(clusterId.get(0).startsWith("env CLUSTER_ID: the agent derives the cluster id") && clusterId.get(0).contains("AGENT_CLUSTER_NAME"),
                clusterId.get(0));
        // a node that runs neither Kafka nor ZooKeeper has no use for them: the tools on it read them
        assertEquals(ServiceIds.SCHEMA_REGISTRY, plan("sr-1.kafka1.example", Map.of("KAFKA_HEAP_OPTS", "-Xmx1G")).commands().get(0).serviceId());
    }

    @Test
    void logLevelsReachLog4jKeepingTheAppendersAndTheirFilters() throws IOException {
        RenderPlan plan = plan("broker-1.kafka1.example", Map.of(
                "KAFKA_LOG4J_ROOT_LOGLEVEL", "warn",
                "KAFKA_LOG4J_LOGGERS", "kafka.controller=TRACE, kafka.network.RequestChannel$=debug"));
        String log4j = file(plan, "kafka-broker/log4j.properties");
        Properties p = props(log4j);
        assertEquals("WARN, stdout", p.getProperty("log4j.rootLogger"));
        assertEquals("TRACE", p.getProperty("log4j.logger.kafka.controller"));
        assertEquals("DEBUG", p.getProperty("log4j.logger.kafka.network.RequestChannel$"));
        assertEquals("saltedPassword", p.getProperty("log4j.appender.stdout.filter.1.StringToMatch"), "the credential filter stays");
        assertEquals(1, log4j.lines().filter(l -> l.startsWith("log4j.logger.kafka.controller=")).count());

        Properties zk = props(file(plan("zk-1.kafka1.example", Map.of("ZOOKEEPER_LOG4J_ROOT_LOGLEVEL", "ERROR",
                "ZOOKEEPER_LOG4J_LOGGERS", "org.apache.zookeeper.server.NIOServerCnxn=INFO")), "zookeeper/log4j.properties"));
        assertEquals("ERROR, stdout", zk.getProperty("log4j.rootLogger"));
        assertEquals("INFO", zk.getProperty("log4j.logger.org.apache.zookeeper.server.NIOServerCnxn"));

        Properties sr = props(file(plan("sr-1.kafka1.example", Map.of("SCHEMA_REGISTRY_LOG4J_ROOT_LOGLEVEL", "WARN",
                "SCHEMA_REGISTRY_LOG4J_LOGGERS", "io.apicurio=DEBUG")), "schema-registry/application.properties"));
        assertEquals("WARN", sr.getProperty("quarkus.log.level"));
        assertEquals("DEBUG", sr.getProperty("quarkus.log.category.\"io.apicurio\".level"));
    }

    @Test
    void logLevelsReachLog4j2OnKafka4() throws IOException {
        RenderPlan plan = kraftPlan("b-1.k.test", Map.of("KAFKA_LOG4J_ROOT_LOGLEVEL", "WARN",
                "KAFKA_LOG4J_LOGGERS", "kafka.request.logger=DEBUG,org.apache.kafka.raft=TRACE"));
        Properties p = props(file(plan, "kraft-broker/log4j2.properties"));
        assertEquals("warn", p.getProperty("rootLogger.level"));
        assertEquals("debug", p.getProperty("logger.request.level"), "the template's logger of that name");
        assertEquals("org.apache.kafka.raft", p.getProperty("logger.env1.name"));
        assertEquals("trace", p.getProperty("logger.env1.level"));
        assertEquals("DENY", p.getProperty("appender.stdout.filter.scram.onMatch"), "the credential filter stays");
        Properties c = props(file(kraftPlan("c-1.k.test", Map.of("KAFKA_LOG4J_ROOT_LOGLEVEL", "ERROR")), "kraft-controller/log4j2.properties"));
        assertEquals("error", c.getProperty("rootLogger.level"));
    }

    @Test
    void aMalformedLevelOrLoggerIsRefusedOnceNamingTheVariable() {
        List<String> problems = problems(() -> kraftPlan("b-1.k.test", Map.of(
                "KAFKA_LOG4J_ROOT_LOGLEVEL", "WARN\nrootLogger.appenderRef.x.ref=EVIL",
                "KAFKA_LOG4J_LOGGERS", "kafka=INFO,kafka.foo=LOUD,evil\nappender.x.type=File=INFO,noLevel")));
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("env KAFKA_LOG4J_ROOT_LOGLEVEL: 'WARN\\nrootLogger.appenderRef.x.ref=EVIL' is not a log level"),
                problems.get(0));
        assertTrue(problems.get(1).startsWith("env KAFKA_LOG4J_LOGGERS: entry 2 ('kafka.foo=LOUD') is not LOGGER=LEVEL"), problems.get(1));
        assertTrue(problems.get(2).startsWith("env KAFKA_LOG4J_LOGGERS: entry 3 ('evil\\nappender.x.type=File=INFO')"), problems.get(2));
        assertTrue(problems.get(3).startsWith("env KAFKA_LOG4J_LOGGERS: entry 4 ('noLevel')"), problems.get(3));
    }
}
