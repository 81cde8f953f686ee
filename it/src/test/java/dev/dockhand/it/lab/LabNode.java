package dev.dockhand.it.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * One node: an agent as PID 1 of its own PID namespace inside its network namespace,
 * {@code ip netns exec dh-NAME unshare --pid --fork --mount-proc java ... -jar agent.jar run [ARGS]},
 * cwd {@code dir}, stdout and stderr appended to {@code dir/agent.log}. The process the test holds is
 * {@code unshare}; the agent is its only child, found through /proc and signalled by its host pid.
 */
public final class LabNode {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final LabNet net;
    private final String name;
    private final Path dir;
    private final Path agentJar;
    private final Map<String, String> env;
    private Process unshare;
    private long agentPid;
    private long startedNanos;
    /**
     * Every process this node started, as handles: a handle knows its process's start time, so a pid the kernel gave to
     * another process since (pid_max is 32768 here, and a long test under load wraps it) is not taken for a survivor.
     */
    private final List<ProcessHandle> everyPid = new ArrayList<>();

    public LabNode(LabNet net, String name, Path dir, Path agentJar, Map<String, String> env) {
        this.net = net;
        this.name = name;
        this.dir = dir;
        this.agentJar = agentJar;
        this.env = new LinkedHashMap<>(env);
        net.ip(name); // fails early for an unknown node
    }

    public String name() {
        return name;
    }

    public String fqdn() {
        return LabNet.fqdn(name);
    }

    public String ip() {
        return net.ip(name);
    }

    public Path dir() {
        return dir;
    }

    public Path log() {
        return dir.resolve("agent.log");
    }

    public Map<String, String> env() {
        return env;
    }

