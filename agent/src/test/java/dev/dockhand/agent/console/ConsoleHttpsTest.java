package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.agent.security.TlsContexts;
import dev.dockhand.agent.security.Users;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console over HTTPS with a login, from the same files the agent writes on a secured node. */
class ConsoleHttpsTest {
    static final ClusterCa CA = ClusterCa.create("test CA", Instant.now(), 30);

    @TempDir
    Path dir;

    private Console console;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        NodeTls node = NodeTls.issue(CA, List.of("localhost"), Instant.now(), 1);
        Path tls = Files.createDirectories(dir.resolve("tls"));
        Files.writeString(tls.resolve("node.key"), node.keyPem());
        Files.writeString(tls.resolve("node.crt"), node.chainPem());
        Path users = Files.writeString(dir.resolve("users"), "alice:correct-horse-1\nroot:battery-staple-2:admin\n");
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
        List<String> problems = new ArrayList<>();
        Files.writeString(tls.resolve("users.hashed"), Users.read(users, "test", problems).hashedFile());
        assertEquals(List.of(), problems);

        ConsoleConfig config = Fixtures.config("listen.host", "127.0.0.1", "listen.port", "0",
                "listen.tls.certificate", tls.resolve("node.crt").toString(), "listen.tls.key", tls.resolve("node.key").toString(),
                "login.users", tls.resolve("users.hashed").toString(), "agents", "broker=b1:9800,gateway=gw:9800");
        Overview o = Fixtures.overview();
        console = Console.start(config, d -> o.kafka(), (m, d) -> null, d -> o.registry(),
                (e, d) -> o.nodes().stream().filter(n -> n.address().equals(e.address())).findFirst().orElseThrow());
        SSLContext client = TlsContexts.of((PrivateKey) null, List.of(), List.of(CA.certificate()));
        http = HttpClient.newBuilder().sslContext(client).sslParameters(TlsContexts.verifyingHost(client))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        console.close();
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + console.port() + path))
                .timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void probesAreOpenAndEverythingElseAsksForALogin() throws Exception {
        assertEquals("ok\n", get("/livez", null).body());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (get("/readyz", null).statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(20); // the console's own warm-up; nothing to await on
        }
        assertEquals(200, get("/readyz", null).statusCode());

        for (String path : List.of("/", "/metrics", "/api/overview", "/nope")) {
            HttpResponse<String> r = get(path, null);
            assertEquals(401, r.statusCode(), path);
            assertEquals("Basic realm=\"dockhand console\", charset=\"UTF-8\"", r.headers().firstValue("WWW-Authenticate").orElse(""), path);
            assertFalse(r.body().contains("orders") || r.body().contains("billing"), path + " shows nothing of the cluster: " + r.body());
        }
        assertEquals("{\"error\":\"login required\"}\n", get("/api/overview", null).body());
        assertTrue(get("/api/overview", null).headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(401, get("/", basic("alice", "wrong-password")).statusCode());
        assertEquals(401, get("/", basic("nobody", "correct-horse-1")).statusCode());
        assertEquals(401, get("/", "Bearer xyz").statusCode());
    }

    @Test
    void anyListedUserReadsThePageTheJsonAndTheMetrics() throws Exception {
        HttpResponse<String> page = get("/", basic("alice", "correct-horse-1"));
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("signed in as <b>alice</b> (client)"), page.body());
        assertTrue(page.body().contains("orders"));
        assertEquals(200, get("/api/overview", basic("alice", "correct-horse-1")).statusCode());
        assertTrue(get("/metrics", basic("root", "battery-staple-2")).body().contains("dockhand_console_nodes_up"));
        assertTrue(get("/", basic("root", "battery-staple-2")).body().contains("signed in as <b>root</b> (admin)"));
        assertEquals(404, get("/nope", basic("alice", "correct-horse-1")).statusCode());
        assertEquals("HTTP_1_1", get("/", basic("alice", "correct-horse-1")).version().name());
    }

    @Test
    void aSourceThatKeepsGuessingIsAnswered429WithRetryAfter() throws Exception {
        assertEquals(200, get("/", basic("alice", "correct-horse-1")).statusCode(), "up, and alice's login works");
        // each guess costs a hash; on a slow machine the bucket refills a little meanwhile: a bounded number more
        HttpResponse<String> limited = null;
        int guesses = 0;
        while (guesses < 3 * dev.dockhand.users.FailedLogins.BURST) {
            HttpResponse<String> r = get("/", basic("alice", "guess-" + guesses++));
            if (r.statusCode() != 401) {
                limited = r;
                break;
            }
        }
        assertTrue(limited != null && guesses > dev.dockhand.users.FailedLogins.BURST, "429 after the burst, not before: " + guesses);
        assertEquals(429, limited.statusCode());
        long retry = Long.parseLong(limited.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retry >= 1 && retry <= 6, "Retry-After " + retry);
        assertFalse(limited.body().contains("orders"));
        assertEquals("ok\n", get("/livez", null).body(), "the probes need no login and are not limited");
    }

    @Test
    void theAgentsPlainHttpProbeReadsReadyzOnTheSamePortAndNothingElse() throws Exception {
        assertTrue(plain("/livez").startsWith("HTTP/1.1 200 OK"));
        String page = plain("/");
        assertTrue(page.startsWith("HTTP/1.1 400 Bad Request") && page.endsWith("this port speaks HTTPS: use https://\n"), page);
        assertFalse(plain("/api/overview").contains("orders"));
    }

    private String plain(String path) throws Exception {
        try (Socket s = new Socket("127.0.0.1", console.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void agentConsoleWithAKeyThatIsNotTheCertificatesExitsTwoNamingIt() throws Exception {
        NodeTls other = NodeTls.issue(CA, List.of("other"), Instant.now(), 1);
        Path key = Files.writeString(dir.resolve("other.key"), other.keyPem());
        Path f = Files.writeString(dir.resolve("console.properties"), String.join("\n", "bootstrap.servers=b1:9091",
                "listen.host=127.0.0.1", "listen.port=0", "listen.tls.certificate=" + dir.resolve("tls/node.crt"),
                "listen.tls.key=" + key, ""));
        StringWriter err = new StringWriter();
        var cl = dev.dockhand.agent.cli.AgentCommand.commandLine(java.util.Map.of());
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("console", "--config", f.toString()));
        assertTrue(err.toString().contains("key 'listen.tls.key' is not the key of the first certificate of 'listen.tls.certificate'"),
                err.toString());
    }
}
