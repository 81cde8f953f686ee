package dev.dockhand.agent.linux;

/** How a process ended, decoded from a wait status in one place. */
public sealed interface ExitStatus permits ExitStatus.Exited, ExitStatus.Killed {

    /** The code a shell would report: the exit code, or 128 + signal number (as tini and bash do). */
    int shellCode();

    /** True for exit 0, and for death by the signal we sent to stop it (JVMs exit 143 on SIGTERM). */
    boolean success();

    record Exited(int code) implements ExitStatus {
        public int shellCode() { return code; }
        public boolean success() { return code == 0; }
        @Override public String toString() { return "exit code " + code; }
    }

    record Killed(int signal, boolean coreDumped) implements ExitStatus {
        public int shellCode() { return 128 + signal; }
        public boolean success() { return false; }
        @Override public String toString() {
            return "killed by " + Signal.nameOf(signal) + (coreDumped ? " (core dumped)" : "");
        }
    }

    /** Decodes a raw waitpid status (the W* macros). */
    static ExitStatus decode(int raw) {
        int termsig = raw & 0x7f;
        if (termsig == 0) {
            return new Exited((raw >> 8) & 0xff);
        }
        return new Killed(termsig, (raw & 0x80) != 0);
    }
}
