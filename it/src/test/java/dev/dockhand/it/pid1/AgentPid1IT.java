package dev.dockhand.it.pid1;

import dev.dockhand.it.lab.Need;
import dev.dockhand.it.lab.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent run} as PID 1 of its own PID namespace, supervising `bash -c` services of a test catalog:
 * start order, restarts with backoff, crash loops, slow starters, stop order and grace, orphan reaping,
 * exit codes, and {@code agent status} over the socket. Services record what happened in files of the
 * temp dir (their working directory); timestamps are {@code date +%s%N}.
 */
@Timeout(120)
class AgentPid1IT {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;
    Pid1Agent agent;

    @BeforeAll
    static void canRun() {
        String why = Pid1Agent.unavailable();
        Need.none(why);
    }

    @AfterEach
    void stopAgent() throws Exception {
        if (agent != null) {
            if (agent.running()) {
                System.out.println("agent log:\n" + agent.logText());
            }
            agent.close();
        }
    }

    Pid1Agent run(TestCatalog c) throws Exception {
        agent = new Pid1Agent(tmp, c.json()).start();
        return agent;
    }

    static List<Long> nanos(List<String> lines) {
        return lines.stream().map(l -> Long.parseLong(l.strip().split("\\s+")[0])).toList();
    }

    JsonNode status() throws Exception {
        Pid1Agent.Result r = agent.cli("status", "--json");
        return JSON.readTree(r.out());
    }

