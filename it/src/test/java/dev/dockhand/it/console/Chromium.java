package dev.dockhand.it.console;

import dev.dockhand.it.lab.Await;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Headless Chromium (Debian's {@code chromium} + {@code chromium-driver}) driven over the W3C
 * WebDriver protocol that chromedriver speaks: a few JSON calls, no Selenium (whose driver manager
 * may go looking for browsers on the network).
 */
final class Chromium implements AutoCloseable {
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path BROWSER = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChildProcess driver;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String session;

    static boolean installed() {
        return Files.isExecutable(DRIVER) && Files.isExecutable(BROWSER);
    }

    static final Path CERTUTIL = Path.of("/usr/bin/certutil");

    /**
     * A HOME in {@code dir} whose NSS database (where Chromium on Linux reads the CAs a user added)
     * trusts {@code caFile} for web sites; needs Debian's libnss3-tools.
     */
    static Path trusting(Path dir, Path caFile) throws Exception {
        Path db = Files.createDirectories(dir.resolve(".pki/nssdb"));
        for (List<String> cmd : List.of(
                List.of(CERTUTIL.toString(), "-N", "-d", "sql:" + db, "--empty-password"),
                List.of(CERTUTIL.toString(), "-A", "-d", "sql:" + db, "-n", "dockhand-test-ca", "-t", "C,,", "-i", caFile.toString()))) {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd + " failed: " + out);
            }
        }
        return dir;
    }

    /** Every request of this session from now on carries these headers (a login), through the DevTools protocol. */
    void headers(java.util.Map<String, String> headers) throws IOException, InterruptedException {
        check(call("POST", "/session/" + session + "/goog/cdp/execute",
                JSON.createObjectNode().put("cmd", "Network.enable").set("params", JSON.createObjectNode())));
        ObjectNode params = JSON.createObjectNode();
        ObjectNode h = params.putObject("headers");
        headers.forEach(h::put);
        check(call("POST", "/session/" + session + "/goog/cdp/execute",
                JSON.createObjectNode().put("cmd", "Network.setExtraHTTPHeaders").set("params", params)));
    }

    Chromium(Path workDir) throws Exception {
        this(workDir, null);
    }

    /**
     * @param home the browser's HOME, or null for the test's: a HOME whose {@code .pki/nssdb} holds a CA
     *     makes the browser trust it, as an operator's would after importing it ({@link #trusting})
     */
    Chromium(Path workDir, Path home) throws Exception {
        int port = Ports.free();
        driver = ChildProcess.start("chromedriver", workDir, List.of(DRIVER.toString(), "--port=" + port),
                home == null ? java.util.Map.of() : java.util.Map.of("HOME", home.toString()));
        base = "http://127.0.0.1:" + port;
        Await.until("chromedriver answers /status", Duration.ofSeconds(20),
                () -> call("GET", "/status", null).path("value").path("ready").asBoolean());
        ObjectNode caps = JSON.createObjectNode();
        ObjectNode options = caps.putObject("capabilities").putObject("alwaysMatch")
                .put("browserName", "chrome").putObject("goog:chromeOptions");
        options.put("binary", BROWSER.toString());
        var args = options.putArray("args");
        for (String a : List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1440,1100",
                "--user-data-dir=" + Files.createTempDirectory(workDir, "chromium-profile"))) {
            args.add(a);
        }
        JsonNode created = call("POST", "/session", caps);
        session = created.path("value").path("sessionId").asText(null);
        if (session == null) {
            throw new IllegalStateException("no WebDriver session: " + created + "\n" + driver.logTail());
        }
    }

    void open(String url) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("url", url);
        check(call("POST", "/session/" + session + "/url", body));
    }

    /** Runs {@code return ...;} in the page and gives back its value. */
    JsonNode script(String script) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("script", script);
        body.putArray("args");
        return check(call("POST", "/session/" + session + "/execute/sync", body)).path("value");
    }

    /** Runs a script that calls {@code arguments[0]} with its result (a promise's, say) and gives that back. */
    JsonNode scriptAsync(String script) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("script", script);
        body.putArray("args");
        return check(call("POST", "/session/" + session + "/execute/async", body)).path("value");
    }

    /** The text of an open alert dialog, or null when none is open. */
    String alertText() throws IOException, InterruptedException {
        JsonNode r = call("GET", "/session/" + session + "/alert/text", null);
        return r.path("value").has("error") ? null : r.path("value").asText();
    }

    void screenshot(Path file) throws IOException, InterruptedException {
        String png = check(call("GET", "/session/" + session + "/screenshot", null)).path("value").asText();
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    private static JsonNode check(JsonNode reply) {
        if (reply.path("value").has("error")) {
            throw new IllegalStateException("WebDriver: " + reply.path("value"));
        }
        return reply;
    }

    private JsonNode call(String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return JSON.readTree(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Override
    public void close() throws Exception {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } finally {
            driver.close();
        }
    }
}
