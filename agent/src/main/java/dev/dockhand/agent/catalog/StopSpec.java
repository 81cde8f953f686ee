package dev.dockhand.agent.catalog;

import dev.dockhand.agent.linux.Signal;
import java.time.Duration;

/** How a service is stopped: {@code signal} to its process group, SIGKILL after {@code grace}. */
public record StopSpec(Signal signal, Duration grace) {}
