package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.protocol.AgentSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A state change the transition table does not have is a bug: status shows how many there were (metrics too: MetricsIllegalTransitionsTest). */
class StatusViewIllegalTransitionsTest {
    static AgentSnapshot snapshot(long illegal) {
        return new AgentSnapshot("broker", 4, "b-1.k.test", "k", "production", 1, 0, 1_000, 1 << 20, "READY", true, List.of(),
                List.of(), List.of(), "plaintext", List.of(), null, null, illegal);
    }

    @Test
    void statusShowsTheCount() {
        assertFalse(StatusView.render(snapshot(0), false).contains("BUG"));
        String text = StatusView.render(snapshot(2), false);
        assertTrue(text.contains("BUG: 2 illegal state change(s), see the log"), text);
        assertEquals(0L, snapshot(0).illegalTransitions());
    }
}
