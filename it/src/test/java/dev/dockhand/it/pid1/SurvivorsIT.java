package dev.dockhand.it.pid1;

import dev.dockhand.it.lab.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dockhand.it.lab.AgentJvm;
import dev.dockhand.it.lab.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent that is not PID 1 (the dev stack's {@code run.sh}) killed with {@code -9} leaves its services
 * running, holding their ports. The next agent on the same data dir must stop them before it starts
 * its own, and must never take another process's socket for its service's readiness: a port held by a
 * process it did not start is a refusal that names the port and the holder.
 */
class SurvivorsIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();
    private int port;

    @BeforeEach
    void setUp() throws IOException {
        Need.that(Files.isRegularFile(Path.of(Pid1Agent.JAR)), () -> "no agent jar at " + Pid1Agent.JAR);
        Need.executable(Path.of("/usr/bin/python3"), "python3");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        TestCatalog catalog = new TestCatalog();
        ObjectNode web = catalog.service("web", "exec python3 -m http.server " + port + " --bind 127.0.0.1");
        web.put("port", port);
        web.putObject("health").put("type", "tcp").put("interval", "100ms").put("timeout", "1s").put("startupTimeout", "30s");
        Files.createDirectories(dir.resolve("templates"));
        Files.writeString(dir.resolve("catalog.json"), catalog.json());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        // a service a killed agent left behind: by the pid the ledger names
        Path ledger = dir.resolve(".dockhand/processes");
        if (Files.exists(ledger)) {
            for (String line : Files.readAllLines(ledger)) {
                String[] f = line.split(" ");
                if (f.length > 1) {
                    ProcessHandle.of(Long.parseLong(f[1])).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    private Process agent(String logName) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Pid1Agent.JAVA));
        cmd.addAll(AgentJvm.runFlags(Path.of(Pid1Agent.JAR)));
        cmd.addAll(List.of("-jar", Pid1Agent.JAR, "run", "--catalog", dir.resolve("catalog.json").toString(),
                "--templates", dir.resolve("templates").toString(), "--data-dir", dir.toString(),
                "--role", "node", "--cluster-config", "test", "--fqdn", "localhost"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(logName).toFile());
        pb.environment().put("AGENT_SOCKET", dir.resolve("agent.sock").toString());
        pb.environment().put("AGENT_HTTP_PORT", "0");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private JsonNode web() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Pid1Agent.JAVA, "-Xmx64m", "-jar", Pid1Agent.JAR, "status", "--json",
                "--socket", dir.resolve("agent.sock").toString()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return JSON.readTree(out).path("services").get(0);
    }

    private boolean portOpen() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether {@code pid} runs: a stopped orphan may stay a zombie until whoever it was re-parented to
     * reaps it (a JVM that is a subreaper reaps only its own children), and a zombie runs nothing.
     */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private String log(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }

    @Test
    void theServicesOfAKilledAgentAreStoppedByTheNextOneBeforeItStartsItsOwn() throws Exception {
        Process first = agent("first.log");
        Await.until("web READY under the first agent", Duration.ofSeconds(60),
                () -> assertEquals("READY", web().path("state").asText()));
        long orphan = web().path("pid").asLong();

        first.destroyForcibly(); // kill -9: nobody stops web
        assertTrue(first.waitFor(10, TimeUnit.SECONDS));
        assertTrue(running(orphan), "web outlived its agent");
        assertTrue(portOpen(), "and holds its port");

        agent("second.log");
        Await.until("web READY under the second agent", Duration.ofSeconds(60),
                () -> assertEquals("READY", web().path("state").asText()));
        assertFalse(running(orphan), "the orphan was stopped");
        assertTrue(web().path("pid").asLong() != orphan, "READY is the new process");
        assertEquals(0, web().path("restarts").asInt(), "no crash loop on 'address in use': " + log("second.log"));
        assertTrue(log("second.log").contains("web: pid " + orphan + " of a previous agent on this data dir is still running"),
                log("second.log"));
    }

    @Test
    void aPortHeldByAnotherProcessIsARefusalThatNamesItNotReadiness() throws Exception {
        Process foreign = new ProcessBuilder("python3", "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("foreign.log").toFile()).start();
        started.add(foreign);
        Await.until("the foreign server listens", Duration.ofSeconds(20), () -> assertTrue(portOpen()));

        agent("agent.log");
        JsonNode refused = Await.value("web refused to start", Duration.ofSeconds(60), () -> {
            JsonNode w = web();
            assertTrue(w.path("reason").asText().contains("port " + port + " is held by pid " + foreign.pid()), w.toString());
            return w;
        });
        assertFalse(refused.path("state").asText().equals("READY"), "another process's socket is not web's readiness");
        assertTrue(refused.path("reason").asText().contains("python3 -m http.server"), refused.toString());

        foreign.destroy();
        assertTrue(foreign.waitFor(10, TimeUnit.SECONDS));
        Await.until("web READY once the port is free", Duration.ofSeconds(60),
                () -> assertEquals("READY", web().path("state").asText()));
    }
}
