package dev.dockhand.agent.linux;

import java.util.function.Consumer;

/**
 * Catching signals in the JVM ({@code sun.misc.Signal}, in module jdk.unsupported, present in every
 * JDK 17 runtime). A handler replaces the JVM's own: a caught SIGTERM no longer runs shutdown hooks
 * or exits. Each delivery runs the handler on a fresh JVM thread.
 *
 * <p>The JVM keeps some signals for itself and refuses them: SIGQUIT (thread dump) and, on Linux,
 * SIGUSR2 (thread suspend/resume); {@link #handle} returns false for those.
 */
public final class JvmSignals {
    private JvmSignals() {}

    /** Installs {@code handler} for {@code signal}; false when the JVM does not let us have it. */
    public static boolean handle(Signal signal, Consumer<Signal> handler) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(signal.name()), s -> handler.accept(signal));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
