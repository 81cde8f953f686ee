package dev.dockhand.agent.supervise;

import dev.dockhand.agent.protocol.ServiceState;
import dev.dockhand.agent.protocol.AgentSnapshot;
import static dev.dockhand.agent.supervise.TestPlans.plan;
import static dev.dockhand.agent.supervise.TestPlans.svc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.linux.ExitStatus;
import dev.dockhand.agent.linux.Signal;
import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.protocol.AgentSnapshot.ServiceSnapshot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A ZooKeeper-mode broker's start waits while ZooKeeper still holds its registration from a process
 * that died without closing its session: on a manual loop, ZooKeeper's answers scripted (target
 * {@code "broker registration"}: pass = the znode is gone, not ready = still held, fail = no answer).
 */
class RegistrationWaitTest {
    static final String ZK = "broker registration";
    static final Duration SESSION = Duration.ofSeconds(12);

    final ManualLoop loop = new ManualLoop();
    final FakeLauncher launcher = new FakeLauncher(loop);
    final FakeProbes probes = new FakeProbes(loop);
    Supervisor supervisor;

    void start(NodePlan plan) {
        supervisor = new Supervisor(plan, launcher, probes, () -> {
            throw new InvalidInputException("no replan in this test");
        }, loop, 1, () -> 30L << 20);
        supervisor.start();
        loop.runPending();
    }

    ServiceSnapshot snap() {
        return supervisor.snapshot().services().stream().filter(s -> s.id().equals("broker")).findFirst().orElseThrow();
    }

    /** A broker READY under the supervisor, then killed with -9. */
    void readyBrokerKilled() {
        probes.pass(ZK);
        probes.pass("broker");
        start(plan(svc("broker").zooKeeperBroker(2, SESSION).backoff(Duration.ofSeconds(2), Duration.ofSeconds(30), 10)));
        loop.advance(Duration.ofMillis(100));
        assertEquals(ServiceState.READY, snap().state());
        probes.notReady(ZK, "/brokers/ids/2 held by session 0x1000"); // its dead session holds the znode
        launcher.last("broker").exit(new ExitStatus.Killed(Signal.KILL.number, false));
        loop.runPending();
    }

    @Test
    void aBrokerKilledWithMinus9StartsOnceItsOldRegistrationIsGoneWithoutASecondCrash() {
        readyBrokerKilled();
        assertEquals(ServiceState.PENDING, snap().state(), "waiting is not a crash: no BACKOFF");
        assertEquals(1, launcher.of("broker").size(), "not started while ZooKeeper holds its registration");
        assertTrue(snap().reason().startsWith("waiting for broker 2's old ZooKeeper session to expire (/brokers/ids/2 held by session "
                + "0x1000; 0 s of at most 17 s)"), snap().reason());
        assertEquals(1, snap().restarts(), "the kill counts once");

        loop.advance(Duration.ofSeconds(9));
        assertEquals(1, launcher.of("broker").size());
        assertTrue(snap().reason().contains("; 9 s of at most 17 s)"), snap().reason());
        long asked = probes.count(ZK);
        assertTrue(asked >= 18, "asked again every 500 ms: " + asked);

        probes.pass(ZK); // ZooKeeper expired the session
        loop.advance(RegistrationWait.ASK_INTERVAL);
        assertEquals(2, launcher.of("broker").size(), "started once the znode is gone");
        loop.advance(Duration.ofMillis(100));
        assertEquals(ServiceState.READY, snap().state());
        assertEquals(1, snap().restarts(), "one kill, one restart: the wait counts for nothing");
        loop.advance(Duration.ofSeconds(60));
        assertEquals(asked + 1, probes.count(ZK), "ZooKeeper is not asked once the broker started");
    }

    @Test
    void theWaitIsBoundedByTheSessionTimeoutAndAMarginThenTheBrokerStartsAnyway() {
        readyBrokerKilled();
        Duration bound = SESSION.plus(RegistrationWait.MARGIN);
        loop.advance(bound.minusMillis(500));
        assertEquals(1, launcher.of("broker").size());
        loop.advance(Duration.ofMillis(500));
        assertEquals(2, launcher.of("broker").size(), "a znode that outlives the old session's timeout is not its: start, and let it say");
        assertTrue(snap().state().running(), snap().state().toString());
        assertEquals(1, snap().restarts());
    }

    @Test
    void afterACrashAZooKeeperThatCannotTellMakesTheRestartWaitOutTheSessionTimeout() {
        readyBrokerKilled();
        probes.fail(ZK, "connection refused (zk-1.test:2181)");
        loop.advance(Duration.ofSeconds(3));
        assertEquals(ServiceState.PENDING, snap().state());
        assertTrue(snap().reason().contains("ZooKeeper does not answer: connection refused"), snap().reason());
        loop.advance(SESSION.plus(RegistrationWait.MARGIN).minusSeconds(3));
        assertEquals(2, launcher.of("broker").size());
    }

    @Test
    void aFirstStartAsksOnceAndStartsAtOnceWhenTheRegistrationIsFreeOrZooKeeperCannotTell() {
        probes.fail(ZK, "timed out (zk-1.test:2181)");
        start(plan(svc("broker").zooKeeperBroker(2, SESSION)));
        assertEquals(1, launcher.of("broker").size(), "a first start does not wait out a timeout it has no cause for");
        assertEquals(1, probes.count(ZK));
        assertEquals(0, snap().restarts());
    }

    @Test
    void anAgentRestartedAfterItsBrokerDiedWaitsForTheOldRegistrationToo() {
        probes.notReady(ZK, "/brokers/ids/2 held by session 0x2000");
        start(plan(svc("broker").zooKeeperBroker(2, SESSION)));
        assertEquals(List.of(), launcher.events, "the previous container's broker still holds it");
        assertEquals(ServiceState.PENDING, snap().state());
        probes.pass(ZK);
        loop.advance(RegistrationWait.ASK_INTERVAL);
        assertEquals(1, launcher.of("broker").size());
    }

    @Test
    void aStopWhileWaitingStopsItAndALaterStartAsksAgain() {
        readyBrokerKilled();
        assertTrue(supervisor.stop("broker", false).ok());
        assertEquals(ServiceState.STOPPED, snap().state());
        probes.pass(ZK);
        loop.advance(Duration.ofSeconds(30));
        assertEquals(1, launcher.of("broker").size(), "stopped: not started by an answer that came after the stop");
        long asked = probes.count(ZK);
        assertTrue(supervisor.start("broker").ok());
        loop.runPending();
        assertEquals(asked + 1, probes.count(ZK));
        assertEquals(2, launcher.of("broker").size());
    }

    @Test
    void servicesWithoutARegistrationNeverAsk() {
        start(plan(svc("app").noProbe()));
        launcher.last("app").exit(1);
        loop.runPending();
        assertEquals(2, launcher.of("app").size());
        assertEquals(0, probes.asked.stream().filter(t -> t.endsWith(" registration")).count());
    }
}
