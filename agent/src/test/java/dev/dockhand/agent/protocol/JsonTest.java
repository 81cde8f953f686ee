package dev.dockhand.agent.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dockhand.agent.control.FakeSupervisor;
import dev.dockhand.agent.protocol.AgentSnapshot;
import dev.dockhand.agent.protocol.ServiceState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's small JSON codec must agree with the agent's Jackson, field for field. */
class JsonTest {
    private static AgentSnapshot odd() {
        FakeSupervisor f = FakeSupervisor.mixed().service("we\"ird\\\n\u0001é", ServiceState.EXITED, null, null);
        return f.snapshot();
    }

    @Test
    void writesWhatJacksonWrites() throws Exception {
        for (AgentSnapshot s : List.of(FakeSupervisor.mixed().snapshot(), FakeSupervisor.allReady().snapshot(), odd())) {
            assertEquals(Jackson.JSON.readTree(Jackson.JSON.writeValueAsBytes(s)), Jackson.JSON.readTree(Json.write(s, true)));
            assertEquals(Jackson.JSON.readTree(Jackson.JSON.writeValueAsBytes(s)), Jackson.JSON.readTree(Json.write(s, false)));
        }
    }

    @Test
    void readsWhatJacksonWrites() throws Exception {
        for (AgentSnapshot s : List.of(FakeSupervisor.mixed().snapshot(), FakeSupervisor.allReady().snapshot(), odd())) {
            String jackson = Jackson.JSON.writeValueAsString(ControlReply.ok("x", s));
            Map<?, ?> reply = (Map<?, ?>) Json.parse(jackson);
            assertEquals(s, Json.toRecord(reply.get("snapshot"), AgentSnapshot.class));
        }
    }

    @Test
    void parsesTheJsonGrammar() {
        assertEquals(Map.of("a", List.of(1L, -2.5, true, false, "\u00e9\n\"/"), "b", Map.of()),
                Json.parse(" {\"a\" : [1, -2.5e0, true,false, \"\\u00e9\\n\\\"\\/\"], \"b\":{}} "));
        assertEquals(java.util.Collections.singletonMap("n", null), Json.parse("{\"n\":null}"));
        for (String bad : List.of("{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "1 2", "{\"a\":\"\\x\"}")) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }

    @Test
    void unknownFieldsAreIgnoredAndMissingOnesDefault() {
        Object tree = Json.parse("{\"ok\":true,\"latencyMs\":7,\"future\":{\"x\":1}}");
        assertEquals(new AgentSnapshot.ProbeSnapshot(true, null, 7, 0), Json.toRecord(tree, AgentSnapshot.ProbeSnapshot.class));
        assertThrows(IllegalArgumentException.class, () -> Json.toRecord(Json.parse("{\"ok\":\"yes\"}"), AgentSnapshot.ProbeSnapshot.class));
    }
}
