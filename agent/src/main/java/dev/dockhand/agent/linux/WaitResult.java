package dev.dockhand.agent.linux;

/** A reaped child: its pid and how it ended. */
public record WaitResult(int pid, ExitStatus status) {}
