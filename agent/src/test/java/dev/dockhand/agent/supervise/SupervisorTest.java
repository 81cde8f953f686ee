package dev.dockhand.agent.supervise;

import dev.dockhand.agent.protocol.ServiceState;
import dev.dockhand.agent.protocol.AgentSnapshot;
import static dev.dockhand.agent.supervise.TestPlans.plan;
import static dev.dockhand.agent.supervise.TestPlans.svc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.plan.NodePlan.PlannedService;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.process.LaunchSpec;
import dev.dockhand.agent.render.RenderPlan.ResolvedCommand;
import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import dev.dockhand.agent.supervise.FakeLauncher.FakeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The supervisor's state machine on a manual loop: no real time, no processes, scripted probes. */
class SupervisorTest {
    final ManualLoop loop = new ManualLoop();
    final FakeLauncher launcher = new FakeLauncher(loop);
    final FakeProbes probes = new FakeProbes(loop);
    NodePlan.Replanner replanner = () -> {
        throw new InvalidInputException("no replan in this test");
    };
    Supervisor supervisor;

    Supervisor start(NodePlan plan) {
        supervisor = new Supervisor(plan, launcher, probes, () -> replanner.replan(), loop, 1, () -> 30L << 20);
        supervisor.start();
        loop.runPending();
        return supervisor;
    }

