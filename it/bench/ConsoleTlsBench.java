import dev.dockhand.agent.security.ClusterCa;
import dev.dockhand.agent.security.NodeTls;
import dev.dockhand.agent.security.TlsContexts;
import dev.dockhand.agent.security.Users;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;

/**
 * Figures for the console over TLS, next to the same figures in plain HTTP, in one run: the page's
 * and /readyz's latency as a browser, a probe and a script see them, the login's cost, and how a
 * fresh client fares while a crowd stalls the TLS handshake. Prints; asserts nothing.
 *
 * <p>Two consoles from agent-console.jar with no cluster behind them (every source "down", the
 * overview cached for the whole run): what is measured is the console's serving, not a cluster.
 * Loopback only. Usage: java -cp agent-console.jar ConsoleTlsBench.java JAR REQUESTS CROWD
 */
public final class ConsoleTlsBench {
    static Path work;
    static SSLContext client;
    static String login;
    static final List<Process> started = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        int requests = Integer.parseInt(args[1]);
        int crowd = Integer.parseInt(args[2]);
        work = Files.createTempDirectory("console-tls-bench");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> started.forEach(Process::destroyForcibly)));

        ClusterCa ca = ClusterCa.create("bench CA", Instant.now(), 1);
        NodeTls node = NodeTls.issue(ca, List.of("localhost"), Instant.now(), 1);
        Path key = secret("node.key", node.keyPem());
        Path crt = secret("node.crt", node.chainPem());
        secret("ca.pem", node.caPem());
        Path users = secret("users", "bench:bench-password-1\n");
        List<String> problems = new ArrayList<>();
        Path hashed = secret("users.hashed", Users.read(users, "bench", problems).hashedFile());
        client = TlsContexts.of((PrivateKey) null, List.of(), List.of(ca.certificate()));
        login = "Basic " + Base64.getEncoder().encodeToString("bench:bench-password-1".getBytes(StandardCharsets.UTF_8));

        int plainPort = free();
        int tlsPort = free();
        Process plain = console(jar, "plain", plainPort, "");
        Process tls = console(jar, "tls", tlsPort, String.join("\n", "listen.tls.certificate=" + crt, "listen.tls.key=" + key,
                "login.users=" + hashed, ""));
        awaitReady(plainPort, false);
        awaitReady(tlsPort, true);
        // warm both up alike: the JIT and the page's first render are not what is measured
        for (int i = 0; i < 200; i++) {
            get(plainPort, false, "/", null, true);
            get(tlsPort, true, "/", login, true);
        }

        System.out.printf("console over TLS vs plain HTTP: %d requests per row, loopback, %d cores, load %.1f%n%n",
                requests, Runtime.getRuntime().availableProcessors(), load());
        System.out.printf("%-58s %9s %9s %9s%n", "request (connect to last byte)", "p50 ms", "p99 ms", "max ms");
        row("GET /readyz, plain, new connection (the agent's probe)", requests, () -> get(plainPort, false, "/readyz", null, true));
        row("GET /readyz, TLS port in plain text (the agent's probe)", requests, () -> get(tlsPort, false, "/readyz", null, true));
        row("GET /readyz, TLS, new connection, full handshake", requests, () -> get(tlsPort, true, "/readyz", null, false));
        row("GET /readyz, TLS, new connection, session resumed", requests, () -> get(tlsPort, true, "/readyz", null, true));
        row("GET / page, plain, new connection", requests, () -> get(plainPort, false, "/", null, true));
        row("GET / page, TLS + login, new connection, full handshake", requests, () -> get(tlsPort, true, "/", login, false));
        try (Kept plainKept = new Kept(plainPort, false); Kept tlsKept = new Kept(tlsPort, true)) {
            row("GET / page, plain, kept connection (a browser's refresh)", requests, () -> plainKept.get("/", null));
            row("GET / page, TLS + login, kept connection (a browser's refresh)", requests, () -> tlsKept.get("/", login));
        }
        long t0 = System.nanoTime();
        int firstLogin = getStatus(tlsPort, "/", "Basic " + Base64.getEncoder().encodeToString("bench:wrong-password-1".getBytes()));
        long wrong = System.nanoTime() - t0;
        System.out.printf("%-58s %9.1f   (HTTP %d; a wrong password is never remembered, so every one costs this)%n",
                "GET / page, TLS, a wrong password (PBKDF2 each time)", wrong / 1e6, firstLogin);
        System.out.printf("%nserver at the end: plain %s; tls %s%n", proc(plain), proc(tls));

        stall(tlsPort, tls, requests, crowd);
    }

    /**
     * A fresh client's /readyz latency while {@code crowd} connections stall their handshakes (each
     * reopened as soon as the server closes it, so the crowd never thins), and how long the server
     * kept each stalled one, measured as it closes.
     */
    static void stall(int port, Process server, int requests, int crowd) throws Exception {
        System.out.printf("%nTLS handshake stalls: %d connections that never finish their handshake (a third send nothing, a%n"
                + "third half a ClientHello, a third a whole one and never their Finished), each reopened as soon as the%n"
                + "server closes it; the server's deadline is 3 s from connecting%n%n", crowd);
        System.out.printf("%-58s %9s %9s %9s%n", "fresh TLS GET /readyz (full handshake)", "p50 ms", "p99 ms", "max ms");
        row("no crowd", requests, () -> get(port, true, "/readyz", null, false));
        byte[] hello = clientHello(port);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch allOpen = new java.util.concurrent.CountDownLatch(crowd);
        List<Double> lived = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger notClosed = new java.util.concurrent.atomic.AtomicInteger();
        List<Socket> current = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> keepers = new ArrayList<>();
        for (int i = 0; i < crowd; i++) {
            int kind = i % 3;
            Thread t = new Thread(() -> {
                boolean first = true;
                while (!stop.get()) {
                    try (Socket s = new Socket()) {
                        current.add(s);
                        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                        s.setSoTimeout(15_000);
                        if (kind == 1) {
                            s.getOutputStream().write(hello, 0, hello.length / 2);
                        } else if (kind == 2) {
                            s.getOutputStream().write(hello);
                        }
                        long t0 = System.nanoTime();
                        if (first) {
                            allOpen.countDown();
                            first = false;
                        }
                        try {
                            byte[] b = new byte[4096];
                            while (s.getInputStream().read(b) >= 0) {
                                // the server's half of a handshake, then its close
                            }
                        } catch (java.net.SocketTimeoutException e) {
                            notClosed.incrementAndGet();
                        } catch (IOException reset) {
                            // closed with a reset: closed all the same
                        }
                        if (!stop.get()) {
                            lived.add((System.nanoTime() - t0) / 1e6);
                        }
                        current.remove(s);
                    } catch (IOException e) {
                        if (first) {
                            allOpen.countDown();
                            first = false;
                        }
                    }
                }
            }, "stall-" + i);
            t.setDaemon(true);
            t.start();
            keepers.add(t);
        }
        allOpen.await(60, TimeUnit.SECONDS);
        System.out.printf("  (server with the crowd: %s)%n", proc(server));
        row("with the crowd", requests, () -> get(port, true, "/readyz", null, false));
        stop.set(true);
        synchronized (current) {
            for (Socket s : current) {
                s.close();
            }
        }
        for (Thread t : keepers) {
            t.join(20_000);
        }
        List<Double> sorted = new ArrayList<>(lived);
        sorted.sort(null);
        System.out.printf("%nstalled connections the server closed meanwhile: %d, each after p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                sorted.size(), pct(sorted, 50), pct(sorted, 99), sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1));
        if (notClosed.get() > 0) {
            System.out.printf("NOT closed within 15 s: %d%n", notClosed.get());
        }
        System.out.printf("server after: %s%n", proc(server));
    }

    interface Call {
        void run() throws Exception;
    }

    static void row(String name, int n, Call c) throws Exception {
        List<Double> ms = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            try {
                c.run();
                ms.add((System.nanoTime() - t0) / 1e6);
            } catch (Exception e) {
                failed++;
            }
        }
        ms.sort(null);
        System.out.printf("%-58s %9.2f %9.2f %9.2f%s%n", name, pct(ms, 50), pct(ms, 99), ms.isEmpty() ? 0 : ms.get(ms.size() - 1),
                failed > 0 ? "  (" + failed + " failed)" : "");
    }

    static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /** One request on a new connection; {@code resume}: with the shared client context (TLS sessions resumed). */
    static void get(int port, boolean tls, String path, String auth, boolean resume) throws Exception {
        try (Socket s = open(port, tls, resume)) {
            s.getOutputStream().write(request(path, auth, true));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            if (!answer.startsWith("HTTP/1.1 200 ")) {
                throw new IOException(answer.lines().findFirst().orElse("(nothing)"));
            }
        }
    }

    static int getStatus(int port, String path, String auth) throws Exception {
        try (Socket s = open(port, true, true)) {
            s.getOutputStream().write(request(path, auth, true));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(answer.substring(9, 12));
        }
    }

    static Socket open(int port, boolean tls, boolean resume) throws Exception {
        Socket raw = new Socket();
        raw.setTcpNoDelay(true); // as browsers and curl do
        raw.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        raw.setSoTimeout(10_000);
        if (!tls) {
            return raw;
        }
        SSLContext ctx = client;
        if (!resume) {
            // a new context has an empty session cache: a full handshake, as every new client makes
            ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf(), null);
        }
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "localhost", port, true);
        s.setSSLParameters(TlsContexts.verifyingHost(ctx));
        return s;
    }

    static javax.net.ssl.TrustManager[] trust;

    static javax.net.ssl.TrustManager[] tmf() throws Exception {
        if (trust == null) {
            // the CA alone: only the session cache is new in each full-handshake client
            javax.net.ssl.TrustManagerFactory t = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
                    Files.newInputStream(work.resolve("ca.pem"))));
            t.init(ks);
            trust = t.getTrustManagers();
        }
        return trust;
    }

    static byte[] request(String path, String auth, boolean close) {
        return ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + (auth == null ? "" : "Authorization: " + auth + "\r\n")
                + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One kept connection and its requests, read by Content-Length. */
    static final class Kept implements AutoCloseable {
        final Socket s;

        Kept(int port, boolean tls) throws Exception {
            s = open(port, tls, true);
        }

        void get(String path, String auth) throws Exception {
            s.getOutputStream().write(request(path, auth, false));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed");
                }
                head.write(b);
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            int at = h.indexOf("Content-Length: ") + 16;
            in.readNBytes(Integer.parseInt(h.substring(at, h.indexOf("\r\n", at))));
            if (!h.startsWith("HTTP/1.1 200 ")) {
                throw new IOException(h);
            }
        }

        @Override
        public void close() throws IOException {
            s.close();
        }
    }

    static byte[] clientHello(int port) throws Exception {
        SSLEngine e = client.createSSLEngine("localhost", port);
        e.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
        e.wrap(ByteBuffer.allocate(0), out);
        return Arrays.copyOf(out.array(), out.position());
    }

    static Process console(String jar, String name, int port, String extra) throws Exception {
        Path props = Files.writeString(work.resolve(name + ".properties"), String.join("\n", "listen.host=127.0.0.1",
                "listen.port=" + port, "cluster.name=bench", "bootstrap.servers=127.0.0.1:1", "agents=",
                "request.timeout.ms=500", "cache.ms=600000", "refresh.seconds=5", "") + extra);
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-cp", jar, "dev.dockhand.agent.cli.Main", "console", "--config", props.toString()))
                .redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
        started.add(p);
        return p;
    }

    static void awaitReady(int port, boolean tls) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                get(port, tls, "/readyz", null, true);
                return;
            } catch (Exception e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("console on " + port + " not ready in 60 s");
    }

    static String proc(Process p) {
        try {
            String status = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "status"));
            String threads = status.lines().filter(l -> l.startsWith("Threads:")).findFirst().orElse("").replaceAll("\\s+", " ");
            String rss = status.lines().filter(l -> l.startsWith("VmRSS:")).findFirst().orElse("").replaceAll("\\s+", " ");
            return threads + ", " + rss;
        } catch (IOException e) {
            return "(gone)";
        }
    }

    static double load() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    static Path secret(String name, String text) throws IOException {
        Path f = Files.writeString(work.resolve(name), text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
