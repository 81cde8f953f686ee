package dev.dockhand.agent.process;

/**
 * Starts child processes and tells exactly one listener when each ends. The launcher's reaper is the
 * only code in the agent that waits for children (one owner per pid); orphans re-parented to the
 * agent (PID 1 or subreaper) are reaped and logged.
 */
public interface ProcessLauncher {

    /**
     * Spawns {@code spec}; its stdout/stderr lines go to the agent's stdout/stderr prefixed with
     * {@code spec.id()}, never interleaved mid-line. {@code onExit} is called once, after the process
     * has been reaped and its output drained (or, when a descendant keeps its pipes open, a bounded
     * grace after the reap); it runs on an agent-internal thread and must not block (see
     * {@link Launcher}).
     *
     * @throws LaunchException when the process cannot be spawned (no such executable, ...)
     */
    RunningProcess launch(LaunchSpec spec, ExitListener onExit);

    /** No new launches; the children already started are still reaped and their listeners told. */
    void close();
}