    ServiceSnapshot snap(String id) {
        return supervisor.snapshot().services().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    ServiceState state(String id) {
        return snap(id).state();
    }

    static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    static Duration s(long n) {
        return Duration.ofSeconds(n);
    }

    int exitCode() {
        return assertTimeoutPreemptively(s(2), () -> supervisor.awaitTermination(), "the supervisor did not terminate");
    }

    // ------------------------------------------------------------------ start order

    @Test
    void prepareStepsRunAfterTheWaitsAndBeforeTheSpawnOffTheLoop() {
        probes.hangNext("broker/format"); // the first attempt hangs: the service is seen PREPARING
        start(plan(svc("ctl"), svc("broker").waits("ctl").prepare("format", s(120)).prepare("seed", s(30))));
        assertEquals(ServiceState.PENDING, state("broker"), "its waits come first");
        assertEquals(0, probes.count("broker/format"));
        probes.pass("ctl");
        loop.advance(ms(100));
        assertEquals(ServiceState.PREPARING, state("broker"));
        assertEquals(List.of("launch ctl"), launcher.events, "the step runs through the probe runner, not as the service");
        assertTrue(snap("broker").reason().startsWith("preparing: format (step 1 of 2)"), snap("broker").reason());
        probes.pass("broker/format");
        probes.pass("broker/seed");
        assertTrue(supervisor.restart("broker").ok(), "a restart while preparing abandons the hung step");
        loop.runPending();
        assertEquals(2, probes.count("broker/format"), "the step again after the restart: " + probes.asked);
        assertEquals(1, probes.count("broker/seed"), "then the next one: " + probes.asked);
        assertTrue(probes.asked.indexOf("broker/seed") > probes.asked.lastIndexOf("broker/format"), probes.asked.toString());
        assertEquals(ServiceState.STARTING, state("broker"));
        assertEquals(List.of("launch ctl", "launch broker"), launcher.events);
    }

    @Test
    void aFailedPrepareStepIsACrashWithBackoffAndTheStepRunsAgainBeforeTheNextStart() {
        probes.fail("broker/format", "exit code 1");
        start(plan(svc("broker").prepare("format", s(120)).backoff(s(2), s(8), 3)));
        // the first retry comes at once (as after a crash), the second after the backoff
        assertEquals(ServiceState.BACKOFF, state("broker"));
        assertEquals(2, probes.count("broker/format"), probes.asked.toString());
        assertTrue(snap("broker").reason().startsWith("prepare step format failed: exit code 1; restart 2 of 3 in 2000 ms"),
                snap("broker").reason());
        assertEquals(List.of(), launcher.events, "never spawned after a failed step");
        probes.pass("broker/format");
        loop.advance(s(2));
        assertEquals(3, probes.count("broker/format"), "the step again, after the backoff");
        assertEquals(ServiceState.STARTING, state("broker"));
        assertEquals(2, snap("broker").restarts());
    }

    @Test
    void aStopWhilePreparingStopsTheServiceAndIgnoresTheStepsLateOutcome() {
        probes.hangNext("broker/format");
        start(plan(svc("broker").prepare("format", s(120))));
        assertEquals(ServiceState.PREPARING, state("broker"));
        assertTrue(supervisor.stop("broker", false).ok());
        assertEquals(ServiceState.STOPPED, state("broker"));
        loop.advance(s(5));
        assertEquals(List.of(), launcher.events, "not spawned by a step that ends after the stop");
        supervisor.requestStop();
        loop.runPending();
        assertEquals(0, exitCode());
    }

    @Test
    void dependentStartsInTheSameTaskAsItsLateDependencyBecomesReady() {
        start(plan(svc("zk"), svc("kafka").waits("zk")));
        assertEquals(List.of("launch zk"), launcher.events);
        assertEquals(ServiceState.STARTING, state("zk"));
        assertEquals(ServiceState.PENDING, state("kafka"));

        loop.advance(s(5)); // zk's probe keeps failing: kafka keeps waiting
        assertTrue(probes.count("zk") >= 5, probes.asked.toString());
        assertEquals(List.of("launch zk"), launcher.events);
        assertEquals("waiting for zk", snap("kafka").reason());
        assertEquals("STARTING", supervisor.snapshot().state());

        probes.pass("zk");
        long passAt = loop.nowMillis();
        loop.advance(s(1));
        assertEquals(ServiceState.READY, state("zk"));
        assertEquals(ServiceState.STARTING, state("kafka"));
        FakeProcess kafka = launcher.last("kafka");
        assertEquals(probes.passedInTask.get("zk"), kafka.launchTask, "kafka must start in the task that saw zk ready");
        assertTrue(kafka.launchedAt - passAt <= 100, "kafka started " + (kafka.launchedAt - passAt) + " ms after zk could pass");
        assertEquals(List.of("/opt/kafka/bin/run"), kafka.spec.argv());
    }

    @Test
    void whileStartingProbesComeEvery100MsThenAtTheCatalogsInterval() {
        var zk = svc("zk");
        zk.interval = s(2);
        start(plan(zk, svc("kafka").waits("zk")));
        loop.advance(s(1));
        assertEquals(11, probes.count("zk"), "one at spawn, then every 100 ms: " + probes.asked);
        probes.pass("zk");
        loop.advance(ms(100));
        assertEquals(ServiceState.READY, state("zk"));
        assertEquals(1, launcher.of("kafka").size(), "kafka starts within 100 ms of zk passing its probe");
        long before = probes.count("zk");
        loop.advance(s(4));
        assertEquals(before + 2, probes.count("zk"), "READY: every 2 s, the catalog's interval");
    }

    @Test
    void anAttemptThatHangsWhileStartingDoesNotDelayReady() {
        start(plan(svc("zk"), svc("kafka").waits("zk")));
        loop.advance(ms(250));
        probes.hangNext("zk"); // as ZooKeeper does with a connection made the instant it binds its port
        probes.pass("zk");
        loop.advance(ms(100));
        assertEquals(ServiceState.STARTING, state("zk"), "the attempt that hangs was the only one so far");
        loop.advance(ms(100));
        assertEquals(ServiceState.READY, state("zk"), "the next attempt went out without waiting for the hung one");
        assertEquals(1, launcher.of("kafka").size());
    }

    @Test
    void aRemoteMajorityIsReadyWithoutWaitingForAnEndpointThatHangs() {
        start(plan(svc("kafka").remote("zookeeper", 2, "zk-1", "zk-2", "zk-3")));
        loop.advance(ms(200));
        probes.hangNext("zookeeper@zk-3:2181");
        probes.fail("zookeeper@zk-3:2181", "timed out");
        probes.pass("zookeeper@zk-1:2181");
        probes.pass("zookeeper@zk-2:2181");
        loop.advance(ms(100));
        assertEquals(List.of("launch kafka"), launcher.events, "two of three answered: a majority, zk-3 still out");
        assertTrue(supervisor.snapshot().dependencies().get(0).ready());
    }

    @Test
    void aRemoteDependencyThatIsNotReadyIsProbedEvery100Ms() {
        start(plan(svc("kafka").remote("zookeeper", 1, "zk-1")));
        loop.advance(s(1));
        assertEquals(11, probes.count("zookeeper@zk-1:2181"));
        probes.pass("zookeeper@zk-1:2181");
        loop.advance(ms(100));
        assertEquals(1, launcher.of("kafka").size());
        loop.advance(s(10));
        assertEquals(11 + 1 + 2, probes.count("zookeeper@zk-1:2181"), "ready: every 5 s, for status only");
    }

    @Test
    void remoteDependencyNeedsAMajorityOfItsEndpoints() {
        start(plan(svc("kafka").remote("zookeeper", 2, "zk-1", "zk-2", "zk-3")));
        assertTrue(launcher.events.isEmpty());
        assertEquals(Set.of("zookeeper@zk-1:2181", "zookeeper@zk-2:2181", "zookeeper@zk-3:2181"), Set.copyOf(probes.asked));

        probes.pass("zookeeper@zk-2:2181");
        loop.advance(s(3));
        assertTrue(launcher.events.isEmpty(), "one of three is no majority: " + launcher.events);
        var dep = supervisor.snapshot().dependencies().get(0);
        assertFalse(dep.ready());
        assertEquals("1/3 answered, 2 needed", dep.detail());
        assertEquals(List.of("zk-1", "zk-2", "zk-3"), dep.nodes());
        assertTrue(snap("kafka").reason().startsWith("waiting for zookeeper (1/3 answered"), snap("kafka").reason());

        probes.pass("zookeeper@zk-3:2181");
        loop.advance(s(1));
        assertEquals(List.of("launch kafka"), launcher.events);
        dep = supervisor.snapshot().dependencies().get(0);
        assertTrue(dep.ready());
        assertEquals("2/3 answered, 2 needed", dep.detail());
    }

    @Test
    void aServiceHeldForItsMigrationPreconditionSaysWhatTheControllersReportedAndForgetsTheWaitOnceItHeld(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path data) throws Exception {
        NodePlan p = plan(data, svc("kafka-broker").remote(NodePlan.MIGRATION_PRECONDITION, 1, "c-1"));
        java.nio.file.Path marker = p.migrationMarker("kafka-broker");
        java.nio.file.Files.createDirectories(marker.getParent());
        java.nio.file.Files.writeString(marker, "waiting\n");
        start(p);
        probes.notReady("zk-migration@c-1:2181", "ZkMigrationState PRE_MIGRATION, 3 broker(s) in ZooKeeper mode: not migrated yet");
        loop.advance(s(2));
        assertTrue(launcher.events.isEmpty(), "held: " + launcher.events);
        assertEquals(ServiceState.PENDING, state("kafka-broker"));
        assertEquals("waiting for zk-migration (0/1 answered: ZkMigrationState PRE_MIGRATION, 3 broker(s) in ZooKeeper mode: "
                + "not migrated yet)", snap("kafka-broker").reason());
        assertTrue(java.nio.file.Files.exists(marker), "still waiting: a restart must wait again");

        probes.pass("zk-migration@c-1:2181");
        loop.advance(s(1));
        assertEquals(List.of("launch kafka-broker"), launcher.events);
        assertFalse(java.nio.file.Files.exists(marker), "the precondition held: later starts need not ask");
    }

    // ------------------------------------------------------------------ restarts

    @Test
    void firstRestartAtOnceThenBackoffDoublesUpToItsCap() {
        start(plan(svc("app").noProbe().backoff(s(1), s(4), 10)));
        List<Long> startTimes = new ArrayList<>();
        startTimes.add(launcher.last("app").launchedAt);
        for (int crash = 1; crash <= 5; crash++) {
            launcher.last("app").exit(1);
            loop.runPending();
            if (crash == 1) {
                assertEquals(2, launcher.of("app").size(), "the first retry is immediate");
            } else {
                assertEquals(ServiceState.BACKOFF, state("app"));
                assertEquals(crash, launcher.of("app").size());
                Duration next = loop.nextDue();
                // the tick (1 s) also is a timer: step to just before the backoff ends, then over it
                long expected = Math.min(1000L << (crash - 2), 4000);
                assertTrue(snap("app").reason().endsWith("restart " + crash + " of 10 in " + expected + " ms"), snap("app").reason());
                loop.advance(ms(expected - 1));
                assertEquals(crash, launcher.of("app").size(), "restarted before its backoff of " + expected + " ms");
                loop.advance(ms(1));
                assertTrue(next != null);
            }
            assertEquals(crash + 1, launcher.of("app").size());
            startTimes.add(launcher.last("app").launchedAt);
            assertEquals(ServiceState.READY, state("app"));
        }
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < startTimes.size(); i++) {
            gaps.add(startTimes.get(i) - startTimes.get(i - 1));
        }
        assertEquals(List.of(0L, 1000L, 2000L, 4000L, 4000L), gaps);
        assertEquals(5, snap("app").restarts());
    }

