package dev.dockhand.agent.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnsupportedLinuxTest {
    private final Linux linux = new UnsupportedLinux("this is Mac OS X");

    @Test
    void spawningFailsWithAMessageThatSaysWhyAndWhatStillWorks() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> linux.spawn(List.of("kafka"), Map.of(), Path.of("/"), null, true));
        assertEquals("dockhand agent cannot start kafka here (this is Mac OS X); it supervises processes on Linux only."
                + " 'agent render' and 'agent check' work anywhere.", e.getMessage());
        assertThrows(UnsupportedOperationException.class, linux::becomeChildSubreaper);
    }

    @Test
    void harmlessQueriesStillAnswer() {
        assertTrue(linux.waitAny().isEmpty());
        assertEquals(-1, linux.rssBytes(1));
        assertEquals(ProcessHandle.current().pid(), linux.getpid());
    }
}
