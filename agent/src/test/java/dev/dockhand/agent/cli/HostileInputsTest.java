package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.cli.Cli.Result;
import dev.dockhand.agent.core.Names;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite of hostile inputs: what crosses a node's contract (env, flags, metadata, catalog,
 * templates, files on the volume) as an attacker or a bad day would send it, through the CLI on the
 * shipped catalog. Each input either reads back exactly as given from the file the service parses, or
 * is refused with exit 2 and a message naming the input (never a secret value), with nothing written.
 * docs/hostile-inputs.md lists them; add a case here with every new input.
 */
class HostileInputsTest {
    static final String CATALOG = Path.of("../templates/catalog.json").toAbsolutePath().normalize().toString();
    static final String TEMPLATES = Path.of("../templates").toAbsolutePath().normalize().toString();
    static final String NODES = "zookeeper=zk-1.x,zk-2.x,zk-3.x;broker=b-1.x,b-2.x,b-3.x;schemareg=sr-1.x";

    @TempDir
    Path tmp;

    Result run(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--catalog")) {
            all.addAll(List.of("--catalog", CATALOG));
        }
        all.addAll(List.of("--data-dir", data().toString()));
        return Cli.run(env, all);
    }

    Path data() {
        return tmp.resolve("data");
    }

    static Map<String, String> node(String fqdn) {
        return new HashMap<>(Map.of("AGENT_NODES", NODES, "AGENT_FQDN", fqdn, "AGENT_CLUSTER_CONFIG", "production", "AGENT_SECURITY", "plaintext"));
    }

    /** A refusal: exit 2, a line starting with {@code expected}, every line an "agent: " problem, nothing written. */
    void refused(Result r, String expected) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.contains(expected)), "expected a line with:\n" + expected + "\nbut was:\n" + r.err());
        assertTrue(r.err().lines().allMatch(l -> l.startsWith("agent: ")), "one problem per line: " + r.err());
        assertFalse(Files.exists(data().resolve("conf")), "nothing rendered");
    }

    /** The file as Kafka and ZooKeeper read it: {@code Properties.load} of an ISO-8859-1 stream. */
    static Properties asKafkaReadsIt(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    Path server() {
        return data().resolve("conf/kafka-broker/server.properties");
    }

    // ------------------------------------------------------------------ configuration injection

    @Test
    void aNewlineInTheClusterNameIsRefusedBeforeItReachesAComment() {
        Map<String, String> e = node("zk-1.x");
        e.put("AGENT_CLUSTER_NAME", "dev\nskipACL=yes");
        refused(run(e, "render"), "env AGENT_CLUSTER_NAME: cluster name 'dev\\nskipACL=yes' has '\\n'");
    }

    @Test
    void aRackWithALineBreakIsRefusedBeforeItReachesTheBrokersProperties() {
        Map<String, String> e = node("b-1.x");
        e.put("AGENT_RACK", "zone-a\nbroker.id=7");
        refused(run(e, "render"), "env AGENT_RACK: 'zone-a\\nbroker.id=7' is not a rack name");
    }

    @Test
    void anOutsideAddressTwoBrokersWouldShareIsRefusedOnEveryNode() {
        for (String fqdn : List.of("b-2.x", "zk-1.x")) {
            Map<String, String> e = node(fqdn);
            e.put("AGENT_EXTERNAL_HOST", "kafka.example.com");
            e.put("AGENT_EXTERNAL_PORT", "9094");
            refused(run(e, "render"), "b-1.x and b-2.x would both be reached at kafka.example.com:9094 from outside");
        }
    }

    @Test
    void aLogLevelThatWouldAddAnAppenderIsRefused() {
        Map<String, String> e = node("b-1.x");
        e.put("KAFKA_LOG4J_ROOT_LOGLEVEL", "INFO, evil\nlog4j.appender.evil=org.apache.log4j.FileAppender");
        refused(run(e, "render"), "env KAFKA_LOG4J_ROOT_LOGLEVEL: 'INFO, evil\\nlog4j.appender.evil=");
    }

    @Test
    void anotherImagesHeapAndListenersAreRefusedNamingWhatReplacesThem() {
        Map<String, String> e = node("b-1.x");
        e.put("KAFKA_HEAP_OPTS", "-Xmx1G");
        e.put("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://localhost:9092");
        Result r = run(e, "render");
        refused(r, "env KAFKA_HEAP_OPTS: the agent sizes every service's heap");
        refused(r, "env KAFKA_ADVERTISED_LISTENERS: sets advertised.listeners, which the agent derives for each node");
    }

    @Test
    void aNewlineInTheMetadataFilesClusterNameIsRefusedToo() throws IOException {
        Path meta = Files.writeString(tmp.resolve("m.json"), """
                {"cluster": {"name": "dev\\nskipACL=yes", "config": "production"}, "self": "zk-1.x",
                 "nodes": [{"fqdn": "zk-1.x", "role": "zookeeper"}, {"fqdn": "b-1.x", "role": "broker"},
                           {"fqdn": "sr-1.x", "role": "schemareg"}]}
                """);
        refused(run(Map.of("AGENT_METADATA_FILE", meta.toString()), "render"), "m.json:1 cluster.name: cluster name 'dev\\nskipACL=yes'");
    }

    @Test
    void overrideValuesReadBackExactlyAsGivenWhateverTheyHold() throws IOException {
        Map<String, String> e = node("b-1.x");
        e.put("KAFKA_CFG_LOG_RETENTION_HOURS", "24\nsuper.users=User:ANONYMOUS\nlisteners=PLAINTEXT://0.0.0.0:1");
        e.put("KAFKA_CFG_A_TRAILING", "ends with a backslash\\");
        e.put("KAFKA_CFG_B_NEXT", "not swallowed");
        e.put("KAFKA_CFG_SSL_KEY_PASSWORD", "\\u0041bc: #!= \u00e9\u20ac\t");
        e.put("KAFKA_CFG_LEADING", "  two blanks first");
        Path secret = Files.writeString(tmp.resolve("secret"), "line one\nsasl.jaas.config=evil\n");
        e.put("KAFKA_CFG_SASL_JAAS_CONFIG_FILE", secret.toString());
        Result r = run(e, "render");
        assertEquals(0, r.code(), r.err());
        Properties p = asKafkaReadsIt(server());
        assertEquals("24\nsuper.users=User:ANONYMOUS\nlisteners=PLAINTEXT://0.0.0.0:1", p.getProperty("log.retention.hours"));
        assertNull(p.getProperty("super.users"), "no property injected");
        assertEquals("PLAINTEXT://0.0.0.0:9092", p.getProperty("listeners"), "the template's listeners are untouched");
        assertEquals("ends with a backslash\\", p.getProperty("a.trailing"));
        assertEquals("not swallowed", p.getProperty("b.next"));
        assertEquals("\\u0041bc: #!= \u00e9\u20ac\t", p.getProperty("ssl.key.password"));
        assertEquals("  two blanks first", p.getProperty("leading"));
        assertEquals("line one\nsasl.jaas.config=evil", p.getProperty("sasl.jaas.config"));
        assertFalse(r.out().contains("\\u0041bc") || r.out().contains("line one"), "secrets stay out of the output: " + r.out());
    }

    @Test
    void zookeeperKeysAreReachedInTheirOwnCaseAndUnknownOnesRefused() throws IOException {
        Map<String, String> e = node("zk-1.x");
        e.put("ZOOKEEPER_CFG_TICKTIME", "500");
        e.put("ZOOKEEPER_CFG_MAXSESSIONTIMEOUT", "30000");
        Result r = run(e, "render");
        assertEquals(0, r.code(), r.err());
        Properties zoo = asKafkaReadsIt(data().resolve("conf/zookeeper/zoo.cfg"));
        assertEquals("500", zoo.getProperty("tickTime"));
        assertNull(zoo.getProperty("ticktime"), "no second, lower-case key that ZooKeeper would ignore");
        assertEquals("30000", zoo.getProperty("maxSessionTimeout"));

        Map<String, String> bad = node("zk-2.x");
        bad.put("ZOOKEEPER_CFG_TICK_TIME_TYPO", "1");
        data().resolve("conf").toFile().renameTo(tmp.resolve("old-conf").toFile());
        refused(run(bad, "render"), "env ZOOKEEPER_CFG_TICK_TIME_TYPO: ");
        Map<String, String> blank = node("zk-2.x");
        blank.put("ZOOKEEPER_CFG_TICKTIME", " 500");
        refused(run(blank, "render"), "env ZOOKEEPER_CFG_TICKTIME: the value starts or ends with a blank, which ZooKeeper strips");
    }

    @Test
    void aQuarkusValueThatWouldBeExpandedIsRefusedWithoutShowingIt() {
        Map<String, String> e = node("sr-1.x");
        e.put("REGISTRY_CFG_QUARKUS_DATASOURCE_PASSWORD", "pa${env:HOME}ss");
        Result r = run(e, "render");
        refused(r, "env REGISTRY_CFG_QUARKUS_DATASOURCE_PASSWORD: the value holds '${'");
        assertFalse(r.err().contains("pa${"), "the value is never shown");
    }

    @Test
    void aConnectPluginPathThatIsNoDirectoryIsRefusedAndOneThatIsRendered() throws IOException {
        String nodes = NODES + ";connect=cn-1.x";
        Map<String, String> e = node("cn-1.x");
        e.put("AGENT_NODES", nodes);
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        e.put("CONNECT_CFG_PLUGIN_PATH", plugins + "," + tmp.resolve("missing") + "," + file);
        Result r = run(e, "render");
        refused(r, "env CONNECT_CFG_PLUGIN_PATH: plugin.path names '" + tmp.resolve("missing") + "', which is not a directory");
        assertTrue(r.err().contains("names '" + file + "', which is not a directory"), r.err());
        assertFalse(r.err().contains("names '" + plugins + "'"), "an existing directory is no problem: " + r.err());

        // the same node with directories only: rendered, the worker reads them
        e.put("CONNECT_CFG_PLUGIN_PATH", plugins + ", " + plugins);
        Result ok = run(e, "render");
        assertEquals(0, ok.code(), ok.err());
        assertEquals(plugins + ", " + plugins,
                asKafkaReadsIt(data().resolve("conf/connect/connect-distributed.properties")).getProperty("plugin.path"));
    }

    // ------------------------------------------------------------------ identity grammar

    @Test
    void identityValuesOutsideTheirGrammarAreRefused() throws IOException {
        Map<String, String> e = node("b-1.x");
        e.put("AGENT_FQDN", "a".repeat(10_240));
        refused(run(e, "check"), "is 10240 characters long; a host name has at most 253");
        e = node("b-1.x");
        e.put("AGENT_NODES", NODES.replace("b-1.x", "b-.x"));
        e.put("AGENT_FQDN", "b-.x");
        refused(run(e, "check"), "'b-.x' is not a valid host name: it has label 'b-' starting or ending with a hyphen");
        e = node("b-1.x");
        e.put("AGENT_ROLE", "Broker;rm");
        refused(run(e, "check"), "env AGENT_ROLE: role 'Broker;rm' must start with a lower-case letter or a digit");
        e = node("b-1.x");
        e.put("AGENT_NODES", "zookeeper=zk-1.x\u0007;broker=b-1.x;schemareg=sr-1.x");
        refused(run(e, "check"), "env AGENT_NODES: 'zk-1.x\\u0007' is not a valid host name: it contains a control character");
    }

    @Test
    void metadataOfTheWrongShapeIsRefused() throws IOException {
        Path asString = Files.writeString(tmp.resolve("s.json"), """
                {"cluster": "production", "self": "b-1.x", "nodes": [{"fqdn": "b-1.x", "role": "broker"}]}
                """);
        refused(run(Map.of("AGENT_METADATA_FILE", asString.toString()), "check"), "s.json:1 cluster: must be an object");
        Path number = Files.writeString(tmp.resolve("n.json"), """
                {"self": "7", "nodes": [{"fqdn": 7, "role": "broker"}]}
                """);
        refused(run(Map.of("AGENT_METADATA_FILE", number.toString()), "check"), "nodes[0]: every node needs \"fqdn\" and \"role\" as text");
        Path dup = Files.writeString(tmp.resolve("d.json"), """
                {"self": "b-1.x",
                 "self": "b-2.x", "nodes": [{"fqdn": "b-1.x", "role": "broker"}]}
                """);
        refused(run(Map.of("AGENT_METADATA_FILE", dup.toString()), "check"), "d.json:2:2: not valid JSON: the field \"self\" appears twice");
    }

    // ------------------------------------------------------------------ unbounded and odd files

    @Test
    void aFifoAsMetadataOrSecretIsRefusedPromptly() throws Exception {
        Path fifo = tmp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            refused(run(Map.of("AGENT_METADATA_FILE", fifo.toString()), "check"),
                    "metadata file " + fifo + " (env AGENT_METADATA_FILE) is a FIFO, socket or device, not a regular file");
            Map<String, String> e = node("b-1.x");
            e.put("KAFKA_CFG_SSL_KEY_PASSWORD_FILE", fifo.toString());
            refused(run(e, "render"), "env KAFKA_CFG_SSL_KEY_PASSWORD_FILE: the file it names (" + fifo + ") is a FIFO");
        });
    }

    @Test
    void devZeroAndHugeFilesAreRefusedWithTheirLimit() throws IOException {
        refused(run(Map.of("AGENT_METADATA_FILE", "/dev/zero"), "check"), "metadata file /dev/zero (env AGENT_METADATA_FILE) is a FIFO, socket or device");
        Map<String, String> e = node("b-1.x");
        e.put("AGENT_CATALOG", "/dev/zero");
        Path big = tmp.resolve("catalog.json");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(30L * 1024 * 1024);
        }
        refused(run(node("b-1.x"), "check", "--catalog", big.toString()), "catalog " + big + " is 31457280 bytes, more than the limit of 1048576 bytes");
    }

    @Test
    void aHugeTemplateIsRefused() throws IOException {
        Path templates = copyTemplates();
        try (RandomAccessFile f = new RandomAccessFile(templates.resolve("zookeeper/zoo.cfg").toFile(), "rw")) {
            f.setLength(30L * 1024 * 1024);
        }
        refused(run(node("zk-1.x"), "render", "--catalog", templates.resolve("catalog.json").toString()),
                "zookeeper/zoo.cfg (service zookeeper) is 31457280 bytes, more than the limit");
    }

    // ------------------------------------------------------------------ catalogs and templates

    @Test
    void malformedTokensAreNotLeftInTheOutput() throws IOException {
        Path templates = copyTemplates();
        Files.writeString(templates.resolve("zookeeper/zoo.cfg"), "a=@@FOO BAR@@\nb=@@ID\n");
        refused(run(node("zk-1.x"), "render", "--catalog", templates.resolve("catalog.json").toString()),
                "zoo.cfg:1: '@@FOO BAR@@' is not a token");
        Files.writeString(templates.resolve("zookeeper/zoo.cfg"), "a=1\nb=@@ID\n");
        refused(run(node("zk-1.x"), "render", "--catalog", templates.resolve("catalog.json").toString()),
                "zoo.cfg:2: '@@ID' is not a token");
    }

    @Test
    void aTemplateOutsideTheTemplatesDirIsRefused() throws IOException {
        Path templates = copyTemplates();
        Path cat = templates.resolve("catalog.json");
        Files.writeString(cat, Files.readString(cat).replace("\"source\": \"zookeeper/log4j.properties\"",
                "\"source\": \"../../../../etc/shadow\""));
        refused(run(node("zk-1.x"), "render", "--catalog", cat.toString()),
                "'../../../../etc/shadow' must be a relative path inside the templates dir");
        Files.writeString(cat, Files.readString(cat).replace("\"source\": \"../../../../etc/shadow\"",
                "\"source\": \"zookeeper/log4j.properties\"").replace("\"target\": \"zookeeper/log4j.properties\"",
                "\"target\": \"/etc/cron.d/x\""));
        refused(run(node("zk-1.x"), "render", "--catalog", cat.toString()), "'/etc/cron.d/x' must be a relative path inside the conf dir");
    }

    @Test
    void twoServicesOnOnePortAreRefused() throws IOException {
        Path templates = copyTemplates();
        Path cat = templates.resolve("catalog.json");
        Files.writeString(cat, Files.readString(cat).replace("\"port\": 8081", "\"port\": 9092"));
        refused(run(node("b-1.x"), "check", "--catalog", cat.toString()),
                "service 'schema-registry' has port 9092, as service 'kafka-broker' has");
    }

    // ------------------------------------------------------------------ sizing

    @Test
    void heapsAndMemoryOutOfRangeAreRefused() {
        Map<String, String> e = node("b-1.x");
        e.put("AGENT_HEAP_MB_KAFKA_BROKER", "1");
        refused(run(e, "check"), "env AGENT_HEAP_MB_KAFKA_BROKER=1 is below the 256 MiB heap kafka-broker needs");
        e = node("b-1.x");
        e.put("AGENT_MEMORY_MB", "9223372036854775807");
        Result r = run(e, "check");
        refused(r, "env AGENT_MEMORY_MB=9223372036854775807 is more than 1073741824 MiB");
        assertFalse(r.err().contains("-1 MiB"), r.err());
    }

    // ------------------------------------------------------------------ identity on the volume

    @Test
    void aMetaPropertiesThatIsADirectoryIsRefused() throws IOException {
        Files.createDirectories(data().resolve("kafka/logs/meta.properties"));
        Result r = run(node("b-1.x"), "render");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("meta.properties is a directory, not a regular file"), r.err());
    }

    // ------------------------------------------------------------------ secrets at rest

    @Test
    void aFileThatHoldsASecretIsReadableByItsOwnerOnly() throws IOException {
        Map<String, String> e = node("b-1.x");
        Path secret = Files.writeString(tmp.resolve("pw"), "s3cret\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        e.put("KAFKA_CFG_SSL_KEYSTORE_PASSWORD_FILE", secret.toString());
        assertEquals(0, run(e, "render").code());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server())));
        String dir = PosixFilePermissions.toString(Files.getPosixFilePermissions(server().getParent()));
        assertTrue(dir.endsWith("---"), "no permission for others on " + server().getParent() + ": " + dir);
        assertEquals("s3cret", asKafkaReadsIt(server()).getProperty("ssl.keystore.password"));

        // a file without secrets keeps its template's mode
        assertEquals(0, run(node("b-1.x"), "render").code());
        assertTrue(PosixFilePermissions.toString(Files.getPosixFilePermissions(server())).startsWith("rw-"));
    }

    @Test
    void aCaTheNodesCannotUseIsRefusedAlikeByRenderCheckAndRunWithoutAStackTrace() throws Exception {
        Path users = Files.writeString(tmp.resolve("users"), "app:app-secret-1\n");
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
        // an Ed25519 CA (made by OpenSSL: the agent cannot sign with one), under a name with a control character
        Path edCert = tmp.resolve("ca\u0007.crt");
        Path edKey = tmp.resolve("ed.key");
        openssl("genpkey", "-algorithm", "ed25519", "-out", edKey.toString());
        openssl("req", "-x509", "-new", "-key", edKey.toString(), "-subj", "/CN=ed", "-days", "30", "-out", edCert.toString(),
                "-addext", "basicConstraints=critical,CA:TRUE");
        Files.setPosixFilePermissions(edKey, PosixFilePermissions.fromString("rw-------"));
        // an RSA-512 CA, and one that ends in 90 s: both were taken, and no node could then be reached
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(512);
        java.security.KeyPair small = rsa.generateKeyPair();
        java.security.KeyPair ec = dev.dockhand.agent.security.Certificates.newKeyPair();
        Map<String, List<Object>> cas = new java.util.LinkedHashMap<>();
        cas.put("has an Ed25519 key: the agent signs node certificates with ECDSA or RSA only", List.of(edCert, edKey));
        cas.put("has an RSA key of 512 bits", List.of(ca("rsa", small, Duration.ofDays(30)), small));
        cas.put(": a node certificate never outlives its CA", List.of(ca("soon", ec, Duration.ofSeconds(90)), ec));
        for (var c : cas.entrySet()) {
            Path cert = (Path) c.getValue().get(0);
            Path key = c.getValue().get(1) instanceof Path p ? p : secretKey((java.security.KeyPair) c.getValue().get(1));
            Map<String, String> e = node("b-1.x");
            e.remove("AGENT_SECURITY");
            e.putAll(Map.of("AGENT_CA_CERT_FILE", cert.toString(), "AGENT_CA_KEY_FILE", key.toString(), "AGENT_USERS_FILE", users.toString()));
            for (String command : List.of("render", "check", "run")) {
                Result r = run(e, command);
                refused(r, "agent: CA certificate " + Names.printable(cert.toString()) + " (env AGENT_CA_CERT_FILE) ");
                assertTrue(r.err().contains(c.getKey()), command + ": " + r.err());
                assertEquals(1, r.err().lines().count(), "one problem, one line: " + r.err());
                assertFalse(r.err().contains("\u0007") || r.out().contains("\u0007"), "no raw control character");
            }
        }
    }

    private Path ca(String name, java.security.KeyPair key, Duration life) throws IOException {
        var cert = dev.dockhand.agent.security.Certificates.selfSignedCa(key, name, java.time.Instant.now(), life);
        return Files.writeString(tmp.resolve(name + ".crt"), dev.dockhand.agent.security.Pem.certificate(cert));
    }

    private Path secretKey(java.security.KeyPair key) throws IOException {
        Path p = tmp.resolve(key.getPrivate().getAlgorithm() + key.hashCode() + ".key");
        Files.writeString(p, dev.dockhand.agent.security.Pem.privateKey(key.getPrivate()));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }

    private Path copyTemplates() throws IOException {
        Path templates = tmp.resolve("templates");
        Path src = Path.of(TEMPLATES);
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path dst = templates.resolve(src.relativize(p).toString());
                Files.createDirectories(dst.getParent());
                Files.copy(p, dst);
            }
        }
        return templates;
    }
}