    @Test
    void crashLoopEndsInFailedAndTheOthersGoOn() {
        start(plan(svc("base").noProbe(), svc("app").noProbe().backoff(ms(100), ms(100), 3)));
        for (int i = 0; i < 4; i++) {
            launcher.last("app").exit(2);
            loop.advance(ms(100));
        }
        assertEquals(4, launcher.of("app").size(), "one start and three restarts");
        assertEquals(ServiceState.FAILED, state("app"));
        assertEquals("crash loop: exited: exit code 2; gave up after 3 restarts", snap("app").reason());
        assertEquals(0, snap("app").pid());
        assertEquals(ServiceState.READY, state("base"));
        assertTrue(launcher.eventsOf("base").stream().noneMatch(e -> e.startsWith("signal")));
        assertEquals("DEGRADED", supervisor.snapshot().state());
        assertFalse(supervisor.alive(), "a node with a FAILED service must not look alive to its orchestrator");
        loop.advance(s(60));
        assertEquals(4, launcher.of("app").size(), "a FAILED service stays down");

        // an operator's start gives it a fresh crash-loop count
        assertTrue(supervisor.start("app").ok());
        assertEquals(5, launcher.of("app").size());
        assertEquals(ServiceState.READY, state("app"));
    }

    @Test
    void failureOfAServiceThatStopsTheAgentStopsEverythingWithExitCode1() {
        var app = svc("app").noProbe().waits("base").backoff(ms(100), ms(100), 1);
        app.failStopsAgent = true;
        start(plan(svc("base").noProbe(), app));
        launcher.last("base").obeysTerm();
        launcher.last("app").exit(1);
        loop.runPending();
        assertEquals(2, launcher.of("app").size());
        launcher.last("app").exit(1);
        loop.runPending();
        assertEquals(ServiceState.FAILED, state("app"));
        assertEquals(List.of(Signal.TERM), launcher.last("base").signals);
        loop.runPending();
        assertEquals(ServiceState.STOPPED, state("base"));
        assertEquals(1, exitCode());
        assertFalse(supervisor.alive());
    }

    @Test
    void crashLoopCountStartsAfreshAfterResetAfterOfReadiness() {
        var app = svc("app").backoff(s(1), s(1), 2);
        app.resetAfter = s(30);
        probes.pass("app");
        start(plan(app));
        assertEquals(ServiceState.READY, state("app"));
        // two crashes use up both retries ...
        launcher.last("app").exit(1);
        loop.runPending();
        loop.runPending();
        assertEquals(ServiceState.READY, state("app"));
        launcher.last("app").exit(1);
        loop.advance(s(1));
        assertEquals(3, launcher.of("app").size());
        assertEquals(ServiceState.READY, state("app"));
        // ... but READY for resetAfter starts a new count: the next crash restarts at once, not FAILED
        loop.advance(s(30));
        launcher.last("app").exit(1);
        loop.runPending();
        assertEquals(4, launcher.of("app").size());
        assertEquals(launcher.of("app").get(2).launchedAt + 30_000, launcher.last("app").launchedAt);
        assertEquals(3, snap("app").restarts(), "restarts count for the agent's life");
    }

    @Test
    void crashesBeforeResetAfterKeepCounting() {
        var app = svc("app").backoff(s(1), s(1), 2);
        app.resetAfter = s(30);
        probes.pass("app");
        start(plan(app));
        for (int i = 0; i < 3; i++) {
            loop.advance(s(20));
            launcher.last("app").exit(1);
            loop.advance(s(1));
        }
        assertEquals(ServiceState.FAILED, state("app"));
        assertEquals(3, launcher.of("app").size());
    }

    // ------------------------------------------------------------------ probes

