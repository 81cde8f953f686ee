package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.agent.protocol.AgentSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `agent status` says where a node stands in the move from ZooKeeper to KRaft, and nothing outside one. */
class StatusViewMigrationTest {
    static AgentSnapshot snapshot(String phase) {
        return new AgentSnapshot("broker", 4, "b-1.k.test", "k", "zk-migration", 1, 0, 1_000, 1 << 20, "STARTING", false, List.of(),
                List.of(), List.of(), "plaintext", List.of(), null, phase);
    }

    @Test
    void theClusterLineNamesTheMigrationPhase() {
        String text = StatusView.render(snapshot("kraft-brokers"), false);
        assertTrue(text.contains("cluster  k  config zk-migration  migration phase kraft-brokers\n"), text);
        assertFalse(StatusView.render(snapshot(null), false).contains("migration phase"));
    }
}
