package dev.dockhand.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The nodes kafka-access is told about: FQDNs, or a wrong input. */
class KafkaAccessCommandTest {
    @Test
    void nodeListsAreFqdnsAndAnythingElseIsAWrongInput() {
        assertEquals(List.of(), KafkaAccessCommand.fqdns("--console-nodes", ""));
        assertEquals(List.of("gw-1.k.test", "gw-2.k.test"), KafkaAccessCommand.fqdns("--console-nodes", "gw-1.k.test,gw-2.k.test"));
        for (String bad : List.of("gw 1", "*", "User:CN=x", "-x", "a;b")) {
            AgentException e = assertThrows(AgentException.class, () -> KafkaAccessCommand.fqdns("--registry-nodes", bad));
            assertEquals(ExitCode.INVALID_INPUT, e.exitCode());
            assertTrue(e.getMessage().startsWith("--registry-nodes: '"), e.getMessage());
        }
    }
}