    @Test
    void aSlowStarterIsNotKilledBeforeItsStartupTimeoutAndRestartedAfter() {
        var slow = svc("broker");
        slow.startupTimeout = s(60);
        start(plan(slow));
        FakeProcess first = launcher.last("broker").obeysTerm();
        loop.advance(ms(59_999));
        assertTrue(first.signals.isEmpty(), "signalled while still starting: " + first.signals);
        assertEquals(ServiceState.STARTING, state("broker"));
        assertEquals("starting: no answer scripted", snap("broker").reason());
        assertTrue(probes.count("broker") >= 59, "probed " + probes.count("broker") + " times");

        loop.advance(ms(1));
        assertEquals(List.of(Signal.TERM), first.signals);
        loop.runPending();
        assertEquals(2, launcher.of("broker").size(), "restarted at once after the timeout");
        assertEquals(ServiceState.STARTING, state("broker"));
        assertEquals(1, snap("broker").restarts());
        assertTrue(launcher.eventsOf("broker").contains("exit broker killed by SIGTERM"), launcher.events.toString());
    }

    @Test
    void startupTimeoutOfAServiceThatIgnoresTermEndsWithKillAfterGrace() {
        var slow = svc("broker");
        slow.startupTimeout = s(10);
        slow.grace = s(5);
        start(plan(slow));
        FakeProcess first = launcher.last("broker");
        loop.advance(s(10));
        assertEquals(List.of(Signal.TERM), first.signals);
        loop.advance(ms(4_999));
        assertEquals(List.of(Signal.TERM), first.signals);
        loop.advance(ms(1));
        assertEquals(List.of(Signal.TERM, Signal.KILL), first.signals);
        loop.runPending();
        assertEquals(2, launcher.of("broker").size());
        assertEquals(ServiceState.STARTING, state("broker"));
        assertEquals(1, snap("broker").restarts());
    }

    @Test
    void readyTurnsUnhealthyAfterFailureThresholdAndBackWhenProbesPass() {
        start(plan(svc("zk"), svc("kafka").waits("zk")));
        probes.pass("zk");
        probes.pass("kafka");
        loop.advance(s(1));
        assertEquals("READY", supervisor.snapshot().state());
        assertTrue(supervisor.snapshot().ready());

        probes.fail("zk", "connection refused");
        loop.advance(s(2));
        assertEquals(ServiceState.READY, state("zk"), "two failures are below the threshold of 3");
        loop.advance(s(1));
        assertEquals(ServiceState.UNHEALTHY, state("zk"));
        assertEquals("3 probes failed: connection refused", snap("zk").reason());
        assertEquals("DEGRADED", supervisor.snapshot().state());
        assertFalse(supervisor.snapshot().ready());
        loop.advance(s(10));
        assertTrue(launcher.eventsOf("zk").stream().noneMatch(e -> e.startsWith("signal")), "no restart unless asked");
        assertEquals(ServiceState.READY, state("kafka"));

        probes.pass("zk");
        loop.advance(s(1));
        assertEquals(ServiceState.READY, state("zk"));
        assertEquals("READY", supervisor.snapshot().state());
        var p = snap("zk").lastProbe();
        assertTrue(p.ok());
        assertTrue(loop.epochMillis() - p.atMs() < 1000, "last probe at " + p.atMs() + ", now " + loop.epochMillis());
    }

    @Test
    void aFailureBetweenPassesDoesNotAccumulate() {
        probes.pass("zk");
        start(plan(svc("zk")));
        for (int i = 0; i < 5; i++) {
            probes.fail("zk", "timed out");
            loop.advance(s(2));
            probes.pass("zk");
            loop.advance(s(1));
        }
        assertEquals(ServiceState.READY, state("zk"));
    }

    @Test
    void restartWhenUnhealthyRestartsTheService() {
        var zk = svc("zk");
        zk.restartAfter = Duration.ZERO;
        probes.pass("zk");
        start(plan(zk));
        assertEquals(ServiceState.READY, state("zk"));
        FakeProcess first = launcher.last("zk").obeysTerm();
        probes.fail("zk", "ruok answered ''");
        loop.advance(s(2));
        assertTrue(first.signals.isEmpty());
        loop.advance(s(1));
        assertEquals(List.of(Signal.TERM, Signal.CONT), first.signals);
        loop.runPending();
        assertEquals(2, launcher.of("zk").size());
        assertEquals(ServiceState.STARTING, state("zk"));
        assertEquals(1, snap("zk").restarts());
    }

    @Test
    void aHungServiceIsRestartedOnlyAfterStayingUnhealthyForRestartAfter() {
        var broker = svc("broker");
        broker.restartAfter = Duration.ofSeconds(60);
        probes.pass("broker");
        start(plan(broker));
        FakeProcess hung = launcher.last("broker").obeysTerm();
        probes.fail("broker", "no answer within 2000 ms");
        loop.advance(s(3));
        assertEquals(ServiceState.UNHEALTHY, state("broker"));
        loop.advance(s(50));
        assertTrue(hung.signals.isEmpty(), "a long GC pause is not a reason to restart");
        assertTrue(supervisor.alive());
        loop.advance(s(10));
        assertEquals(List.of(Signal.TERM, Signal.CONT), hung.signals, "a stopped process is continued so that it can stop");
        loop.runPending();
        assertEquals(2, launcher.of("broker").size());
        assertTrue(snap("broker").reason().startsWith("started") || state("broker") == ServiceState.STARTING, snap("broker").reason());
    }

    @Test
    void aServiceThatRecoversBeforeRestartAfterIsNotRestarted() {
        var broker = svc("broker");
        broker.restartAfter = Duration.ofSeconds(60);
        probes.pass("broker");
        start(plan(broker));
        FakeProcess p = launcher.last("broker").obeysTerm();
        probes.fail("broker", "no answer");
        loop.advance(s(10));
        assertEquals(ServiceState.UNHEALTHY, state("broker"));
        probes.pass("broker");
        loop.advance(s(5));
        assertEquals(ServiceState.READY, state("broker"));
        loop.advance(s(120));
        assertTrue(p.signals.isEmpty(), "recovered: the restart was called off");
        assertEquals(1, launcher.of("broker").size());
    }

    // ------------------------------------------------------------------ stopping

