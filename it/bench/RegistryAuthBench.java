import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.agent.security.TlsContexts;
import dev.dockhand.agent.security.Users;
import dev.dockhand.users.HashedUsers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * What the secured registry's logins cost a registration (figures only; asserts nothing). Three
 * registries from the templates as the catalog renders them:
 *   http        a plaintext node (as before): no TLS, no logins
 *   https       a secured node's HTTPS, logins off (the users-file line left out)
 *   https+login a secured node as shipped: HTTPS and a login for every write
 * Each: 40 registrations to warm up, then for each of USERS users its first registration (a new
 * subject; with logins, a new login: PBKDF2 of its password) and 4 more (new versions; the login
 * cache), one client thread, HTTP/1.1 with keep-alive as Confluent's Java client uses. Without
 * logins the same requests go without an Authorization header, so the columns compare one to one.
 *
 *   it/bench/registry-auth-bench.sh [RUNS] [USERS]   (compiles this file against the agent's jar)
 */
public class RegistryAuthBench {
    static final String CT = "application/vnd.schemaregistry.v1+json";
    static final int WARMUP = 40;
    static final int LATER = 4;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        Path templates = Path.of(args[1]).toAbsolutePath();
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int users = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        double[] hashes = new double[10];
        for (int i = 0; i < hashes.length; i++) {
            long t = System.nanoTime();
            HashedUsers.hash("bench-password", new byte[16]);
            hashes[i] = (System.nanoTime() - t) / 1e6;
        }
        System.out.printf(Locale.ROOT, "PBKDF2-HMAC-SHA256, %,d iterations, in this JVM: %.1f ms the first, %.1f ms the fastest of 10%n",
                HashedUsers.ITERATIONS, hashes[0], Arrays.stream(hashes).min().orElse(0));
        System.out.println("load average at start: " + Files.readString(Path.of("/proc/loadavg")).strip());
        List<String> rows = new ArrayList<>();
        for (String variant : List.of("http", "https", "https+login")) {
            List<double[]> results = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                results.add(run(jar, templates, variant, users));
            }
            rows.add(row(variant, results));
        }
        System.out.println();
        System.out.println("| variant | all registrations p50 / p90 (ms) | a user's first (new subject; new login) p50 / p90 (ms) | a user's later (new version; cached login) p50 / p90 (ms) |");
        System.out.println("|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.printf("(medians over %d runs; each run %d warm-up registrations, then %d users x (1 + %d) registrations)%n",
                runs, WARMUP, users, LATER);
        System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    /** {all p50, p90, first p50, p90, later p50, p90}. */
    static double[] run(Path jar, Path templates, String variant, int users) throws Exception {
        Path dir = Files.createTempDirectory("registry-auth-bench");
        Path tls = Files.createDirectories(dir.resolve("tls"));
        ClusterCa ca = ClusterCa.create("bench-ca", Instant.now(), 1);
        NodeTls node = NodeTls.issue(ca, List.of("localhost", "127.0.0.1"), Instant.now(), 1);
        secret(tls.resolve("node.key"), node.keyPem());
        secret(tls.resolve("node.crt"), node.chainPem());
        StringBuilder given = new StringBuilder("warmup:warmup-password\n");
        for (int u = 0; u < users; u++) {
            given.append("user").append(u).append(":password-").append(u).append('\n');
        }
        secret(dir.resolve("users"), given.toString());
        List<String> problems = new ArrayList<>();
        secret(tls.resolve("users.hashed"), Users.read(dir.resolve("users"), "bench", problems).hashedFile());
        if (!problems.isEmpty()) {
            throw new IllegalStateException(problems.toString());
        }

        int port = freePort();
        String shared = Files.readString(templates.resolve("schema-registry/application.properties"));
        String secured = Files.readString(templates.resolve("schema-registry/application-tls.properties"));
        if (variant.equals("https")) {
            secured = secured.lines().filter(l -> !l.startsWith("dockhand.registry.")).reduce("", (a, b) -> a + b + "\n");
        }
        String text = (variant.equals("http") ? "" : secured) + shared;
        text = text.replace("@@SERVICE_PORT@@", String.valueOf(port)).replace("@@TLS_DIR@@", tls.toString())
                .replace("@@DATA_DIR@@", dir.toString()).replace("@@UNIQUE_SELF_NODE_INT@@", "1").replace("@@GET_NODE_FQDN@@", "localhost");
        Path props = dir.resolve("application.properties");
        Files.writeString(props, text);
        Process registry = new ProcessBuilder("java", "-Xms128m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.config.locations=" + props, "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        try {
            SSLContext ctx = TlsContexts.of(null, List.of(), List.of(ca.certificate()));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ctx)
                    .sslParameters(TlsContexts.verifyingHost(ctx)).connectTimeout(Duration.ofSeconds(5)).build();
            String base = (variant.equals("http") ? "http" : "https") + "://127.0.0.1:" + port;
            await(http, base + "/health/ready", registry, dir);
            String api = base + "/apis/ccompat/v7/subjects/";
            boolean logins = variant.equals("https+login");
            for (int i = 0; i < WARMUP; i++) {
                time(http, api + "warmup-value/versions", schema(i), logins ? auth("warmup", "warmup-password") : null);
            }
            double[] first = new double[users];
            double[] later = new double[users * LATER];
            for (int u = 0; u < users; u++) {
                String login = logins ? auth("user" + u, "password-" + u) : null;
                String subject = api + "bench-" + u + "-value/versions";
                first[u] = time(http, subject, schema(0), login);
                for (int i = 0; i < LATER; i++) {
                    later[u * LATER + i] = time(http, subject, schema(i + 1), login);
                }
            }
            double[] all = new double[first.length + later.length];
            System.arraycopy(first, 0, all, 0, first.length);
            System.arraycopy(later, 0, all, first.length, later.length);
            System.out.printf(Locale.ROOT, "%s: first %.1f ms, later %.1f ms (p50)%n", variant, pct(first, 50), pct(later, 50));
            return new double[] {pct(all, 50), pct(all, 90), pct(first, 50), pct(first, 90), pct(later, 50), pct(later, 90)};
        } finally {
            registry.destroy();
            if (!registry.waitFor(30, TimeUnit.SECONDS)) {
                registry.destroyForcibly();
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String auth(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A record schema with n optional fields more than version 0: every version is BACKWARD compatible. */
    static String schema(int n) {
        StringBuilder fields = new StringBuilder("{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"string\\\"}");
        for (int i = 0; i < n; i++) {
            fields.append(",{\\\"name\\\":\\\"f").append(i).append("\\\",\\\"type\\\":\\\"int\\\",\\\"default\\\":0}");
        }
        return "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"fields\\\":[" + fields + "]}\"}";
    }

    /** One registration's latency in ms; fails on anything but 200. */
    static double time(HttpClient http, String url, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Content-Type", CT)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        long t = System.nanoTime();
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        double ms = (System.nanoTime() - t) / 1e6;
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + " " + r.body());
        }
        return ms;
    }

    static void await(HttpClient http, String url, Process p, Path dir) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < end) {
            if (!p.isAlive()) {
                throw new IllegalStateException("exited " + p.exitValue() + ": " + Files.readString(dir.resolve("registry.log")));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50); // polling a process we started: nothing to wait on
        }
        throw new IllegalStateException(url + " not ready within 180 s");
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
        return String.format(Locale.ROOT, "| %s | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f |", variant, median(rs, 0), median(rs, 1),
                median(rs, 2), median(rs, 3), median(rs, 4), median(rs, 5));
    }
}
