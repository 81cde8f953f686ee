package dev.dockhand.agent.linux;

import java.util.Locale;

/** The 31 standard signals with their Linux numbers (x86_64 and aarch64 agree on all of them). */
public enum Signal {
    HUP(1), INT(2), QUIT(3), ILL(4), TRAP(5), ABRT(6), BUS(7), FPE(8), KILL(9), USR1(10), SEGV(11), USR2(12),
    PIPE(13), ALRM(14), TERM(15), STKFLT(16), CHLD(17), CONT(18), STOP(19), TSTP(20), TTIN(21), TTOU(22), URG(23),
    XCPU(24), XFSZ(25), VTALRM(26), PROF(27), WINCH(28), IO(29), PWR(30), SYS(31);

    public final int number;

    Signal(int number) {
        this.number = number;
    }

    /** Bit {@code number - 1}: how /proc and the kernel lay out a signal set. */
    public long bit() {
        return 1L << (number - 1);
    }

    /** The signal numbered {@code number}. */
    public static Signal of(int number) {
        if (number < 1 || number > 31) {
            throw new IllegalArgumentException("no standard signal numbered " + number + " (1 to 31)");
        }
        return values()[number - 1];
    }

    /** Parses TERM, SIGTERM, term, or a number from 1 to 31. */
    public static Signal parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.startsWith("SIG")) {
            t = t.substring(3);
        }
        if (t.matches("[0-9]{1,2}")) {
            int n = Integer.parseInt(t);
            if (n >= 1 && n <= 31) {
                return of(n);
            }
        } else {
            for (Signal s : values()) {
                if (s.name().equals(t)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown signal '" + text + "' (a name such as TERM or SIGTERM, or a number from 1 to 31)");
    }

    public static String nameOf(int number) {
        return number >= 1 && number <= 31 ? "SIG" + of(number).name() : "signal " + number;
    }
}