    @Test
    void agentStopGoesInReverseDependencyOrderEachAfterItsDependentExited() {
        start(plan(svc("zk"), svc("kafka").waits("zk"), svc("registry").waits("kafka")));
        probes.pass("zk");
        probes.pass("kafka");
        probes.pass("registry");
        loop.advance(s(1));
        assertEquals("READY", supervisor.snapshot().state());
        launcher.events.clear();

        supervisor.requestStop();
        loop.runPending();
        assertEquals(List.of("signal registry TERM"), launcher.events);
        assertEquals("STOPPING", supervisor.snapshot().state());
        assertEquals(ServiceState.STOPPING, state("registry"));
        assertEquals(ServiceState.READY, state("kafka"));
        loop.advance(s(3));
        assertEquals(List.of("signal registry TERM"), launcher.events, "kafka must wait for registry to exit");

        launcher.last("registry").exit(new ExitStatus.Killed(Signal.TERM.number, false));
        loop.runPending();
        assertEquals(List.of("signal registry TERM", "exit registry killed by SIGTERM", "signal kafka TERM"), launcher.events);
        launcher.last("kafka").exit(143);
        loop.runPending();
        assertEquals("signal zk TERM", launcher.events.get(launcher.events.size() - 1));
        launcher.last("zk").exit(0);
        loop.runPending();
        assertEquals(List.of(ServiceState.STOPPED, ServiceState.STOPPED, ServiceState.STOPPED),
                supervisor.snapshot().services().stream().map(ServiceSnapshot::state).toList());
        assertEquals(0, exitCode());
        int before = launcher.launched.size();
        loop.advance(s(60));
        assertEquals(before, launcher.launched.size(), "nothing restarts after the stop");
    }

    @Test
    void independentServicesAreSignalledTogether() {
        start(plan(svc("a").noProbe(), svc("b").noProbe()));
        launcher.events.clear();
        supervisor.requestStop();
        loop.runPending();
        assertEquals(List.of("signal a TERM", "signal b TERM"), launcher.events);
    }

    @Test
    void aChildThatIgnoresTermGetsKillAfterItsGraceAndASecondStopDoesNotShortenIt() {
        var stubborn = svc("stubborn").noProbe();
        stubborn.grace = s(10);
        stubborn.stopSignal = "INT";
        start(plan(stubborn));
        FakeProcess p = launcher.last("stubborn");
        supervisor.requestStop();
        loop.runPending();
        assertEquals(List.of(Signal.INT), p.signals, "the catalog's stop signal");
        loop.advance(s(5));
        supervisor.requestStop(); // a second SIGTERM to the agent
        loop.runPending();
        loop.advance(ms(4_999));
        assertEquals(List.of(Signal.INT), p.signals, "KILL before the grace elapsed");
        loop.advance(ms(1));
        assertEquals(List.of(Signal.INT, Signal.KILL), p.signals);
        loop.runPending();
        assertEquals(ServiceState.STOPPED, state("stubborn"));
        assertEquals("stopped (killed by SIGKILL)", snap("stubborn").reason());
        assertEquals(0, exitCode());
    }

    @Test
    void stopIsRefusedWhileALocalDependentRunsUnlessForced() {
        start(plan(svc("zk").noProbe(), svc("kafka").noProbe().waits("zk"), svc("connect").noProbe().waits("zk")));
        CommandResult r = supervisor.stop("zk", false);
        assertFalse(r.ok());
        assertEquals("kafka, connect depend on zk", r.message());
        assertTrue(launcher.eventsOf("zk").stream().noneMatch(e -> e.startsWith("signal")));

        r = supervisor.stop("zk", true);
        assertTrue(r.ok(), r.message());
        assertEquals("stopping zk (forced; still running: kafka, connect)", r.message());
        assertEquals(List.of(Signal.TERM), launcher.last("zk").signals);
        assertFalse(supervisor.stop("nope", false).ok());
        assertEquals("no service 'nope' on this node", supervisor.stop("nope", false).message());
    }

    @Test
    void operatorStopsStartsAndRestartsAService() {
        start(plan(svc("zk").noProbe(), svc("kafka").noProbe().waits("zk")));
        FakeProcess k1 = launcher.last("kafka").obeysTerm();
        assertTrue(supervisor.stop("kafka", false).ok());
        loop.runPending();
        assertEquals(ServiceState.STOPPED, state("kafka"));
        assertEquals("DEGRADED", supervisor.snapshot().state());
        loop.advance(s(30));
        assertEquals(1, launcher.of("kafka").size(), "a stopped service stays stopped");

        assertTrue(supervisor.start("kafka").ok());
        assertEquals(2, launcher.of("kafka").size());
        assertEquals(ServiceState.READY, state("kafka"));
        assertEquals(List.of(Signal.TERM), k1.signals);

        FakeProcess k2 = launcher.last("kafka").obeysTerm();
        CommandResult r = supervisor.restart("kafka");
        assertEquals("restarting kafka", r.message());
        loop.runPending();
        assertEquals(List.of(Signal.TERM), k2.signals);
        assertEquals(3, launcher.of("kafka").size());

        launcher.last("kafka").obeysTerm();
        supervisor.stop("kafka", false);
        loop.runPending();
        assertEquals(ServiceState.STOPPED, state("kafka"));
        assertEquals("starting kafka", supervisor.restart("kafka").message());
        assertEquals(4, launcher.of("kafka").size());
        assertEquals(ServiceState.READY, state("kafka"));
        assertEquals(1, launcher.of("zk").size());
        assertEquals("READY", supervisor.snapshot().state());
    }

    @Test
    void startDuringAnOperatorsStopStartsTheServiceAgainAfterItExited() {
        start(plan(svc("app").noProbe()));
        FakeProcess first = launcher.last("app");
        supervisor.stop("app", false);
        loop.runPending();
        assertEquals(ServiceState.STOPPING, state("app"));
        assertEquals("app is stopping; it starts again after", supervisor.start("app").message());
        first.exit(0);
        loop.runPending();
        assertEquals(2, launcher.of("app").size());
        assertEquals(ServiceState.READY, state("app"));
    }

