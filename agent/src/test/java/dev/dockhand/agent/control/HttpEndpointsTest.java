package dev.dockhand.agent.control;

import dev.dockhand.agent.testing.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.protocol.Jackson;
import dev.dockhand.agent.protocol.AgentSnapshot.ProbeSnapshot;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.protocol.ServiceState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpEndpointsTest {
    @TempDir
    Path tmp;

    private FakeSupervisor fake;
    private ControlServer server;
    private String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws IOException {
        fake = FakeSupervisor.allReady();
        server = ControlServer.start(fake, tmp.resolve("agent.sock"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        base = "http://127.0.0.1:" + server.httpAddress().orElseThrow().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readinessFlipsTo503WhenAServiceStopsAndLivenessStays200() throws Exception {
        assertEquals(200, get("/readyz").statusCode());
        assertEquals("ready\n", get("/readyz").body());

        assertTrue(new ControlClient(server.socket()).stop("kafka", false).ok());
        HttpResponse<String> r = get("/readyz");
        assertEquals(503, r.statusCode());
        assertEquals("not ready: kafka STOPPED (probe passed)\n", r.body());

        assertEquals(200, get("/livez").statusCode(), "a stopped service does not make the agent dead");
    }

    @Test
    void livenessHoldsWhileAServiceIsStillStarting() throws Exception {
        fake.set("kafka", ServiceState.STARTING, "recovering logs", new ProbeSnapshot(false, "connection refused", 1, 1));
        assertEquals(200, get("/livez").statusCode());
        assertEquals(503, get("/readyz").statusCode());
        fake.alive(false);
        assertEquals(503, get("/livez").statusCode());
    }

    @Test
    void statusIsTheSnapshotAsJson() throws Exception {
        HttpResponse<String> r = get("/status");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        var tree = Jackson.JSON.readTree(r.body());
        assertEquals("broker-1.kafka1.example", tree.get("fqdn").asText());
        assertEquals("zookeeper", tree.get("services").get(0).get("id").asText());
        assertEquals("READY", tree.get("services").get(0).get("state").asText());
        assertEquals(3, tree.get("services").get(0).get("lastProbe").get("latencyMs").asInt());
    }

    @Test
    void onlyGetAndHeadOnExactPaths() throws Exception {
        HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(base + "/status")).POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        assertEquals(405, send(HttpRequest.newBuilder(URI.create(base + "/readyz")).DELETE()).statusCode());

        HttpResponse<String> head = send(HttpRequest.newBuilder(URI.create(base + "/metrics")).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());

        assertEquals(404, get("/").statusCode());
        assertEquals(404, get("/livez/extra").statusCode());
    }

    @Test
    void metricsFollowTheTextFormat() throws Exception {
        fake.set("kafka", ServiceState.BACKOFF, "exited 1", new ProbeSnapshot(false, "connection refused", 250, 1));
        fake.stopGate("kafka", new AgentSnapshot.StopGateSnapshot(true, 12_500, 60_000, "not safe: t-0 (ISR 5,6)", 3, 1));
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        List<PrometheusTextCheck.Sample> samples = PrometheusTextCheck.parse(r.body());
        assertEquals(1.0, value(samples, "dockhand_service_up", Map.of("service", "zookeeper")));
        assertEquals(0.0, value(samples, "dockhand_service_up", Map.of("service", "kafka")));
        assertEquals(1.0, value(samples, "dockhand_service_state", Map.of("service", "kafka", "state", "BACKOFF")));
        assertEquals(0.0, value(samples, "dockhand_service_state", Map.of("service", "kafka", "state", "READY")));
        assertEquals(ServiceState.values().length * 2L,
                samples.stream().filter(s -> s.name().equals("dockhand_service_state")).count(), "every state, every service");
        assertEquals(0.25, value(samples, "dockhand_service_probe_latency_seconds", Map.of("service", "kafka")));
        assertEquals(0.0, value(samples, "dockhand_service_probe_success", Map.of("service", "kafka")));
        assertEquals(0.0, value(samples, "dockhand_service_restarts_total", Map.of("service", "kafka")));
        assertEquals(40.0 * 1024 * 1024, value(samples, "dockhand_agent_resident_memory_bytes", Map.of()));
        assertEquals(3723.0, value(samples, "dockhand_agent_uptime_seconds", Map.of()));
        assertEquals(0.0, value(samples, "dockhand_agent_ready", Map.of()));
        assertEquals(1.0, value(samples, "dockhand_service_stop_waiting", Map.of("service", "kafka")));
        assertEquals(12.5, value(samples, "dockhand_service_stop_wait_seconds", Map.of("service", "kafka")));
        assertEquals(3.0, value(samples, "dockhand_service_stop_waits_total", Map.of("service", "kafka")));
        assertEquals(1.0, value(samples, "dockhand_service_stop_unsafe_total", Map.of("service", "kafka")));
        assertEquals(0, samples.stream().filter(s -> s.name().startsWith("dockhand_service_stop_")
                && s.labels().get("service").equals("zookeeper")).count(), "a service without a stop gate has no gate metrics");
        for (String family : List.of("dockhand_service_up", "dockhand_service_state", "dockhand_service_restarts_total",
                "dockhand_service_probe_latency_seconds", "dockhand_service_probe_success", "dockhand_service_stop_waiting",
                "dockhand_service_stop_wait_seconds", "dockhand_service_stop_waits_total", "dockhand_service_stop_unsafe_total",
                "dockhand_agent_resident_memory_bytes", "dockhand_agent_uptime_seconds", "dockhand_agent_ready")) {
            assertTrue(r.body().contains("# HELP " + family + " "), family);
            assertTrue(r.body().contains("# TYPE " + family + " " + (family.endsWith("_total") ? "counter" : "gauge") + "\n"), family);
        }
    }

    @Test
    void labelValuesAreEscaped() {
        FakeSupervisor odd = new FakeSupervisor().service("we\"ird\\name\nx", ServiceState.READY, "", null);
        String text = Metrics.render(odd.snapshot());
        assertTrue(text.contains("dockhand_service_up{service=\"we\\\"ird\\\\name\\nx\"} 1\n"), text);
        var up = PrometheusTextCheck.parse(text).stream().filter(s -> s.name().equals("dockhand_service_up")).findFirst().orElseThrow();
        assertEquals("we\"ird\\name\nx", up.labels().get("service"));
    }

    @Test
    void theStrictCheckRejectsBrokenText() {
        for (String bad : List.of(
                "x 1", // no final newline
                "x{a=\"b} 1\n",
                "x{a=b} 1\n",
                "x 1,5\n",
                "# TYPE x gauge\n# TYPE x gauge\nx 1\n",
                "x 1\n# TYPE x gauge\n",
                "x{a=\"1\"} 1\ny 1\nx{a=\"2\"} 1\n",
                "x{a=\"\\t\"} 1\n",
                "x 1\nx 2\n")) {
            assertThrowsIllegal(bad);
        }
    }

    private static void assertThrowsIllegal(String text) {
        try {
            PrometheusTextCheck.parse(text);
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError("accepted broken text: " + text);
    }

    /** The reference client library's parser (Python prometheus_client) reads the same samples. */
    @Test
    void theReferenceClientsParserReadsTheSameSamples() throws Exception {
        Need.executable(Path.of("/usr/bin/python3"), "python3");
        Process check = new ProcessBuilder("/usr/bin/python3", "-c", "import prometheus_client.parser").start();
        Need.that(check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0,
                () -> "needs python3-prometheus-client (apt-get install python3-prometheus-client)");

        fake.set("kafka", ServiceState.UNHEALTHY, "probe failing", new ProbeSnapshot(false, "timeout", 1500, 1));
        fake.stopGate("kafka", new AgentSnapshot.StopGateSnapshot(false, 0, 60_000, null, 1, 0));
        String text = get("/metrics").body();
        String script = String.join("\n",
                "import sys",
                "from prometheus_client.parser import text_string_to_metric_families",
                "for f in text_string_to_metric_families(sys.stdin.read()):",
                "    for s in f.samples:",
                "        print(f.type, s.name, ','.join(k + '=' + v for k, v in sorted(s.labels.items())), repr(float(s.value)))");
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "parser finished");
        assertEquals(0, p.exitValue(), out);

        TreeSet<String> fromPython = new TreeSet<>(List.of(out.strip().split("\n")));
        TreeSet<String> ours = PrometheusTextCheck.parse(text).stream()
                .map(s -> type(s.name()) + " " + s.name() + " " + new java.util.TreeMap<>(s.labels()).entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")) + " " + python(s.value()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(ours, fromPython);
        assertTrue(fromPython.contains("gauge dockhand_service_probe_latency_seconds service=kafka 1.5"), out);
    }

    private static String type(String name) {
        return name.endsWith("_total") ? "counter" : "gauge";
    }

    private static String python(double v) {
        return v == Math.rint(v) ? ((long) v) + ".0" : Double.toString(v);
    }

    private static double value(List<PrometheusTextCheck.Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels)).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name + labels)).value();
    }
}
