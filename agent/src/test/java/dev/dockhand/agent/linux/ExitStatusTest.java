package dev.dockhand.agent.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExitStatusTest {

    @Test
    void decodesExitCodes() {
        assertEquals(new ExitStatus.Exited(0), ExitStatus.decode(0));
        assertEquals(new ExitStatus.Exited(3), ExitStatus.decode(3 << 8));
        assertEquals(new ExitStatus.Exited(255), ExitStatus.decode(255 << 8));
        assertTrue(ExitStatus.decode(0).success());
        assertFalse(ExitStatus.decode(1 << 8).success());
        assertEquals(7, ExitStatus.decode(7 << 8).shellCode());
    }

    @Test
    void decodesSignalsAndCoreDumps() {
        assertEquals(new ExitStatus.Killed(15, false), ExitStatus.decode(15));
        assertEquals(new ExitStatus.Killed(6, true), ExitStatus.decode(6 | 0x80));
        assertEquals(143, ExitStatus.decode(15).shellCode());
        assertEquals(137, ExitStatus.decode(9).shellCode());
        assertEquals("killed by SIGTERM", ExitStatus.decode(15).toString());
        assertEquals("killed by SIGABRT (core dumped)", ExitStatus.decode(6 | 0x80).toString());
        assertEquals("killed by signal 34", ExitStatus.decode(34).toString());
        assertEquals("exit code 2", ExitStatus.decode(2 << 8).toString());
    }

    @Test
    void parsesSignalNames() {
        assertEquals(Signal.TERM, Signal.parse("SIGTERM"));
        assertEquals(Signal.HUP, Signal.parse("hup"));
        assertEquals(Signal.KILL, Signal.parse("9"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signal.parse("SIGNOPE"));
        assertTrue(e.getMessage().startsWith("unknown signal 'SIGNOPE'"));
        assertEquals(Signal.SYS, Signal.parse("31"));
        assertThrows(IllegalArgumentException.class, () -> Signal.parse("32"), "real-time signals are not standard ones");
        assertThrows(IllegalArgumentException.class, () -> Signal.parse("0"));
        for (Signal s : Signal.values()) {
            assertEquals(s, Signal.of(s.number), s.name());
            assertEquals(s, Signal.parse("SIG" + s.name()));
        }
    }
}