    @Test
    void reloadRestartsOnlyTheServicesWhoseConfigurationChanged() {
        start(plan(svc("zk").noProbe(), svc("kafka").noProbe().waits("zk"), svc("registry").noProbe().waits("kafka")));
        launcher.last("kafka").obeysTerm();
        replanner = () -> new NodePlan.Replan(
                plan(svc("zk").noProbe(), svc("kafka").noProbe().waits("zk").argv("/opt/kafka/bin/run", "--new"),
                        svc("registry").noProbe().waits("kafka")),
                Set.of("kafka"));
        CommandResult r = supervisor.reload();
        assertEquals("reloaded; restarting kafka", r.message());
        loop.runPending();
        assertEquals(1, launcher.of("zk").size());
        assertEquals(1, launcher.of("registry").size());
        assertTrue(launcher.eventsOf("registry").stream().noneMatch(e -> e.startsWith("signal")));
        assertEquals(2, launcher.of("kafka").size());
        assertEquals(List.of("/opt/kafka/bin/run", "--new"), launcher.last("kafka").spec.argv());

        replanner = () -> {
            throw new InvalidInputException("catalog.json:3: bad");
        };
        r = supervisor.reload();
        assertFalse(r.ok());
        assertEquals("reload refused, the running services are untouched: catalog.json:3: bad", r.message());
        assertEquals(2, launcher.of("kafka").size());
    }

    @Test
    void reloadRunsAgainAStepThatExitedWhenItsConfigurationChanged() {
        var access = svc("access").noProbe().waits("kafka");
        access.policy = "on-failure";
        start(plan(svc("kafka").noProbe(), access));
        launcher.last("access").exit(0);
        loop.runPending();
        assertEquals(ServiceState.EXITED, state("access"));
        replanner = () -> new NodePlan.Replan(plan(svc("kafka").noProbe(), access), Set.of());
        assertEquals("reloaded; no running service's configuration changed", supervisor.reload().message());
        assertEquals(1, launcher.of("access").size(), "unchanged: not run again");

        replanner = () -> new NodePlan.Replan(plan(svc("kafka").noProbe(), access), Set.of("access"));
        assertEquals("reloaded; restarting access", supervisor.reload().message());
        loop.runPending();
        assertEquals(2, launcher.of("access").size(), "its input changed: it runs again");
        assertEquals(1, launcher.of("kafka").size());
        launcher.last("access").exit(0);
        loop.runPending();
        assertEquals(ServiceState.EXITED, state("access"));
    }

    // ------------------------------------------------------------------ restart policies

    @Test
    void onFailureWithExitZeroIsExitedAndSatisfiesItsDependents() {
        var init = svc("init").noProbe();
        init.policy = "on-failure";
        start(plan(init, svc("app").noProbe().waits("init")));
        assertEquals(1, launcher.of("app").size(), "a no-probe step is READY as soon as it runs");
        launcher.last("init").exit(0);
        loop.advance(s(10));
        assertEquals(ServiceState.EXITED, state("init"));
        assertEquals(1, launcher.of("init").size());
        assertTrue(supervisor.snapshot().ready());
        assertEquals("READY", supervisor.snapshot().state());
    }

    @Test
    void onFailureRestartsAfterANonZeroExit() {
        var init = svc("init").noProbe();
        init.policy = "on-failure";
        start(plan(init));
        launcher.last("init").exit(3);
        loop.runPending();
        assertEquals(2, launcher.of("init").size());
    }

    @Test
    void neverIsFailedAfterANonZeroExit() {
        var once = svc("once").noProbe();
        once.policy = "never";
        start(plan(once));
        launcher.last("once").exit(7);
        loop.advance(s(10));
        assertEquals(ServiceState.FAILED, state("once"));
        assertEquals("exited: exit code 7", snap("once").reason());
        assertEquals(1, launcher.of("once").size());
        assertEquals("DEGRADED", supervisor.snapshot().state());
    }

    @Test
    void aCommandThatCannotBeLaunchedIsRetriedLikeACrash() {
        start(plan(svc("app").noProbe().backoff(s(1), s(1), 1)));
        launcher.failNextLaunch("/opt/app/bin/run: no such file");
        launcher.last("app").exit(1);
        loop.runPending();
        assertEquals(ServiceState.FAILED, state("app"));
        assertTrue(snap("app").reason().contains("cannot start: /opt/app/bin/run: no such file"), snap("app").reason());
    }

    // ------------------------------------------------------------------ snapshot

    @Test
    void snapshotCarriesStatesPidsRestartsAndReadiness() {
        start(plan(svc("zk"), svc("kafka").waits("zk")));
        AgentSnapshot snap = supervisor.snapshot();
        assertEquals("broker", snap.role());
        assertEquals(2, snap.nodeId());
        assertEquals("b-2.test", snap.fqdn());
        assertEquals(1, snap.agentPid());
        assertEquals(30L << 20, snap.rssBytes());
        assertEquals("STARTING", snap.state());
        assertFalse(snap.ready());
        assertEquals(List.of("/data/conf/x.properties"), snap.renderedFiles());
        ServiceSnapshot zk = snap.services().get(0);
        assertEquals("zk", zk.id());
        assertEquals(100, zk.pid());
        assertEquals(List.of(9000), zk.ports());
        assertEquals(0, snap.services().get(1).pid());
        assertNull(snap.services().get(1).lastProbe());

        probes.pass("zk");
        probes.pass("kafka");
        loop.advance(s(3));
        snap = supervisor.snapshot();
        assertEquals("READY", snap.state());
        assertTrue(snap.ready());
        assertEquals(3000, snap.uptimeMs());
        assertEquals(3000, snap.services().get(0).uptimeMs());
        assertEquals(101, snap.services().get(1).pid());

        probes.fail("kafka", "connection refused");
        launcher.last("kafka").exit(1);
        loop.runPending();
        snap = supervisor.snapshot();
        assertEquals("STARTING", snap.state(), "a service restarting after a crash is not READY yet");
        assertEquals(1, snap.services().get(1).restarts());
        assertEquals(102, snap.services().get(1).pid());
        assertEquals(0, snap.services().get(1).uptimeMs());

        supervisor.requestStop();
        loop.runPending();
        assertEquals("STOPPING", supervisor.snapshot().state());
        assertFalse(supervisor.snapshot().ready());
    }

