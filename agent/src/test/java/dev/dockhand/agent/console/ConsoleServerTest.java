package dev.dockhand.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConsoleServerTest {
    private Console console;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        ConsoleConfig config = Fixtures.config("listen.host", "127.0.0.1", "listen.port", "0", "actions.enabled", "true",
                "agents", "broker=b1:9800,gateway=gw:9800");
        Overview o = Fixtures.overview();
        console = Console.start(config, d -> o.kafka(), (m, d) -> null, d -> o.registry(),
                (e, d) -> o.nodes().stream().filter(n -> n.address().equals(e.address())).findFirst().orElseThrow());
    }

    @AfterEach
    void stop() {
        console.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console.port() + path))
                .timeout(Duration.ofSeconds(5)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesPageJsonMetricsAndLivez() throws Exception {
        HttpResponse<String> page = send("GET", "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
        assertTrue(page.body().contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

        HttpResponse<String> json = send("GET", "/api/overview");
        assertEquals(200, json.statusCode());
        assertEquals("down: connection refused", Http.JSON.readTree(json.body()).path("nodes").get(1).path("status").asText());

        HttpResponse<String> metrics = send("GET", "/metrics");
        assertTrue(metrics.body().contains("dockhand_console_nodes_up 1"), metrics.body());
        assertEquals("ok\n", send("GET", "/livez").body());
        assertEquals(200, send("GET", "/readyz").statusCode(), "an overview has been collected");
    }

    @Test
    void readyOnlyOnceTheFirstOverviewIsThereWhichItCollectsByItself() throws Exception {
        ConsoleConfig config = Fixtures.config("listen.host", "127.0.0.1", "listen.port", "0");
        Overview o = Fixtures.overview();
        CountDownLatch kafkaAnswers = new CountDownLatch(1);
        try (Console slow = Console.start(config, d -> {
            kafkaAnswers.await(10, TimeUnit.SECONDS);
            return o.kafka();
        }, (m, d) -> null, d -> o.registry(), (e, d) -> o.nodes().get(0))) {
            HttpResponse<String> before = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + slow.port() + "/readyz"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, before.statusCode(), "no overview yet: " + before.body());
            kafkaAnswers.countDown();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int status = 0;
            while (status != 200 && System.nanoTime() < deadline) {
                status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + slow.port() + "/readyz"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                Thread.sleep(20); // polling the console's own warm-up, nothing to wait on
            }
            assertEquals(200, status, "ready once the warm-up collection is done, with no page asked for");
        }
    }

    @Test
    void readOnlyEvenWithActionsEnabled() throws Exception {
        assertEquals(404, send("POST", "/api/nodes/b1/services/kafka/restart").statusCode());
        assertEquals(404, send("GET", "/actions").statusCode());
        assertEquals(405, send("POST", "/").statusCode());
        assertEquals(405, send("DELETE", "/api/overview").statusCode());
    }

    @Test
    void halfSentRequestsDoNotFreezeTheConsole() throws Exception {
        java.util.List<java.net.Socket> half = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", console.port());
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                half.add(s);
            }
            HttpResponse<String> livez = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console.port() + "/livez"))
                    .timeout(Duration.ofMillis(2500)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, livez.statusCode());
            assertEquals(200, send("GET", "/").statusCode());
        } finally {
            for (java.net.Socket s : half) {
                s.close();
            }
        }
    }
}