    /** Starts the agent ({@code agent run} plus {@code args}); returns once its host pid is known. */
    public LabNode start(String... args) {
        if (unshare != null && unshare.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        // before the start line: the first call may make the flags and archives (a few seconds)
        List<String> argv = net.exec(name, "unshare", "--pid", "--fork", "--mount-proc", "java");
        argv.addAll(AgentJvm.runFlags(agentJar));
        argv.addAll(List.of("-jar", agentJar.toString(), "run"));
        argv.addAll(List.of(args));
        try {
            Files.createDirectories(dir);
            Files.writeString(log(), "---- test: agent start " + java.time.Instant.now() + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("AGENT_") || k.startsWith("KAFKA_") || k.startsWith("JAVA_TOOL"));
        pb.environment().putAll(env);
        try {
            startedNanos = System.nanoTime();
            unshare = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + name, e);
        }
        everyPid.add(unshare.toHandle());
        agentPid = Timing.awaitValue("the agent of " + name + " (child of unshare " + unshare.pid() + ")", Duration.ofSeconds(20),
                Duration.ofMillis(20), () -> {
                    if (!unshare.isAlive()) {
                        throw new AssertionError("node " + name + " ended at once (exit " + unshare.exitValue() + "): " + tail(20));
                    }
                    for (long c : Procs.children(unshare.pid())) {
                        if (Procs.cmdline(c).contains("agent")) {
                            return c;
                        }
                    }
                    return null;
                }, () -> "children " + Procs.children(unshare.pid()));
        ProcessHandle.of(agentPid).ifPresent(everyPid::add);
        return this;
    }

    /** System.nanoTime() when the last start began. */
    public long startedNanos() {
        return startedNanos;
    }

    /** The agent's pid in the host's PID namespace. */
    public long agentPid() {
        return agentPid;
    }

    public boolean running() {
        return unshare != null && unshare.isAlive();
    }

    /** The agent's pid inside its own namespace (last field of NSpid): 1 when it is PID 1 there. */
    public long pidInNamespace() {
        String nspid = Procs.status(agentPid, "NSpid").orElseThrow(() -> new AssertionError("agent of " + name + " is gone"));
        String[] f = nspid.split("\\s+");
        return Long.parseLong(f[f.length - 1]);
    }

    /** The first process under the agent whose command line contains {@code marker} (e.g. {@code kafka.Kafka}). */
    public OptionalLong serviceProcess(String marker) {
        return Procs.descendantWith(agentPid, marker);
    }

    public void signalAgent(String signal) {
        Procs.signal(agentPid, signal);
    }

    /** Waits for the node (unshare, which ends with the agent's status) to exit; returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            Duration t = Timing.scaled(timeout);
            if (!unshare.waitFor(t.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("node " + name + " did not exit within " + t.toSeconds() + " s: " + tail(20));
            }
            return unshare.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** SIGTERM to the agent, bounded wait, then SIGKILL (which ends its whole PID namespace). Returns the exit code. */
    public int stop(Duration grace) {
        if (unshare == null) {
            return 0;
        }
        if (unshare.isAlive()) {
            signalAgent("TERM");
            try {
                if (!unshare.waitFor(Timing.scaled(grace).toMillis(), TimeUnit.MILLISECONDS)) {
                    signalAgent("KILL");
                    unshare.destroyForcibly();
                    unshare.waitFor(Timing.seconds(20).toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return unshare.isAlive() ? -1 : unshare.exitValue();
    }

    /**
     * SIGTERM to the agent, and once its status says it is stopping, SIGTERM again: the stop goes ahead
     * without waiting until it is safe (an operator or orchestrator that stops the whole cluster). Then as
     * {@link #stop}.
     */
    public int stopInsisting(Duration grace) {
        if (unshare == null || !unshare.isAlive()) {
            return stop(grace);
        }
        signalAgent("TERM");
        try {
            // two signals sent at once may reach the agent as one: the second only once the first was handled
            Timing.await(name + " stopping", Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
                if (!unshare.isAlive()) {
                    return true;
                }
                try {
                    return "STOPPING".equals(status().path("state").asText());
                } catch (RuntimeException e) {
                    return !unshare.isAlive();
                }
            });
        } catch (AssertionError e) {
            // not seen stopping: the stop below still bounds the wait and kills after it
        }
        return stop(grace);
    }

    /** Pids this node started (unshare and agents, every run) that are still alive: empty after stop. */
    public List<Long> survivors() {
        List<Long> out = new ArrayList<>();
        for (ProcessHandle h : everyPid) {
            // isAlive of a handle compares the start time too: false for a pid reused by another process
            if (h.isAlive() && Procs.alive(h.pid()) && !Procs.cmdline(h.pid()).isEmpty()) {
                out.add(h.pid());
            }
        }
        return out;
    }

    public String logText() {
        try {
            return Files.readString(log(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The log since the last start. */
    public String logSinceStart() {
        String all = logText();
        int i = all.lastIndexOf("---- test: agent start ");
        return i < 0 ? all : all.substring(i);
    }

    public String tail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** GET http://IP:port/path from the test JVM (the host side of the bridge). */
    public HttpResponse<String> http(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip() + ":" + port + path))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code method} https://FQDN:port/path with the cluster's CA as the only trust (the server's name
     * checked against its certificate), with a Basic login when {@code user} is not null.
     */
    public HttpResponse<String> https(javax.net.ssl.SSLContext tls, String method, int port, String path, String user, String password,
            String body) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).sslContext(tls).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://" + fqdn() + ":" + port + path)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/vnd.schemaregistry.v1+json");
        }
        if (user != null) {
            b.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The agent's snapshot from its HTTP {@code /status} (AGENT_HTTP_PORT, 9800 by default). */
    public JsonNode status() {
        int port = Integer.parseInt(env.getOrDefault("AGENT_HTTP_PORT", "9800"));
        HttpResponse<String> r = http(port, "/status");
        if (r.statusCode() != 200) {
            throw new IllegalStateException(name + " /status answered " + r.statusCode());
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The snapshot of one service from {@link #status()}, or null when the agent does not list it. */
    public JsonNode service(String id) {
        for (JsonNode s : status().path("services")) {
            if (id.equals(s.path("id").asText())) {
                return s;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return name + "(" + ip() + ", agent " + agentPid + ")";
    }
}
