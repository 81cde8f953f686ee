package dev.dockhand.agent.process;

import dev.dockhand.agent.linux.ExitStatus;

/** Told once when a launched process has been reaped. */
@FunctionalInterface
public interface ExitListener {
    void exited(int pid, ExitStatus status);
}
