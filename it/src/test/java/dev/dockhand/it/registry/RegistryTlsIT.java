package dev.dockhand.it.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.CatalogReader;
import dev.dockhand.agent.catalog.Security;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.catalog.TemplateSpec;
import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.agent.security.TlsContexts;
import dev.dockhand.agent.security.Users;
import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.Timing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The real re-augmented registry (quarkus-run.jar) as a secured node runs it: its application.properties
 * assembled from the catalog's templates for a {@code tls} node, the node's key, chain, CA certificate
 * and hashed users as the agent writes them (the agent's own ClusterCa, NodeTls and Users make them).
 * HTTPS with the cluster CA only, nothing on plain HTTP, logins for every write, the client and admin
 * roles, and an outside client (kafkajs's Confluent registry client) over HTTPS with a login.
 * Everything on loopback.
 */
class RegistryTlsIT {
    static final Path JAR = Path.of(System.getProperty("registry.jar", "../image/registry/target/quarkus-app/quarkus-run.jar"));
    static final Path TEMPLATES = Path.of(System.getProperty("templates.dir", "../templates")).toAbsolutePath().normalize();
    static final Path IT_TARGET = Path.of(System.getProperty("it.target", "target")).toAbsolutePath();
    static final Path NODE_SOURCES = Path.of(System.getProperty("dockhand.repo.root", "..")).toAbsolutePath().normalize()
            .resolve("it/src/test/node");
    static final String TARGET = "schema-registry/application.properties";
    static final Duration START = Timing.scaled(Duration.ofMinutes(3));
    static final String CCOMPAT_TYPE = "application/vnd.schemaregistry.v1+json";
    static final String REALM = "Basic realm=\"dockhand schema registry\", charset=\"UTF-8\"";
    static final ObjectMapper JSON = new ObjectMapper();

    static final String CLIENT = "alice";
    static final String CLIENT_PASSWORD = "alice-Pass.1";
    static final String ADMIN = "ops";
    static final String ADMIN_PASSWORD = "ops-Pass.2~x";

    static Path work;
    static ClusterCa ca;
    static Registry registry;
    static HttpClient https;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "build the registry first (mvn -B package): no " + JAR);
        work = IT_TARGET.resolve("registry-tls");
        Cmd.run(Duration.ofSeconds(30), List.of("rm", "-rf", work.toString())).check();
        Files.createDirectories(work);
        ca = ClusterCa.create("dockhand-it-registry-ca", Instant.now(), 2);
        registry = Registry.start(work.resolve("node"), composed(Security.TLS), null);
        https = client(TlsContexts.of(null, List.of(), List.of(ca.certificate())));
        registry.awaitReady(https);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    // ---------------------------------------------------------------- the node's files

    /** The catalog's templates for the registry's config, as a node of {@code security} concatenates them (catalog order). */
    static String composed(Security security) throws IOException {
        Catalog catalog = CatalogReader.read(TEMPLATES.resolve("catalog.json"));
        ServiceSpec s = catalog.service("schema-registry").orElseThrow();
        StringBuilder text = new StringBuilder();
        for (TemplateSpec t : s.templates()) {
            if (t.target().equals(TARGET) && t.appliesTo(security)) {
                text.append(Files.readString(TEMPLATES.resolve(t.source())));
            }
        }
        return text.toString();
    }

    /** A node's files: tls/ (key, chain, CA, users.hashed, all 0600) and the rendered config. */
    static final class Registry implements AutoCloseable {
        final Path dir;
        final Path tlsDir;
        final Path config;
        final int port;
        Process process;

        private Registry(Path dir, Path tlsDir, Path config, int port) {
            this.dir = dir;
            this.tlsDir = tlsDir;
            this.config = config;
            this.port = port;
        }

        /** A node's files and a registry started on them. */
        static Registry start(Path dir, String template, String extra) throws Exception {
            Registry r = prepare(dir, template, extra);
            r.launch();
            return r;
        }

        /** Writes the node's files for a free loopback port; {@code extra} is appended to the config. */
        static Registry prepare(Path dir, String template, String extra) throws Exception {
            Path tls = dir.resolve("conf/tls");
            Files.createDirectories(tls);
            Files.setPosixFilePermissions(tls, PosixFilePermissions.fromString("rwx------"));
            NodeTls node = NodeTls.issue(ca, List.of("localhost", "127.0.0.1"), Instant.now(), 1);
            secret(tls.resolve("node.key"), node.keyPem());
            secret(tls.resolve("node.crt"), node.chainPem());
            secret(tls.resolve("ca.crt"), node.caPem());
            // the users as an operator gives them, hashed by the agent's own code
            Path given = dir.resolve("users");
            secret(given, CLIENT + ":" + CLIENT_PASSWORD + "\n" + ADMIN + ":" + ADMIN_PASSWORD + ":admin\n");
            List<String> problems = new ArrayList<>();
            Users users = Users.read(given, "test", problems);
            assertTrue(problems.isEmpty(), problems.toString());
            secret(tls.resolve("users.hashed"), users.hashedFile());

            int port = freePort();
            Map<String, String> tokens = new LinkedHashMap<>();
            tokens.put("SERVICE_PORT", String.valueOf(port));
            tokens.put("TLS_DIR", tls.toString());
            tokens.put("DATA_DIR", dir.resolve("data").toString());
            tokens.put("UNIQUE_SELF_NODE_INT", "1");
            tokens.put("GET_NODE_FQDN", "localhost");
            String text = template;
            for (var t : tokens.entrySet()) {
                text = text.replace("@@" + t.getKey() + "@@", t.getValue());
            }
            assertFalse(text.contains("@@"), "a token the test does not know:\n" + text);
            Path config = dir.resolve("conf").resolve(TARGET);
            Files.createDirectories(config.getParent());
            Files.writeString(config, text + (extra == null ? "" : extra));
            return new Registry(dir, tls, config, port);
        }

        void launch() throws IOException {
            // on loopback only: the template binds 0.0.0.0, as a node must (a system property wins over the file)
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.config.locations=" + config, "-jar", JAR.toAbsolutePath().toString())
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log().toFile()).start();
        }

        Path log() {
            return dir.resolve("registry.log");
        }

        String url(String path) {
            return "https://127.0.0.1:" + port + path;
        }

        void awaitReady(HttpClient client) {
            String outcome = Timing.awaitValue("the registry serves /health/ready over HTTPS", START, Duration.ofMillis(100), () -> {
                if (!process.isAlive()) {
                    return "exited " + process.exitValue();
                }
                try {
                    return client.send(HttpRequest.newBuilder(URI.create(url("/health/ready"))).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200 ? "ready" : null;
                } catch (IOException e) {
                    return null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "interrupted";
                }
            }, this::logTail);
            assertEquals("ready", outcome, logTail());
        }

        String logText() throws IOException {
            return Files.readString(log());
        }

        String logTail() {
            try {
                List<String> lines = Files.readAllLines(log());
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        /** SIGTERM by pid, SIGKILL after 30 s. */
        @Override
        public void close() {
            if (process == null) {
                return;
            }
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    static void secret(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ---------------------------------------------------------------- HTTP

    static HttpClient client(SSLContext ctx) {
        return HttpClient.newBuilder().sslContext(ctx).sslParameters(TlsContexts.verifyingHost(ctx))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static final String AS_CLIENT = basic(CLIENT, CLIENT_PASSWORD);
    static final String AS_ADMIN = basic(ADMIN, ADMIN_PASSWORD);

    static HttpResponse<String> send(String method, String path, String body, String authorization, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry.url(path))).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", path.startsWith("/apis/ccompat/") ? CCOMPAT_TYPE : "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String schema(String name, int optionalFields) {
        StringBuilder fields = new StringBuilder("{\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"string\\\"}");
        for (int i = 0; i < optionalFields; i++) {
            fields.append(",{\\\"name\\\":\\\"f").append(i).append("\\\",\\\"type\\\":\\\"int\\\",\\\"default\\\":0}");
        }
        return "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"" + name + "\\\",\\\"fields\\\":[" + fields + "]}\"}";
    }

    static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    static List<String> subjects() throws Exception {
        HttpResponse<String> r = send("GET", "/apis/ccompat/v7/subjects", null, null);
        assertEquals(200, r.statusCode(), r.body());
        List<String> out = new ArrayList<>();
        json(r.body()).forEach(n -> out.add(n.asText()));
        return out;
    }

    static void assertUnauthorized(HttpResponse<String> r, String what) throws IOException {
        assertEquals(401, r.statusCode(), what + ": " + r.body());
        assertEquals(REALM, r.headers().firstValue("WWW-Authenticate").orElse(null), what);
        assertEquals(40101, json(r.body()).path("error_code").asInt(), what + ": " + r.body());
        assertTrue(json(r.body()).path("message").asText().startsWith("Unauthorized"), what + ": " + r.body());
    }

    static void assertForbidden(HttpResponse<String> r, String what) throws IOException {
        assertEquals(403, r.statusCode(), what + ": " + r.body());
        assertEquals(40301, json(r.body()).path("error_code").asInt(), what + ": " + r.body());
        assertTrue(json(r.body()).path("message").asText().startsWith("User is denied operation"), what + ": " + r.body());
    }

    // ---------------------------------------------------------------- the tests

    /**
     * The scenarios, in this order, on the one stack this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
                dynamicTest("1 a secured nodes config adds https and logins and a plaintext nodes is as before", this::aSecuredNodesConfigAddsHttpsAndLoginsAndAPlaintextNodesIsAsBefore),
                dynamicTest("2 https with the cluster ca only tls13 and12", this::httpsWithTheClusterCaOnlyTls13And12),
                dynamicTest("3 plain http to the port gets nothing usable and writes nothing", this::plainHttpToThePortGetsNothingUsableAndWritesNothing),
                dynamicTest("4 anonymous writes are refused on every api", this::anonymousWritesAreRefusedOnEveryApi),
                dynamicTest("5 a wrong password or an unknown user is refused", this::aWrongPasswordOrAnUnknownUserIsRefused),
                dynamicTest("6 the client role registers and checks but neither deletes nor changes settings", this::theClientRoleRegistersAndChecksButNeitherDeletesNorChangesSettings),
                dynamicTest("7 the admin role deletes and changes settings", this::theAdminRoleDeletesAndChangesSettings),
                dynamicTest("8 a client refuses a certificate from another ca", this::aClientRefusesACertificateFromAnotherCa),
                dynamicTest("9 kafkajs registry client registers and reads over https with a login", this::kafkajsRegistryClientRegistersAndReadsOverHttpsWithALogin),
                dynamicTest("9a the admin api export is the admins for reads too", this::theAdminApiExportIsTheAdminsForReadsToo),
                dynamicTest("9b wrong logins from one address are limited with curl and another address is not", this::wrongLoginsFromOneAddressAreLimited),
                dynamicTest("10 the log names refusals but no password or authorization header", this::theLogNamesRefusalsButNoPasswordOrAuthorizationHeader),
                dynamicTest("11 in mode all reads need a login but health stays open", this::inModeAllReadsNeedALoginButHealthStaysOpen),
                dynamicTest("12 a malformed users file stops the start naming the file", this::aMalformedUsersFileStopsTheStartNamingTheFile));
    }

    void aSecuredNodesConfigAddsHttpsAndLoginsAndAPlaintextNodesIsAsBefore() throws Exception {
        String tls = composed(Security.TLS);
        String plaintext = composed(Security.PLAINTEXT);
        assertEquals(Files.readString(TEMPLATES.resolve(TARGET)), plaintext, "a plaintext node renders the shared template alone");
        for (String setting : List.of("quarkus.http.ssl-port=@@SERVICE_PORT@@", "quarkus.http.insecure-requests=disabled",
                "quarkus.http.ssl.certificate.files=@@TLS_DIR@@/node.crt", "quarkus.http.ssl.certificate.key-files=@@TLS_DIR@@/node.key",
                "quarkus.http.ssl.protocols=TLSv1.3,TLSv1.2", "dockhand.registry.users-file=@@TLS_DIR@@/users.hashed")) {
            assertTrue(tls.contains("\n" + setting + "\n"), setting);
            assertFalse(plaintext.contains(setting.substring(0, setting.indexOf('='))), setting);
        }
        // catalog order: the shared part first, whole, then the secured settings (the last of a key wins)
        assertTrue(tls.startsWith(plaintext), "the shared part is the whole of a plaintext node's file, and comes first");
    }
    void httpsWithTheClusterCaOnlyTls13And12() throws Exception {
        HttpResponse<String> r = send("GET", "/apis/ccompat/v7/config", null, null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", r.body(), "reads stay anonymous");
        assertEquals("TLSv1.3", r.sslSession().orElseThrow().getProtocol());

        SSLContext ctx = TlsContexts.of(null, List.of(), List.of(ca.certificate()));
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", registry.port)) {
            s.setSoTimeout(10_000);
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setSSLParameters(withProtocols(TlsContexts.verifyingHost(ctx), "TLSv1.2"));
            s.startHandshake();
            assertEquals("TLSv1.2", s.getSession().getProtocol());
        }
        // TLS 1.1 and 1.0: the JDK will not offer them, OpenSSL will (at security level 0): the
        // registry answers with a protocol_version alert
        for (String old : List.of("-tls1_1", "-tls1")) {
            Cmd.Result o = Cmd.run(Duration.ofSeconds(30), List.of("bash", "-c", "openssl s_client -connect 127.0.0.1:" + registry.port
                    + " " + old + " -cipher DEFAULT@SECLEVEL=0 </dev/null 2>&1"));
            assertTrue(o.out().contains("alert protocol version"), old + " was not refused by the server:\n" + o.out());
        }
    }

    static javax.net.ssl.SSLParameters withProtocols(javax.net.ssl.SSLParameters p, String... protocols) {
        p.setProtocols(protocols);
        return p;
    }
    void plainHttpToThePortGetsNothingUsableAndWritesNothing() throws Exception {
        String request = "POST /apis/ccompat/v7/subjects/plain-http-value/versions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: " + CCOMPAT_TYPE + "\r\nContent-Length: " + schema("P", 0).length() + "\r\nConnection: close\r\n\r\n"
                + schema("P", 0);
        // the port serves: HTTPS on it is answered
        assertEquals(200, send("GET", "/apis/ccompat/v7/config", null, null).statusCode(), "HTTPS on the same port");
        // plain HTTP to it: the connection is accepted, then closed or answered with a TLS alert; not
        // refused and not left silent, which is what a registry that is not there does
        byte[] answer = new byte[64];
        int n = 0;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), registry.port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            try {
                for (int r; n < answer.length && (r = in.read(answer, n, answer.length - n)) > 0; ) {
                    n += r;
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("plain HTTP met silence for 10 s, not a refusal", e);
            } catch (java.net.SocketException e) {
                // closed by the server with a reset: a refusal too
            }
        }
        String text = new String(answer, 0, n, StandardCharsets.ISO_8859_1);
        assertFalse(text.startsWith("HTTP/"), "plain HTTP got an HTTP answer: " + text);
        assertTrue(n == 0 || answer[0] == 0x15, "neither closed nor a TLS alert: " + text);
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        IOException refused = assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + registry.port + "/apis/ccompat/v7/config")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        assertFalse(refused instanceof java.net.ConnectException || refused instanceof java.net.http.HttpTimeoutException,
                "the plain HTTP client was hung up on, not refused a connection nor left waiting: " + refused);
        assertFalse(subjects().contains("plain-http-value"));
    }
    void anonymousWritesAreRefusedOnEveryApi() throws Exception {
        assertUnauthorized(send("POST", "/apis/ccompat/v7/subjects/anon-value/versions", schema("A", 0), null), "register");
        assertUnauthorized(send("POST", "/apis/ccompat/v6/subjects/anon-value/versions", schema("A", 0), null), "register, v6");
        assertUnauthorized(send("POST", "/apis/registry/v2/groups/default/artifacts", "{\"type\":\"string\"}", null,
                "X-Registry-ArtifactId", "anon-artifact", "X-Registry-ArtifactType", "JSON"), "Apicurio v2 create");
        assertUnauthorized(send("POST", "/apis/registry/v1/artifacts", "{\"type\":\"string\"}", null,
                "X-Registry-ArtifactId", "anon-v1"), "Apicurio v1 create");
        assertUnauthorized(send("PUT", "/apis/ccompat/v7/config", "{\"compatibility\":\"NONE\"}", null), "global level");
        // PUT /mode is answered by the Confluent-compatibility layer itself: the login comes first
        assertUnauthorized(send("PUT", "/apis/ccompat/v7/mode", "{\"mode\":\"READWRITE\"}", null), "mode");
        assertUnauthorized(send("POST", "/apis/registry/v2/admin/rules", "{\"type\":\"VALIDITY\",\"config\":\"FULL\"}", null), "global rule");
        assertUnauthorized(send("DELETE", "/apis/ccompat/v7/subjects/anything", null, null), "delete");
        assertFalse(subjects().contains("anon-value"));
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", send("GET", "/apis/ccompat/v7/config", null, null).body());
        assertEquals(404, send("GET", "/apis/registry/v2/groups/default/artifacts/anon-artifact", null, null).statusCode());
    }
    void aWrongPasswordOrAnUnknownUserIsRefused() throws Exception {
        assertUnauthorized(send("POST", "/apis/ccompat/v7/subjects/wrong-value/versions", schema("W", 0), basic(CLIENT, ADMIN_PASSWORD)),
                "another user's password");
        assertUnauthorized(send("POST", "/apis/ccompat/v7/subjects/wrong-value/versions", schema("W", 0), basic("mallory", CLIENT_PASSWORD)),
                "unknown user");
        assertUnauthorized(send("POST", "/apis/ccompat/v7/subjects/wrong-value/versions", schema("W", 0), "Bearer " + CLIENT_PASSWORD),
                "not Basic");
        assertFalse(subjects().contains("wrong-value"));
    }
    void theClientRoleRegistersAndChecksButNeitherDeletesNorChangesSettings() throws Exception {
        HttpResponse<String> r = send("POST", "/apis/ccompat/v7/subjects/orders-value/versions", schema("Order", 0), AS_CLIENT);
        assertEquals(200, r.statusCode(), r.body());
        int v1 = json(r.body()).path("id").asInt();
        assertTrue(v1 > 0, r.body());
        HttpResponse<String> check = send("POST", "/apis/ccompat/v7/compatibility/subjects/orders-value/versions/latest", schema("Order", 1), AS_CLIENT);
        assertEquals("{\"is_compatible\":true}", check.body());
        HttpResponse<String> v2 = send("POST", "/apis/ccompat/v7/subjects/orders-value/versions", schema("Order", 1), AS_CLIENT);
        assertEquals(200, v2.statusCode(), v2.body());
        assertNotEquals(v1, json(v2.body()).path("id").asInt());
        HttpResponse<String> artifact = send("POST", "/apis/registry/v2/groups/default/artifacts", "{\"type\":\"string\"}", AS_CLIENT,
                "X-Registry-ArtifactId", "client-artifact", "X-Registry-ArtifactType", "JSON");
        assertEquals(200, artifact.statusCode(), artifact.body());

        assertForbidden(send("DELETE", "/apis/ccompat/v7/subjects/orders-value", null, AS_CLIENT), "delete a subject");
        assertForbidden(send("DELETE", "/apis/ccompat/v7/subjects/orders-value/versions/1", null, AS_CLIENT), "delete a version");
        assertForbidden(send("PUT", "/apis/ccompat/v7/config", "{\"compatibility\":\"NONE\"}", AS_CLIENT), "global level");
        assertForbidden(send("PUT", "/apis/ccompat/v7/config/orders-value", "{\"compatibility\":\"NONE\"}", AS_CLIENT), "subject level");
        assertForbidden(send("PUT", "/apis/ccompat/v7/mode", "{\"mode\":\"READWRITE\"}", AS_CLIENT), "mode");
        assertForbidden(send("DELETE", "/apis/registry/v2/groups/default/artifacts/client-artifact", null, AS_CLIENT), "v2 delete");
        assertForbidden(send("PUT", "/apis/registry/v2/groups/default/artifacts/client-artifact/state", "{\"state\":\"DISABLED\"}", AS_CLIENT),
                "v2 state");
        assertTrue(subjects().contains("orders-value"));
        assertEquals("[1,2]", send("GET", "/apis/ccompat/v7/subjects/orders-value/versions", null, null).body());
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", send("GET", "/apis/ccompat/v7/config", null, null).body());
        assertEquals(200, send("GET", "/apis/registry/v2/groups/default/artifacts/client-artifact/meta", null, null).statusCode());
    }
    void theAdminRoleDeletesAndChangesSettings() throws Exception {
        HttpResponse<String> level = send("PUT", "/apis/ccompat/v7/config/orders-value", "{\"compatibility\":\"FULL\"}", AS_ADMIN);
        assertEquals(200, level.statusCode(), level.body());
        assertEquals("{\"compatibilityLevel\":\"FULL\"}", send("GET", "/apis/ccompat/v7/config/orders-value", null, null).body());
        HttpResponse<String> delete = send("DELETE", "/apis/ccompat/v7/subjects/orders-value", null, AS_ADMIN);
        assertEquals(200, delete.statusCode(), delete.body());
        assertEquals("[1,2]", delete.body());
        assertFalse(subjects().contains("orders-value"));
        assertEquals(204, send("DELETE", "/apis/registry/v2/groups/default/artifacts/client-artifact", null, AS_ADMIN).statusCode());
    }
    void aClientRefusesACertificateFromAnotherCa() throws Exception {
        // the same URL with the cluster's CA as trust: answered
        assertEquals(200, send("GET", "/apis/ccompat/v7/config", null, null).statusCode(), "the cluster's CA is trusted");
        ClusterCa other = ClusterCa.create("another-ca", Instant.now(), 2);
        HttpClient trustsOther = client(TlsContexts.of(null, List.of(), List.of(other.certificate())));
        IOException e = assertThrows(IOException.class, () -> trustsOther.send(HttpRequest.newBuilder(URI.create(registry.url("/apis/ccompat/v7/config")))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        assertInstanceOf(SSLHandshakeException.class, e, String.valueOf(e));
        // nor does the JDK's own trust store know the cluster's CA
        HttpClient jdkTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertInstanceOf(SSLHandshakeException.class, assertThrows(IOException.class, () -> jdkTrust.send(HttpRequest.newBuilder(
                URI.create(registry.url("/apis/ccompat/v7/config"))).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())));
    }
    void kafkajsRegistryClientRegistersAndReadsOverHttpsWithALogin() throws Exception {
        for (String tool : List.of("npm", "node")) {
            assertTrue(Cmd.onPath(tool), tool + " is not on PATH (.ci/run installs nodejs and npm)");
        }
        Path clients = IT_TARGET.resolve("node-clients-tls");
        Files.createDirectories(clients);
        for (String f : List.of("package.json", "package-lock.json", "registry-tls-client.js")) {
            Files.copy(NODE_SOURCES.resolve(f), clients.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Cmd.run(Duration.ofMinutes(5), List.of("npm", "ci", "--prefix", clients.toString(), "--prefer-offline",
                "--ignore-scripts", "--no-audit", "--no-fund")).check();
        Cmd.Result r = Cmd.run(Duration.ofMinutes(2), List.of("node", clients.resolve("registry-tls-client.js").toString(),
                registry.url("/apis/ccompat/v7"), registry.tlsDir.resolve("ca.crt").toString(), CLIENT, CLIENT_PASSWORD, "payments-value"));
        JsonNode o = json(r.out().strip().lines().reduce((a, b) -> b).orElse("{}"));
        assertTrue(r.ok() && !o.has("error"), r.out());
        assertEquals(401, o.path("anonymousRegister").path("status").asInt(), r.out());
        assertEquals(401, o.path("wrongPasswordRegister").path("status").asInt(), r.out());
        assertTrue(o.path("v1").asInt() > 0, r.out());
        assertNotEquals(o.path("v1").asInt(), o.path("v2").asInt(), r.out());
        assertEquals(o.path("v2").asInt(), o.path("latest").asInt(), r.out());
        assertEquals("{\"id\":\"p-1\",\"cents\":250}", o.path("decodedAnonymously").toString(), r.out());
        // the library's default sets a new subject's level after registering: the client role may not
        assertEquals(403, o.path("defaultOptionsRegister").path("status").asInt(), r.out());
        assertTrue(o.path("defaultOptionsRegistered").isInt(), "the schema itself was registered: " + r.out());
        assertTrue(o.path("untrusted").path("message").asText().contains("certificate"), r.out());
    }
    void theAdminApiExportIsTheAdminsForReadsToo() throws Exception {
        HttpResponse<String> admin = send("GET", "/apis/registry/v2/admin/export", null, AS_ADMIN);
        assertEquals(200, admin.statusCode(), "the admin exports: " + admin.body());
        assertEquals("application/zip", admin.headers().firstValue("Content-Type").orElse(""));
        assertFalse(admin.body().isEmpty());
        for (String path : List.of("/apis/registry/v2/admin/export", "/apis/registry/v2/admin/roleMappings",
                "/apis/registry/v2/admin/config/properties", "/apis/registry/v2/admin/loggers", "/apis/registry/v2/%61dmin/export",
                "/apis/registry/v2//admin/export")) {
            assertUnauthorized(send("GET", path, null, null), "anonymous " + path);
            assertForbidden(send("GET", path, null, AS_CLIENT), "the client role " + path);
        }
        assertEquals(200, send("GET", "/apis/registry/v2/admin/loggers", null, AS_ADMIN).statusCode(), "the admin reads the other admin reads");
        assertEquals(200, send("GET", "/apis/ccompat/v7/subjects", null, null).statusCode(), "other reads stay anonymous");
    }

    void wrongLoginsFromOneAddressAreLimited() throws Exception {
        assertTrue(Cmd.onPath("curl"), "curl is not on PATH");
        String url = registry.url("/apis/ccompat/v7/subjects/limited-value/versions");
        // curl from 127.0.0.2 (loopback too): a source of its own
        java.util.function.BiFunction<String, String, Cmd.Result> curl = (from, login) -> {
            try {
                return Cmd.run(Duration.ofSeconds(60), List.of("curl", "-sS", "--max-time", "30", "--interface", from,
                        "--cacert", registry.tlsDir.resolve("ca.crt").toString(), "-u", login, "-H", "Content-Type: " + CCOMPAT_TYPE,
                        "-d", schema("L", 0), "-D", "-", "-o", "/dev/null", url));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        String limited = null;
        int guesses = 0;
        // each refusal costs the registry a hash; under load its bucket refills a little meanwhile: a bounded number more
        while (guesses < 30) {
            Cmd.Result r = curl.apply("127.0.0.2", CLIENT + ":guess-" + guesses++);
            assertTrue(r.ok(), r.out());
            if (!r.out().startsWith("HTTP/1.1 401") && !r.out().startsWith("HTTP/2 401")) {
                limited = r.out();
                break;
            }
        }
        assertTrue(limited != null && guesses > 10, "429 after the burst of 10, not before: " + guesses + "\n" + limited);
        assertTrue(limited.startsWith("HTTP/1.1 429") || limited.startsWith("HTTP/2 429"), limited);
        assertTrue(limited.lines().anyMatch(l -> l.toLowerCase(java.util.Locale.ROOT).matches("retry-after: [1-6]")), limited);
        Cmd.Result other = curl.apply("127.0.0.1", CLIENT + ":" + CLIENT_PASSWORD);
        assertTrue(other.out().startsWith("HTTP/1.1 200") || other.out().startsWith("HTTP/2 200"),
                "another address logs in as before: " + other.out());
        String log = registry.logText();
        assertTrue(log.contains("login refused: user alice from 127.0.0.2: unknown user or wrong password"), registry.logTail());
        assertTrue(log.contains("10 or more refused from 127.0.0.2: its logins are answered 429"), registry.logTail());
        assertFalse(log.contains("guess-"), "no password in the log");
    }
    void theLogNamesRefusalsButNoPasswordOrAuthorizationHeader() throws Exception {
        String log = registry.logText();
        assertTrue(log.contains("logins required for writes (dockhand.registry.auth=writes); users from "
                + registry.tlsDir.resolve("users.hashed") + ": 2 users (1 admin, 1 client)"), registry.logTail());
        assertTrue(log.contains("403 DELETE /apis/ccompat/v7/subjects/orders-value: user alice has the client role"), registry.logTail());
        for (String secret : List.of(CLIENT_PASSWORD, ADMIN_PASSWORD, AS_CLIENT.substring(6), AS_ADMIN.substring(6), "Authorization",
                "authorization")) {
            assertFalse(log.contains(secret), "the log holds " + secret);
        }
        assertFalse(log.contains("Expected header 'X-Apicurio-Registry-ResponseTimeoutReadinessCheck-RequestStart' not found"),
                "a refusal logs no warning of Apicurio's");
    }
    void inModeAllReadsNeedALoginButHealthStaysOpen() throws Exception {
        try (Registry all = Registry.start(work.resolve("node-all"), composed(Security.TLS), "dockhand.registry.auth=all\n")) {
            all.awaitReady(https);
            HttpRequest.Builder config = HttpRequest.newBuilder(URI.create(all.url("/apis/ccompat/v7/config"))).timeout(Duration.ofSeconds(30));
            HttpResponse<String> anonymous = https.send(config.build(), HttpResponse.BodyHandlers.ofString());
            assertUnauthorized(anonymous, "an anonymous read");
            HttpResponse<String> read = https.send(config.header("Authorization", AS_CLIENT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, read.statusCode(), read.body());
            assertEquals(200, https.send(HttpRequest.newBuilder(URI.create(all.url("/health/ready"))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "the agent's probe needs no login");
        }
    }
    void aMalformedUsersFileStopsTheStartNamingTheFile() throws Exception {
        try (Registry bad = Registry.prepare(work.resolve("node-bad"), composed(Security.TLS), null)) {
            Path users = bad.tlsDir.resolve("users.hashed");
            Files.writeString(users, Files.readString(users) + "bob:superuser:AAAA:AAAA\n");
            bad.launch();
            assertTrue(bad.process.waitFor(START.toSeconds(), TimeUnit.SECONDS), "the registry runs with a malformed users file");
            String log = bad.logText();
            assertNotEquals(0, bad.process.exitValue(), log);
            assertTrue(log.contains("users file " + users + ":4: user bob has an unknown role (use client or admin)"), log);
            assertFalse(log.contains("Listening on"), log);
        }
    }
}
