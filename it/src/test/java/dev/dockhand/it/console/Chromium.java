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

    Chromium(Path workDir) throws Exception {
        int port = Ports.free();
        driver = ChildProcess.start("chromedriver", workDir, List.of(DRIVER.toString(), "--port=" + port));
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
