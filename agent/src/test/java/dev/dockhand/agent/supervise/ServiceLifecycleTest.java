package dev.dockhand.agent.supervise;

import dev.dockhand.agent.protocol.ServiceState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dockhand.agent.plan.NodePlan;
import dev.dockhand.agent.process.ProcessLauncher;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One service's lifecycle on its own, with a node that records what it is told. The whole lifecycle
 * (spawn, probes, exits, stops) is driven through the supervisor in {@code SupervisorTest}; here, what
 * a move the transition table does not have does.
 */
class ServiceLifecycleTest {
    final ManualLoop loop = new ManualLoop();
    final List<String> moves = new ArrayList<>();
    final NodePlan plan = TestPlans.plan(TestPlans.svc("app").noProbe());

    final ServiceLifecycle.Node node = new ServiceLifecycle.Node() {
        @Override
        public Loop loop() {
            return loop;
        }

        @Override
        public ProcessLauncher launcher() {
            return new FakeLauncher(loop);
        }

        @Override
        public ProbeRunner probes() {
            return new FakeProbes(loop);
        }

        @Override
        public NodePlan plan() {
            return plan;
        }

        @Override
        public NodeTlsContext tls() {
            return null;
        }

        @Override
        public boolean stopping() {
            return false;
        }

        @Override
        public void evaluate() {}

        @Override
        public void stopNext() {}

        @Override
        public void failed(ServiceLifecycle s) {}

        @Override
        public void moved(ServiceLifecycle s, ServiceState from, ServiceState to, boolean legal) {
            moves.add(from + "->" + to + (legal ? "" : " ILLEGAL"));
        }
    };

    @Test
    void aMoveTheTableDoesNotHaveIsRefusedCountedAndLeavesTheStateAsItWas() {
        ServiceLifecycle s = new ServiceLifecycle(node, plan.services().get(0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.moveTo(ServiceState.READY, "a bug"));
        assertEquals("app: no move from PENDING to READY (a bug)", e.getMessage());
        assertEquals(ServiceState.PENDING, s.state, "the state stays as it was");
        assertEquals(List.of("PENDING->READY ILLEGAL"), moves, "the node is told, to count it");

        s.moveTo(ServiceState.STOPPED, "a legal move");
        assertEquals(List.of("PENDING->READY ILLEGAL", "PENDING->STOPPED"), moves);
        assertEquals(ServiceState.STOPPED, s.state);
    }
}
