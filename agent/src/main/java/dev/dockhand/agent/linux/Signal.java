package dev.dockhand.agent.linux;

import java.util.Locale;

/** The signals the agent sends or forwards, with their Linux x86_64/aarch64 numbers. */
public enum Signal {
    HUP(1), INT(2), QUIT(3), KILL(9), USR1(10), USR2(12), TERM(15), CONT(18), STOP(19), TSTP(20), WINCH(28);

    public final int number;

    Signal(int number) {
        this.number = number;
    }

    /** Parses TERM, SIGTERM, term, or a number. */
    public static Signal parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.startsWith("SIG")) {
            t = t.substring(3);
        }
        for (Signal s : values()) {
            if (s.name().equals(t) || String.valueOf(s.number).equals(t)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown signal '" + text + "' (use TERM, INT, HUP, QUIT, KILL, USR1, USR2)");
    }

    public static String nameOf(int number) {
        for (Signal s : values()) {
            if (s.number == number) {
                return "SIG" + s.name();
            }
        }
        return "signal " + number;
    }
}
