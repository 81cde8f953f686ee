package dev.dockhand.it.pid1;

import dev.dockhand.it.lab.AgentJvm;
import dev.dockhand.it.lab.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code agent run} as PID 1 of a fresh PID namespace ({@code unshare --pid --fork --mount-proc}) on a
 * test catalog in a temp dir. The agent's host pid is the one child of {@code unshare}; the test
 * signals it directly. {@link #close()} kills the agent by pid if it still runs, which ends every
 * process of the namespace.
 */
final class Pid1Agent implements AutoCloseable {
    static final String JAR = System.getProperty("agent.jar", "../agent/target/agent.jar");
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    /** The JVM's class-loading log, in {@link #dir}: which classes PID 1 keeps in memory. */
    static final String CLASS_LOG = "classes.log";

    final Path dir;
    final Path log;
    final Path socket;
    private Process unshare;
    private long agentPid;

    Pid1Agent(Path dir, String catalogJson) throws IOException {
        this.dir = dir;
        this.log = dir.resolve("agent.log");
        this.socket = dir.resolve("agent.sock");
        Files.createDirectories(dir.resolve("templates"));
        Files.writeString(dir.resolve("catalog.json"), catalogJson);
    }

    /** Whether this machine can run the agent in its own PID namespace: root, unshare, the jar. */
    static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root: unshare --pid needs CAP_SYS_ADMIN";
        }
        if (!Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            return "no /usr/bin/unshare (util-linux)";
        }
        if (!Files.isRegularFile(Path.of(JAR))) {
            return "no agent jar at " + JAR + " (mvn -pl agent package)";
        }
        return null;
    }

    Pid1Agent start() throws IOException, InterruptedException {
        return start(List.of());
    }

    /**
     * Starts the agent through {@code wrapper} (a command that sets something up and execs its
     * arguments, so that the agent keeps its pid), e.g. to start it with a signal ignored.
     */
    Pid1Agent start(List<String> wrapper) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc"));
        cmd.addAll(wrapper);
        cmd.add(JAVA);
        cmd.addAll(AgentJvm.runFlags(Path.of(JAR)));
        cmd.addAll(List.of("-Xlog:class+load=info:file=" + dir.resolve(CLASS_LOG), "-jar", JAR, "run",
                "--catalog", dir.resolve("catalog.json").toString(),
                "--templates", dir.resolve("templates").toString(),
                "--data-dir", dir.toString(),
                "--role", "node", "--cluster-config", "test", "--fqdn", "localhost"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("AGENT_SOCKET", socket.toString());
        pb.environment().put("AGENT_HTTP_PORT", "0");
        unshare = pb.start();
        agentPid = Await.value("the agent, child of unshare " + unshare.pid(), Duration.ofSeconds(10), () -> {
            List<Long> kids = children(unshare.pid());
            if (kids.size() != 1) {
                throw new AssertionError("children of unshare: " + kids);
            }
            return kids.get(0);
        });
        return this;
    }

    long agentPid() {
        return agentPid;
    }

    static List<Long> children(long pid) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                String c = Files.readString(t.resolve("children")).strip();
                if (!c.isEmpty()) {
                    for (String p : c.split("\\s+")) {
                        out.add(Long.parseLong(p));
                    }
                }
            }
        }
        return out;
    }

    /** {@code kill -SIG <agent's host pid>}. */
    void signal(String sig) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(agentPid)).redirectErrorStream(true).start();
        if (!k.waitFor(5, TimeUnit.SECONDS) || k.exitValue() != 0) {
            throw new AssertionError("kill -" + sig + " " + agentPid + " failed: " + new String(k.getInputStream().readAllBytes()));
        }
    }

    /** The agent's exit code (unshare --fork passes it on), or fails after {@code atMost}. */
    int awaitExit(Duration atMost) throws InterruptedException {
        if (!unshare.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the agent did not exit within " + atMost + "; log:\n" + logText());
        }
        return unshare.exitValue();
    }

    boolean running() {
        return unshare.isAlive();
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Lines of a file in the temp dir; empty when it does not exist yet. */
    List<String> lines(String file) throws IOException {
        Path p = dir.resolve(file);
        return Files.exists(p) ? Files.readAllLines(p).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }

    record Result(int code, String out) {}

    /** {@code agent ARGS} against this agent's socket. */
    Result cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-jar", JAR));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("AGENT_SOCKET", socket.toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("agent " + String.join(" ", args) + " did not finish in 30 s");
        }
        return new Result(p.exitValue(), new String(out));
    }

    /** pid -> state letter (R, S, Z, ...) of every process in the agent's PID namespace, read from the host's /proc. */
    Map<Long, String> namespaceProcesses() throws IOException {
        String ns = Files.readSymbolicLink(Path.of("/proc", Long.toString(agentPid), "ns", "pid")).toString();
        Map<Long, String> out = new java.util.TreeMap<>();
        try (Stream<Path> all = Files.list(Path.of("/proc"))) {
            for (Path p : all.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (!Files.readSymbolicLink(p.resolve("ns/pid")).toString().equals(ns)) {
                        continue;
                    }
                    String stat = Files.readString(p.resolve("stat"));
                    // pid (comm) S ...: comm may hold spaces and parentheses; the state follows the last ')'
                    String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    out.put(Long.parseLong(p.getFileName().toString()), state + " " + comm);
                } catch (IOException e) {
                    // the process ended while we looked
                }
            }
        }
        return out;
    }

    /** Kills the agent (and so its whole namespace) by pid if it still runs; then unshare. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (unshare == null) {
            return;
        }
        if (unshare.isAlive() && agentPid > 0) {
            new ProcessBuilder("kill", "-KILL", Long.toString(agentPid)).start().waitFor(5, TimeUnit.SECONDS);
        }
        if (!unshare.waitFor(10, TimeUnit.SECONDS)) {
            unshare.destroyForcibly();
            unshare.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
