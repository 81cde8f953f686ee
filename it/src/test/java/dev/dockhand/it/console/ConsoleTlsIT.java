package dev.dockhand.it.console;

import dev.dockhand.it.lab.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.agent.security.TlsContexts;
import dev.dockhand.agent.security.Users;
import dev.dockhand.it.lab.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code agent console} (the dist's agent-console.jar) on a secured node, against services secured
 * as the cluster's contract says: a real ZooKeeper 3.8.4 that serves TLS only and asks for a client
 * certificate from the CA, a real Kafka 3.9.1 broker whose only listener is SSL with client
 * certificates required, an ACL authorizer that denies what is not granted and the node's CN as the
 * one super user, and the real schema registry over HTTPS. The console's files are the ones the agent
 * writes in its tls dir: node.key, node.crt, node.pem, ca.crt, users.hashed. The certificate is for
 * {@code localhost}, every service is reached by that name: a console that reaches them by another
 * name (127.0.0.1) must fail on each, which shows the names are checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleTlsIT {
    static final Duration START = Duration.ofSeconds(120);
    static final String TOPIC = "payments";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final Path work = Path.of(System.getProperty("it.target", "target"), "console-tls-it").toAbsolutePath();
    private Path tls;
    private ClusterCa ca;
    private HttpClient https;
    private int zkPort;
    private int kafkaPort;
    private int registryPort;
    private String console;
    private int consolePort;
    private String login;
    private ChildProcess consoleProcess;

    @BeforeAll
    void startStack() throws Exception {
        deleteTree(work);
        tls = Files.createDirectories(work.resolve("conf/tls"));
        ca = ClusterCa.create("dockhand it CA", Instant.now(), 30);
        NodeTls node = NodeTls.issue(ca, List.of("localhost"), Instant.now(), 1);
        secret("node.key", node.keyPem());
        secret("node.crt", node.chainPem());
        secret("node.pem", node.keyAndChainPem());
        secret("ca.crt", node.caPem());
        Path users = secret("users", "operator:s3cret-pass-1\nroot:adm1n-pass-22:admin\n");
        List<String> problems = new ArrayList<>();
        secret("users.hashed", Users.read(users, "it", problems).hashedFile());
        assertEquals(List.of(), problems);
        login = "Basic " + Base64.getEncoder().encodeToString("operator:s3cret-pass-1".getBytes(StandardCharsets.UTF_8));
        SSLContext client = TlsContexts.of((PrivateKey) null, List.of(), List.of(ca.certificate()));
        https = HttpClient.newBuilder().sslContext(client).sslParameters(TlsContexts.verifyingHost(client))
                .connectTimeout(Duration.ofSeconds(5)).build();

        String cp = Files.readString(Path.of(System.getProperty("services.classpath", "target/services.classpath"))).trim();
        Path log4j = Files.writeString(work.resolve("log4j.properties"), """
                log4j.rootLogger=INFO, out
                log4j.appender.out=org.apache.log4j.ConsoleAppender
                log4j.appender.out.layout=org.apache.log4j.PatternLayout
                log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n
                """);
        String log = "-Dlog4j.configuration=file:" + log4j;

        zkPort = Ports.free();
        Path zoo = Files.writeString(work.resolve("zoo.cfg"), """
                tickTime=2000
                dataDir=%s
                secureClientPort=%d
                secureClientPortAddress=127.0.0.1
                serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory
                ssl.keyStore.location=%s
                ssl.keyStore.type=PEM
                ssl.trustStore.location=%s
                ssl.trustStore.type=PEM
                ssl.clientAuth=need
                admin.enableServer=false
                4lw.commands.whitelist=ruok,srvr,stat
                """.formatted(work.resolve("zk-data"), zkPort, tls.resolve("node.pem"), tls.resolve("ca.crt")));
        toClose.push(ChildProcess.java("zookeeper", work, cp, List.of(log,
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", zoo.toString())));

        kafkaPort = Ports.free();
        Path server = Files.writeString(work.resolve("server.properties"), """
                broker.id=1
                listeners=INTERNAL://localhost:%1$d
                listener.security.protocol.map=INTERNAL:SSL
                inter.broker.listener.name=INTERNAL
                ssl.client.auth=required
                ssl.keystore.type=PEM
                ssl.keystore.location=%2$s
                ssl.truststore.type=PEM
                ssl.truststore.location=%3$s
                ssl.principal.mapping.rules=RULE:^CN=([^,]+).*$/$1/,DEFAULT
                authorizer.class.name=kafka.security.authorizer.AclAuthorizer
                allow.everyone.if.no.acl.found=false
                super.users=User:localhost
                zookeeper.connect=localhost:%4$d
                zookeeper.ssl.client.enable=true
                zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty
                zookeeper.ssl.keystore.type=PEM
                zookeeper.ssl.keystore.location=%2$s
                zookeeper.ssl.truststore.type=PEM
                zookeeper.ssl.truststore.location=%3$s
                log.dirs=%5$s
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=3
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                group.initial.rebalance.delay.ms=0
                """.formatted(kafkaPort, tls.resolve("node.pem"), tls.resolve("ca.crt"), zkPort, work.resolve("kafka-logs")));
        ChildProcess kafka = ChildProcess.java("kafka", work, cp, List.of(log, "kafka.Kafka", server.toString()));
        toClose.push(kafka);

        Path registryJar = Path.of(System.getProperty("registry.jar", "../image/registry/target/quarkus-app/quarkus-run.jar"));
        Need.that(Files.isRegularFile(registryJar), () -> "build image/registry first: " + registryJar);
        registryPort = Ports.free();
        ChildProcess registry = ChildProcess.java("registry", work, null, List.of(
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + Ports.free(), "-Dquarkus.http.ssl-port=" + registryPort,
                "-Dquarkus.http.insecure-requests=disabled",
                "-Dquarkus.http.ssl.certificate.files=" + tls.resolve("node.crt"),
                "-Dquarkus.http.ssl.certificate.key-files=" + tls.resolve("node.key"),
                "-jar", registryJar.toAbsolutePath().toString()));
        toClose.push(registry);

        Await.until("ZooKeeper answers srvr over TLS with the node's certificate", START,
                () -> assertTrue(srvrOverTls("localhost", zkPort).contains("Mode:")));
        try (Admin admin = Admin.create(kafkaClient())) {
            Await.until("the broker is registered, over SSL\n" + kafka.logTail(), START,
                    () -> assertEquals(1, admin.describeCluster().nodes().get().size()));
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        }
        Await.until("the registry serves HTTPS\n" + registry.logTail(), START,
                () -> assertEquals(200, https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + registryPort
                        + "/apis/ccompat/v7/subjects")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()));

        consolePort = Ports.free();
        console = "https://localhost:" + consolePort;
        consoleProcess = startConsole("console", consolePort, "localhost");
    }

    private Path secret(String name, String text) throws IOException {
        Path f = Files.writeString(tls.resolve(name), text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** A console whose every service is reached as {@code host}; its config as the agent renders the secured node's. */
    private ChildProcess startConsole(String name, int port, String host) throws Exception {
        Path props = Files.writeString(work.resolve(name + ".properties"), String.join("\n",
                "listen.host=127.0.0.1",
                "listen.port=" + port,
                "cluster.name=secured-it",
                "schema.registry.url=https://" + host + ":" + registryPort,
                "zookeeper.connect=" + host + ":" + zkPort,
                "agents=",
                "request.timeout.ms=3000",
                "cache.ms=500",
                // console-tls.properties, with @@TLS_DIR@@ rendered
                "listen.tls.certificate=" + tls.resolve("node.crt"),
                "listen.tls.key=" + tls.resolve("node.key"),
                "login.users=" + tls.resolve("users.hashed"),
                "bootstrap.servers=" + host + ":" + kafkaPort,
                "kafka.security.protocol=SSL",
                "kafka.ssl.keystore.type=PEM",
                "kafka.ssl.keystore.location=" + tls.resolve("node.pem"),
                "kafka.ssl.truststore.type=PEM",
                "kafka.ssl.truststore.location=" + tls.resolve("ca.crt"),
                "zookeeper.tls=true",
                "client.tls.key=" + tls.resolve("node.key"),
                "client.tls.certificate=" + tls.resolve("node.crt"),
                "client.tls.ca=" + tls.resolve("ca.crt"), ""));
        Path agentJar = Path.of(System.getProperty("dist.dir", "../image/target/dist"), "agent-console.jar");
        assertTrue(Files.isRegularFile(agentJar), "build the agent first: " + agentJar);
        ChildProcess c = ChildProcess.java(name, work, null,
                List.of("-jar", agentJar.toAbsolutePath().toString(), "console", "--config", props.toString()));
        toClose.push(c);
        Await.until(name + " answers /livez over HTTPS\n" + c.logTail(), Duration.ofSeconds(60),
                () -> assertEquals("ok\n", get("https://localhost:" + port + "/livez", null).body()));
        return c;
    }

    private Map<String, Object> kafkaClient() {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", "localhost:" + kafkaPort);
        p.put("security.protocol", "SSL");
        p.put("ssl.keystore.type", "PEM");
        p.put("ssl.keystore.location", tls.resolve("node.pem").toString());
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", tls.resolve("ca.crt").toString());
        p.put("request.timeout.ms", 5000);
        p.put("default.api.timeout.ms", 10000);
        return p;
    }

    @AfterAll
    void stopStack() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    /**
     * The scenarios, in this order, on the one stack this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
            dynamicTest("1 the console reads kafka zoo keeper and the registry over their secured listeners", this::theConsoleReadsKafkaZooKeeperAndTheRegistryOverTheirSecuredListeners),
            dynamicTest("2 the console asks for a login and its probes stay open", this::theConsoleAsksForALoginAndItsProbesStayOpen),
            dynamicTest("3 a console that reaches the services by a name their certificates do not carry reaches none", this::aConsoleThatReachesTheServicesByANameTheirCertificatesDoNotCarryReachesNone),
            dynamicTest("4 a browser that trusts the ca loads the page with a login and gets401 without one", this::aBrowserThatTrustsTheCaLoadsThePageWithALoginAndGets401WithoutOne));
    }

    void theConsoleReadsKafkaZooKeeperAndTheRegistryOverTheirSecuredListeners() throws Exception {
        Await.until("the console reaches the broker over SSL", Duration.ofSeconds(60),
                () -> assertTrue(overview(console).path("kafka").path("reachable").asBoolean(), overview(console).toString()));
        JsonNode o = overview(console);
        JsonNode kafka = o.path("kafka");
        assertEquals(1, kafka.path("brokers").size());
        assertEquals("localhost", kafka.path("brokers").get(0).path("host").asText());
        // topics and groups need the authorizer's yes: the console is the node, a super user
        assertTrue(kafka.path("topics").toString().contains("\"" + TOPIC + "\""), kafka.toString());
        assertEquals(List.of(), JSON.convertValue(kafka.path("problems"), List.class), "no part denied: " + kafka);

        JsonNode zk = o.path("zookeeper");
        assertTrue(zk.path("quorum").asBoolean(), zk.toString());
        assertEquals("standalone", zk.path("members").get(0).path("mode").asText(), zk.toString());
        // and ZooKeeper does serve TLS only: on its one port, srvr over TLS is answered, while a plain
        // srvr is accepted and closed unanswered (not refused or unanswered as a dead server's would be)
        assertTrue(srvrOverTls("localhost", zkPort).contains("Mode:"), "srvr over TLS");
        String plain = dev.dockhand.it.lab.ZooKeeperWords.plaintextRefusal("127.0.0.1", zkPort);
        assertTrue(plain.startsWith("closed"), "a plaintext srvr: " + plain);

        JsonNode registry = o.path("registry");
        assertTrue(registry.path("reachable").asBoolean(), registry.toString());
        assertEquals("https://localhost:" + registryPort, registry.path("url").asText());
    }
    void theConsoleAsksForALoginAndItsProbesStayOpen() throws Exception {
        assertEquals(401, get(console + "/", null).statusCode());
        assertEquals("Basic realm=\"dockhand console\", charset=\"UTF-8\"",
                get(console + "/api/overview", null).headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(401, get(console + "/metrics", "Basic " + Base64.getEncoder().encodeToString("operator:wrong-pass-1".getBytes())).statusCode());
        // the refusal is in the console's log with the user and the address, never the password
        Await.until("the console logs the refused login\n" + consoleProcess.logTail(), Duration.ofSeconds(30),
                () -> assertTrue(Files.readString(consoleProcess.log).contains(
                        "console: login refused: user operator from 127.0.0.1: unknown user or wrong password")));
        assertFalse(Files.readString(consoleProcess.log).contains("wrong-pass-1"), "no password in the log");
        assertEquals(200, get(console + "/readyz", null).statusCode());
        assertTrue(get(console + "/metrics", login).body().contains("dockhand_console_brokers 1"));
        // the agent's probe speaks plain HTTP to the same port
        String probe = plainGet(consolePort, "/readyz");
        assertTrue(probe.startsWith("HTTP/1.1 200 OK"), probe);
        assertTrue(plainGet(consolePort, "/").startsWith("HTTP/1.1 400 Bad Request"));
    }
    void aConsoleThatReachesTheServicesByANameTheirCertificatesDoNotCarryReachesNone() throws Exception {
        int port = Ports.free();
        startConsole("console-by-ip", port, "127.0.0.1");
        String other = "https://localhost:" + port;
        // a few overviews: each source has failed its handshake by then
        Await.until("the overview reports every source", Duration.ofSeconds(60),
                () -> assertFalse(overview(other).path("zookeeper").path("members").isEmpty()));
        JsonNode o = overview(other);
        assertFalse(o.path("kafka").path("reachable").asBoolean(), o.path("kafka").toString());
        assertFalse(o.path("zookeeper").path("quorum").asBoolean(), o.path("zookeeper").toString());
        String zkStatus = o.path("zookeeper").path("members").get(0).path("detail").asText();
        assertTrue(zkStatus.contains("No subject alternative names matching IP address 127.0.0.1"), zkStatus);
        assertFalse(o.path("registry").path("reachable").asBoolean(), o.path("registry").toString());
        assertTrue(o.path("registry").path("error").asText().contains("No subject alternative names matching IP address 127.0.0.1"),
                o.path("registry").toString());
    }
    void aBrowserThatTrustsTheCaLoadsThePageWithALoginAndGets401WithoutOne() throws Exception {
        Need.that(Chromium.installed(), () -> "needs Debian packages chromium and chromium-driver");
        Need.executable(Chromium.CERTUTIL, "libnss3-tools");
        Path home = Chromium.trusting(Files.createDirectories(work.resolve("browser-home")), tls.resolve("ca.crt"));
        try (Chromium browser = new Chromium(work, home)) {
            // the certificate is trusted: an open path loads over HTTPS, no certificate warning in the way
            browser.open(console + "/livez");
            assertEquals("ok", browser.script("return document.body.innerText.trim();").asText());
            // without a login the page is a 401 with its challenge, and shows nothing of the cluster (a
            // fetch that sends no credentials, as a top-level page would make headless Chromium wait
            // for a login dialog no one answers)
            JsonNode denied = browser.scriptAsync("var done=arguments[0];fetch('/',{credentials:'omit'}).then(function(r){"
                    + "return r.text().then(function(t){done([r.status,r.headers.get('WWW-Authenticate'),t])})})"
                    + ".catch(function(e){done([0,String(e),''])});");
            assertEquals(401, denied.get(0).asInt(), denied.toString());
            assertEquals("Basic realm=\"dockhand console\", charset=\"UTF-8\"", denied.get(1).asText());
            assertFalse(denied.get(2).asText().contains(TOPIC), denied.toString());

            browser.headers(Map.of("Authorization", login));
            browser.open(console + "/");
            assertEquals("https:", browser.script("return location.protocol;").asText());
            String text = browser.script("return document.body.innerText;").asText();
            assertTrue(text.contains("secured-it") && text.contains("signed in as operator"), text);
            assertTrue(rowText(browser, "tr[data-topic='" + TOPIC + "']").contains("p0 L1"));
            browser.screenshot(work.getParent().resolve("console-tls-screenshot.png"));
        }
    }

    private static String rowText(Chromium browser, String selector) throws Exception {
        JsonNode v = browser.script("var e=document.querySelector(\"" + selector + "\");return e?e.innerText:null;");
        assertFalse(v.isNull(), "no element " + selector);
        return v.asText();
    }

    private JsonNode overview(String base) throws Exception {
        HttpResponse<String> r = get(base + "/api/overview", login);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> get(String url, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String plainGet(int port, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** srvr as the console asks it: TLS with the node's certificate, the server's name checked. */
    private String srvrOverTls(String host, int port) throws Exception {
        SSLContext ctx = TlsContexts.fromFiles(tls.resolve("node.key"), tls.resolve("node.crt"), tls.resolve("ca.crt"));
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(host, port), 2000);
            raw.setSoTimeout(5000);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, host, port, true)) {
                s.setSSLParameters(TlsContexts.verifyingHost(ctx));
                s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}