    @Test
    void aliveWhileTheLoopTicksEvenDuringALongStart() {
        var slow = svc("broker");
        slow.startupTimeout = Duration.ofMinutes(15);
        start(plan(slow));
        loop.advance(Duration.ofMinutes(10));
        assertTrue(supervisor.alive());
        assertEquals(ServiceState.STARTING, state("broker"));
    }

    @Test
    void theLogFileAndCommandGoToTheLauncherAsPlannedWithEveryTokenResolved() {
        var app = svc("app").noProbe().argv("/opt/app/bin/run", "--conf", "/data/conf/app.properties");
        NodePlan p = plan(app);
        PlannedService planned = p.services().get(0);
        ResolvedCommand withLog = new ResolvedCommand("app", planned.command().argv(), planned.command().env(), Path.of("/data"),
                List.of(), Path.of("/data/logs/app.log"), 1024, 64);
        NodePlan withLogPlan = new NodePlan(p.node(), null, List.of(new PlannedService(planned.spec(), withLog, List.of(), List.of(),
                "127.0.0.1")), p.files(), List.of(), List.of(), p.dataDir(), p.catalogPath());
        start(withLogPlan);
        LaunchSpec spec = launcher.last("app").spec;
        assertEquals(Path.of("/data/logs/app.log"), spec.logFile(), "the resolved path, not the catalog's raw string");
        assertEquals(1024, spec.logMaxBytes());
        assertEquals(List.of("/opt/app/bin/run", "--conf", "/data/conf/app.properties"), spec.argv());
        assertEquals(List.of(9000), spec.service().ports());
    }

    @Test
    void aBrokerThatAnswersButIsNotInSyncIsNotReadyAndNeverRestarted() {
        var broker = svc("broker");
        broker.restartAfter = Duration.ofSeconds(60);
        probes.notReady("broker", "catching up: not in the ISR of 2 of 6 partitions (t-0, t-1)");
        start(plan(broker));
        FakeProcess p = launcher.last("broker").obeysTerm();
        loop.advance(s(5));
        assertEquals(ServiceState.STARTING, state("broker"), "not ready until in sync");
        assertEquals("starting: catching up: not in the ISR of 2 of 6 partitions (t-0, t-1)", snap("broker").reason());
        probes.pass("broker");
        loop.advance(s(1));
        assertEquals(ServiceState.READY, state("broker"));
        // it falls behind again (a slow disk): not ready, but it answers, so it is not restarted
        probes.notReady("broker", "catching up: not in the ISR of 1 of 6 partitions (t-2)");
        loop.advance(s(300));
        assertEquals(ServiceState.UNHEALTHY, state("broker"));
        assertTrue(snap("broker").reason().startsWith("not ready: catching up"), snap("broker").reason());
        assertTrue(p.signals.isEmpty(), "no restart for a broker that answers");
        assertTrue(supervisor.alive());
        // then it stops answering: the restart clock starts now
        probes.fail("broker", "timed out");
        loop.advance(s(59));
        assertTrue(p.signals.isEmpty());
        loop.advance(s(2));
        assertEquals(List.of(Signal.TERM, Signal.CONT), p.signals);
    }

    // ------------------------------------------------------------------ stop gates

    static final String GATE = "broker stop gate";

    /** A READY broker whose stops wait up to 60 s until safe, SIGKILL 120 s after the stop request. */
    FakeProcess readyGatedBroker() {
        probes.pass("broker");
        start(plan(svc("broker").gatedBroker(s(60), s(120))));
        loop.advance(s(1));
        assertEquals(ServiceState.READY, state("broker"));
        return launcher.last("broker");
    }

    @Test
    void aStopWaitsAtTheGateUntilSafeThenSignalsWithWhatIsLeftOfTheGrace() {
        FakeProcess p = readyGatedBroker();
        probes.notReady(GATE, "not safe: without broker 2, 1 of 3 partitions would be below min.insync.replicas: t-0 (ISR 1,2, min.insync.replicas 2)");
        supervisor.requestStop();
        loop.runPending();
        assertTrue(p.signals.isEmpty(), "no stop signal while it is not safe");
        assertEquals(ServiceState.STOPPING, state("broker"));
        assertEquals("STOPPING", supervisor.snapshot().state());
        loop.advance(s(10));
        assertTrue(p.signals.isEmpty());
        assertTrue(probes.count(GATE) >= 10 && probes.count(GATE) <= 12, "asked about every second: " + probes.count(GATE));
        ServiceSnapshot waiting = snap("broker");
        assertTrue(waiting.stopGate().waiting());
        assertEquals(10_000, waiting.stopGate().waitedMs());
        assertEquals(60_000, waiting.stopGate().maxWaitMs());
        assertEquals(1, waiting.stopGate().waits());
        assertTrue(waiting.reason().startsWith("stop waits until it is safe (10 s of 60 s): not safe: without broker 2"), waiting.reason());

        probes.pass(GATE); // the other replica is back in sync
        loop.advance(s(1));
        assertEquals(List.of(Signal.TERM), p.signals, "signalled once the gate opened");
        assertFalse(snap("broker").stopGate().waiting());
        assertEquals(0, snap("broker").stopGate().unsafe());
        long asked = probes.count(GATE);
        loop.advance(s(108)); // 11 s waited: SIGKILL 120 s after the stop request, not after the signal
        assertEquals(asked, probes.count(GATE), "no asking once signalled");
        assertEquals(List.of(Signal.TERM), p.signals);
        loop.advance(s(1));
        assertEquals(List.of(Signal.TERM, Signal.KILL), p.signals);
        loop.runPending();
        assertEquals(0, exitCode());
    }

