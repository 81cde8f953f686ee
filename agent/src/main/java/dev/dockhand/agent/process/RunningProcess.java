package dev.dockhand.agent.process;

import dev.dockhand.agent.linux.Signal;

/** A spawned child. */
public interface RunningProcess {

    int pid();

    /** Sends {@code signal} to the child's whole process group (or the child alone when it shares ours). */
    void signal(Signal signal);
}
