package dev.dockhand.agent.linux;

/**
 * A thread's signal mask and the process's ignored signals, as the kernel keeps them: bit {@code n - 1}
 * for signal {@code n}, real-time signals included.
 *
 * @param blocked the signal mask
 * @param ignored the signals whose disposition is SIG_IGN
 */
public record SignalState(long blocked, long ignored) {

    /** Nothing blocked, nothing ignored: what a service starts with. */
    public static final SignalState DEFAULT = new SignalState(0, 0);

    public boolean isBlocked(Signal signal) {
        return (blocked & signal.bit()) != 0;
    }

    public boolean isIgnored(Signal signal) {
        return (ignored & signal.bit()) != 0;
    }

    @Override
    public String toString() {
        return "blocked " + names(blocked) + ", ignored " + names(ignored);
    }

    private static String names(long set) {
        StringBuilder b = new StringBuilder("[");
        for (int n = 1; n <= 64; n++) {
            if ((set & (1L << (n - 1))) != 0) {
                b.append(b.length() > 1 ? " " : "").append(n <= 31 ? Signal.of(n).name() : String.valueOf(n));
            }
        }
        return b.append(']').toString();
    }
}
