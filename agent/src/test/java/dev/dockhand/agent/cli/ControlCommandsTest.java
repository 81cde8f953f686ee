package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dockhand.agent.control.ControlServer;
import dev.dockhand.agent.control.FakeSupervisor;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.protocol.ServiceState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The control commands end to end: picocli, the client, a real socket, a fake supervisor. */
class ControlCommandsTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    private Run agent(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = AgentCommand.commandLine(env);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Run agent(Path socket, String... args) {
        return agent(Map.of("AGENT_SOCKET", socket.toString()), args);
    }

    @Test
    void statusOfAMixedNodeIsATableAndExits1() throws Exception {
        Path socket = tmp.resolve("agent.sock");
        try (ControlServer ignored = ControlServer.start(FakeSupervisor.mixed(), socket, null)) {
            Run r = agent(socket, "status");
            assertEquals(1, r.code(), r.toString());
            assertEquals("", r.err());
            String expected = String.join("\n",
                    "node     broker-1.kafka1.example  role broker  id 2",
                    "cluster  kafka1  config default",
                    "agent    DEGRADED  pid 1  up 1h02m  rss 40.0 MiB",
                    "",
                    "SERVICE    STATE     PID  UPTIME  RESTARTS  LAST PROBE                  LATENCY  PORTS",
                    "zookeeper  READY     100  1m01s   0         ok: Mode: standalone        3 ms     2181",
                    "kafka      STARTING  101  1m01s   0         failed: connection refused  1 ms     9092",
                    "registry   FAILED    -    -       0         -                           -        8081",
                    "",
                    "not ready:",
                    "  kafka: waiting for its probe",
                    "  registry: crash loop: exited 1 five times",
                    "",
                    "rendered files:",
                    "  /etc/kafka/server.properties",
                    "  /etc/zookeeper/zoo.cfg",
                    "remote dependencies:",
                    "  zookeeper  ready      zk-0.kafka1.example,zk-1.kafka1.example  (2/2 answered)",
                    "");
            assertEquals(expected, r.out());
            assertFalse(r.out().contains("\u001b["), "no colours when stdout is not a terminal");
        }
    }

    @Test
    void statusJsonIsTheSnapshot() throws Exception {
        Path socket = tmp.resolve("agent.sock");
        try (ControlServer ignored = ControlServer.start(FakeSupervisor.mixed(), socket, null)) {
            Run r = agent(socket, "status", "--json");
            assertEquals(1, r.code(), r.toString());
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertEquals("broker", j.get("role").asText());
            assertFalse(j.get("ready").asBoolean());
            assertEquals(List.of("zookeeper", "kafka", "registry"),
                    List.of(j.get("services").get(0).get("id").asText(), j.get("services").get(1).get("id").asText(),
                            j.get("services").get(2).get("id").asText()));
            assertEquals("FAILED", j.get("services").get(2).get("state").asText());
            assertTrue(j.get("services").get(2).get("lastProbe").isNull());
            assertEquals("2/2 answered", j.get("dependencies").get(0).get("detail").asText());
        }
    }

    @Test
    void statusOfAReadyNodeExits0InBothFormats() throws Exception {
        Path socket = tmp.resolve("agent.sock");
        try (ControlServer ignored = ControlServer.start(FakeSupervisor.allReady(), socket, null)) {
            Run text = agent(socket, "status");
            assertEquals(0, text.code(), text.toString());
            assertTrue(text.out().contains("agent    READY  pid 1"), text.out());
            assertFalse(text.out().contains("not ready:"), text.out());
            Run json = agent(socket, "status", "--json");
            assertEquals(0, json.code(), json.toString());
            assertTrue(new ObjectMapper().readTree(json.out()).get("ready").asBoolean());
        }
    }

    @Test
    void noAgentExits3WithAMessageNotAStackTrace() {
        Path socket = tmp.resolve("nothing/agent.sock");
        for (String cmd : List.of("status", "health", "ready", "reload")) {
            Run r = agent(socket, cmd);
            assertEquals(3, r.code(), cmd + ": " + r);
            assertEquals("agent: no agent is running (no socket at " + socket + ")\n", r.err(), cmd);
            assertEquals("", r.out(), cmd);
        }
        Run json = agent(Map.of(), "status", "--json", "--socket", socket.toString());
        assertEquals(3, json.code());
        assertEquals("agent: no agent is running (no socket at " + socket + ")\n", json.err());
    }

    @Test
    void stopOfAServiceOthersNeedIsRefusedAndSuggestsForce() throws Exception {
        Path socket = tmp.resolve("agent.sock");
        FakeSupervisor fake = FakeSupervisor.allReady();
        try (ControlServer ignored = ControlServer.start(fake, socket, null)) {
            Run refused = agent(socket, "stop", "zookeeper");
            assertEquals(1, refused.code(), refused.toString());
            assertEquals("agent: stop zookeeper refused: kafka depends on zookeeper; use `agent stop --force zookeeper` to stop it anyway\n",
                    refused.err());
            assertEquals(ServiceState.READY, fake.snapshot().services().get(0).state());

            Run forced = agent(socket, "stop", "--force", "zookeeper");
            assertEquals(0, forced.code(), forced.toString());
            assertEquals("zookeeper stopped\n", forced.out());

            Run start = agent(socket, "start", "zookeeper");
            assertEquals(0, start.code());
            assertEquals("zookeeper starting\n", start.out());
            assertEquals(0, agent(socket, "restart", "kafka").code());
            Run reload = agent(socket, "reload");
            assertEquals(0, reload.code());
            assertEquals("reloaded: no rendered file changed\n", reload.out());

            Run unknown = agent(socket, "start", "nope");
            assertEquals(1, unknown.code());
            assertEquals("agent: start nope refused: no service \"nope\" on this node\n", unknown.err());
            assertEquals(List.of("stop zookeeper", "stop zookeeper force", "start zookeeper", "restart kafka", "reload", "start nope"),
                    fake.calls());
        }
    }

    @Test
    void healthFollowsTheSupervisionLoopAndReadyFollowsTheServices() throws Exception {
        Path socket = tmp.resolve("agent.sock");
        FakeSupervisor fake = FakeSupervisor.allReady();
        try (ControlServer ignored = ControlServer.start(fake, socket, null)) {
            assertEquals(0, agent(socket, "health").code());
            assertEquals(0, agent(socket, "ready").code());

            fake.set("kafka", ServiceState.STARTING);
            assertEquals(0, agent(socket, "health").code(), "a starting service is not an unhealthy agent");
            Run notReady = agent(socket, "ready");
            assertEquals(1, notReady.code());
            assertEquals("agent: not ready: kafka STARTING (probe passed)\n", notReady.err());

            fake.alive(false);
            Run dead = agent(socket, "health");
            assertEquals(1, dead.code());
            assertEquals("agent: the agent's supervision loop is not making progress\n", dead.err());
        }
    }

    @Test
    void theSocketFlagWinsOverTheEnvironment() throws Exception {
        Path socket = tmp.resolve("agent.sock");
        try (ControlServer ignored = ControlServer.start(FakeSupervisor.allReady(), socket, null)) {
            Run r = agent(Map.of("AGENT_SOCKET", tmp.resolve("other.sock").toString()), "health", "--socket", socket.toString());
            assertEquals(0, r.code(), r.toString());
        }
    }

    @Test
    void controlOptionsForAgentRun() {
        ControlOptions o = new ControlOptions();
        assertEquals(ControlServer.DEFAULT_SOCKET, o.socket(Map.of()));
        assertEquals(Path.of("/tmp/a.sock"), o.socket(Map.of("AGENT_SOCKET", "/tmp/a.sock")));
        assertEquals(new InetSocketAddress("0.0.0.0", 9800), o.http(Map.of()));
        assertEquals(new InetSocketAddress("127.0.0.1", 9900), o.http(Map.of("AGENT_HTTP_PORT", "9900", "AGENT_HTTP_BIND", "127.0.0.1")));
        assertNull(o.http(Map.of("AGENT_HTTP_PORT", "0")), "0 disables HTTP");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> o.http(Map.of("AGENT_HTTP_PORT", "http")));
        assertEquals("env AGENT_HTTP_PORT=http is not a port number; use 1-65535, or 0 to disable HTTP", e.getMessage());

        ControlOptions flags = CommandLine.populateCommand(new ControlOptions(), "--http-port", "9801", "--http-bind", "127.0.0.1",
                "--socket", "/x/agent.sock");
        assertEquals(new InetSocketAddress("127.0.0.1", 9801), flags.http(Map.of("AGENT_HTTP_PORT", "1")));
        assertEquals(Path.of("/x/agent.sock"), flags.socket(Map.of("AGENT_SOCKET", "/y")));
        ControlOptions badPort = CommandLine.populateCommand(new ControlOptions(), "--http-port", "70000");
        assertThrows(InvalidInputException.class, () -> badPort.http(Map.of()));
    }

    @Test
    void durations() {
        assertEquals("0s", StatusView.duration(0));
        assertEquals("59s", StatusView.duration(59_999));
        assertEquals("1m00s", StatusView.duration(60_000));
        assertEquals("2h05m", StatusView.duration((2 * 3600 + 5 * 60 + 7) * 1000L));
        assertEquals("3d04h", StatusView.duration((3 * 86400 + 4 * 3600) * 1000L));
    }

    @Test
    void coloursMarkStates() {
        String text = StatusView.render(FakeSupervisor.mixed().snapshot(), true);
        assertTrue(text.contains("\u001b[32mREADY"), text);
        assertTrue(text.contains("\u001b[31mFAILED"), text);
        assertTrue(text.contains("\u001b[33mSTARTING"), text);
    }
}
