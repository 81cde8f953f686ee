package dev.dockhand.agent.catalog;

import java.time.Duration;

/** How a service is stopped: {@code signal} (TERM, INT, ...) to its process group, SIGKILL after {@code grace}. */
public record StopSpec(String signal, Duration grace) {}