    @Test
    void aGateThatStaysShutHoldsTheStopForWaitUntilSafeOnly() {
        FakeProcess p = readyGatedBroker().obeysTerm();
        probes.notReady(GATE, "not safe: t-0 (ISR 2, min.insync.replicas 2)");
        supervisor.requestStop();
        loop.advance(s(59));
        assertTrue(p.signals.isEmpty());
        loop.advance(s(1));
        assertEquals(List.of(Signal.TERM), p.signals, "the orchestrator's stop wins after waitUntilSafe");
        loop.runPending();
        assertEquals(ServiceState.STOPPED, state("broker"));
        assertEquals(1, snap("broker").stopGate().unsafe());
        assertEquals(0, exitCode());
    }

    @Test
    void aGateThatCannotTellCountsAsShut() {
        FakeProcess p = readyGatedBroker();
        probes.fail(GATE, "cannot tell whether the stop is safe: timed out (127.0.0.1:9092)");
        supervisor.requestStop();
        loop.advance(s(30));
        assertTrue(p.signals.isEmpty());
        assertTrue(snap("broker").reason().endsWith("cannot tell whether the stop is safe: timed out (127.0.0.1:9092)"),
                snap("broker").reason());
    }

    @Test
    void aSecondStopRequestGoesAheadWithoutWaiting() {
        FakeProcess p = readyGatedBroker();
        probes.notReady(GATE, "not safe");
        supervisor.requestStop();
        loop.advance(s(5));
        assertTrue(p.signals.isEmpty());
        supervisor.requestStop(); // SIGTERM again: the orchestrator insists
        loop.runPending();
        assertEquals(List.of(Signal.TERM), p.signals);
        assertEquals(1, snap("broker").stopGate().unsafe());
        loop.advance(s(114));
        assertEquals(List.of(Signal.TERM), p.signals, "the grace still counts from the first request");
        loop.advance(s(1));
        assertEquals(List.of(Signal.TERM, Signal.KILL), p.signals);
    }

    @Test
    void aSafeStopDoesNotWaitAtAll() {
        FakeProcess p = readyGatedBroker();
        probes.pass(GATE);
        supervisor.requestStop();
        loop.runPending();
        assertEquals(List.of(Signal.TERM), p.signals);
        assertEquals(0, snap("broker").stopGate().waits());
    }

    @Test
    void aProcessThatEndsWhileItsStopWaitsIsStoppedAndTheGateIsNoLongerAsked() {
        FakeProcess p = readyGatedBroker();
        probes.notReady(GATE, "not safe");
        supervisor.requestStop();
        loop.advance(s(3));
        p.exit(1);
        loop.runPending();
        assertEquals(ServiceState.STOPPED, state("broker"));
        long asked = probes.count(GATE);
        loop.advance(s(120));
        assertEquals(asked, probes.count(GATE));
        assertTrue(p.signals.isEmpty());
        assertEquals(0, exitCode());
    }

    @Test
    void operatorStopAndRestartWaitAtTheGateAndForceDoesNot() {
        FakeProcess p = readyGatedBroker().obeysTerm();
        probes.notReady(GATE, "not safe");
        CommandResult r = supervisor.restart("broker");
        assertEquals("restarting broker once it is safe to stop", r.message());
        loop.advance(s(2));
        assertTrue(p.signals.isEmpty());
        r = supervisor.stop("broker", false);
        assertEquals("stopping broker once it is safe (waits up to 60 s; --force stops it now)", r.message());
        r = supervisor.stop("broker", true);
        assertTrue(r.ok(), r.message());
        loop.runPending();
        assertEquals(List.of(Signal.TERM), p.signals);
        assertEquals(ServiceState.STOPPED, state("broker"));

        assertTrue(supervisor.start("broker").ok());
        loop.advance(s(1));
        assertEquals(ServiceState.READY, state("broker"));
        FakeProcess p2 = launcher.last("broker");
        supervisor.stop("broker", true);
        loop.runPending();
        assertEquals(List.of(Signal.TERM), p2.signals, "--force: no wait");
    }

    @Test
    void stopsAfterAFailureDoNotWaitAtTheGate() {
        var broker = svc("broker").gatedBroker(s(60), s(120));
        broker.startupTimeout = s(30);
        probes.fail("broker", "connection refused");
        probes.notReady(GATE, "not safe");
        start(plan(broker));
        FakeProcess p = launcher.last("broker");
        loop.advance(s(30));
        assertEquals(List.of(Signal.TERM), p.signals, "a broker that never answered is stopped at its startup timeout at once");
        assertEquals(0, probes.count(GATE));
    }

    @Test
    void aStarterThatAnswersButIsNotReadyIsNotRestartedAtItsStartupTimeout() {
        var broker = svc("broker").gatedBroker(s(60), s(120));
        broker.startupTimeout = s(30);
        probes.notReady("broker", "catching up: not in the ISR of 40 of 40 partitions");
        start(plan(broker));
        FakeProcess p = launcher.last("broker");
        loop.advance(s(95));
        assertTrue(p.signals.isEmpty(), "catching up for three startup timeouts: left to catch up");
        assertEquals(ServiceState.STARTING, state("broker"));
        probes.fail("broker", "timed out"); // now it hangs
        loop.advance(s(30));
        assertEquals(List.of(Signal.TERM), p.signals, "restarted at the next startup timeout once it no longer answers");
    }
}
