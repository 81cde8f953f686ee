import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What a Confluent-compatible registry costs, three ways (figures only; asserts nothing):
 *   apicurio  Apicurio 2.4.2 as built, our layer off (dockhand.registry.confluent-answers=false), the
 *             default rule from registry.rules.global.compatibility: what configuration alone gives
 *   layer     the same with our JAX-RS layer on (as shipped)
 *   proxy     Apicurio with the layer off behind a separate forwarding proxy JVM (JDK HttpServer and
 *             HttpClient, the agent's small-JVM flags): the least a proxy process costs, before it
 *             rewrites anything
 * For each: time from exec to /health/ready, RSS after the workload (registry, and proxy), and the
 * median and 90th percentile of GET /config, GET /schemas/ids/1 and POST of a compatible version.
 *
 *   it/bench/registry-compat-bench.sh [RUNS]   (compiles this file, runs it with the build's jar)
 */
public class RegistryCompatBench {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String CT = "application/vnd.schemaregistry.v1+json";

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("proxy")) {
            proxy(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        Path jar = Path.of(args[0]).toAbsolutePath();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<String> rows = new ArrayList<>();
        for (String variant : List.of("apicurio", "layer", "proxy")) {
            List<double[]> results = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                results.add(run(jar, variant));
            }
            rows.add(row(variant, results));
        }
        System.out.println();
        System.out.println("| variant | ready (s) | RSS registry (MiB) | RSS proxy (MiB) | GET /config p50/p90 (ms) | GET /schemas/ids/1 p50/p90 (ms) | POST version p50/p90 (ms) |");
        System.out.println("|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println("(medians over " + runs + " runs; each run 300 GETs of each kind and 60 POSTs, one client thread)");
    }

    /** {ready s, rss registry MiB, rss proxy MiB, config p50, p90, byId p50, p90, post p50, p90}. */
    static double[] run(Path jar, String variant) throws Exception {
        int port = freePort();
        Path dir = Files.createTempDirectory("registry-bench");
        Path props = dir.resolve("application.properties");
        Files.writeString(props, "registry.rules.global.compatibility=BACKWARD\n"
                + "dockhand.registry.confluent-answers=" + variant.equals("layer") + "\n");
        ProcessBuilder pb = new ProcessBuilder("java", "-Xms128m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.config.locations=" + props, "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile());
        long t0 = System.nanoTime();
        Process registry = pb.start();
        Process proxy = null;
        try {
            await("http://127.0.0.1:" + port + "/health/ready", registry, dir);
            double ready = (System.nanoTime() - t0) / 1e9;
            int front = port;
            if (variant.equals("proxy")) {
                front = freePort();
                proxy = new ProcessBuilder("java", "-XX:+UseSerialGC", "-Xms4m", "-Xmx32m", "-Xss512k", "-XX:-UsePerfData",
                        "-XX:TieredStopAtLevel=1", "-Dsun.net.httpserver.nodelay=true", // no Nagle wait on replies
                        "-cp", System.getProperty("java.class.path"), "RegistryCompatBench",
                        "proxy", String.valueOf(front), String.valueOf(port))
                        .redirectErrorStream(true).redirectOutput(dir.resolve("proxy.log").toFile()).start();
                await("http://127.0.0.1:" + front + "/health/ready", proxy, dir);
            }
            String base = "http://127.0.0.1:" + front + "/apis/ccompat/v7";
            post(base + "/subjects/bench-value/versions", schema(0));
            double[] config = times(300, () -> get(base + "/config"));
            double[] byId = times(300, () -> get(base + "/schemas/ids/1"));
            int[] n = {1};
            double[] posts = times(60, () -> post(base + "/subjects/bench-value/versions", schema(n[0]++)));
            double rss = rssMiB(registry.pid());
            double proxyRss = proxy == null ? 0 : rssMiB(proxy.pid());
            System.out.printf(Locale.ROOT, "%s: ready %.1f s, rss %.0f MiB%s%n", variant, ready, rss,
                    proxy == null ? "" : String.format(Locale.ROOT, " + proxy %.0f MiB", proxyRss));
            return new double[] {ready, rss, proxyRss, pct(config, 50), pct(config, 90), pct(byId, 50), pct(byId, 90),
                    pct(posts, 50), pct(posts, 90)};
        } finally {
            for (Process p : new Process[] {proxy, registry}) {
                if (p != null) {
                    p.destroy();
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
        }
    }

    /** A record schema with n optional fields more than version 0: every version is BACKWARD compatible. */
    static String schema(int n) {
        StringBuilder fields = new StringBuilder("{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"string\\\"}");
        for (int i = 0; i < n; i++) {
            fields.append(",{\\\"name\\\":\\\"f").append(i).append("\\\",\\\"type\\\":\\\"int\\\",\\\"default\\\":0}");
        }
        return "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"fields\\\":[" + fields + "]}\"}";
    }

    interface Call {
        int run() throws Exception;
    }

    static double[] times(int count, Call call) throws Exception {
        double[] ms = new double[count];
        for (int i = 0; i < count; i++) {
            long t = System.nanoTime();
            int status = call.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
            if (status != 200) {
                throw new IllegalStateException("HTTP " + status + " in the workload");
            }
        }
        return ms;
    }

    static int get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static int post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).header("Content-Type", CT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static void await(String url, Process p, Path dir) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            if (!p.isAlive()) {
                throw new IllegalStateException("exited " + p.exitValue() + "; see " + dir);
            }
            try {
                if (get(url) == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50); // polling a process we started: nothing to wait on
        }
        throw new IllegalStateException(url + " not ready within 120 s; see " + dir);
    }

    static double rssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return 0;
    }

    static double pct(double[] v, int p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }

    static double median(List<double[]> rs, int i) {
        double[] v = rs.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v[v.length / 2];
    }

    static String row(String variant, List<double[]> rs) {
        return String.format(Locale.ROOT, "| %s | %.1f | %.0f | %s | %.2f / %.2f | %.2f / %.2f | %.1f / %.1f |", variant,
                median(rs, 0), median(rs, 1), variant.equals("proxy") ? String.format(Locale.ROOT, "%.0f", median(rs, 2)) : "–",
                median(rs, 3), median(rs, 4), median(rs, 5), median(rs, 6), median(rs, 7), median(rs, 8));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A forwarding proxy: every request to 127.0.0.1:listen is sent on to 127.0.0.1:target as is. */
    static void proxy(int listen, int target) throws IOException {
        var server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", listen), 64);
        HttpClient upstream = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", ex -> {
            try (ex; InputStream in = ex.getRequestBody()) {
                byte[] body = in.readAllBytes();
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target + ex.getRequestURI()))
                        .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
                String ct = ex.getRequestHeaders().getFirst("Content-Type");
                if (ct != null) {
                    b.header("Content-Type", ct);
                }
                HttpResponse<byte[]> r = upstream.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                r.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
                ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(r.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        System.out.println("proxy " + listen + " -> " + target + " " + StandardCharsets.UTF_8.name());
    }
}
