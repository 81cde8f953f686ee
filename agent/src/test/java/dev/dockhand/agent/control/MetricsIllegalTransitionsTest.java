package dev.dockhand.agent.control;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.protocol.AgentSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A state change the transition table does not have is a bug: /metrics counts them. */
class MetricsIllegalTransitionsTest {
    @Test
    void theCountIsACounter() {
        AgentSnapshot s = new AgentSnapshot("broker", 4, "b-1.k.test", "k", "production", 1, 0, 1_000, 1 << 20, "READY", true, List.of(),
                List.of(), List.of(), "plaintext", List.of(), null, null, 2);
        String metrics = Metrics.render(s);
        assertTrue(metrics.contains("# TYPE dockhand_agent_illegal_transitions_total counter\n"), metrics);
        assertTrue(metrics.contains("\ndockhand_agent_illegal_transitions_total 2\n"), metrics);
        assertTrue(PrometheusTextCheck.parse(metrics).stream().anyMatch(x -> x.name().equals("dockhand_agent_illegal_transitions_total")));
    }
}