    static JsonNode service(JsonNode status, String id) {
        for (JsonNode s : status.path("services")) {
            if (s.path("id").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no service " + id + " in " + status);
    }

    // ------------------------------------------------------------------ start order, status, clean stop

    @Test
    void dependentStartsRightAfterALateDependencyIsReadyAndStatusShowsBoth() throws Exception {
        TestCatalog c = new TestCatalog();
        ObjectNode db = c.service("db", "sleep 2; date +%s%N > db.ready; exec sleep 1000");
        TestCatalog.fileProbe(db, "db.ready", "30s");
        c.service("app", "date +%s%N > app.started; exec sleep 1000", "db");
        run(c);

        JsonNode early = Await.value("status over the socket", Duration.ofSeconds(20), () -> {
            Pid1Agent.Result r = agent.cli("status", "--json");
            assertTrue(r.out().startsWith("{"), r.out());
            return JSON.readTree(r.out());
        });
        if (!Files.exists(tmp.resolve("db.ready"))) { // the answer came before db was ready
            assertEquals("PENDING", service(early, "app").path("state").asText(), early.toString());
            assertEquals("waiting for db", service(early, "app").path("reason").asText(), early.toString());
            assertEquals("STARTING", early.path("state").asText(), early.toString());
        }
        Await.until("app started", Duration.ofSeconds(20), () -> assertEquals(1, agent.lines("app.started").size()));
        long ready = nanos(agent.lines("db.ready")).get(0);
        long started = nanos(agent.lines("app.started")).get(0);
        long lagMs = (started - ready) / 1_000_000;
        assertTrue(lagMs >= 0, "app started " + -lagMs + " ms before db was ready");
        // how soon after is a figure (it/bench/supervisor-bench.sh), not an assertion: on a busy machine a
        // probe's fork may take any time
        System.out.printf("app started %d ms after db was ready (probe every 50 ms)%n", lagMs);

        JsonNode s = Await.value("both READY", Duration.ofSeconds(10), () -> {
            JsonNode st = status();
            assertEquals("READY", st.path("state").asText(), st.toString());
            return st;
        });
        assertEquals(1, s.path("agentPid").asInt(), "the agent is PID 1 of its namespace");
        assertTrue(s.path("ready").asBoolean());
        assertEquals("READY", service(s, "db").path("state").asText());
        assertEquals("READY", service(s, "app").path("state").asText());
        assertTrue(service(s, "app").path("pid").asInt() > 1, s.toString());
        assertTrue(s.path("rssBytes").asLong() > 0, s.toString());
        assertEquals(0, agent.cli("status").code(), "exit 0 when all ready");

        agent.signal("TERM");
        assertEquals(0, agent.awaitExit(Duration.ofSeconds(20)), agent.logText());
        assertTrue(agent.logText().contains("every service stopped; agent exits 0"), agent.logText());
    }

    // ------------------------------------------------------------------ restarts

    @Test
    void crashedServiceRestartsAtOnceThenWithDoublingBackoffUpToTheCap() throws Exception {
        TestCatalog c = new TestCatalog();
        c.service("crasher", "date +%s%N >> starts; sleep 0.2; exit 1"); // backoff 500ms, cap 1s
        run(c);
        Await.until("5 starts", Duration.ofSeconds(30), () -> assertTrue(agent.lines("starts").size() >= 5));
        List<Long> t = nanos(agent.lines("starts"));
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < 5; i++) {
            gaps.add((t.get(i) - t.get(i - 1)) / 1_000_000);
        }
        String g = "gaps between starts (ms): " + gaps + " (each run lasts 200 ms)";
        // the delays the agent chose, from its log: exact, whatever the machine's load; the gaps it
        // measured can only be longer than a delay plus the run, never shorter (no upper bound in
        // time: on a busy machine a fork or a `sleep 0.2` may take any time)
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("restart (\\d+) of \\d+ in (\\d+) ms").matcher(agent.logText());
        List<Long> delays = new ArrayList<>();
        while (m.find() && delays.size() < 4) {
            delays.add(Long.parseLong(m.group(2)));
        }
        assertEquals(List.of(0L, 500L, 1000L, 1000L), delays, "at once, 500 ms, doubled to 1 s, capped at 1 s; " + agent.logText());
        for (int i = 0; i < 4; i++) {
            assertTrue(gaps.get(i) >= 200 + delays.get(i), "start " + (i + 2) + " came no sooner than its delay; " + g);
        }
        JsonNode s = status();
        assertTrue(service(s, "crasher").path("restarts").asInt() >= 4, s.toString());
        agent.signal("TERM");
        assertEquals(0, agent.awaitExit(Duration.ofSeconds(20)));
    }

    @Test
    void crashLoopEndsFailedWhileTheOthersRun() throws Exception {
        TestCatalog c = new TestCatalog();
        ObjectNode bad = c.service("bad", "date +%s%N >> starts; exit 3");
        ((ObjectNode) bad.get("restart")).put("initialBackoff", "100ms").put("maxBackoff", "100ms").put("maxRetries", 2);
        // a clock inside the agent's namespace: a tick every 100 ms (one backoff of "bad")
        c.service("good", "while :; do echo tick >> ticks; sleep 0.1; done");
        run(c);
        JsonNode s = Await.value("bad FAILED", Duration.ofSeconds(20), () -> {
            JsonNode st = status();
            assertEquals("FAILED", service(st, "bad").path("state").asText(), st.toString());
            return st;
        });
        assertEquals(3, agent.lines("starts").size(), "one start and two restarts");
        assertTrue(service(s, "bad").path("reason").asText().contains("gave up after 2 restarts"), s.toString());
        assertEquals("READY", service(s, "good").path("state").asText());
        assertEquals("DEGRADED", s.path("state").asText());
        assertEquals(1, agent.cli("status").code(), "exit 1 when degraded");
        // a FAILED service stays down: over ten more of its backoff periods, counted by the ticks of a
        // service of the same agent (not by this JVM's clock), no fourth start
        int ticks = agent.lines("ticks").size();
        Await.until("ten more ticks of good", Duration.ofSeconds(30), () -> assertTrue(agent.lines("ticks").size() >= ticks + 10));
        assertEquals(3, agent.lines("starts").size(), "no start after FAILED");
        assertEquals("FAILED", service(status(), "bad").path("state").asText());
        agent.signal("TERM");
        assertEquals(0, agent.awaitExit(Duration.ofSeconds(20)));
    }

    @Test
    void aFailureThatStopsTheAgentEndsItWithExitCode1() throws Exception {
        TestCatalog c = new TestCatalog();
        c.service("base", "trap 'echo base >> stops; exit 0' TERM; sleep 1000 & wait");
        ObjectNode fatal = c.service("fatal", "sleep 0.3; exit 4", "base");
        ((ObjectNode) fatal.get("restart")).put("policy", "never").put("failStopsAgent", true);
        run(c);
        assertEquals(1, agent.awaitExit(Duration.ofSeconds(20)), agent.logText());
        assertEquals(List.of("base"), agent.lines("stops"), "the others were stopped cleanly");
    }

    // ------------------------------------------------------------------ probes

    @Test
    void aProbeDoesNotKillASlowStarterButTheStartupTimeoutDoes() throws Exception {
        TestCatalog c = new TestCatalog();
        ObjectNode slow = c.service("slow", "date +%s%N >> slow.starts; sleep 3; touch slow.ready; exec sleep 1000");
        TestCatalog.fileProbe(slow, "slow.ready", "10s");
        ObjectNode stuck = c.service("stuck", "date +%s%N >> stuck.starts; exec sleep 1000");
        TestCatalog.fileProbe(stuck, "never", "2s");
        run(c);
        Await.until("slow READY", Duration.ofSeconds(20),
                () -> assertEquals("READY", service(status(), "slow").path("state").asText()));
        assertEquals(1, agent.lines("slow.starts").size(), "slow was restarted while starting");
        Await.until("stuck restarted after its startup timeout", Duration.ofSeconds(20),
                () -> assertTrue(agent.lines("stuck.starts").size() >= 2));
        List<Long> t = nanos(agent.lines("stuck.starts"));
        long gap = (t.get(1) - t.get(0)) / 1_000_000;
        // the stamps are the service's own (after bash and date start), the timeout counts from the spawn:
        // the first stamp may lag its spawn more than the second does, by a few ms under load
        // no sooner than the timeout; what restarted it is in the log (no upper bound in time: the machine may be busy)
        assertTrue(gap >= 1900, "stuck restarted " + gap + " ms after its start (startup timeout 2 s)");
        assertTrue(agent.logText().contains("stuck: not ready within its startup timeout of 2 s"), agent.logText());
        agent.signal("TERM");
        assertEquals(0, agent.awaitExit(Duration.ofSeconds(20)));
    }

    // ------------------------------------------------------------------ stopping

    @Test
    void sigtermStopsInReverseDependencyOrderAndExits0() throws Exception {
        TestCatalog c = new TestCatalog();
        String trap = "trap 'echo $(date +%%s%%N) %s >> stops; sleep 0.3; echo $(date +%%s%%N) %s-done >> stops; exit 0' TERM; "
                + "sleep 1000 & wait";
        c.service("zk", trap.formatted("zk", "zk"));
        c.service("kafka", trap.formatted("kafka", "kafka"), "zk");
        c.service("registry", trap.formatted("registry", "registry"), "kafka");
        run(c);
        Await.until("READY", Duration.ofSeconds(20), () -> assertEquals("READY", status().path("state").asText()));
        agent.signal("TERM");
        assertEquals(0, agent.awaitExit(Duration.ofSeconds(20)), agent.logText());
        List<String> order = agent.lines("stops").stream().map(l -> l.split(" ")[1]).toList();
        assertEquals(List.of("registry", "registry-done", "kafka", "kafka-done", "zk", "zk-done"), order,
                "each dependency is signalled only after its dependent exited");

        // PID 1 keeps what it loads for the container's life: no CLI parser, console, Kafka client, Jackson or HTTP URL handler
        List<String> loaded = Files.readAllLines(tmp.resolve(Pid1Agent.CLASS_LOG));
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" dev.dockhand.agent.supervise.Supervisor ")), "the log is the agent's");
        List<String> unwanted = loaded.stream().filter(l -> l.contains(" picocli.") || l.contains(" dev.dockhand.agent.console.")
                || l.contains(" org.apache.kafka.") || l.contains(" java.text.SimpleDateFormat ")
                || l.contains(" com.fasterxml.") || l.contains(" sun.net.www.protocol.http.") || l.contains(" sun.net.www.http.")).toList();
        assertEquals(List.of(), unwanted, "classes that agent run must not load");
    }

    @Test
    void sigintStopsTheAgentCleanlyAlsoWhenItWasStartedWithSigintIgnored() throws Exception {
        TestCatalog c = new TestCatalog();
        c.service("svc", "trap 'echo svc >> stops; exit 0' TERM; sleep 1000 & wait");
        // what a script's `examples/local/run.sh &` does: a background job starts with SIGINT ignored
        agent = new Pid1Agent(tmp, c.json()).start(List.of("perl", "-e", "$SIG{INT} = 'IGNORE'; exec @ARGV or die \"exec: $!\""));
        Await.until("READY", Duration.ofSeconds(20), () -> assertEquals("READY", status().path("state").asText()));
        agent.signal("INT");
        assertEquals(0, agent.awaitExit(Duration.ofSeconds(20)), agent.logText());
        assertEquals(List.of("svc"), agent.lines("stops"), "the service was stopped, not left behind");
        assertTrue(agent.logText().contains("every service stopped; agent exits 0"), agent.logText());
    }

    @Test
    void aChildThatIgnoresTermIsKilledAfterItsGraceEvenIfTermIsSentTwice() throws Exception {
        TestCatalog c = new TestCatalog();
        ObjectNode stubborn = c.service("stubborn", "trap 'date +%s%N >> terms' TERM; while true; do sleep 0.1; done");
        ((ObjectNode) stubborn.get("stop")).put("grace", "1s");
        run(c);
        Await.until("READY", Duration.ofSeconds(20), () -> assertEquals("READY", status().path("state").asText()));
        long t0 = System.nanoTime();
        agent.signal("TERM");
        Await.until("stubborn got TERM", Duration.ofSeconds(5), () -> assertEquals(1, agent.lines("terms").size()));
        agent.signal("TERM"); // a second TERM must not cut the grace short
        assertEquals(0, agent.awaitExit(Duration.ofSeconds(20)), agent.logText());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // the grace was kept; that SIGKILL, not anything later, ended it is in the log below
        assertTrue(ms >= 1000, "the agent exited " + ms + " ms after SIGTERM (grace 1 s)");
        String log = agent.logText();
        assertTrue(log.contains("stubborn: still running 1 s after SIGTERM; sending SIGKILL to its process group"), log);
        assertTrue(log.contains("stubborn: STOPPING -> STOPPED (stopped (killed by SIGKILL))"), log);
        assertTrue(log.contains("stop requested again"), log);
    }

    // ------------------------------------------------------------------ PID 1 duties

    @Test
    void orphansOfAServiceAreReapedByTheAgent() throws Exception {
        TestCatalog c = new TestCatalog();
        // 300 grandchildren whose parent subshell exits at once: each is re-parented to PID 1, the agent
        c.service("forker", "for i in $(seq 300); do ( sleep 0.$((RANDOM % 5)) & ); done; "
                + "( sleep 0.5; exit 7 & ); touch forked; exec sleep 1000");
        run(c);
        Await.until("forked", Duration.ofSeconds(30), () -> assertTrue(Files.exists(tmp.resolve("forked"))));
        Map<Long, String> procs = Await.value("no zombie and no sleeper left in the namespace", Duration.ofSeconds(15), () -> {
            Map<Long, String> p = agent.namespaceProcesses();
            long zombies = p.values().stream().filter(s -> s.startsWith("Z")).count();
            long sleepers = p.values().stream().filter(s -> s.endsWith(" sleep")).count();
            assertEquals(0, zombies, "zombies: " + p);
            assertEquals(1, sleepers, "the service's own sleep only: " + p);
            return p;
        });
        assertEquals("java", procs.get(agent.agentPid()).substring(2), procs.toString());
        JsonNode s = status();
        assertEquals("READY", service(s, "forker").path("state").asText(), "an orphan's exit is no exit of the service");
        assertEquals(0, service(s, "forker").path("restarts").asInt(), s.toString());
        agent.signal("TERM");
        assertEquals(0, agent.awaitExit(Duration.ofSeconds(20)));
    }
}
