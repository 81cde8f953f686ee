package dev.dockhand.agent.linux;

/** A child the agent spawned: its pid (= its process group id when in its own session) and pipe fds. */
public record Spawned(int pid, int stdoutFd, int stderrFd) {}
